"""Write use-cases and reads of a collaboration, from agreed terms to payment.

    terms ──both agree, brand pays into hold──▶ accepted ──creator delivers──▶ delivered
    delivered ──brand asks changes (≤ MARKETPLACE_CHANGE_ROUNDS)──▶ changes ──deliver──▶ delivered
    delivered ──brand approves (or MARKETPLACE_AUTO_APPROVE_DAYS pass)──▶ approved ──▶ paid
    terms / accepted ──either side cancels with a reason──▶ cancelled (a payment is refunded)

Each step is taken only by the side allowed to take it and only from the states it starts
from; anything else raises DealError and changes nothing. Every step is a Step row, and the
other side is notified.

Money: the brand's card is charged the price through payments.services, recorded on the
collaboration (the card) before the charge, under a key per collaboration and card (a new
one for each try after a failure), so a double click charges once and a declined card can be
followed by another card or the same one. When the gateway does not answer, the payment is
under way: the terms and the card stay as they are until `finish_pending_payments` (every 15
minutes) or the brand's next try finds out what the gateway did. The platform
holds the money until approval, when the creator's earnings ledger is credited the price less
the fee (payments.ledger.credit_less_fee, source BRAND_DEAL, key per collaboration), available
at once (pending_until None): the brand has accepted the work and the money has been held all
along, so there is nothing left to wait for. Cancelled before delivery, the charge is refunded
in full.
"""

import logging
import re
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import BrandProfile, CreatorProfile, User
from accounts.services import notify
from payments import ledger
from payments import services as payments_services
from payments.gateway import CardDetails
from payments.models import AttemptState, PaymentAttempt, SavedCard, Source

from .campaigns import DealError
from .models import (
    Collaboration,
    CollabState,
    Delivery,
    Message,
    Step,
    UsageRights,
)

logger = logging.getLogger(__name__)

BRAND, CREATOR = "brand", "creator"
MAX_LINKS = 10
LINK = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
MESSAGE_MAX = 2000
MAX_PRICE = 99_999_999

# The actions of the collaboration page, each with who may take it and from which states.
ACTIONS = {
    "terms": ({BRAND, CREATOR}, {CollabState.TERMS}),
    "agree": ({BRAND, CREATOR}, {CollabState.TERMS}),
    "pay": ({BRAND}, {CollabState.TERMS}),
    "deliver": ({CREATOR}, {CollabState.ACCEPTED, CollabState.CHANGES}),
    "changes": ({BRAND}, {CollabState.DELIVERED}),
    "approve": ({BRAND}, {CollabState.DELIVERED}),
    "cancel": ({BRAND, CREATOR}, {CollabState.TERMS, CollabState.ACCEPTED}),
}
REFUSALS = {
    "terms": "The terms can only change before the brand pays.",
    "agree": "The terms were settled already.",
    "pay": "Payment comes once both sides have agreed the terms, and only once.",
    "deliver": "Delivery comes after the brand has paid, and not once the work is delivered, "
    "approved or cancelled.",
    "changes": "Changes can be asked only of a delivery waiting for the brand.",
    "approve": "Only a delivery waiting for the brand can be approved.",
    "cancel": "A collaboration can be cancelled only before the work is delivered.",
}
WHO = {BRAND: "the brand", CREATOR: "the creator"}


def side_of(collab: Collaboration, user: User) -> str | None:
    if collab.brand.user_id == user.pk:
        return BRAND
    if collab.creator.user_id == user.pk:
        return CREATOR
    return None


def both_agreed(collab: Collaboration) -> bool:
    return collab.brand_agreed_at is not None and collab.creator_agreed_at is not None


def actions_for(collab: Collaboration, user: User) -> set[str]:
    """What `user` may do on the collaboration now (the page shows these, the services
    decide)."""
    side = side_of(collab, user)
    allowed = {
        name
        for name, (sides, states) in ACTIONS.items()
        if side in sides and collab.state in states
    }
    if collab.state == CollabState.TERMS:
        agreed = collab.brand_agreed_at if side == BRAND else collab.creator_agreed_at
        if agreed is not None:
            allowed.discard("agree")
        if not both_agreed(collab):
            allowed.discard("pay")
        if collab.card_id is not None and payment_under_way(collab):
            allowed -= {"terms", "pay", "cancel"}  # the page says the payment is under way
    if collab.change_rounds >= settings.MARKETPLACE_CHANGE_ROUNDS:
        allowed.discard("changes")
    if side is not None and collab.state != CollabState.CANCELLED:
        allowed.add("message")
    return allowed


