"""Closing an account: what it will do (`closing_preview`), doing it (`close_account`), and the
nightly erasing of what the law kept a while longer (`erase_due_records`).

Closing first settles money through each app's own services, so every step is one the other
side reads and is told of: collaborations before delivery are cancelled and the brand refunded,
subscriptions end and are never charged again, pending redemptions are cancelled, Marketplace
proposals withdrawn, and a creator's earnings paid out in a final payout. Then it erases or
replaces the person: their name, email, handle, words and notifications. The user row stays,
pseudonymous, so every ledger (points, earnings, coins) keeps its entries and sums, and the
audit trail its "who". What the law makes the portal keep (payments, payouts) is recorded as a
RetainedRecord with the reason and the day it is erased.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from academy import services as academy_services
from accounts import services as accounts_services
from accounts.models import CreatorProfile, Role, User
from activity import services as activity_services
from core.clock import rewards_today
from core.money import format_minor
from core.plurals import plural
from gifts import selectors as gifts_selectors
from gifts import services as gifts_services
from gifts.models import TipState
from marketplace import services as marketplace_services
from marketplace.campaigns import DealError
from marketplace.collaborations import BRAND, side_of
from marketplace.models import CollabState
from payments import payouts
from payments import selectors as payments_selectors
from payments import services as payments_services
from rewards import selectors as rewards_selectors
from store import services as store_services
from store.models import RedemptionState
from subscriptions import services as subscriptions_services
from subscriptions.models import LIVE_STATES, ChargeState, State, SubscriptionCharge

from . import exports
from .models import ClosedAccount, RetainedRecord

log = logging.getLogger(__name__)


STAFF_REFUSED = (
    "Staff accounts are not closed here: an administrator removes them, so the portal's "
    "records of what staff did stay accountable."
)


class ClosingError(Exception):
    """Closing refused (or stopped before anything was erased); the message is safe to show."""


@dataclass(frozen=True)
class Preview:
    """What closing will do for one user, in sentences: `happens` to their money, subscriptions
    and deals; what is `erased`; what is `kept`, why and until when; and `blockers`, things to
    settle first (closing is refused while there are any)."""

    happens: list[str] = field(default_factory=list)
    erased: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> list[str]:
        """What the closed account's record (and the email) says was done."""
        return [*self.happens, *self.erased, *self.kept]


def _day(day: date) -> str:
    return f"{day:%-d %b %Y}"


def _retention_years() -> str:
    days = settings.RETENTION_PAYMENT_RECORDS_DAYS
    return plural(round(days / 365), "year") if days >= 365 else plural(days, "day")


def _erase_after(today: date) -> date:
    return today + timedelta(days=settings.RETENTION_PAYMENT_RECORDS_DAYS)


def _legal_reason(what: str) -> str:
    return f"Tax and accounting law: {what} records are kept {_retention_years()}"


def _retained(user: User) -> list[tuple[str, str, str]]:
    """(kind, description, reason) of each record the law makes the portal keep for `user`."""
    kept = []
    if payments_selectors.has_payment_records(user):
        kept.append(
            (
                "payments",
                "Your card payments and refunds: amounts, dates, and each card's brand and "
                "last four digits.",
                _legal_reason("payment"),
            )
        )
    creator = getattr(user, "creator", None)
    if creator is not None and payments_selectors.earnings_to_settle(creator).has_payout_records:
        kept.append(
            (
                "payouts",
                "Your payouts and the bank account they were paid to: the holder's name and "
                "the account's last four characters.",
                _legal_reason("payout"),
            )
        )
    return kept


