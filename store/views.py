"""The points store's pages: browse, an item, the redeem confirmation, my redemptions, my tools.

Every page is the signed-in creator's own: items are shared, but redemptions and tools are
fetched through `request.user.creator`, so another creator's id in a URL is a 404.

The catalog and an item's page are cached per creator as rendered fragments (`{% cache %}`
in their templates), under a key that changes when the creator's points, standing, the
catalog or the day change. Their data is read lazily, so a cached page reads none of it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts.access import creator_required
from accounts.models import CreatorProfile
from core.clock import rewards_today
from core.http import wants_fragment
from core.regions import REGION_SECONDS, region_key
from rewards import selectors as rewards_selectors

from . import selectors, services
from .forms import RedeemForm, StoreFilterForm
from .models import Redemption, StoreItem

REDEMPTIONS_PAGE_SIZE = 25
# An item's own recent redemptions shown on its page.
ITEM_HISTORY = 5


def _cache_key(creator: CreatorProfile) -> str:
    """What a creator's store pages depend on besides the item: their points (the ledger's
    version), their standing, the catalog, and the day (tiers move at night; the cache's
    lifetime bounds how long an item's opening or closing time can lag)."""
    parts = (
        creator.pk,
        rewards_selectors.ledger_version(creator),
        creator.standing,
        selectors.catalog_version(),
        rewards_today(),
    )
    return region_key(*parts)


@dataclass(frozen=True)
class CatalogPage:
    who: selectors.Shopper
    offers: list[selectors.Availability]


@creator_required
@require_GET
@vary_on_headers("HX-Request")  # the same URL answers htmx with its region only
def catalog(request: HttpRequest) -> HttpResponse:
    """The catalog with the creator's prices; the filters swap only the results with htmx."""
    form = StoreFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    filters = selectors.StoreFilters()
    if form.is_bound and valid:
        data = form.cleaned_data
        filters = selectors.StoreFilters(
            kind=data["kind"],
            min_points=data["min_points"],
            max_points=data["max_points"],
            affordable_only=data["affordable"],
        )
    creator = request.user.creator

    def read() -> CatalogPage:
        who = selectors.shopper(creator)
        offers = selectors.browse(who, filters, timezone.now()) if valid else []
        return CatalogPage(who, offers)

    return render(
        request,
        "store/catalog.html#results" if wants_fragment(request) else "store/catalog.html",
        {
            "form": form,
            "filtered": filters != selectors.StoreFilters(),
            "page": SimpleLazyObject(read),
            "cache_key": f"{_cache_key(creator)}:{request.GET.urlencode()}",
            "region_seconds": REGION_SECONDS,
        },
        status=200 if valid else 400,
    )


@dataclass(frozen=True)
class ItemPage:
    """What an item's page and its redeem panel show for one creator."""

    who: selectors.Shopper
    offer: selectors.Availability
    request_key: str
    mine: QuerySet[Redemption]

    @property
    def balance_after(self) -> int:
        return self.who.balance - self.offer.price.points


def _item_page(creator: CreatorProfile, item: StoreItem) -> ItemPage:
    who = selectors.shopper(creator, item_ids=[item.pk])
    return ItemPage(
        who=who,
        offer=selectors.availability(who, item, timezone.now()),
        request_key=selectors.request_key(who, item),
        mine=selectors.my_redemptions(creator).filter(item=item)[:ITEM_HISTORY],
    )


@creator_required
@require_GET
def item(request: HttpRequest, slug: str) -> HttpResponse:
    """An item, its price for this creator, and plainly why they can or cannot redeem it."""
    item = get_object_or_404(StoreItem.objects.select_related("min_tier"), slug=slug)
    creator = request.user.creator
    return render(
        request,
        "store/item.html",
        {
            "item": item,
            "page": SimpleLazyObject(lambda: _item_page(creator, item)),
            "cache_key": f"{item.pk}:{_cache_key(creator)}",
            "region_seconds": REGION_SECONDS,
        },
    )


@creator_required
@require_http_methods(["GET", "POST"])
def redeem(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the confirmation step (a page, or a panel swapped into the item page by htmx).
    POST: redeem. The same submission twice makes one redemption (see selectors.request_key)."""
    item = get_object_or_404(StoreItem.objects.select_related("min_tier"), slug=slug)
    creator = request.user.creator
    partial = "#redeem-panel" if request.htmx else ""
    if request.method == "GET":
        page = _item_page(creator, item)
        return render(
            request,
            f"store/redeem.html{partial}",
            {"item": item, "page": page, "confirm": True},
            status=200 if page.offer.can_redeem else 409,
        )
    form = RedeemForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "That form is out of date: reload the page and try again."
    else:
        try:
            redemption, created = services.redeem_item(
                creator=creator, item_id=item.pk, request_key=form.cleaned_data["request_key"]
            )
        except services.StoreError as exc:
            error = str(exc)
    if error:
        context = {"item": item, "page": _item_page(creator, item), "confirm": True, "error": error}
        return render(request, f"store/redeem.html{partial}", context, status=409)
    if request.htmx:
        return render(
            request,
            "store/redeem.html#redeem-done",
            {"item": item, "redemption": redemption, "created": created},
        )
    if created:
        messages.success(request, _done_message(redemption))
    else:
        messages.info(request, "You had already redeemed this: here it is, once.")
    return redirect(redemption)


def _done_message(redemption: Redemption) -> str:
    if redemption.is_pending:
        return f"Redeemed {redemption.item.name}: the team will fulfil it and tell you."
    return f"Redeemed {redemption.item.name}: it is unlocked in My tools."


@creator_required
@require_GET
def redemptions(request: HttpRequest) -> HttpResponse:
    """Everything the creator redeemed, newest first, with its state."""
    page = Paginator(selectors.my_redemptions(request.user.creator), REDEMPTIONS_PAGE_SIZE)
    return render(
        request,
        "store/redemptions.html",
        {"page": page.get_page(request.GET.get("page"))},
    )


@creator_required
@require_GET
def redemption_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One redemption's state and history, its ledger entries and, for a tool, its unlock."""
    redemption = get_object_or_404(
        selectors.my_redemptions(request.user.creator).select_related(
            "entry", "refund_entry", "item__min_tier"
        ),
        pk=pk,
    )
    return render(
        request,
        "store/redemption.html",
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
    tools = list(selectors.my_tools(request.user.creator)[:200])
    return render(
        request,
        "store/tools.html",
        {
            "active": [t for t in tools if t.is_active_at(now)],
            "queued": [t for t in tools if t.starts_at > now],
            "expired": [t for t in tools if t.ends_at <= now],
            "now": now,
        },
    )
