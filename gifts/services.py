"""Write use-cases for coins: the only way a fan's coins move.

Every movement is an entry with its reason, the document it came from and an idempotency key
(a repeated key returns the first entry and moves nothing), posted under the fan's account
row lock, with the balance updated in the same transaction, so racing gifts never spend the
same coins twice.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Role, User
from core.plurals import plural

from .models import CREDIT_REASONS, DEBIT_REASONS, CoinAccount, CoinEntry, CoinReason

# Refuse amounts no real movement reaches: a mistyped amount should not make history.
MAX_COINS = 10**9


class GiftsError(Exception):
    """A movement of coins or a gift the rules refuse; the message is safe to show."""


def _locked_account(fan: User) -> CoinAccount:
    """The fan's coin account, created if need be, locked until the transaction ends."""
    CoinAccount.objects.get_or_create(fan=fan)
    return CoinAccount.objects.select_for_update().get(pk=fan.pk)


def _move(
    *,
    fan: User,
    amount: int,
    reason: str,
    idempotency_key: str,
    document: str,
    memo: str,
) -> CoinEntry:
    """Post a signed `amount` under the account's lock, once per key."""
    if fan.role != Role.FAN:
        raise GiftsError("Only fans hold coins.")
    if not idempotency_key or len(idempotency_key) > 120:
        raise GiftsError("A movement needs a request key of at most 120 characters.")
    account = _locked_account(fan)
    # Looked up under the account's lock: a twin request for this fan has committed by now.
    existing = CoinEntry.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if (existing.account_id, existing.amount, existing.reason) != (fan.pk, amount, reason):
            raise GiftsError("That request key was already used for a different movement.")
        return existing
    if account.balance + amount < 0:
        raise GiftsError(
            f"You have {plural(account.balance, 'coin')}; this needs {plural(-amount, 'coin')}."
        )
    try:
        with transaction.atomic():
            entry = CoinEntry.objects.create(
                account=account,
                amount=amount,
                reason=reason,
                document=document[:120],
                memo=memo[:300],
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        # The key was taken for another fan's account, whose lock we do not hold.
        entry = CoinEntry.objects.get(idempotency_key=idempotency_key)
        if (entry.account_id, entry.amount, entry.reason) != (fan.pk, amount, reason):
            raise GiftsError(
                "That request key was already used for a different movement."
            ) from None
        return entry
    CoinAccount.objects.filter(pk=account.pk).update(
        balance=F("balance") + amount, updated_at=timezone.now()
    )
    return entry


@transaction.atomic
def credit_coins(
    *,
    fan: User,
    amount: int,
    reason: CoinReason,
    idempotency_key: str,
    document: str = "",
    memo: str = "",
) -> CoinEntry:
    """Add `amount` coins to the fan's account (a coin pack bought, a staff adjustment).
    A repeated `idempotency_key` returns the first entry and moves nothing."""
    if reason not in CREDIT_REASONS:
        raise GiftsError(f"Coins are not added for “{reason}”.")
    if not 0 < amount <= MAX_COINS:
        raise GiftsError(f"Add between 1 and {MAX_COINS:,} coins.")
    return _move(
        fan=fan,
        amount=amount,
        reason=reason,
        idempotency_key=idempotency_key,
        document=document,
        memo=memo,
    )


@transaction.atomic
def spend_coins(
    *,
    fan: User,
    amount: int,
    reason: CoinReason,
    idempotency_key: str,
    document: str = "",
    memo: str = "",
) -> CoinEntry:
    """Take `amount` coins from the fan's account (a gift sent, a reversed purchase, a staff
    adjustment): never more than the balance, also when requests race (the account's row
    lock orders them). A repeated `idempotency_key` returns the first entry and moves
    nothing."""
    if reason not in DEBIT_REASONS:
        raise GiftsError(f"Coins are not taken for “{reason}”.")
    if not 0 < amount <= MAX_COINS:
        raise GiftsError(f"Spend between 1 and {MAX_COINS:,} coins.")
    return _move(
        fan=fan,
        amount=-amount,
        reason=reason,
        idempotency_key=idempotency_key,
        document=document,
        memo=memo,
    )
