"""Reads of the points store, and the rules a redemption must pass.

The rules live here once, for the pages and for `store.services.redeem_item` alike: a page
says "you can redeem this" exactly when `redeem_item` would accept it, because both ask
`availability`.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Case, F, Max, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import CreatorProfile, Standing, User
from core import regions
from core.exports import plain_rows
from core.plurals import plural
from rewards import selectors as rewards_selectors
from rewards.models import Tier

from .models import Entitlement, ItemKind, Redemption, RedemptionEvent, RedemptionState, StoreItem

# The catalog's version: store pages are cached per creator under it (with the creator's
# ledger version), so it changes whenever what every creator sees of an item may change:
# its stock, or anything staff edit (store.services.catalog_changed).
CATALOG_VERSION = "store:catalog-version"


def catalog_version() -> int:
    return regions.version(CATALOG_VERSION)


@dataclass(frozen=True)
class Price:
    list_price: int
    discount_percent: int
    tier_name: str = ""

    @property
    def points(self) -> int:
        """What the creator pays: the discount rounds in the creator's favour only to the
        whole point, and a discount is at most 90%, so everything costs at least one point."""
        return self.list_price - self.list_price * self.discount_percent // 100

    @property
    def saving(self) -> int:
        return self.list_price - self.points


def price_for(item: StoreItem, tier: Tier | None) -> Price:
    if tier is None or not tier.store_discount_percent:
        return Price(item.price_points, 0)
    return Price(item.price_points, tier.store_discount_percent, tier.name)


@dataclass
class Shopper:
    """What the store's rules need to know about one creator, read once per page."""

    creator: CreatorProfile
    balance: int
    tier: Tier | None
    # For each item: when the creator redeemed it, newest first, with the state.
    history: dict[int, list[tuple[datetime, str]]] = field(default_factory=dict)
    # Changes whenever the balance moves; see `request_key`.
    account_version: str = ""


def shopper(creator: CreatorProfile, *, item_ids: list[int] | None = None) -> Shopper:
    """The creator's balance, tier and redemption history (4 queries, any history length:
    only redemptions recent enough to matter to a limit or a cooldown are read)."""
    account = rewards_selectors.account_snapshot(creator)
    longest = StoreItem.objects.aggregate(
        days=Max(F("limit_period_days")), cooldown=Max(F("cooldown_days"))
    )
    horizon = timezone.now() - timedelta(days=max(longest["days"] or 0, longest["cooldown"] or 0))
    recent = Redemption.objects.filter(creator=creator, created_at__gte=horizon)
    if item_ids is not None:
        recent = recent.filter(item_id__in=item_ids)
    history: dict[int, list[tuple[datetime, str]]] = {}
    for item_id, created_at, state in recent.order_by("-created_at").values_list(
        "item_id", "created_at", "state"
    ):
        history.setdefault(item_id, []).append((created_at, state))
    return Shopper(
        creator=creator,
        balance=account.balance,
        tier=rewards_selectors.tier_of(creator),
        history=history,
        account_version=account.version,
    )


def shopper_for_item(creator: CreatorProfile, item: StoreItem, *, balance: int) -> Shopper:
    """`shopper` for one item and a balance the caller already holds (redeem_item, under the
    account's lock): 2 queries, the tier and this item's recent redemptions."""
    horizon = timezone.now() - timedelta(days=max(item.limit_period_days, item.cooldown_days))
    recent = Redemption.objects.filter(creator=creator, item=item, created_at__gte=horizon)
    history = {item.pk: list(recent.order_by("-created_at").values_list("created_at", "state"))}
    return Shopper(
        creator=creator, balance=balance, tier=rewards_selectors.tier_of(creator), history=history
    )


@dataclass(frozen=True)
class Availability:
    item: StoreItem
    price: Price
    # Why the creator cannot redeem the item now, most important first; empty when they can.
    reasons: list[str]
    # Whether the balance covers the price, whatever else stands in the way.
    affordable: bool
    # A further note that does not block ("Cash waits for payouts to open").
    note: str = ""

    @property
    def can_redeem(self) -> bool:
        return not self.reasons