def _locked(collab: Collaboration) -> Collaboration:
    return (
        Collaboration.objects.select_for_update(of=("self",))
        .select_related("brand__user", "creator__user", "campaign")
        .get(pk=collab.pk)
    )


def _step(
    collab: Collaboration, action: str, by: User | None, *, automatic: bool = False
) -> tuple[Collaboration, str]:
    """The collaboration locked, after checking `by` may take `action` now."""
    collab = _locked(collab)
    side = None if automatic else side_of(collab, by)
    if not automatic and side is None:
        raise DealError("That collaboration is not yours.")
    sides, states = ACTIONS[action]
    if not automatic and side not in sides:
        raise DealError(f"Only {' or '.join(WHO[s] for s in sorted(sides))} can do that.")
    if collab.state not in states:
        raise DealError(f"{REFUSALS[action]} It is {collab.get_state_display().lower()}.")
    return collab, side or ""


def _record(
    collab: Collaboration, *, by: User | None, note: str, tell: User | None, subject: str
) -> None:
    now = timezone.now()
    collab.updated_at = now
    collab.save()
    Step.objects.create(collab=collab, by=by, state=collab.state, note=note[:1000], created_at=now)
    if tell is not None:
        notify(user=tell, subject=subject, body=note, link=collab_link(collab))


def collab_link(collab: Collaboration) -> str:
    return reverse("marketplace:collab", args=[collab.pk])


def _other(collab: Collaboration, side: str) -> User:
    return collab.creator.user if side == BRAND else collab.brand.user


def _name(collab: Collaboration, side: str) -> str:
    return str(collab.brand) if side == BRAND else f"@{collab.creator.handle}"


# --- terms ------------------------------------------------------------------------------------


@transaction.atomic
def set_terms(
    *,
    collab: Collaboration,
    by: User,
    deliverables: str,
    due_on: date,
    price_minor: int,
    usage_rights: str,
) -> Collaboration:
    """Propose the terms; the side proposing agrees to them, and the other side must agree
    again if anything changed."""
    collab, side = _step(collab, "terms", by)
    if payment_under_way(collab):
        # The charge under way is for the price agreed: it must not change under it.
        raise PaymentPending("The brand's payment is under way: the terms stay as agreed.")
    if not deliverables.strip():
        raise DealError("Say what the creator delivers.")
    if due_on < timezone.localdate():
        raise DealError("The due date has passed: choose a later day.")
    if not 0 < price_minor <= MAX_PRICE:
        raise DealError("The price must be above zero and at most 999,999.99.")
    if usage_rights not in UsageRights.values:
        raise DealError("Choose how the brand may use the work.")
    new = (deliverables.strip(), due_on, price_minor, usage_rights)
    changed = new != (collab.deliverables, collab.due_on, collab.price_minor, collab.usage_rights)
    collab.deliverables, collab.due_on, collab.price_minor, collab.usage_rights = new
    now = timezone.now()
    if changed:
        collab.brand_agreed_at = collab.creator_agreed_at = None
    if side == BRAND:
        collab.brand_agreed_at = now
    else:
        collab.creator_agreed_at = now
    note = (
        f"{_name(collab, side)} proposed new terms: {collab.money(collab.price_minor)}, due "
        f"{collab.due_on:%-d %B %Y}, {collab.get_usage_rights_display().lower()}."
        if changed
        else f"{_name(collab, side)} agreed the terms."
    )
    _record(collab, by=by, note=note, tell=_other(collab, side), subject="The terms changed")
    return collab


@transaction.atomic
def agree_terms(*, collab: Collaboration, by: User) -> Collaboration:
    """Agree the terms as they stand."""
    collab, side = _step(collab, "agree", by)
    now = timezone.now()
    if side == BRAND:
        collab.brand_agreed_at = collab.brand_agreed_at or now
    else:
        collab.creator_agreed_at = collab.creator_agreed_at or now
    note = f"{_name(collab, side)} agreed the terms."
    if both_agreed(collab):
        note += " Both sides agree: the brand pays into hold to start the work."
    _record(collab, by=by, note=note, tell=_other(collab, side), subject="Terms agreed")
    return collab


# --- payment ----------------------------------------------------------------------------------

