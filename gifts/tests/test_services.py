"""Coins move only through the services: under the account's lock, once per key, never
below zero, every movement an entry."""

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.tests.factories import CreatorFactory, FanFactory
from gifts.models import CoinAccount, CoinEntry, CoinReason
from gifts.services import GiftsError, credit_coins, spend_coins
from gifts.tests.factories import fan_with_coins

pytestmark = pytest.mark.django_db


def balance(fan: object) -> int:
    return CoinAccount.objects.get(fan=fan).balance


def test_credit_then_spend_moves_the_balance_and_records_each_entry() -> None:
    fan = FanFactory()
    bought = credit_coins(
        fan=fan,
        amount=500,
        reason=CoinReason.PURCHASE,
        idempotency_key="buy-1",
        document="gifts.coinpurchase:7",
        memo="500-coin pack",
    )
    sent = spend_coins(
        fan=fan,
        amount=120,
        reason=CoinReason.GIFT_SENT,
        idempotency_key="gift-1",
        document="gifts.giftsent:3",
    )
    assert balance(fan) == 380
    assert (bought.amount, bought.reason, bought.document) == (
        500,
        CoinReason.PURCHASE,
        "gifts.coinpurchase:7",
    )
    assert (sent.amount, sent.reason) == (-120, CoinReason.GIFT_SENT)
    assert list(CoinEntry.objects.filter(account__fan=fan).order_by("pk")) == [bought, sent]


def test_spending_more_than_the_balance_is_refused_and_moves_nothing() -> None:
    fan = fan_with_coins(30)
    with pytest.raises(GiftsError) as refused:
        spend_coins(fan=fan, amount=50, reason=CoinReason.GIFT_SENT, idempotency_key="g")
    assert str(refused.value) == "You have 30 coins; this needs 50 coins."
    assert balance(fan) == 30
    assert CoinEntry.objects.filter(account__fan=fan).count() == 1
    assert not CoinEntry.objects.filter(idempotency_key="g").exists()


def test_a_fan_who_never_bought_coins_cannot_spend_one() -> None:
    fan = FanFactory()
    with pytest.raises(GiftsError, match=r"^You have 0 coins; this needs 1 coin\.$"):
        spend_coins(fan=fan, amount=1, reason=CoinReason.GIFT_SENT, idempotency_key="g")
    assert not CoinEntry.objects.exists()


def test_spending_the_whole_balance_leaves_zero() -> None:
    fan = fan_with_coins(40)
    spend_coins(fan=fan, amount=40, reason=CoinReason.GIFT_SENT, idempotency_key="all")
    assert balance(fan) == 0


def test_a_repeated_key_returns_the_first_entry_and_moves_nothing() -> None:
    fan = FanFactory()
    first = credit_coins(fan=fan, amount=100, reason=CoinReason.PURCHASE, idempotency_key="b")
    again = credit_coins(fan=fan, amount=100, reason=CoinReason.PURCHASE, idempotency_key="b")
    spent = spend_coins(fan=fan, amount=30, reason=CoinReason.GIFT_SENT, idempotency_key="s")
    spent_again = spend_coins(fan=fan, amount=30, reason=CoinReason.GIFT_SENT, idempotency_key="s")
    assert again == first and spent_again == spent
    assert CoinEntry.objects.count() == 2
    assert balance(fan) == 70


def test_a_key_used_for_a_different_movement_is_refused() -> None:
    fan = FanFactory()
    other = FanFactory()
    credit_coins(fan=fan, amount=100, reason=CoinReason.PURCHASE, idempotency_key="k")
    with pytest.raises(GiftsError, match="already used for a different movement"):
        credit_coins(fan=fan, amount=200, reason=CoinReason.PURCHASE, idempotency_key="k")
    with pytest.raises(GiftsError, match="already used for a different movement"):
        credit_coins(fan=other, amount=100, reason=CoinReason.PURCHASE, idempotency_key="k")
    assert balance(fan) == 100
    assert not CoinAccount.objects.filter(fan=other).exists()
    assert CoinEntry.objects.count() == 1


def test_only_fans_hold_coins() -> None:
    creator = CreatorFactory()
    with pytest.raises(GiftsError, match="Only fans hold coins"):
        credit_coins(fan=creator.user, amount=10, reason=CoinReason.PURCHASE, idempotency_key="c")
    assert not CoinAccount.objects.exists()


@pytest.mark.parametrize(
    ("move", "reason"),
    [
        (credit_coins, CoinReason.GIFT_SENT),
        (credit_coins, CoinReason.PURCHASE_REVERSED),
        (spend_coins, CoinReason.PURCHASE),
    ],
)
def test_each_reason_moves_coins_one_way(move: object, reason: CoinReason) -> None:
    fan = fan_with_coins(100)
    with pytest.raises(GiftsError, match="Coins are not"):
        move(fan=fan, amount=10, reason=reason, idempotency_key="r")
    assert balance(fan) == 100


@pytest.mark.parametrize("amount", [0, -5, 10**9 + 1])
def test_amounts_out_of_bounds_are_refused(amount: int) -> None:
    fan = fan_with_coins(100)
    with pytest.raises(GiftsError, match="between 1 and"):
        credit_coins(fan=fan, amount=amount, reason=CoinReason.ADJUSTED, idempotency_key="a")
    with pytest.raises(GiftsError, match="between 1 and"):
        spend_coins(fan=fan, amount=amount, reason=CoinReason.ADJUSTED, idempotency_key="a")
    assert balance(fan) == 100


def test_a_request_key_is_required() -> None:
    with pytest.raises(GiftsError, match="request key"):
        credit_coins(fan=FanFactory(), amount=1, reason=CoinReason.PURCHASE, idempotency_key="")


def test_entries_are_append_only_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    fan = fan_with_coins(100)
    entry = CoinEntry.objects.get(account__fan=fan)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CoinEntry.objects.filter(pk=entry.pk).update(amount=5)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CoinEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.amount == 100


def test_the_database_refuses_a_negative_balance_whatever_the_code_does() -> None:
    fan = fan_with_coins(10)
    with pytest.raises(DatabaseError), transaction.atomic():
        CoinAccount.objects.filter(fan=fan).update(balance=-1)
    with pytest.raises(DatabaseError), transaction.atomic():
        CoinEntry.objects.create(
            account=CoinAccount.objects.get(fan=fan),
            amount=0,
            reason=CoinReason.ADJUSTED,
            idempotency_key="zero",
        )
