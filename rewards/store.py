"""The points store: what a creator may redeem, at what price, and each redemption's life.

A redemption is one transaction that locks the creator's points account, then the item, and
checks every rule under those locks, so concurrent redemptions can neither oversell an item
nor overspend a balance. A cancellation locks the redemption, then the account, then the
item: the same order, so the two never deadlock.

Reads for pages (`StoreView`, `availability`) and writes (`redeem_item`, `fulfil_redemption`,
`cancel_redemption`, `cancel_stale_redemptions`) live here together because they share the
rules: a page says "you can redeem this" exactly when `redeem_item` would accept it.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import CreatorProfile, Standing, User
from accounts.services import notify

from . import services
from .models import (
    CreatorTier,
    Entitlement,
    EntryKind,
    ItemKind,
    PointsAccount,
    Redemption,
    RedemptionEvent,
    RedemptionState,
    StoreItem,
    Tier,
)


class StoreError(Exception):
    """A redemption or a decision the store's rules refuse; the message is safe to show."""


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
    """The creator's balance, tier and redemption history (3 queries, any history length:
    only redemptions recent enough to matter to a limit or a cooldown are read)."""
    account = PointsAccount.objects.filter(creator=creator).first()
    status = CreatorTier.objects.filter(creator=creator).select_related("tier").first()
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
        balance=account.balance if account else 0,
        tier=status.tier if status else None,
        history=history,
        account_version=account.updated_at.isoformat() if account else "new",
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


def _day(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j M Y")


def availability(who: Shopper, item: StoreItem, now: datetime) -> Availability:
    """Whether `who` may redeem `item` at `now`, and in plain words why not."""
    price = price_for(item, who.tier)
    reasons: list[str] = []
    if not item.is_active:
        reasons.append("This item is no longer in the store.")
    elif item.available_from and now < item.available_from:
        reasons.append(f"Not open yet: it can be redeemed from {_day(item.available_from)}.")
    elif item.available_until and now >= item.available_until:
        reasons.append(f"Closed: it could be redeemed until {_day(item.available_until)}.")
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
                f"You redeemed it on {_day(mine[0][0])}; you can again from {_day(again)}."
            )
    if item.limit_per_creator is not None:
        since = now - timedelta(days=item.limit_period_days)
        counted = [at for at, state in mine if at >= since and state != RedemptionState.CANCELLED]
        if len(counted) >= item.limit_per_creator:
            next_from = counted[item.limit_per_creator - 1] + timedelta(days=item.limit_period_days)
            times = "once" if len(counted) == 1 else f"{len(counted)} times"
            reasons.append(
                f"You have redeemed it {times} in the last {item.limit_period_days} days, the "
                f"most allowed; the next is possible from {_day(next_from)}."
            )
    affordable = who.balance >= price.points
    if not affordable:
        reasons.append(
            f"It costs {price.points:,} points and you have {who.balance:,}: "
            f"{price.points - who.balance:,} more needed."
        )
    note = ""
    if item.kind == ItemKind.CASH:
        note = (
            "Cash is paid through your earnings once payouts open in the portal; until then "
            "a cash redemption stays pending, and your points are held for it."
        )
    return Availability(item=item, price=price, reasons=reasons, affordable=affordable, note=note)


def request_key(who: Shopper, item: StoreItem) -> str:
    """The idempotency key a redeem form carries. It is derived from the item and the state
    of the balance the creator saw, so the same submission sent twice (a double click, a
    retry, the same page in two tabs) carries the same key and makes one redemption, while
    the page after a redemption (the balance has moved) carries a new one."""
    seed = f"{who.creator.pk}:{item.pk}:{who.account_version}"
    return hashlib.sha256(seed.encode()).hexdigest()[:40]


# The catalog's version: store pages are cached per creator under it (with the creator's
# ledger version), so it changes whenever what every creator sees of an item may change:
# its stock, or anything staff edit.
CATALOG_VERSION = "rewards:store:catalog-version"


def catalog_version() -> int:
    return cache.get_or_set(CATALOG_VERSION, 1, timeout=None)


