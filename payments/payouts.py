"""Payouts: the use-cases that pay creators what the earnings ledger holds for them.

A request takes its money out of the ledger at once (a payout debit under the account's row
lock, in the same transaction as the request), so the money is reserved while staff decide
and racing requests can never together take more than is available. Staff then approve it
(the sandbox bank "transfers" it and the request is paid) or reject it (the debit is reversed
with `ledger.reverse`, a correction entry that puts the money back). Every step is kept as an
event the creator reads, and the creator is told.

Rules: a payout method first, then no payouts for PAYOUT_METHOD_LOCK_DAYS after it was added
or changed; at least PAYOUT_MINIMUM_MINOR; at most what is available; one request per
rewards day (a rejected one gives its day back), also enforced by a database constraint.
"""

import secrets
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import CreatorProfile, User
from accounts.services import notify
from core.clock import rewards_day_of
from core.money import format_minor

from . import ledger
from .models import (
    AccountKind,
    EarningsAccount,
    PayoutEvent,
    PayoutMethod,
    PayoutRequest,
    PayoutState,
    Source,
)


class PayoutError(Exception):
    """A payout step the rules refuse; the message is safe to show the creator or staff."""


def current_method(creator: CreatorProfile) -> PayoutMethod | None:
    return creator.payout_methods.filter(replaced_at__isnull=True).first()


def payouts_locked_until(
    method: PayoutMethod | None, now: datetime | None = None
) -> datetime | None:
    """When a lock from adding or changing `method` ends, while it lasts; else None."""
    if method is None:
        return None
    until = method.payouts_locked_until(settings.PAYOUT_METHOD_LOCK_DAYS)
    return until if (now or timezone.now()) < until else None


@transaction.atomic
def set_payout_method(
    *,
    creator: CreatorProfile,
    kind: AccountKind,
    holder_name: str,
    account_number: str,
    bank_code: str = "",
    now: datetime | None = None,
) -> PayoutMethod:
    """Add the creator's payout method, replacing the current one; payouts wait
    PAYOUT_METHOD_LOCK_DAYS from now. `account_number` (an IBAN or an account number) and
    `bank_code` (sort code or routing number), their shape checked by the form, go to the
    sandbox bank; only its reference and the number's last four are kept."""
    number = "".join(account_number.split()).upper()
    holder_name = holder_name.strip()
    if len(number) < 4 or not number.isalnum() or not holder_name:
        raise PayoutError("Enter the account holder's name and the account number.")
    now = now or timezone.now()
    creator.payout_methods.filter(replaced_at__isnull=True).update(replaced_at=now)
    try:
        with transaction.atomic():
            return PayoutMethod.objects.create(
                creator=creator,
                kind=kind,
                holder_name=holder_name[:100],
                reference=_sandbox_bank_account(number, bank_code),
                last4=number[-4:],
                created_at=now,
            )
    except IntegrityError:
        # Another change committed between the two statements: one current method at a time.
        raise PayoutError(
            "Your payout method was changed at the same moment; reload the page and check it."
        ) from None


@transaction.atomic
def request_payout(
    *,
    creator: CreatorProfile,
    amount: int,
    currency: str,
    request_key: str,
    now: datetime | None = None,
) -> PayoutRequest:
    """Ask to be paid `amount` minor units of `currency` to the current payout method; the
    money leaves the available balance now. A repeated `request_key` returns the first
    request and moves nothing."""
    if not request_key or len(request_key) > 64:
        raise PayoutError("The request is missing its key; reload the page and try again.")
    if (existing := creator.payout_requests.filter(request_key=request_key).first()) is not None:
        return existing
    now = now or timezone.now()
    method = current_method(creator)
    if method is None:
        raise PayoutError("Add a payout method before requesting a payout.")
    if (until := payouts_locked_until(method, now)) is not None:
        raise PayoutError(
            "Payouts are paused after a payout method is added or changed, until "
            f"{timezone.localtime(until):%-d %b %Y, %H:%M}."
        )
    currency = currency.strip().upper()
    if not EarningsAccount.objects.filter(creator=creator, currency=currency).exists():
        raise PayoutError(f"You have no earnings in {currency or 'that currency'}.")
    if amount < settings.PAYOUT_MINIMUM_MINOR:
        raise PayoutError(
            f"The smallest payout is {format_minor(settings.PAYOUT_MINIMUM_MINOR, currency)}."
        )
    day = rewards_day_of(now)
    if _has_request_on(creator, day):
        raise PayoutError("You have already requested a payout today; you can ask again tomorrow.")
    try:
        with transaction.atomic():
            payout = PayoutRequest.objects.create(
                creator=creator,
                method=method,
                amount=amount,
                currency=currency,
                requested_on=day,
                request_key=request_key,
                created_at=now,
            )
    except IntegrityError:
        # A twin request committed first: the same key returns it, another is today's one.
        if (twin := creator.payout_requests.filter(request_key=request_key).first()) is not None:
            return twin
        raise PayoutError(
            "You have already requested a payout today; you can ask again tomorrow."
        ) from None
    try:
        payout.entry = ledger.debit(
            creator=creator,
            amount=amount,
            currency=currency,
            source=Source.PAYOUT,
            idempotency_key=f"payments.payout:{payout.pk}",
            document=f"payments.payout:{payout.pk}",
            memo=f"Payout to {method}",
        )
    except ledger.LedgerError as error:
        raise PayoutError(str(error)) from error
    payout.save(update_fields=["entry"])
    PayoutEvent.objects.create(
        request=payout,
        state=PayoutState.REQUESTED,
        note=f"{payout.amount_display} to {method}, reserved from your available earnings.",
        at=now,
    )
    return payout


