"""Write use-cases for coins: the only way a fan's coins move.

Every movement is an entry with its reason, the document it came from and an idempotency key
(a repeated key returns the first entry and moves nothing), posted under the fan's account
row lock, with the balance updated in the same transaction, so racing gifts never spend the
same coins twice.

Coin packs are bought as subscriptions are charged: the CoinPurchase is recorded (and
committed) before the card is charged through payments.services under the purchase's own
key, and marked paid in the transaction that credits the coins, so a double click or a retry
never charges twice and never credits twice.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Role, User
from core.plurals import plural
from payments import services as payments_services
from payments.models import SavedCard

from .models import (
    CREDIT_REASONS,
    DEBIT_REASONS,
    CoinAccount,
    CoinEntry,
    CoinPack,
    CoinPurchase,
    CoinReason,
    PurchaseState,
)

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


# --- buying coins -----------------------------------------------------------------------------


def buy_coin_pack(*, fan: User, pack: CoinPack, card: SavedCard, request_key: str) -> CoinPurchase:
    """Charge the fan's card for the pack and credit its coins. A repeated request_key returns
    the same purchase and charges once. Not inside a transaction: the purchase's record
    commits before the card is charged. Raises GiftsError when the rules or the card refuse,
    or when the outcome of the charge is not known yet (the purchase stays pending)."""
    if not request_key or len(request_key) > 64:
        raise GiftsError("The form was incomplete; reload the page and try again.")
    key = f"coin-pack:{fan.pk}:{request_key}"
    existing = CoinPurchase.objects.filter(request_key=key)
    if (purchase := existing.first()) is not None:
        return _collect(purchase, pack=pack)
    if fan.role != Role.FAN:
        raise GiftsError("Only fan accounts can buy coins.")
    if not pack.is_active:
        raise GiftsError("That coin pack is not offered any more.")
    if card.customer.user_id != fan.pk:
        raise GiftsError("Choose one of your own cards.")
    now = timezone.now()
    try:
        with transaction.atomic(durable=True):
            purchase = CoinPurchase.objects.create(
                fan=fan,
                pack=pack,
                coins=pack.coins,
                price_minor=pack.price_minor,
                currency=pack.currency,
                card=card,
                request_key=key,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        # The same click twice, in two requests: the other one recorded it first.
        purchase = existing.get()
    return _collect(purchase, pack=pack)


def _collect(purchase: CoinPurchase, *, pack: CoinPack) -> CoinPurchase:
    """Charge the card for `purchase` (once, whatever happened before) and record the outcome."""
    if purchase.pack_id != pack.pk:
        raise GiftsError("That request was already used for another coin pack.")
    if purchase.state == PurchaseState.PAID:
        return purchase
    if purchase.state == PurchaseState.FAILED:
        raise GiftsError(purchase.failure)
    try:
        payments_services.charge_card(
            card=purchase.card,
            amount=purchase.price_minor,
            currency=purchase.currency,
            idempotency_key=f"coin-purchase:{purchase.pk}",
            description=f"{pack.name} ({purchase.coins:,} coins)",
        )
    except payments_services.PaymentError as error:
        if error.outcome_unknown:
            raise GiftsError(
                "The payment service did not answer in time. The purchase stays pending "
                "until its outcome is known, and nothing more is charged for it."
            ) from error
        _record_refused(purchase, error.message)
        raise GiftsError(error.message) from error
    return _record_paid(purchase)


@transaction.atomic
def _record_paid(purchase: CoinPurchase) -> CoinPurchase:
    purchase = CoinPurchase.objects.select_for_update().select_related("fan").get(pk=purchase.pk)
    if purchase.state == PurchaseState.PAID:
        return purchase
    entry = credit_coins(
        fan=purchase.fan,
        amount=purchase.coins,
        reason=CoinReason.PURCHASE,
        idempotency_key=f"coin-purchase:{purchase.pk}",
        document=f"gifts.coinpurchase:{purchase.pk}",
        memo=f"{purchase.coins:,}-coin pack, {purchase.price_display}",
    )
    purchase.state = PurchaseState.PAID
    purchase.coin_entry = entry
    purchase.failure = ""
    purchase.updated_at = timezone.now()
    purchase.save(update_fields=["state", "coin_entry", "failure", "updated_at"])
    return purchase


@transaction.atomic
def _record_refused(purchase: CoinPurchase, message: str) -> None:
    purchase = CoinPurchase.objects.select_for_update().get(pk=purchase.pk)
    if purchase.state != PurchaseState.PENDING:
        return
    purchase.state = PurchaseState.FAILED
    purchase.failure = message[:300]
    purchase.updated_at = timezone.now()
    purchase.save(update_fields=["state", "failure", "updated_at"])