def _money_sentences(user: User, preview: Preview) -> None:
    creator = getattr(user, "creator", None)
    if creator is None:
        return
    money = payments_selectors.earnings_to_settle(creator)
    minimum = settings.PAYOUT_MINIMUM_MINOR
    _payout_lock_blocker(creator, money, preview)
    tips = creator.tips_received.filter(state=TipState.PENDING).count()
    if tips:
        preview.blockers.append(
            f"The payment service has not yet confirmed {plural(tips, 'tip')} a fan sent you. "
            f"Close your account once {'it is' if tips == 1 else 'they are'} settled (within "
            "half an hour), so the money is in your final payout rather than arriving on a "
            "closed account."
        )
    for held in money.balances:
        total = held.available + held.pending
        if held.pending:
            preview.happens.append(
                f"Your pending earnings of {held.pending_display} (held until "
                f"{_day(money.pending_through[held.currency])} in case a payment is refunded) "
                "are released now."
            )
        if total <= 0:
            continue
        amount = format_minor(total, held.currency)
        if money.method is None:
            preview.happens.append(
                f"{amount} cannot be paid out: you have no payout method. Add one on your "
                "payouts page before closing, or the money stays unpaid on the closed account."
            )
            continue
        below = (
            f" It is below the usual minimum of {format_minor(minimum, held.currency)}, and "
            "paid all the same, as it is your last payout."
            if total < minimum
            else ""
        )
        preview.happens.append(
            f"{amount} is requested as your final payout to {money.method}; staff approve it "
            f"like any payout and the money is sent there.{below}"
        )
    for payout in money.waiting:
        preview.happens.append(
            f"Your payout request of {payout.amount_display} from "
            f"{_day(payout.requested_on)} still waits for staff and is paid to {payout.method} "
            "as usual. If staff reject it, its money cannot go to a closed account and stays "
            "unpaid."
        )
    points = rewards_selectors.balance_of(creator)
    if points > 0:
        preview.happens.append(
            f"Your {plural(points, 'point')} lapse: a closed account cannot spend them."
        )
    for redemption in creator.redemptions.filter(state=RedemptionState.PENDING).select_related(
        "item"
    ):
        preview.happens.append(
            f"Your redemption of {redemption.item.name}, not yet fulfilled, is cancelled; its "
            "points come back and lapse with the rest."
        )


def _payout_lock_blocker(
    creator: CreatorProfile, money: payments_selectors.EarningsToSettle, preview: Preview
) -> None:
    """No final payout goes to a payout method in its lock after being added or changed
    (PAYOUT_METHOD_LOCK_DAYS): that wait is the time to notice a hijacked account, which
    could otherwise change the method and close the account to take the balance."""
    if not any(held.available + held.pending > 0 for held in money.balances):
        return
    until = payouts.payouts_locked_until(money.method)
    if until is None:
        return
    changed = "changed" if creator.payout_methods.count() > 1 else "was added"
    preview.blockers.append(
        f"Your payout method {changed} on {_day(timezone.localdate(money.method.created_at))}; "
        f"closing is possible from {timezone.localtime(until):%-d %b %Y, %H:%M}, when payouts "
        "to it are allowed, so your final payout can be sent to it."
    )


def _unsettled_payment_blockers(user: User, preview: Preview) -> None:
    """Subscriptions whose payment the gateway has not answered yet (a first payment, so
    the subscription is not live yet, or any charge still pending) are not ended by closing,
    and a charge settled later would credit or charge a closed account: wait for them."""
    waiting = " (the portal asks the payment service again within half an hour)"
    as_fan = SubscriptionCharge.objects.filter(
        subscription__fan=user, state=ChargeState.PENDING
    ).values_list("subscription_id", flat=True)
    for subscription in (
        user.subscriptions.filter(Q(state=State.INCOMPLETE) | Q(pk__in=as_fan))
        .select_related("package", "creator")
        .order_by("pk")
    ):
        preview.blockers.append(
            f"A payment for your subscription to {subscription.package.name} by "
            f"@{subscription.creator.handle} is still waiting for the payment service's "
            f"answer. Close your account once it is settled{waiting}, so nothing is charged to "
            "your card after you leave."
        )
    creator = getattr(user, "creator", None)
    if creator is None:
        return
    subscribers = (
        creator.subscriptions.filter(
            Q(state=State.INCOMPLETE) | Q(charges__state=ChargeState.PENDING)
        )
        .values("pk")
        .distinct()
        .count()
    )
    if subscribers:
        payments = (
            "A payment from a subscriber is"
            if subscribers == 1
            else f"Payments from {subscribers:,} subscribers are"
        )
        preview.blockers.append(
            f"{payments} still waiting for the payment service's answer. Close your account "
            f"once {'it is' if subscribers == 1 else 'they are'} settled{waiting}, so no "
            "subscriber is charged after you leave."
        )


def _subscription_sentences(user: User, preview: Preview) -> None:
    _unsettled_payment_blockers(user, preview)
    creator = getattr(user, "creator", None)
    if creator is not None:
        subscribers = creator.subscriptions.filter(state__in=LIVE_STATES).count()
        if subscribers:
            whose = (
                "Your subscriber's subscription ends"
                if subscribers == 1
                else f"Your {subscribers:,} subscribers' subscriptions end"
            )
            preview.happens.append(f"{whose} today; they are told, and not charged again.")
        if creator.packages.filter(published_at__isnull=False).exists():
            preview.happens.append("Your subscription packages are no longer offered.")
    for subscription in user.subscriptions.filter(state__in=LIVE_STATES).select_related(
        "package", "creator"
    ):
        preview.happens.append(
            f"Your subscription to {subscription.package.name} by @{subscription.creator.handle} "
            "ends today and is not charged again; the current period is not refunded."
        )
    if user.role == Role.FAN and (coins := gifts_selectors.coin_balance(user)) > 0:
        preview.happens.append(
            f"Your {plural(coins, 'coin')} lapse: coins cannot be refunded or moved."
        )