# A card chosen this recently with no charge recorded yet may still be on its way to the
# gateway; an older one was left by a crash, and the sweep settles it.
CLAIM_TIMEOUT = timedelta(minutes=10)


class PaymentPending(DealError):
    """The gateway did not say whether the card was charged: the collaboration waits for the
    sweep (`finish_pending_payments`) or the brand's next try to find out."""


def _base_key(collab_id: int, card_id: int) -> str:
    return f"marketplace-collab:{collab_id}:card:{card_id}"


def _attempts(collab_id: int, card_id: int) -> QuerySet[PaymentAttempt]:
    """The charges of `card_id` for the collaboration: the first under the base key, each
    try after a failure under `<base>:again:<n>`."""
    base = _base_key(collab_id, card_id)
    return PaymentAttempt.objects.filter(
        Q(idempotency_key=base) | Q(idempotency_key__startswith=f"{base}:again:")
    )


def _last_attempt(collab_id: int, card_id: int) -> PaymentAttempt | None:
    return _attempts(collab_id, card_id).order_by("-pk").first()


def _charge_key(collab: Collaboration, card_id: int) -> str:
    """The key to charge the card under: the last attempt's while it has not failed (so a
    repeat finds that charge instead of making another), a new one after a failure (an
    attempt that failed stays failed, and the brand may try the same card again)."""
    last = _last_attempt(collab.pk, card_id)
    if last is None:
        return _base_key(collab.pk, card_id)
    if last.state != AttemptState.FAILED:
        return last.idempotency_key
    return f"{_base_key(collab.pk, card_id)}:again:{_attempts(collab.pk, card_id).count()}"


def payment_under_way(collab: Collaboration) -> bool:
    """Whether the brand's card is being charged, or was charged with no outcome recorded on
    the collaboration yet (a timeout, a crash): nothing else may happen to the money or the
    terms until it is settled."""
    if collab.state != CollabState.TERMS or collab.card_id is None or collab.charge_id:
        return False
    last = _last_attempt(collab.pk, collab.card_id)
    if last is None:
        return collab.updated_at > timezone.now() - CLAIM_TIMEOUT
    return last.state != AttemptState.FAILED


@transaction.atomic(durable=True)
def _claim_payment(collab: Collaboration, by: User, card: SavedCard) -> tuple[Collaboration, str]:
    """Record the card the price will be charged to, before the charge, and return the key
    to charge it under; refuse while another card's charge is under way."""
    collab, _ = _step(collab, "pay", by)
    if not both_agreed(collab):
        raise DealError("Both sides must agree the terms before the brand pays.")
    if card.customer.user_id != by.pk:
        raise DealError("Choose one of your own cards.")
    if collab.card_id not in (None, card.pk) and payment_under_way(collab):
        raise PaymentPending("A payment with another card is under way: wait for its outcome.")
    collab.card = card
    collab.updated_at = timezone.now()
    collab.save(update_fields=["card", "updated_at"])
    return collab, _charge_key(collab, card.pk)


@transaction.atomic
def _record_paid(
    collab: Collaboration, by: User, charge: PaymentAttempt, *, late: bool = False
) -> tuple[Collaboration, bool]:
    """Hold the charge on the collaboration and start the work; `late` when the sweep found
    the outcome after the brand's request had given up waiting for it. Returns the
    collaboration and whether this call recorded the charge (False: recorded already)."""
    collab = _locked(collab)
    if collab.charge_id is not None:
        return collab, False
    collab.charge = charge
    if collab.state == CollabState.CANCELLED:
        # Cancelled while the charge was on its way (only a crash allows it): keep the
        # charge on the collaboration so the caller refunds it.
        collab.updated_at = timezone.now()
        collab.save(update_fields=["charge", "updated_at"])
        return collab, True
    collab.state = CollabState.ACCEPTED
    price = collab.money(collab.price_minor)
    _record(
        collab,
        by=by,
        note=(
            f"The payment service confirmed {collab.brand}'s payment of {price}"
            if late
            else f"{collab.brand} paid {price}"
        )
        + ", held by the portal until the work is approved. The work can start.",
        tell=collab.creator.user,
        subject=f"Paid into hold: start “{collab.campaign.title}”",
    )
    if late:
        notify(
            user=collab.brand.user,
            subject=f"Your payment went through: “{collab.campaign.title}”",
            body=f"The payment service confirmed your payment of {price}. It is held until you "
            f"approve the work; @{collab.creator.handle} is told to start.",
            link=collab_link(collab),
        )
    return collab, True