def catalog_changed() -> None:
    """Now, and again when the change commits (a page rendered in between saw the old one)."""

    def bump() -> None:
        try:
            cache.incr(CATALOG_VERSION)
        except ValueError:  # not in the cache (evicted, or never read): any new value will do
            cache.set(CATALOG_VERSION, int(timezone.now().timestamp()), timeout=None)

    bump()
    transaction.on_commit(bump)


# Reads for pages -------------------------------------------------------------------------


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


# Writes ----------------------------------------------------------------------------------


def _event(redemption: Redemption, note: str, *, by: User | None = None) -> None:
    RedemptionEvent.objects.create(
        redemption=redemption,
        state=redemption.state,
        note=note,
        by_staff=by is not None,
        at=redemption.decided_at or redemption.created_at,
    )


def _entitle(redemption: Redemption, now: datetime) -> Entitlement:
    """Unlock a tool; redeeming a tool still unlocked extends it from its current end."""
    current_end = (
        Entitlement.objects.filter(
            creator=redemption.creator, item=redemption.item, ends_at__gt=now
        ).aggregate(end=Max("ends_at"))["end"]
        or now
    )
    return Entitlement.objects.create(
        creator=redemption.creator,
        item=redemption.item,
        redemption=redemption,
        starts_at=current_end,
        ends_at=current_end + timedelta(days=redemption.item.entitlement_days),
    )


@transaction.atomic
def redeem_item(
    *, creator: CreatorProfile, item_id: int, request_key: str, now: datetime | None = None
) -> tuple[Redemption, bool]:
    """Spend points on an item. Returns the redemption and whether this call made it: a
    repeated `request_key` returns the first redemption and changes nothing.

    Creation tools unlock at once (fulfilled, with an entitlement); promotions and cash wait
    for staff (pending)."""
    now = now or timezone.now()
    if not request_key or len(request_key) > 64:
        raise StoreError("That form is out of date: reload the page and try again.")
    account = PointsAccount.objects.select_for_update().filter(creator=creator).first()
    # Looked up under the account's lock: a twin request that got there first has committed.
    existing = (
        Redemption.objects.filter(creator=creator, request_key=request_key)
        .select_related("item")
        .first()
    )
    if existing is not None:
        if existing.item_id != item_id:
            raise StoreError("That form was already used for another item: reload the page.")
        return existing, False
    items = StoreItem.objects.select_related("min_tier").filter(pk=item_id)
    item = items.first()
    if item is None:
        raise StoreError("There is no such item in the store.")
    if item.stock is not None:
        # Only stock is shared between creators: lock the item when there is stock to count,
        # so redemptions of unlimited items by different creators never wait on each other.
        item = items.select_for_update(of=("self",)).first()
    who = shopper(creator, item_ids=[item.pk])
    who.balance = account.balance if account else 0
    offer = availability(who, item, now)
    if not offer.can_redeem:
        raise StoreError(offer.reasons[0])
    if item.stock is not None:
        StoreItem.objects.filter(pk=item.pk).update(stock=F("stock") - 1)
        catalog_changed()
    price = offer.price
    try:
        with transaction.atomic():
            redemption = Redemption.objects.create(
                creator=creator,
                item=item,
                request_key=request_key,
                list_price=price.list_price,
                discount_percent=price.discount_percent,
                points_paid=price.points,
                created_at=now,
            )
    except IntegrityError as error:  # pragma: no cover - the account lock serialises twins
        raise StoreError("That form was already used: reload the page.") from error
    paid = f"{price.points:,} points"
    if price.discount_percent:
        paid += (
            f" ({price.tier_name} discount of {price.discount_percent}% on {price.list_price:,})"
        )
    redemption.entry = services.post_entry(
        creator=creator,
        amount=-price.points,
        kind=EntryKind.REDEEMED,
        idempotency_key=f"redeem:{redemption.pk}",
        memo=f"Redeemed {item.name}: {paid}"[:300],
    )
    redemption.save(update_fields=["entry"])
    _event(redemption, f"Redeemed for {paid}.")
    if item.kind == ItemKind.TOOL:
        entitlement = _entitle(redemption, now)
        redemption.state = RedemptionState.FULFILLED
        redemption.decided_at = now
        redemption.save(update_fields=["state", "decided_at"])
        _event(redemption, f"Unlocked until {_day(entitlement.ends_at)}.")
    return redemption, True


