"""Buying coin packs: recorded before the charge, charged once per request, coins credited
once and only when the charge went through."""

import pytest

from accounts.tests.factories import CreatorFactory, FanFactory
from gifts.models import CoinAccount, CoinEntry, CoinPurchase, CoinReason, PurchaseState
from gifts.services import GiftsError, buy_coin_pack
from gifts.tests.factories import DECLINES_CHARGES, TIMES_OUT, CoinPackFactory, card_for
from payments.models import AttemptKind, AttemptState, PaymentAttempt

pytestmark = pytest.mark.django_db


def balance(fan: object) -> int:
    account = CoinAccount.objects.filter(fan=fan).first()
    return account.balance if account else 0


def charges() -> list[PaymentAttempt]:
    return list(PaymentAttempt.objects.filter(kind=AttemptKind.CHARGE))


def test_a_paid_purchase_credits_the_packs_coins_once_and_records_the_charge() -> None:
    fan = FanFactory()
    pack = CoinPackFactory(coins=500, price_minor=499, currency="USD")
    purchase = buy_coin_pack(fan=fan, pack=pack, card=card_for(fan), request_key="k1")
    assert purchase.state == PurchaseState.PAID
    assert balance(fan) == 500
    entry = CoinEntry.objects.get()
    assert purchase.coin_entry == entry
    assert (entry.amount, entry.reason, entry.document, entry.idempotency_key) == (
        500,
        CoinReason.PURCHASE,
        f"gifts.coinpurchase:{purchase.pk}",
        f"coin-purchase:{purchase.pk}",
    )
    [attempt] = charges()
    assert (attempt.state, attempt.amount, attempt.currency, attempt.idempotency_key) == (
        AttemptState.SUCCEEDED,
        499,
        "USD",
        f"coin-purchase:{purchase.pk}",
    )


def test_the_same_request_twice_charges_once_and_returns_the_same_purchase() -> None:
    fan = FanFactory()
    pack = CoinPackFactory()
    card = card_for(fan)
    first = buy_coin_pack(fan=fan, pack=pack, card=card, request_key="double-click")
    second = buy_coin_pack(fan=fan, pack=pack, card=card, request_key="double-click")
    assert second.pk == first.pk
    assert CoinPurchase.objects.count() == 1
    assert len(charges()) == 1
    assert CoinEntry.objects.count() == 1
    assert balance(fan) == pack.coins


def test_a_card_declined_on_charge_fails_the_purchase_with_its_message_and_no_coins() -> None:
    fan = FanFactory()
    pack = CoinPackFactory()
    with pytest.raises(GiftsError) as refused:
        buy_coin_pack(
            fan=fan, pack=pack, card=card_for(fan, DECLINES_CHARGES), request_key="declined"
        )
    purchase = CoinPurchase.objects.get()
    assert purchase.state == PurchaseState.FAILED
    assert purchase.failure and purchase.failure == str(refused.value)
    assert purchase.coin_entry is None
    assert balance(fan) == 0
    assert not CoinEntry.objects.exists()


def test_an_unanswered_charge_leaves_the_purchase_pending_with_no_coins() -> None:
    fan = FanFactory()
    with pytest.raises(GiftsError, match="stays pending until its outcome is known"):
        buy_coin_pack(
            fan=fan, pack=CoinPackFactory(), card=card_for(fan, TIMES_OUT), request_key="slow"
        )
    assert CoinPurchase.objects.get().state == PurchaseState.PENDING
    assert balance(fan) == 0


def test_an_inactive_pack_is_refused_with_nothing_recorded_or_charged() -> None:
    fan = FanFactory()
    card = card_for(fan)
    with pytest.raises(GiftsError, match="not offered"):
        buy_coin_pack(fan=fan, pack=CoinPackFactory(is_active=False), card=card, request_key="k")
    assert not CoinPurchase.objects.exists()
    assert charges() == []


def test_someone_elses_card_is_refused_with_nothing_recorded_or_charged() -> None:
    fan = FanFactory()
    with pytest.raises(GiftsError, match="your own cards"):
        buy_coin_pack(fan=fan, pack=CoinPackFactory(), card=card_for(FanFactory()), request_key="k")
    assert not CoinPurchase.objects.exists()
    assert charges() == []


def test_a_creator_cannot_buy_coins() -> None:
    user = CreatorFactory().user
    with pytest.raises(GiftsError, match="Only fan accounts"):
        buy_coin_pack(fan=user, pack=CoinPackFactory(), card=card_for(user), request_key="k")
    assert not CoinPurchase.objects.exists()
    assert charges() == []


def test_the_purchase_keeps_the_price_and_coins_it_was_bought_at() -> None:
    fan = FanFactory()
    pack = CoinPackFactory(coins=500, price_minor=499, currency="USD")
    purchase = buy_coin_pack(fan=fan, pack=pack, card=card_for(fan), request_key="k")
    pack.coins, pack.price_minor, pack.currency = 800, 999, "GBP"
    pack.save()
    purchase.refresh_from_db()
    assert (purchase.coins, purchase.price_minor, purchase.currency) == (500, 499, "USD")
    assert balance(fan) == 500
