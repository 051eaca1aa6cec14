"""The creator's subscription studio: an overview, their subscribers (and a CSV of them), their
subscription revenue, and the hand-delivered perks they owe.

Every read goes through subscriptions.selectors_studio from `request.user.creator`, so a
creator only ever sees their own subscribers, charges and perks; the one write (marking perks
delivered) goes through subscriptions.studio, which ignores another creator's ids.
"""

import csv
import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import creator_required
from accounts.models import CreatorProfile
from core.http import bad_request
from core.plurals import plural

from . import selectors_studio as reads
from . import studio
from .forms_studio import MarkDeliveredForm, SubscriberFilterForm

SUBSCRIBERS_PAGE_SIZE = 50
CHARGES_PAGE_SIZE = 50
PERKS_PAGE_SIZE = 100


class _Echo:
    """A file-like object whose write returns the line, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def _query(**params: str | int | None) -> str:
    """The query string of a list's filter, for its pager and export links."""
    return urlencode({key: value for key, value in params.items() if value not in ("", None)})


def _first_error(form: SubscriberFilterForm | MarkDeliveredForm) -> str:
    return next(iter(form.errors.values()))[0]


@creator_required
@require_GET
def studio_home(request: HttpRequest) -> HttpResponse:
    """The studio's overview: a card for each of its pages with its headline number."""
    creator = request.user.creator
    return render(
        request,
        "subscriptions/studio/home.html",
        {
            "overview": reads.overview(creator),
            "perks": reads.perk_counts(creator),
            "packages": reads.package_count(creator),
        },
    )


# --- subscribers ------------------------------------------------------------------------------


@creator_required
@require_GET
def subscribers(request: HttpRequest) -> HttpResponse:
    """The creator's subscribers, newest first, filtered by state and package, 50 a page."""
    creator = request.user.creator
    form = SubscriberFilterForm(request.GET, creator=creator)
    if not form.is_valid():
        return bad_request(request, _first_error(form))
    state, package = form.cleaned_data["state"], form.cleaned_data["package"]
    found = reads.subscribers(creator, state=state, package=package)
    page = Paginator(found, SUBSCRIBERS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = _query(state=state, package=package.pk if package else "")
    return render(
        request,
        "subscriptions/studio/subscribers.html",
        {
            "form": form,
            "state": state,
            "heading": reads.subscribers_heading(state, page.paginator.count),
            "package": package,
            "page": page,
            "rows": reads.subscriber_rows(page.object_list),
            "query": query,
            "csv_url": f"{reverse('subscriptions:subscribers_csv')}?{query}",
        },
    )


def _filename_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower() or "creator"


@creator_required
@require_GET
def subscribers_csv(request: HttpRequest) -> HttpResponse:
    """Every subscriber of the list's filter as CSV, streamed; cells that a spreadsheet would
    run as a formula are quoted as text."""
    creator = request.user.creator
    form = SubscriberFilterForm(request.GET, creator=creator)
    if not form.is_valid():
        return bad_request(request, _first_error(form))
    state, package = form.cleaned_data["state"], form.cleaned_data["package"]
    writer = csv.writer(_Echo())
    rows = reads.subscriber_csv_rows(creator, state=state, package=package)
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    parts = ["subscribers", _filename_part(creator.handle), state]
    if package is not None:
        parts.append(_filename_part(package.name))
    parts.append(f"{timezone.localdate():%Y-%m-%d}")
    response["Content-Disposition"] = f'attachment; filename="{"-".join(parts)}.csv"'
    return response


# --- revenue ----------------------------------------------------------------------------------


@creator_required
@require_GET
def revenue(request: HttpRequest) -> HttpResponse:
    """Monthly recurring revenue, subscribers won and lost, 12 months of revenue, the
    creator's share and the last 90 days' charges."""
    creator = request.user.creator
    page = Paginator(reads.recent_charges(creator), CHARGES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "subscriptions/studio/revenue.html",
        {
            "overview": reads.overview(creator),
            "revenues": reads.monthly_revenue(creator),
            "share": reads.share(creator),
            "page": page,
            "rows": reads.charge_rows(page.object_list),
            "charge_days": reads.CHARGE_DAYS,
            "chart_months": reads.CHART_MONTHS,
        },
    )


# --- perks ------------------------------------------------------------------------------------


def _perks_url(show: str, page: int | None = None) -> str:
    query = _query(show=show if show != "due" else "", page=page if page and page > 1 else "")
    return reverse("subscriptions:perks") + (f"?{query}" if query else "")


def _mark(request: HttpRequest, creator: CreatorProfile, ids: list[int]) -> None:
    """Mark the chosen perks delivered and say what happened, ids not the creator's too."""
    if not ids:
        messages.warning(request, "Choose the perks to mark delivered first.")
        return
    own = reads.own_delivery_ids(creator, ids)
    changed = studio.mark_perks_delivered(creator=creator, delivery_ids=own)
    if changed:
        messages.success(
            request,
            f"Marked {plural(changed, 'perk')} delivered; "
            f"{'the fan was' if changed == 1 else 'the fans were'} told.",
        )
    if already := len(own) - changed:
        messages.info(
            request,
            f"{plural(already, 'perk was', 'perks were')} already delivered and kept "
            f"{'its' if already == 1 else 'their'} date.",
        )
    if foreign := len(set(ids) - own):
        messages.warning(
            request,
            f"{plural(foreign, 'chosen perk is', 'chosen perks are')} not due to any of your "
            "subscribers: nothing changed for "
            f"{'it' if foreign == 1 else 'them'}.",
        )


def _perks_page(
    request: HttpRequest, creator: CreatorProfile, show: str, page_number: str | int | None
) -> HttpResponse:
    page: Page = Paginator(reads.perk_deliveries(creator, show=show), PERKS_PAGE_SIZE).get_page(
        page_number
    )
    template = "subscriptions/studio/perks.html"
    return render(
        request,
        f"{template}#deliveries" if request.htmx else template,
        {
            "show": show,
            "filters": reads.PERK_FILTERS,
            "counts": reads.perk_counts(creator),
            "page": page,
            "query": _query(show=show),
            # A swapped list shows its own messages; a whole page shows them in its header.
            "inline_messages": bool(request.htmx),
        },
    )


@creator_required
@require_http_methods(["GET", "POST"])
def perks(request: HttpRequest) -> HttpResponse:
    """The perks the creator owes (or has delivered), oldest month first; POST marks the
    checked ones, or the one a row's button names, delivered. Without JavaScript a POST
    redirects back to the list; with htmx it answers the list itself."""
    creator = request.user.creator
    if request.method == "POST":
        form = MarkDeliveredForm(request.POST)
        show, page = "due", None
        if form.is_valid():
            show = form.cleaned_data["show"] or "due"
            page = form.cleaned_data["page"]
            _mark(request, creator, form.delivery_ids())
        else:
            messages.error(request, _first_error(form))
        if not request.htmx:
            return redirect(_perks_url(show, page))
        return _perks_page(request, creator, show, page)
    show = request.GET.get("show") or "due"
    if show not in reads.PERK_FILTERS:
        return bad_request(request, "Show the perks to deliver, the delivered ones or all.")
    return _perks_page(request, creator, show, request.GET.get("page"))
