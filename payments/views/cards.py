"""The signed-in user's saved cards: see them (masked) and, with the sandbox, add one.

Card numbers arrive here and go straight to the gateway: the view is
@sensitive_post_parameters, the form never writes them back into the page, and nothing
logs them. With the Stripe gateway, cards come from Stripe's own form (not built yet), so
the page lists cards only.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import login_required

from .. import selectors, services
from ..forms import CardForm
from ..gateway import CardDetails
from ..gateway.sandbox import TEST_CARDS


@sensitive_post_parameters("number", "cvc")
@sensitive_variables("form", "details")
@login_required
@require_http_methods(["GET", "POST"])
def cards(request: HttpRequest) -> HttpResponse:
    takes_numbers = settings.PAYMENTS_GATEWAY == "sandbox"
    form = CardForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not takes_numbers:
            return HttpResponse(
                "Cards are saved through the payment service's own form.", status=405
            )
        if form.is_valid():
            details = CardDetails(
                number=form.cleaned_data["number"],
                exp_month=form.cleaned_data["exp_month"],
                exp_year=form.cleaned_data["exp_year"],
                cvc=form.cleaned_data["cvc"],
            )
            try:
                saved = services.save_card(user=request.user, card=details)
            except services.PaymentError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Saved {saved} (expires {saved.expiry}).")
                return redirect("payments:cards")
        status = 400
    saved_cards = selectors.cards_of(request.user)
    context = {
        "cards": saved_cards,
        "form": form,
        "takes_numbers": takes_numbers,
        "test_cards": [
            {"number": " ".join(number[i : i + 4] for i in range(0, 16, 4)), "behaviour": what}
            for number, what in SANDBOX_CARD_NOTES.items()
        ],
    }
    return render(request, "payments/cards.html", context, status=status)


@login_required
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop offering one of the user's cards, unless something still pays with it."""
    card = get_object_or_404(selectors.cards_of(request.user), pk=pk)
    try:
        services.remove_card(card=card)
    except services.PaymentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Removed {card}: it is no longer offered.")
    return redirect("payments:cards")


SANDBOX_CARD_NOTES = {
    "4242424242424242": "is saved and charged",
    "4000000000000002": "is declined",
    "4000000000000341": "is saved, then declined when charged",
    "4000002760003184": "is saved, then needs the cardholder to confirm each charge",
}
assert set(SANDBOX_CARD_NOTES) <= set(TEST_CARDS)
