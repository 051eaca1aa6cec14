"""The points store's pages: browse, an item, the redeem confirmation, my redemptions, my tools.

Every page is the signed-in creator's own: items are shared, but redemptions and tools are
fetched through `request.user.creator`, so another creator's id in a URL is a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import creator_required
from core.clock import rewards_today
from core.regions import cached_region

from . import dashboard, store
from .forms import RedeemForm, StoreFilterForm
from .models import StoreItem

REDEMPTIONS_PAGE_SIZE = 25
# An item's own recent redemptions shown on its page.
ITEM_HISTORY = 5


@creator_required
@require_GET
def store_list(request: HttpRequest) -> HttpResponse:
    """The catalog with the creator's prices; the filters swap only the results with htmx."""
    form = StoreFilterForm(request.GET or None)
    status = 200
    filters = store.StoreFilters()
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            filters = store.StoreFilters(
                kind=data["kind"],
                min_points=data["min_points"],
                max_points=data["max_points"],
                affordable_only=data["affordable"],
            )
        else:
            status = 400
    creator = request.user.creator
    template = "rewards/_store_body.html" + ("#results" if request.htmx else "")

    def render_body() -> str:
        who = store.shopper(creator)
        offers = store.browse(who, filters, timezone.now()) if status == 200 else []
        return render_to_string(
            template,
            {
                "form": form,
                "offers": offers,
                "who": who,
                "filtered": filters != store.StoreFilters(),
            },
        )

    if status != 200:
        body = mark_safe(render_body())
    else:
        body = cached_region(
            "store",
            request.htmx is True,
            request.GET.urlencode(),
            *_shopper_version(creator),
            render=render_body,
        )
    if request.htmx:
        return HttpResponse(body, status=status)
    return render(request, "rewards/store.html", {"body_html": body}, status=status)


def _shopper_version(creator: object) -> tuple:
    """What a creator's store pages depend on besides the item: their points (the ledger's
    version), their standing, the catalog, and the day (tiers move at night; the cache's
    lifetime bounds how long an item's opening or closing time can lag)."""
    return (
        creator.pk,
        dashboard.ledger_version(creator),
        creator.standing,
        store.catalog_version(),
        rewards_today(),
    )


def _item_context(request: HttpRequest, item: StoreItem) -> dict:
    creator = request.user.creator
    who = store.shopper(creator, item_ids=[item.pk])
    offer = store.availability(who, item, timezone.now())
    return {
        "item": item,
        "who": who,
        "offer": offer,
        "balance_after": who.balance - offer.price.points,
        "request_key": store.request_key(who, item),
        "mine": store.my_redemptions(creator).filter(item=item)[:ITEM_HISTORY],
    }


@creator_required
@require_GET
def store_item(request: HttpRequest, slug: str) -> HttpResponse:
    """An item, its price for this creator, and plainly why they can or cannot redeem it."""
    item = get_object_or_404(StoreItem.objects.select_related("min_tier"), slug=slug)
    body = cached_region(
        "store-item",
        item.pk,
        *_shopper_version(request.user.creator),
        render=lambda: render_to_string(
            "rewards/_store_item_body.html", _item_context(request, item)
        ),
    )
    return render(request, "rewards/store_item.html", {"item": item, "body_html": body})


@creator_required
@require_http_methods(["GET", "POST"])
def redeem(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the confirmation step (a page, or a panel swapped into the item page by htmx).
    POST: redeem. The same submission twice makes one redemption (see store.request_key)."""
    item = get_object_or_404(StoreItem.objects.select_related("min_tier"), slug=slug)
    partial = "#redeem-panel" if request.htmx else ""
    if request.method == "GET":
        context = _item_context(request, item)
        status = 200 if context["offer"].can_redeem else 409
        return render(
            request, f"rewards/redeem.html{partial}", {**context, "confirm": True}, status=status
        )
    form = RedeemForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "That form is out of date: reload the page and try again."
    else:
        try:
            redemption, created = store.redeem_item(
                creator=request.user.creator,
                item_id=item.pk,
                request_key=form.cleaned_data["request_key"],
            )
        except store.StoreError as exc:
            error = str(exc)
    if error:
        context = {**_item_context(request, item), "confirm": True, "error": error}
        return render(request, f"rewards/redeem.html{partial}", context, status=409)
    if request.htmx:
        return render(
            request,
            "rewards/redeem.html#redeem-done",
            {"item": item, "redemption": redemption, "created": created},
        )
    if created:
        messages.success(request, _done_message(redemption))
    else:
        messages.info(request, "You had already redeemed this: here it is, once.")
    return redirect(redemption)


def _done_message(redemption: object) -> str:
    if redemption.is_pending:
        return f"Redeemed {redemption.item.name}: the team will fulfil it and tell you."
    return f"Redeemed {redemption.item.name}: it is unlocked in My tools."


@creator_required
@require_GET
def redemptions(request: HttpRequest) -> HttpResponse:
    """Everything the creator redeemed, newest first, with its state."""
    page = Paginator(store.my_redemptions(request.user.creator), REDEMPTIONS_PAGE_SIZE)
    return render(
        request,
        "rewards/redemptions.html",
        {"page": page.get_page(request.GET.get("page"))},
    )


@creator_required
@require_GET
def redemption_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One redemption's state and history, its ledger entries and, for a tool, its unlock."""
    redemption = get_object_or_404(
        store.my_redemptions(request.user.creator).select_related(
            "entry", "refund_entry", "item__min_tier"
        ),
        pk=pk,
    )
    return render(
        request,
        "rewards/redemption.html",
        {
            "redemption": redemption,
            "events": redemption.events.all(),
            "ledger_entries": [e for e in (redemption.entry, redemption.refund_entry) if e],
            "pending_days": settings.STORE_PENDING_MAX_DAYS,
        },
    )


@creator_required
@require_GET
def my_tools(request: HttpRequest) -> HttpResponse:
    """Creation tools the creator unlocked: in use now, coming up, and expired."""
    now = timezone.now()
    tools = list(store.my_tools(request.user.creator)[:200])
    return render(
        request,
        "rewards/tools.html",
        {
            "active": [t for t in tools if t.is_active_at(now)],
            "queued": [t for t in tools if t.starts_at > now],
            "expired": [t for t in tools if t.ends_at <= now],
            "now": now,
        },
    )
