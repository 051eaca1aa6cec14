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

import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import CreatorProfile, Role, User
from core.plurals import plural
from payments import ledger
from payments import services as payments_services
from payments.gateway import CardDetails
from payments.models import PaymentAttempt, SavedCard

from .models import (
    CREDIT_REASONS,
    DEBIT_REASONS,
    CoinAccount,
    CoinEntry,
    CoinPack,
    CoinPurchase,
    CoinReason,
    CreatorSupport,
    GiftSent,
    PurchaseState,
    Tip,
)

# Refuse amounts no real movement reaches: a mistyped amount should not make history.
MAX_COINS = 10**9


class GiftsError(Exception):
    """A movement of coins or a gift the rules refuse; the message is safe to show."""


class NotEnoughCoins(GiftsError):
    """A debit larger than the fan's balance."""


def _locked_account(fan: User) -> CoinAccount:
    """The fan's coin account, created if need be, locked until the transaction ends."""
    locked = CoinAccount.objects.select_for_update()
    if (account := locked.filter(pk=fan.pk).first()) is not None:
        return account  # the usual case: one query
    CoinAccount.objects.get_or_create(fan=fan)
    return locked.get(pk=fan.pk)


def _move(
    *,
    fan: User,
    amount: int,
    reason: str,
    idempotency_key: str,
    document: str,
    memo: str,
    now: datetime | None = None,
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
        raise NotEnoughCoins(
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
                created_at=now or timezone.now(),
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
    now: datetime | None = None,
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
        now=now,
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
    now: datetime | None = None,
) -> CoinEntry:
    """Take `amount` coins from the fan's account (a gift sent, a reversed purchase, a staff
    adjustment): never more than the balance, also when requests race (the account's row
    lock orders them). A repeated `idempotency_key` returns the first entry and moves
    nothing."""
    return spend_in_transaction(
        fan=fan,
        amount=amount,
        reason=reason,
        idempotency_key=idempotency_key,
        document=document,
        memo=memo,
        now=now,
    )


def spend_in_transaction(
    *,
    fan: User,
    amount: int,
    reason: CoinReason,
    idempotency_key: str,
    document: str = "",
    memo: str = "",
    now: datetime | None = None,
) -> CoinEntry:
    """`spend_coins` for a caller whose own transaction holds the spending with what it paid
    for (a gift): no savepoint of its own, one round trip less each way on every gift, and
    an error here undoes the caller's whole transaction anyway."""
    if not transaction.get_connection().in_atomic_block:
        raise GiftsError("spend_in_transaction needs the caller's transaction.")
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
        now=now,
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
    if purchase.state in (PurchaseState.PAID, PurchaseState.REFUNDED):
        return purchase
    if purchase.state == PurchaseState.FAILED:
        raise GiftsError(purchase.failure)
    charge_once(
        purchase,
        amount=purchase.price_minor,
        key=f"coin-purchase:{purchase.pk}",
        description=f"{pack.name} ({purchase.coins:,} coins)",
        noun="purchase",
    )
    return _record_paid(purchase)


Payable = CoinPurchase | Tip  # recorded before their card is charged; pending, paid or failed


def charge_once(
    row: Payable, *, amount: int, key: str, description: str, noun: str
) -> PaymentAttempt:
    """Charge `row`'s card under `key` (once, whatever happened before). Refused: the row is
    marked failed with the gateway's words and GiftsError raised with them; no answer: the
    row stays pending for `settle_pending`, and GiftsError says so."""
    try:
        return payments_services.charge_card(
            card=row.card,
            amount=amount,
            currency=row.currency,
            idempotency_key=key,
            description=description,
        )
    except payments_services.PaymentError as error:
        if error.outcome_unknown:
            raise GiftsError(
                f"The payment service did not answer in time. The {noun} stays pending until "
                "its outcome is known, and nothing more is charged for it."
            ) from error
        _mark_refused(row, error.message)
        raise GiftsError(error.message) from error


@transaction.atomic
def _mark_refused(row: Payable, message: str) -> None:
    row = type(row).objects.select_for_update().get(pk=row.pk)
    if row.state != PurchaseState.PENDING:
        return
    row.state = PurchaseState.FAILED
    row.failure = message[:300]
    row.updated_at = timezone.now()
    row.save(update_fields=["state", "failure", "updated_at"])


def settle_pending(rows: QuerySet[Payable], collect: Callable[[Payable], object]) -> int:
    """Rows left pending (a crash or a timeout between the card and the commit): `collect`
    each again, which asks the gateway what it did and charges nothing twice. Returns how
    many were settled."""
    settled = 0
    for row in rows:
        with contextlib.suppress(GiftsError):  # the outcome is on the row
            collect(row)
        row.refresh_from_db(fields=["state"])
        settled += row.state != PurchaseState.PENDING
    return settled


@transaction.atomic
def _record_paid(purchase: CoinPurchase) -> CoinPurchase:
    purchase = CoinPurchase.objects.select_for_update().select_related("fan").get(pk=purchase.pk)
    if purchase.state != PurchaseState.PENDING:
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


def buy_coin_pack_with_new_card(*, fan: User, card: CardDetails, **order: object) -> CoinPurchase:
    """Buy (as `buy_coin_pack`) with the card the fan has just typed, saved first; a card the
    gateway declines here is forgotten at once."""
    return payments_services.pay_with_new_card(
        user=fan, card=card, pay=lambda saved: buy_coin_pack(fan=fan, card=saved, **order)
    )


def finish_pending_purchases(*, older_than: timedelta = timedelta(minutes=15)) -> int:
    """Settle purchases left pending longer than `older_than` from what the gateway did."""
    rows = CoinPurchase.objects.filter(
        state=PurchaseState.PENDING, created_at__lt=timezone.now() - older_than
    ).select_related("pack")
    return settle_pending(rows, lambda purchase: _collect(purchase, pack=purchase.pack))


# --- refunds ----------------------------------------------------------------------------------


def refund_coin_purchase(*, purchase: CoinPurchase, reason: str) -> CoinPurchase:
    """Give the fan their money back and take back the pack's coins. Coins already spent are
    never taken below zero: the gifts they paid for are taken back from the creators while
    that money is still pending (newest first, never more than was spent), and what is left
    the platform absorbs. The outcome is written, in words, on the purchase. Running it again
    refunds and takes nothing more."""
    if not reason.strip():
        raise GiftsError("A refund needs a reason the fan can read.")
    purchase = CoinPurchase.objects.get(pk=purchase.pk)
    if purchase.state == PurchaseState.REFUNDED:
        return purchase
    if purchase.state != PurchaseState.PAID:
        raise GiftsError("Only a paid coin purchase can be refunded: nothing was charged.")
    charge = PaymentAttempt.objects.get(idempotency_key=f"coin-purchase:{purchase.pk}")
    try:
        payments_services.refund_charge(
            charge=charge,
            idempotency_key=f"coin-refund:{purchase.pk}",
            description=f"Refund of {purchase.coins:,} coins: {reason}",
        )
    except payments_services.PaymentError as error:
        raise GiftsError(error.message) from error
    return _take_back(purchase, reason=reason)


@transaction.atomic
def _take_back(purchase: CoinPurchase, *, reason: str) -> CoinPurchase:
    purchase = CoinPurchase.objects.select_for_update().select_related("fan").get(pk=purchase.pk)
    if purchase.state == PurchaseState.REFUNDED:
        return purchase
    fan = purchase.fan
    account = _locked_account(fan)  # the fan's coins, then creators' money: always this order
    unspent = min(purchase.coins, account.balance)
    if unspent:
        spend_coins(
            fan=fan,
            amount=unspent,
            reason=CoinReason.PURCHASE_REVERSED,
            idempotency_key=f"coin-refund:{purchase.pk}",
            document=f"gifts.coinpurchase:{purchase.pk}",
            memo=f"Refund of a {purchase.coins:,}-coin pack: {reason}",
        )
    spent = purchase.coins - unspent
    reversed_gifts = reversed_coins = 0
    if spent:
        # Locked, so the gift poster (gifts.support.post_gifts) cannot post one of them
        # while we decide: a gift not posted yet is marked reversed and never posted (there
        # is nothing on the ledger to take back); one posted is taken back from the ledger.
        gifts = (
            GiftSent.objects.filter(
                fan=fan, created_at__gte=purchase.created_at, reversed_at__isnull=True
            )
            .order_by("-created_at", "-pk")
            .select_for_update()
        )
        for sent in gifts:
            if reversed_coins + sent.coins > spent:
                continue  # never take back more than the refunded coins paid for
            if sent.earnings_entry_id is None or ledger.take_back_pending(
                entry_id=sent.earnings_entry_id, reason=f"the fan's coins were refunded ({reason})"
            ):
                sent.reversed_at = timezone.now()
                sent.save(update_fields=["reversed_at"])
                reversed_gifts += 1
                reversed_coins += sent.coins
            if reversed_coins == spent:
                break
    absorbed = spent - reversed_coins
    note = f"Refunded {purchase.price_display}."
    if unspent:
        note += f" {plural(unspent, 'coin')} of the pack were still yours and were taken back."
    if spent:
        note += f" {plural(spent, 'coin')} had already gone on gifts"
        if reversed_gifts:
            note += (
                f": {plural(reversed_gifts, 'gift')} ({plural(reversed_coins, 'coin')}) "
                f"{'was' if reversed_gifts == 1 else 'were'} still held and "
                f"{'was' if reversed_gifts == 1 else 'were'} taken back from the creators"
            )
        if absorbed:
            note += f"{';' if reversed_gifts else ':'} the portal absorbs the other {absorbed:,}"
        note += ". Your coins never go below zero."
    purchase.state = PurchaseState.REFUNDED
    purchase.refund_note = note[:500]
    purchase.updated_at = timezone.now()
    purchase.save(update_fields=["state", "refund_note", "updated_at"])
    return purchase


# --- closing an account (privacy.closing) -----------------------------------------------------


@transaction.atomic
def erase_messages_of(*, fan: User) -> int:
    """Remove the words a closing fan sent with their gifts and tips (the gifts, tips, coins
    and money stay). Returns how many changed."""
    gifts = GiftSent.objects.filter(fan=fan).exclude(message="").update(message="")
    return gifts + Tip.objects.filter(fan=fan).exclude(message="").update(message="")


@transaction.atomic
def close_support_of(*, creator: CreatorProfile) -> int:
    """A creator closes their account: they stop taking tips and gifts, and every gift sent
    to them that is not on their earnings ledger yet is posted now, in the caller's
    transaction, so closing settles its money with the rest (the poster's batches every few
    seconds would otherwise credit it to the closed account after the final payout). Running
    it again posts nothing more. Returns how many gifts it posted."""
    # Imported here: gifts.support imports this module.
    from .support import post_gifts

    CreatorSupport.objects.filter(creator=creator, accepts=True).update(
        accepts=False, changed_at=timezone.now()
    )
    return post_gifts(creator_id=creator.pk)