def _locked_pending(redemption_id: int) -> Redemption:
    redemption = (
        Redemption.objects.select_for_update(of=("self",))
        .select_related("item", "creator__user")
        .get(pk=redemption_id)
    )
    if not redemption.is_pending:
        raise StoreError(
            f"Redemption {redemption.pk} is already {redemption.get_state_display().lower()}."
        )
    return redemption


@transaction.atomic
def fulfil_redemption(
    *, redemption_id: int, by: User, note: str = "", now: datetime | None = None
) -> Redemption:
    """Staff mark a pending promotion as delivered; the creator is told."""
    redemption = _locked_pending(redemption_id)
    if redemption.item.kind == ItemKind.CASH:
        raise StoreError(
            f"Redemption {redemption.pk} is cash: it is paid through the earnings ledger once "
            "payouts open, so it stays pending until then (or cancel it)."
        )
    redemption.state = RedemptionState.FULFILLED
    redemption.decided_at = now or timezone.now()
    redemption.decided_by = by
    redemption.reason = note[:300]
    redemption.save(update_fields=["state", "decided_at", "decided_by", "reason"])
    _event(redemption, note or "Fulfilled by the Creator Portal team.", by=by)
    notify(
        user=redemption.creator.user,
        subject=f"{redemption.item.name}: fulfilled",
        body=f"Your redemption of {redemption.item.name} is fulfilled."
        + (f" {note}" if note else ""),
        link=redemption.get_absolute_url(),
    )
    return redemption


@transaction.atomic
def cancel_redemption(
    *, redemption_id: int, reason: str, by: User | None, now: datetime | None = None
) -> Redemption:
    """Cancel a pending redemption and refund its points with a ledger entry. The item's
    stock comes back; the cooldown does not restart (it counts from the redemption)."""
    reason = reason.strip()
    if not reason:
        raise StoreError("Say why the redemption is cancelled: the creator reads it.")
    redemption = _locked_pending(redemption_id)
    redemption.refund_entry = services.post_entry(
        creator=redemption.creator,
        amount=redemption.points_paid,
        kind=EntryKind.REFUNDED,
        idempotency_key=f"refund:{redemption.pk}",
        memo=f"Refund for {redemption.item.name}: {reason}"[:300],
    )
    if redemption.item.stock is not None:
        StoreItem.objects.filter(pk=redemption.item_id).update(stock=F("stock") + 1)
        catalog_changed()
    redemption.state = RedemptionState.CANCELLED
    redemption.decided_at = now or timezone.now()
    redemption.decided_by = by
    redemption.reason = reason[:300]
    redemption.save(update_fields=["state", "decided_at", "decided_by", "reason", "refund_entry"])
    _event(redemption, f"Cancelled: {reason} {redemption.points_paid:,} points refunded.", by=by)
    notify(
        user=redemption.creator.user,
        subject=f"{redemption.item.name}: cancelled and refunded",
        body=(
            f"Your redemption of {redemption.item.name} was cancelled: {reason} "
            f"The {redemption.points_paid:,} points are back in your balance."
        ),
        link=redemption.get_absolute_url(),
    )
    return redemption


def stale_pending(now: datetime) -> QuerySet[Redemption]:
    """Pending redemptions older than STORE_PENDING_MAX_DAYS that staff should have decided;
    cash waiting for payouts is not stale, it waits for a known reason."""
    cutoff = now - timedelta(days=settings.STORE_PENDING_MAX_DAYS)
    return Redemption.objects.filter(state=RedemptionState.PENDING, created_at__lt=cutoff).exclude(
        item__kind=ItemKind.CASH
    )


def cancel_stale_redemptions(now: datetime | None = None) -> int:
    """The nightly clean-up: cancel and refund what staff left pending too long, each in its
    own transaction (one that staff decided meanwhile is skipped)."""
    now = now or timezone.now()
    days = settings.STORE_PENDING_MAX_DAYS
    reason = f"Not fulfilled within {days} days, so it was cancelled automatically."
    cancelled = 0
    for pk in stale_pending(now).values_list("pk", flat=True):
        try:
            cancel_redemption(redemption_id=pk, reason=reason, by=None, now=now)
        except StoreError:
            continue  # decided by staff between the query and the lock
        cancelled += 1
    return cancelled