@transaction.atomic
def approve_payout(
    *, payout_id: int, by: User, note: str = "", now: datetime | None = None
) -> PayoutRequest:
    """Staff pay a requested payout: the sandbox bank transfers it and the creator is told."""
    payout = _locked_requested(payout_id)
    payout.transfer_reference = _sandbox_transfer(payout)
    payout.state = PayoutState.PAID
    _decided(payout, by=by, note=note, now=now)
    sent = f"{payout.amount_display} was sent to {payout.method}."
    _record(payout, " ".join(filter(None, [sent, note])), now=now)
    notify(
        user=payout.creator.user,
        subject=f"Payout of {payout.amount_display}: paid",
        body=" ".join(filter(None, [sent, note])),
        link=payout.get_absolute_url(),
    )
    return payout


@transaction.atomic
def reject_payout(
    *, payout_id: int, by: User, reason: str, now: datetime | None = None
) -> PayoutRequest:
    """Staff refuse a requested payout with a reason; its money goes back to the creator's
    available earnings (the reversal of the payout's debit) and the creator is told."""
    reason = reason.strip()
    if not reason:
        raise PayoutError("Rejecting a payout needs a reason the creator can read.")
    payout = _locked_requested(payout_id)
    try:
        payout.refund_entry = ledger.reverse(
            entry_id=payout.entry_id, reason=f"payout {payout.pk} rejected: {reason}"
        )
    except ledger.LedgerError as error:
        raise PayoutError(str(error)) from error
    payout.state = PayoutState.REJECTED
    _decided(payout, by=by, note=reason, now=now)
    back = f"{payout.amount_display} is back in your available earnings."
    _record(payout, f"{reason} {back}", now=now)
    notify(
        user=payout.creator.user,
        subject=f"Payout of {payout.amount_display}: rejected",
        body=f"Your payout request was rejected: {reason} {back}",
        link=payout.get_absolute_url(),
    )
    return payout


def requested_today(creator: CreatorProfile, now: datetime | None = None) -> bool:
    """Whether today's one request is used (a rejected one does not count)."""
    return _has_request_on(creator, rewards_day_of(now or timezone.now()))


def _has_request_on(creator: CreatorProfile, day: date) -> bool:
    return (
        creator.payout_requests.filter(requested_on=day)
        .exclude(state=PayoutState.REJECTED)
        .exists()
    )


def _locked_requested(payout_id: int) -> PayoutRequest:
    payout = (
        PayoutRequest.objects.select_for_update(of=("self",))
        .select_related("creator__user", "method")
        .filter(pk=payout_id)
        .first()
    )
    if payout is None:
        raise PayoutError(f"There is no payout request {payout_id}.")
    if not payout.is_requested:
        raise PayoutError(f"Payout {payout.pk} is already {payout.get_state_display().lower()}.")
    return payout


def _decided(payout: PayoutRequest, *, by: User, note: str, now: datetime | None) -> None:
    payout.decided_at = now or timezone.now()
    payout.decided_by = by
    payout.reason = note[:300]
    payout.save(
        update_fields=[
            "state",
            "transfer_reference",
            "refund_entry",
            "decided_at",
            "decided_by",
            "reason",
        ]
    )


def _record(payout: PayoutRequest, note: str, *, now: datetime | None) -> None:
    PayoutEvent.objects.create(
        request=payout,
        state=payout.state,
        note=note[:300],
        by_staff=True,
        at=now or timezone.now(),
    )


# The sandbox bank: it keeps nothing and moves no money; it answers with references the way
# a payout processor would, so the portal stores what it would store with a real one.
def _sandbox_bank_account(number: str, bank_code: str) -> str:
    return f"ba_sbx_{secrets.token_hex(12)}"


def _sandbox_transfer(payout: PayoutRequest) -> str:
    return f"tr_sbx_{secrets.token_hex(12)}"