def _marketplace_sentences(user: User, preview: Preview) -> None:
    deals = marketplace_services.collaborations_to_settle(user)
    for collab in deals["paying"]:
        preview.blockers.append(
            f"{collab.brand}'s payment for “{collab.campaign.title}” is under way, its outcome "
            "not known yet. Close your account once the payment service has answered (the "
            "portal asks it again within half an hour), so it can be refunded if it went "
            "through."
        )
    for collab in deals["cancel"]:
        title, price = collab.campaign.title, collab.money(collab.price_minor)
        brand_side = side_of(collab, user) == BRAND
        other = f"@{collab.creator.handle}" if brand_side else str(collab.brand)
        paid = collab.charge_id is not None
        refund = (
            f"; the {price} you paid into hold is refunded to your card"
            if brand_side
            else f"; the {price} {collab.brand} paid into hold is refunded to them"
        )
        preview.happens.append(
            f"Your collaboration with {other} on “{title}” is cancelled"
            + (refund if paid else "")
            + f", and {other} is told."
        )
    for collab in deals["review"]:
        title = collab.campaign.title
        held = collab.money(collab.price_minor)
        if side_of(collab, user) != BRAND:
            latest = ""
            if collab.state == CollabState.DELIVERED and collab.delivered_at:
                approve_on = collab.delivered_at + timedelta(
                    days=settings.MARKETPLACE_AUTO_APPROVE_DAYS
                )
                latest = f" (automatically on {_day(timezone.localdate(approve_on))} at the latest)"
            preview.blockers.append(
                f"Your work on “{title}” for {collab.brand} waits for the brand's decision, "
                f"with {held} held for you: close your account once it is approved{latest} "
                "and your final payout can include it."
            )
        elif collab.state == CollabState.DELIVERED:
            preview.happens.append(
                f"The delivery from @{collab.creator.handle} on “{title}” is approved now: the "
                f"{held} held is released to the creator."
            )
        else:
            preview.happens.append(
                f"@{collab.creator.handle} is making the changes you asked for on “{title}”; "
                "once delivered, the work is approved automatically after "
                f"{settings.MARKETPLACE_AUTO_APPROVE_DAYS} days and the {held} held goes to them."
            )
    if hasattr(user, "creator") and hasattr(user.creator, "listing"):
        preview.happens.append(
            "Your Marketplace listing is removed, and invitations or applications waiting for "
            "an answer are withdrawn."
        )
    if hasattr(user, "brand") and user.brand.campaigns.exclude(state="closed").exists():
        preview.happens.append(
            "Your campaigns are closed; invitations and applications waiting for an answer are "
            "withdrawn and the creators told. Your saved lists are deleted."
        )


def closing_preview(user: User) -> Preview:
    """What closing `user`'s account will do, computed from the apps: money, subscriptions,
    deals, what is erased and what is kept by law, with the reason and until when."""
    preview = Preview()
    if user.is_staff:
        preview.blockers.append(STAFF_REFUSED)
    _money_sentences(user, preview)
    _subscription_sentences(user, preview)
    _marketplace_sentences(user, preview)
    if payments_selectors.cards_of(user).exists():
        preview.happens.append("Your saved cards are no longer offered for payments.")
    preview.erased.extend(
        [
            "Your name, email address, handle, bio, website and date of birth are replaced "
            "(the account is shown as “Closed account”), and you can no longer sign in.",
            "What you wrote (subscriber chat messages, posts, Marketplace messages, "
            "proposals and deliveries, appeals, gift and tip messages) is replaced by "
            "“[removed]”, and your notifications are deleted.",
            "Your data exports are deleted, and your name on Academy certificates is replaced "
            "(they still verify, for the course and the day).",
        ]
    )
    until = _day(_erase_after(rewards_today()))
    for _kind, description, reason in _retained(user):
        preview.kept.append(f"{description} Kept until {until}. {reason}.")
    preview.kept.extend(
        [
            "Your points, earnings and coin histories keep their amounts under the closed "
            "account, without your name, so the programs' books still add up.",
            "The audit trail of what staff changed on your account is kept as it is: it is "
            "the record of staff's accountability.",
        ]
    )
    return preview