@transaction.atomic
def _payment_refused(collab: Collaboration, card_id: int, reason: str) -> bool:
    """The charge of `card_id` did not go through: forget the card, so the collaboration
    waits for the brand's payment again, and tell the brand in words. False when the
    collaboration has moved on meanwhile (another run, the brand's own request)."""
    collab = _locked(collab)
    if (collab.state, collab.card_id, collab.charge_id) != (CollabState.TERMS, card_id, None):
        return False
    collab.card = None
    _record(
        collab,
        by=None,
        note=f"The payment of {collab.money(collab.price_minor)} did not go through. "
        f"{reason.strip()} The terms stand: {collab.brand} can pay again, with the same card "
        "or another.",
        tell=collab.brand.user,
        subject=f"Your payment did not go through: “{collab.campaign.title}”",
    )
    return True


def pay(*, collab: Collaboration, by: User, card: SavedCard) -> Collaboration:
    """The brand pays the agreed price with a saved card, into hold. Not inside a
    transaction: the card is recorded (and committed) before it is charged. A repeated call
    charges once."""
    collab, key = _claim_payment(collab, by, card)
    try:
        charge = payments_services.charge_card(
            card=card,
            amount=collab.price_minor,
            currency=collab.currency,
            idempotency_key=key,
            description=f"Collaboration: {collab.campaign.title} with @{collab.creator.handle}",
        )
    except payments_services.PaymentError as error:
        if error.outcome_unknown:
            raise PaymentPending(
                "The payment service did not answer in time, so the payment is under way. "
                "Nothing is charged twice: the portal asks the payment service again within "
                "15 minutes and tells you the outcome."
            ) from error
        _forget_card(collab, card)
        raise DealError(error.message) from error
    collab, _ = _record_paid(collab, by, charge)
    if collab.state == CollabState.CANCELLED:
        _refund(collab)
    return collab


@transaction.atomic
def _forget_card(collab: Collaboration, card: SavedCard) -> None:
    Collaboration.objects.filter(pk=collab.pk, card=card, charge__isnull=True).update(card=None)


def finish_pending_payments(*, older_than: timedelta = CLAIM_TIMEOUT) -> int:
    """Settle the brands' payments left under way longer than `older_than`, from what the
    gateway did, never by charging again: paid, the money is held and the work starts;
    refused, the collaboration waits for the brand's payment again and the brand is told
    why; still unknown (the gateway cannot be asked now), it is left for the next run.
    Returns how many were settled. Safe to run twice, or twice at once: each outcome is
    recorded under the collaboration's row lock, once."""
    cutoff = timezone.now() - older_than
    waiting = Collaboration.objects.filter(
        state=CollabState.TERMS,
        card__isnull=False,
        charge__isnull=True,
        updated_at__lt=cutoff,
    ).select_related("brand__user", "creator__user", "campaign")
    settled = 0
    for collab in waiting.order_by("pk"):
        try:
            settled += _settle_payment(collab, cutoff=cutoff)
        except payments_services.PaymentError:
            logger.warning("Collaboration %s: its payment could not be settled yet.", collab.pk)
    return settled


def _settle_payment(collab: Collaboration, *, cutoff: datetime) -> bool:
    card_id = collab.card_id
    assert card_id is not None
    attempt = _last_attempt(collab.pk, card_id)
    if attempt is None:
        # The card was chosen and the request ended before the charge was recorded.
        return _payment_refused(
            collab, card_id, "The payment never reached the payment service: nothing was charged."
        )
    if attempt.state in (AttemptState.STARTED, AttemptState.UNKNOWN):
        if attempt.updated_at >= cutoff:
            return False  # a request may still be waiting for its answer
        attempt = payments_services.reconcile_attempt(attempt=attempt)
    if attempt.state == AttemptState.SUCCEEDED:
        collab, recorded = _record_paid(collab, collab.brand.user, attempt, late=True)
        if collab.state == CollabState.CANCELLED:
            _refund(collab)
        return recorded
    return _payment_refused(collab, card_id, attempt.error_message or "The card was refused.")


def pay_with_new_card(*, collab: Collaboration, by: User, card: CardDetails) -> Collaboration:
    """Pay (as `pay`) with a card the brand has just typed, saved first; a card the gateway
    declines here is forgotten at once."""
    return payments_services.pay_with_new_card(
        user=by, card=card, pay=lambda saved: pay(collab=collab, by=by, card=saved)
    )