def day_label(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j M Y")


def availability(who: Shopper, item: StoreItem, now: datetime) -> Availability:
    """Whether `who` may redeem `item` at `now`, and in plain words why not."""
    price = price_for(item, who.tier)
    reasons: list[str] = []
    if not item.is_active:
        reasons.append("This item is no longer in the store.")
    elif item.available_from and now < item.available_from:
        reasons.append(f"Not open yet: it can be redeemed from {day_label(item.available_from)}.")
    elif item.available_until and now >= item.available_until:
        reasons.append(f"Closed: it could be redeemed until {day_label(item.available_until)}.")
    if who.creator.standing == Standing.SUSPENDED:
        reasons.append("Redemptions are paused while your account is suspended.")
    if item.is_sold_out:
        reasons.append("Sold out: every one has been redeemed.")
    if item.min_tier is not None and (
        who.tier is None or who.tier.min_points_90d < item.min_tier.min_points_90d
    ):
        now_in = f"you are {who.tier.name}" if who.tier else "you are not in a tier yet"
        reasons.append(f"For {item.min_tier.name} tier and above; {now_in}.")
    mine = who.history.get(item.pk, [])
    if item.cooldown_days and mine:
        again = mine[0][0] + timedelta(days=item.cooldown_days)
        if now < again:
            reasons.append(
                f"You redeemed it on {day_label(mine[0][0])}; "
                f"you can again from {day_label(again)}."
            )
    if item.limit_per_creator is not None:
        since = now - timedelta(days=item.limit_period_days)
        counted = [at for at, state in mine if at >= since and state != RedemptionState.CANCELLED]
        if len(counted) >= item.limit_per_creator:
            next_from = counted[item.limit_per_creator - 1] + timedelta(days=item.limit_period_days)
            times = "once" if len(counted) == 1 else f"{len(counted)} times"
            reasons.append(
                f"You have redeemed it {times} in the last "
                f"{plural(item.limit_period_days, 'day')}, the "
                f"most allowed; the next is possible from {day_label(next_from)}."
            )
    affordable = who.balance >= price.points
    if not affordable:
        reasons.append(
            f"It costs {plural(price.points, 'point')} and you have {who.balance:,}: "
            f"{price.points - who.balance:,} more needed."
        )
    note = ""
    if item.kind == ItemKind.CASH:
        note = (
            "Once the Creator Portal team checks it, the cash is added to your earnings; "
            "until then it is pending and your points are held for it."
        )
    return Availability(item=item, price=price, reasons=reasons, affordable=affordable, note=note)


def request_key(who: Shopper, item: StoreItem) -> str:
    """The idempotency key a redeem form carries. It is derived from the item and the state
    of the balance the creator saw, so the same submission sent twice (a double click, a
    retry, the same page in two tabs) carries the same key and makes one redemption, while
    the page after a redemption (the balance has moved) carries a new one."""
    seed = f"{who.creator.pk}:{item.pk}:{who.account_version}"
    return hashlib.sha256(seed.encode()).hexdigest()[:40]


# The store shows tools first, then promotion, then cash: the order creators spend in most.
KIND_ORDER = Case(
    *(When(kind=kind, then=Value(i)) for i, kind in enumerate(ItemKind.values)),
    default=Value(len(ItemKind.values)),
)


def open_items(now: datetime) -> QuerySet[StoreItem]:
    """Items in the store now (active, inside their window), sold-out ones included so a
    creator sees what they missed."""
    return (
        StoreItem.objects.filter(is_active=True)
        .filter(Q(available_from__isnull=True) | Q(available_from__lte=now))
        .filter(Q(available_until__isnull=True) | Q(available_until__gt=now))
        .select_related("min_tier")
        .order_by(KIND_ORDER, "price_points", "name")
    )


@dataclass(frozen=True)
class StoreFilters:
    kind: str = ""
    min_points: int | None = None
    max_points: int | None = None
    affordable_only: bool = False


def browse(who: Shopper, filters: StoreFilters, now: datetime) -> list[Availability]:
    """The store's list for one creator: prices after their discount, filtered on them."""
    items = open_items(now)
    if filters.kind:
        items = items.filter(kind=filters.kind)
    shown = []
    for item in items:
        offer = availability(who, item, now)
        if filters.min_points is not None and offer.price.points < filters.min_points:
            continue
        if filters.max_points is not None and offer.price.points > filters.max_points:
            continue
        if filters.affordable_only and not offer.affordable:
            continue
        shown.append(offer)
    return shown


def my_tools(creator: CreatorProfile) -> QuerySet[Entitlement]:
    return creator.entitlements.select_related("item").order_by("-ends_at")


def my_redemptions(creator: CreatorProfile) -> QuerySet[Redemption]:
    return creator.redemptions.select_related("item", "entitlement")


def stale_pending(now: datetime) -> QuerySet[Redemption]:
    """Pending redemptions older than STORE_PENDING_MAX_DAYS that staff should have decided."""
    cutoff = now - timedelta(days=settings.STORE_PENDING_MAX_DAYS)
    return Redemption.objects.filter(state=RedemptionState.PENDING, created_at__lt=cutoff)


def pending_redemptions(*, limit: int) -> tuple[list[Redemption], int]:
    """Redemptions waiting for staff, oldest first (at most `limit`, each with its creator and
    item), and how many wait in all: two queries, through the partial index on pending
    redemptions' created_at."""
    pending = Redemption.objects.filter(state=RedemptionState.PENDING)
    oldest = list(pending.select_related("creator", "item").order_by("created_at", "id")[:limit])
    return oldest, (len(oldest) if len(oldest) < limit else pending.count())


def export_rows(user: User) -> dict[str, list[dict]]:
    """The store redemptions of `user` (a creator; nothing for others) and each one's
    history, for their data export (privacy.exports). Two queries."""
    return {
        "redemptions": plain_rows(
            Redemption.objects.filter(creator__user=user)
            .order_by("created_at", "pk")
            .values(
                "id",
                "list_price",
                "discount_percent",
                "points_paid",
                "cash_amount_minor",
                "cash_currency",
                "state",
                "reason",
                "created_at",
                "decided_at",
                item_name=F("item__name"),
                item_kind=F("item__kind"),
            )
        ),
        "redemption_events": plain_rows(
            RedemptionEvent.objects.filter(redemption__creator__user=user)
            .order_by("at", "pk")
            .values("redemption_id", "state", "note", "by_staff", "at")
        ),
    }