def close_account(*, user: User, closed_by: User | None = None) -> ClosedAccount:
    """Close `user`'s account: settle or refund pending money, end subscriptions and deals,
    tell the user by email (at their real address, once it all commits), then erase or
    replace their personal data and keep what the law requires until its day. Closing a
    closed account returns its record and does nothing more. Raises ClosingError, with
    nothing erased, when something must be settled first."""
    if (closed := ClosedAccount.objects.filter(user=user).first()) is not None:
        return closed
    preview = closing_preview(user)
    blockers = preview.blockers
    if closed_by is not None and closed_by.is_staff and closed_by.pk != user.pk:
        blockers = [b for b in blockers if b != STAFF_REFUSED]  # an administrator removes staff
    if blockers:
        raise ClosingError(blockers[0])
    # Refunds call the gateway, each in transactions of their own (marketplace.collaborations);
    # a failure here leaves the account open and a second try goes on where this one stopped.
    try:
        marketplace_services.settle_collaborations_on_closing(user=user)
    except DealError as error:
        raise ClosingError(str(error)) from error
    try:
        with transaction.atomic():
            return _close(user, preview, closed_by)
    except payouts.PayoutError as error:  # the payout method changed since the preview
        raise ClosingError(str(error)) from error


def _close(user: User, preview: Preview, closed_by: User | None) -> ClosedAccount:
    """Settle, erase and record, in the caller's transaction."""
    user = (
        User.objects.select_for_update(of=("self",))
        .select_related("creator", "brand")
        .get(pk=user.pk)
    )
    if (closed := ClosedAccount.objects.filter(user=user).first()) is not None:
        return closed
    _settle_and_erase(user)
    today = rewards_today()
    for kind, description, reason in _retained(user):
        RetainedRecord.objects.get_or_create(
            user=user,
            kind=kind,
            defaults={
                "description": description,
                "reason": reason,
                "erase_after": _erase_after(today),
            },
        )
    closed = ClosedAccount.objects.create(
        user=user, closed_by=closed_by, role=user.role, outcome=preview.outcome
    )
    address = user.email
    accounts_services.pseudonymise_user(user=user)
    transaction.on_commit(partial(_tell, address, preview.outcome))
    return closed


def _settle_and_erase(user: User) -> None:
    """Every app's part of closing, in the caller's transaction."""
    marketplace_services.withdraw_on_closing(user=user)
    creator = getattr(user, "creator", None)
    if creator is not None:
        store_services.cancel_pending_on_closing(creator=creator)
        subscriptions_services.close_creator_subscriptions(creator=creator)
        # Gifts reach the ledger in batches: post the last ones before the final payout.
        gifts_services.close_support_of(creator=creator)
        payments_services.settle_earnings_on_closing(creator=creator)
        activity_services.erase_appeals_of(creator=creator)
        academy_services.rename_certificates_of(creator=creator)
    subscriptions_services.end_fan_subscriptions(fan=user)
    payments_services.forget_cards_of(user=user)
    subscriptions_services.erase_texts_of(user=user)
    marketplace_services.erase_texts_of(user=user)
    gifts_services.erase_messages_of(fan=user)
    exports.discard_exports_of(user=user)


def _tell(address: str, outcome: list[str]) -> None:
    """Email the closed account's owner what was done, at the address it had."""
    lines = "\n".join(f"- {sentence}" for sentence in outcome)
    body = (
        "Your Creator Portal account is closed. This is what happened:\n\n"
        f"{lines}\n\n"
        "You will receive no more email from the portal. What happens next: "
        f"{settings.PORTAL_URL.rstrip('/')}{reverse('privacy:closed')}"
    )
    try:
        send_mail(
            f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Your account is closed", body, None, [address]
        )
    except Exception:  # the account is closed whatever the mail server says; staff see the log
        log.exception("could not email a closed account's owner")


def erase_due_records(today: date | None = None) -> int:
    """The nightly erase: the personal parts of every retained record whose period ended
    before `today` (bank details of payouts, cards of payments) are erased and the record
    marked erased, in batches of RETENTION_BATCH_SIZE, one short transaction each. Running it
    twice erases nothing more. Returns how many records were erased."""
    today = today or rewards_today()
    erasers = {
        "payments": payments_services.erase_card_details,
        "payouts": payments_services.erase_payout_details,
    }
    erased = 0
    while True:
        with transaction.atomic():
            batch = list(
                RetainedRecord.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("user")
                .filter(erased_at__isnull=True, erase_after__lt=today)
                .order_by("erase_after", "pk")[: settings.RETENTION_BATCH_SIZE]
            )
            if not batch:
                return erased
            for record in batch:
                if (erase := erasers.get(record.kind)) is not None:
                    erase(user=record.user)
            RetainedRecord.objects.filter(pk__in=[r.pk for r in batch]).update(
                erased_at=timezone.now()
            )
        erased += len(batch)