# --- the work ---------------------------------------------------------------------------------


def _links(text: str) -> list[str]:
    links = [line.strip() for line in text.splitlines() if line.strip()]
    if not links:
        raise DealError("Give at least one link to what you delivered.")
    if len(links) > MAX_LINKS:
        raise DealError(f"Give at most {MAX_LINKS} links.")
    for link in links:
        if len(link) > 500 or not LINK.match(link):
            raise DealError(f"“{link[:80]}” is not a web link (https://…).")
    return links


@transaction.atomic
def deliver(*, collab: Collaboration, by: User, links: str, note: str = "") -> Delivery:
    """The creator hands in the work: links to the videos or the live session."""
    collab, _ = _step(collab, "deliver", by)
    clean = _links(links)
    now = timezone.now()
    delivery = Delivery.objects.create(
        collab=collab, links="\n".join(clean), note=note.strip()[:1000], created_at=now
    )
    again = collab.state == CollabState.CHANGES
    collab.state = CollabState.DELIVERED
    collab.delivered_at = now
    _record(
        collab,
        by=by,
        note=f"@{collab.creator.handle} delivered {'again' if again else 'the work'}: "
        f"{len(clean)} link{'s' * (len(clean) != 1)}. {delivery.note}".strip(),
        tell=collab.brand.user,
        subject=f"Delivered: “{collab.campaign.title}”",
    )
    return delivery


@transaction.atomic
def request_changes(*, collab: Collaboration, by: User, note: str) -> Collaboration:
    """The brand asks for changes to the delivery, at most MARKETPLACE_CHANGE_ROUNDS times."""
    collab, _ = _step(collab, "changes", by)
    if not note.strip():
        raise DealError("Say what should change.")
    rounds = settings.MARKETPLACE_CHANGE_ROUNDS
    if collab.change_rounds >= rounds:
        raise DealError(
            f"Changes were asked {rounds} times already, the most allowed: approve the work "
            "or talk it through in the messages."
        )
    collab.change_rounds += 1
    collab.state = CollabState.CHANGES
    _record(
        collab,
        by=by,
        note=f"Changes asked (round {collab.change_rounds} of {rounds}): {note.strip()}",
        tell=collab.creator.user,
        subject=f"Changes asked on “{collab.campaign.title}”",
    )
    return collab


@transaction.atomic
def approve(
    *, collab: Collaboration, by: User | None, automatic: bool = False, now: datetime | None = None
) -> Collaboration:
    """The brand approves the delivery (or the nightly task does, when the brand left it
    undecided): the creator is credited the price less the fee, and it is paid."""
    collab, _ = _step(collab, "approve", by, automatic=automatic)
    now = now or timezone.now()
    collab.state = CollabState.APPROVED
    collab.approved_at = now
    collab.auto_approved = automatic
    days = settings.MARKETPLACE_AUTO_APPROVE_DAYS
    _record(
        collab,
        by=by,
        note=f"Approved automatically: the delivery waited {days} days for the brand."
        if automatic
        else f"{collab.brand} approved the work.",
        tell=None,
        subject="",
    )
    entry, _ = ledger.credit_less_fee(
        creator=collab.creator,
        gross=collab.price_minor,
        fee=collab.fee_minor,
        currency=collab.currency,
        source=Source.BRAND_DEAL,
        idempotency_key=f"marketplace-collab:{collab.pk}",
        document=f"marketplace.collaboration:{collab.pk}",
        memo=f"{collab.campaign.title} for {collab.brand}",
        fee_memo=f"Marketplace fee ({collab.fee_pct} %)",
        pending_until=None,
    )
    collab.earnings_entry = entry
    collab.state = CollabState.PAID
    _record(
        collab,
        by=None,
        note=f"{collab.money(collab.creator_share_minor)} credited to @{collab.creator.handle}'s "
        f"earnings ({collab.money(collab.price_minor)} less the {collab.fee_pct} % fee).",
        tell=collab.creator.user,
        subject=f"Approved and paid: “{collab.campaign.title}”",
    )
    if automatic:
        notify(
            user=collab.brand.user,
            subject=f"Approved automatically: “{collab.campaign.title}”",
            body=f"The delivery waited {days} days for your decision.",
            link=collab_link(collab),
        )
    return collab


