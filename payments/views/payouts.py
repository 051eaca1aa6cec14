"""A creator's payouts: their payout method (masked), what they may withdraw, the request
form, and each request with its history. Creators only, each seeing only their own.

Bank details arrive here and go straight to payments.payouts: the method view is
@sensitive_post_parameters and its form never writes them back into the page.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import creator_required
from core.money import format_minor

from .. import ledger, payouts
from ..forms_payouts import PayoutMethodForm, PayoutRequestForm


@creator_required
@require_http_methods(["GET", "POST"])
def payouts_page(request: HttpRequest) -> HttpResponse:
    creator = request.user.creator
    balances = ledger.balances(creator)
    form = PayoutRequestForm(
        request.POST if request.method == "POST" else None,
        currencies=[b.currency for b in balances],
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                payout = payouts.request_payout(
                    creator=creator,
                    amount=form.cleaned_data["amount_minor"],
                    currency=form.cleaned_data["currency"],
                    request_key=form.cleaned_data["request_key"],
                )
            except payouts.PayoutError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, f"Payout of {payout.amount_display} requested: the team pays it soon."
                )
                return redirect("payments:payouts")
        status = 400
    method = payouts.current_method(creator)
    context = {
        "method": method,
        "locked_until": payouts.payouts_locked_until(method),
        "balances": [
            {
                "currency": b.currency,
                "available": format_minor(b.available, b.currency),
                "pending": format_minor(b.pending, b.currency) if b.pending else "",
            }
            for b in balances
        ],
        "can_request": any(b.available for b in balances),
        "requested_today": payouts.requested_today(creator),
        "minimum": " or ".join(
            format_minor(settings.PAYOUT_MINIMUM_MINOR, b.currency) for b in balances
        ),
        "lock_days": settings.PAYOUT_METHOD_LOCK_DAYS,
        "form": form,
        "requests": creator.payout_requests.select_related("method"),
    }
    return render(request, "payments/payouts.html", context, status=status)


@sensitive_post_parameters("account_number", "bank_code")
@sensitive_variables("form")
@creator_required
@require_http_methods(["GET", "POST"])
def payout_method(request: HttpRequest) -> HttpResponse:
    creator = request.user.creator
    form = PayoutMethodForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                method = payouts.set_payout_method(
                    creator=creator,
                    kind=form.cleaned_data["kind"],
                    holder_name=form.cleaned_data["holder_name"],
                    account_number=form.cleaned_data["account_number"],
                    bank_code=form.cleaned_data["bank_code"],
                )
            except payouts.PayoutError as error:
                form.add_error(None, str(error))
            else:
                until = payouts.payouts_locked_until(method)
                messages.success(
                    request,
                    f"Payouts now go to {method}."
                    + (
                        " For your safety, you can request one from "
                        f"{timezone.localtime(until):%-d %b %Y, %H:%M}."
                        if until
                        else ""
                    ),
                )
                return redirect("payments:payouts")
        status = 400
    context = {
        "form": form,
        "method": payouts.current_method(creator),
        "lock_days": settings.PAYOUT_METHOD_LOCK_DAYS,
    }
    return render(request, "payments/payouts_method.html", context, status=status)


@creator_required
@require_GET
def payout(request: HttpRequest, pk: int) -> HttpResponse:
    payout = get_object_or_404(request.user.creator.payout_requests.select_related("method"), pk=pk)
    context = {"payout": payout, "events": payout.events.all()}
    return render(request, "payments/payouts_detail.html", context)
