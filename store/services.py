"""Writes of the points store: redeem, fulfil, cancel, and the nightly clean-up.

A redemption is one transaction that locks the creator's points account, then the item, and
checks every rule under those locks (store.selectors.availability), so concurrent redemptions
can neither oversell an item nor overspend a balance. A cancellation locks the redemption,
then the account, then the item: the same order, so the two never deadlock. Points move only
through rewards.services.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.models import CreatorProfile, User
from accounts.services import notify
from core import regions
from core.plurals import plural
from payments import ledger as earnings
from payments.models import Source
from rewards import services as rewards_services
from rewards.models import EntryKind

from . import selectors
from .models import Entitlement, ItemKind, Redemption, RedemptionEvent, RedemptionState, StoreItem
from .selectors import CATALOG_VERSION


class StoreError(Exception):
    """A redemption or a decision the store's rules refuse; the message is safe to show."""


def catalog_changed() -> None:
    """Now, and again when the change commits (a page rendered in between saw the old one)."""
    regions.bump(CATALOG_VERSION)


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
    for staff (pending). Every row is written once, in its final state, under the account's
    lock (about a dozen round trips: this is the store's hottest write)."""
    now = now or timezone.now()
    if not request_key or len(request_key) > 64:
        raise StoreError("That form is out of date: reload the page and try again.")
    balance = rewards_services.lock_balance(creator=creator)
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
    offer = selectors.availability(
        selectors.shopper_for_item(creator, item, balance=balance), item, now
    )
    if not offer.can_redeem:
        raise StoreError(offer.reasons[0])
    if item.stock is not None:
        StoreItem.objects.filter(pk=item.pk).update(stock=F("stock") - 1)
        catalog_changed()
    price = offer.price
    paid = plural(price.points, "point")
    if price.discount_percent:
        paid += (
            f" ({price.tier_name} discount of {price.discount_percent}% on {price.list_price:,})"
        )
    entry = rewards_services.spend_under_lock(
        creator=creator,
        amount=price.points,
        balance=balance,
        # The creator's own key, unique per creator (store_redemption_once), checked above.
        idempotency_key=f"redeem:{creator.pk}:{request_key}",
        memo=f"Redeemed {item.name}: {paid}"[:300],
    )
    is_tool = item.kind == ItemKind.TOOL
    redemption = Redemption.objects.create(
        creator=creator,
        item=item,
        request_key=request_key,
        list_price=price.list_price,
        discount_percent=price.discount_percent,
        points_paid=price.points,
        entry=entry,
        cash_amount_minor=item.cash_amount_minor if item.kind == ItemKind.CASH else None,
        cash_currency=item.currency if item.kind == ItemKind.CASH else "",
        state=RedemptionState.FULFILLED if is_tool else RedemptionState.PENDING,
        decided_at=now if is_tool else None,
        created_at=now,
    )
    events = [
        RedemptionEvent(
            redemption=redemption,
            state=RedemptionState.PENDING,
            note=f"Redeemed for {paid}.",
            at=now,
        )
    ]
    if is_tool:
        entitlement = _entitle(redemption, now)
        events.append(
            RedemptionEvent(
                redemption=redemption,
                state=RedemptionState.FULFILLED,
                note=f"Unlocked until {selectors.day_label(entitlement.ends_at)}.",
                at=now,
            )
        )
    RedemptionEvent.objects.bulk_create(events)
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
    """Staff mark a pending redemption as delivered; the creator is told. Cash (and a
    milestone bonus) is credited to the creator's earnings in the same transaction, at the
    amount the item showed when they redeemed it."""
    redemption = _locked_pending(redemption_id)
    paid = ""
    if redemption.item.kind == ItemKind.CASH:
        paid = _pay_cash(redemption)
    redemption.state = RedemptionState.FULFILLED
    redemption.decided_at = now or timezone.now()
    redemption.decided_by = by
    redemption.reason = note[:300]
    redemption.save(update_fields=["state", "decided_at", "decided_by", "reason"])
    _event(
        redemption,
        " ".join(filter(None, [paid, note])) or "Fulfilled by the Creator Portal team.",
        by=by,
    )
    notify(
        user=redemption.creator.user,
        subject=f"{redemption.item.name}: fulfilled",
        body=f"Your redemption of {redemption.item.name} is fulfilled."
        + (f" {paid}" if paid else "")
        + (f" {note}" if note else ""),
        link=redemption.get_absolute_url(),
    )
    return redemption


def _pay_cash(redemption: Redemption) -> str:
    """Credit a cash redemption to the creator's earnings; say so in words."""
    if not redemption.cash_amount_minor or not redemption.cash_currency:
        raise StoreError(
            f"Redemption {redemption.pk} has no cash amount to pay: cancel it and refund the "
            "points, then fix the item."
        )
    try:
        earnings.credit(
            creator=redemption.creator,
            amount=redemption.cash_amount_minor,
            currency=redemption.cash_currency,
            source=(
                Source.MILESTONE_BONUS
                if redemption.item.is_milestone_bonus
                else Source.CASH_REDEMPTION
            ),
            idempotency_key=f"store.redemption:{redemption.pk}",
            document=f"store.redemption:{redemption.pk}",
            memo=f"{redemption.item.name}: {plural(redemption.points_paid, 'point')}",
        )
    except earnings.LedgerError as error:
        raise StoreError(str(error)) from error
    return f"{redemption.cash_display} added to your earnings."


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
    redemption.refund_entry = rewards_services.post_entry(
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
    refunded = plural(redemption.points_paid, "point")
    _event(redemption, f"Cancelled: {reason} {refunded} refunded.", by=by)
    notify(
        user=redemption.creator.user,
        subject=f"{redemption.item.name}: cancelled and refunded",
        body=(
            f"Your redemption of {redemption.item.name} was cancelled: {reason} "
            f"The {refunded} {'is' if redemption.points_paid == 1 else 'are'} back in your "
            "balance."
        ),
        link=redemption.get_absolute_url(),
    )
    return redemption


def cancel_stale_redemptions(now: datetime | None = None) -> int:
    """The nightly clean-up: cancel and refund what staff left pending too long, each in its
    own transaction (one that staff decided meanwhile is skipped)."""
    now = now or timezone.now()
    days = settings.STORE_PENDING_MAX_DAYS
    reason = f"Not fulfilled within {plural(days, 'day')}, so it was cancelled automatically."
    cancelled = 0
    for pk in selectors.stale_pending(now).values_list("pk", flat=True):
        try:
            cancel_redemption(redemption_id=pk, reason=reason, by=None, now=now)
        except StoreError:
            continue  # decided by staff between the query and the lock
        cancelled += 1
    return cancelled


# --- closing an account (privacy.closing) -----------------------------------------------------


def cancel_pending_on_closing(*, creator: CreatorProfile) -> list[Redemption]:
    """Cancel every redemption of a closing creator that staff have not yet fulfilled (points
    refunded to the account, stock back), each as `cancel_redemption` does; a second call
    finds none. Returns those cancelled."""
    return [
        cancel_redemption(
            redemption_id=pk,
            reason="The creator closed their account before it was fulfilled.",
            by=None,
        )
        for pk in creator.redemptions.filter(state=RedemptionState.PENDING).values_list(
            "pk", flat=True
        )
    ]