def auto_approve_due(*, now: datetime | None = None) -> int:
    """Approve every delivery the brand has left undecided MARKETPLACE_AUTO_APPROVE_DAYS.
    Running it twice approves nothing more."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.MARKETPLACE_AUTO_APPROVE_DAYS)
    due = Collaboration.objects.filter(state=CollabState.DELIVERED, delivered_at__lte=cutoff)
    approved = 0
    for collab in due.order_by("pk"):
        try:
            approve(collab=collab, by=None, automatic=True, now=now)
        except DealError:
            continue  # decided meanwhile
        approved += 1
    return approved


# --- cancellation -----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def _mark_cancelled(collab: Collaboration, by: User, reason: str) -> Collaboration:
    collab, side = _step(collab, "cancel", by)
    if payment_under_way(collab):
        raise PaymentPending("A payment is under way: wait for its outcome, then cancel.")
    collab.state = CollabState.CANCELLED
    collab.cancelled_at = timezone.now()
    paid = collab.charge_id is not None
    _record(
        collab,
        by=by,
        note=f"Cancelled by {_name(collab, side)}: {reason}"
        + (f" {collab.money(collab.price_minor)} is refunded to the brand." if paid else ""),
        tell=_other(collab, side),
        subject=f"Cancelled: “{collab.campaign.title}”",
    )
    return collab


@transaction.atomic
def _record_refund(collab: Collaboration, refund: PaymentAttempt) -> Collaboration:
    collab = _locked(collab)
    if collab.refund_id is None:
        collab.refund = refund
        collab.updated_at = timezone.now()
        collab.save(update_fields=["refund", "updated_at"])
    return collab


def cancel(*, collab: Collaboration, by: User, reason: str) -> Collaboration:
    """Either side calls the collaboration off before delivery, with a reason; the brand's
    payment, if made, is refunded in full. Called again on a cancelled collaboration whose
    refund did not go through, it tries the refund again."""
    collab = Collaboration.objects.select_related("brand", "creator").get(pk=collab.pk)
    if collab.state != CollabState.CANCELLED:
        if not reason.strip():
            raise DealError("Give a reason the other side can read.")
        collab = _mark_cancelled(collab, by, reason.strip())
    elif side_of(collab, by) is None:
        raise DealError("That collaboration is not yours.")
    return _refund(collab)


def _refund(collab: Collaboration) -> Collaboration:
    """Give the brand back the price of a cancelled collaboration, once."""
    if collab.charge_id is None or collab.refund_id is not None:
        return collab
    try:
        refund = payments_services.refund_charge(
            charge=collab.charge,
            idempotency_key=f"marketplace-collab-refund:{collab.pk}",
            description=f"Cancelled collaboration: {collab.campaign.title}",
        )
    except payments_services.PaymentError as error:
        raise DealError(
            f"Cancelled, but the refund did not go through yet ({error.message}). "
            "Cancel again to retry it."
        ) from error
    return _record_refund(collab, refund)


# --- messages ---------------------------------------------------------------------------------


@transaction.atomic
def post_message(*, collab: Collaboration, by: User, body: str) -> Message:
    """Add to the collaboration's thread and tell the other side."""
    collab = Collaboration.objects.select_related("brand__user", "creator__user", "campaign").get(
        pk=collab.pk
    )
    side = side_of(collab, by)
    if side is None:
        raise DealError("That collaboration is not yours.")
    body = body.strip()
    if not body:
        raise DealError("Write a message first.")
    if len(body) > MESSAGE_MAX:
        raise DealError(f"A message can be {MESSAGE_MAX:,} characters at most.")
    message = Message.objects.create(collab=collab, author=by, body=body)
    notify(
        user=_other(collab, side),
        subject=f"Message from {_name(collab, side)} on “{collab.campaign.title}”",
        body=body[:500],
        link=collab_link(collab),
    )
    return message


# --- reads ------------------------------------------------------------------------------------


def for_user(user: User) -> QuerySet[Collaboration]:
    """The collaborations `user` is a side of (a brand's or a creator's), newest first."""
    return Collaboration.objects.filter(Q(brand__user=user) | Q(creator__user=user)).select_related(
        "campaign", "brand__user", "creator__user"
    )


def of_brand(brand: BrandProfile) -> QuerySet[Collaboration]:
    return Collaboration.objects.filter(brand=brand).select_related("campaign", "creator")


def of_creator(creator: CreatorProfile) -> QuerySet[Collaboration]:
    return Collaboration.objects.filter(creator=creator).select_related("campaign", "brand")
