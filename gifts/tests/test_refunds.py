"""Refunding a coin purchase: the fan's money back, the pack's coins taken back without ever
going below zero, the gifts spent coins paid for taken back from creators while their money
is still pending (never more than was spent), the rest absorbed and said in words; once."""

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command

from accounts.models import CreatorProfile, User
from accounts.tests.factories import FanFactory
from activity.tests.factories import VideoFactory
from core.clock import rewards_today
from gifts import selectors
from gifts.models import CoinEntry, CoinPurchase, CoinReason, GiftSent, PurchaseState
from gifts.selectors import coin_balance
from gifts.services import GiftsError, buy_coin_pack, refund_coin_purchase
from gifts.support import post_gifts, send_gift, set_consent
from gifts.tests.factories import (
    DECLINES_CHARGES,
    TIMES_OUT,
    CoinPackFactory,
    GiftFactory,
    LiveSessionFactory,
    card_for,
    eligible_creator,
)
from payments import ledger
from payments.models import (
    AttemptKind,
    AttemptState,
    EarningsEntry,
    PaymentAttempt,
    SandboxPayment,
    Source,
)

if TYPE_CHECKING:
    from pytest_django import Settings

pytestmark = pytest.mark.django_db

PENDING_DAYS = 14  # settings.SUPPORT_PENDING_DAYS
HELD = " Your coins never go below zero."


def buy(fan: User, coins: int = 500, key: str = "pack") -> CoinPurchase:
    """The fan buys a pack of `coins` for 4.99 USD with a card that goes through."""
    pack = CoinPackFactory(coins=coins, price_minor=499, currency="USD")
    return buy_coin_pack(fan=fan, pack=pack, card=card_for(fan), request_key=key)


def give(
    fan: User, creator: CreatorProfile, coins: int, key: str, *, post: bool = True
) -> GiftSent:
    """A gift, posted to the creator's earnings as beat's next run does (unless `post` is
    False: a refund before that run)."""
    sent = send_gift(
        fan=fan,
        creator=creator,
        gift=GiftFactory(coins=coins),
        video=VideoFactory(creator=creator),
        request_key=key,
    )
    if post:
        post_gifts(creator_id=creator.pk)
        sent.refresh_from_db()
    return sent


def earnings(creator: CreatorProfile) -> tuple[int, int]:
    """(available, pending) of the creator's USD earnings."""
    found = [b for b in ledger.balances(creator) if b.currency == "USD"]
    return (found[0].available, found[0].pending) if found else (0, 0)


def refunds() -> list[PaymentAttempt]:
    return list(PaymentAttempt.objects.filter(kind=AttemptKind.REFUND))


def corrections(creator: CreatorProfile) -> list[int]:
    return sorted(
        EarningsEntry.objects.filter(
            account__creator=creator, source=Source.CORRECTION
        ).values_list("amount", flat=True)
    )


def test_refunding_an_unspent_pack_gives_the_money_back_and_takes_all_its_coins() -> None:
    fan = FanFactory()
    purchase = buy(fan)

    refunded = refund_coin_purchase(purchase=purchase, reason="Bought by mistake")

    assert refunded.state == PurchaseState.REFUNDED
    assert refunded.refund_note == (
        "Refunded 4.99 USD. 500 coins of the pack were still yours and were taken back."
    )
    assert coin_balance(fan) == 0
    taken = CoinEntry.objects.get(reason=CoinReason.PURCHASE_REVERSED)
    assert (taken.amount, taken.document) == (-500, f"gifts.coinpurchase:{purchase.pk}")
    [refund] = refunds()
    charge = PaymentAttempt.objects.get(kind=AttemptKind.CHARGE)
    assert (refund.state, refund.amount, refund.refund_of) == (AttemptState.SUCCEEDED, 499, charge)
    assert SandboxPayment.objects.filter(kind=AttemptKind.REFUND, amount=499).count() == 1
    call_command("check_ledger")


def test_coins_spent_on_gifts_still_pending_are_taken_back_from_the_creators() -> None:
    maya, theo = eligible_creator(), eligible_creator()
    fan = FanFactory()
    purchase = buy(fan)
    on_video = give(fan, maya, 200, "rose")  # 0.50 to Maya
    on_air = send_gift(
        fan=fan,
        creator=theo,
        gift=GiftFactory(coins=300),
        live=LiveSessionFactory(creator=theo),
        request_key="crown",
    )  # 0.75 to Theo
    post_gifts()
    assert coin_balance(fan) == 0
    assert (earnings(maya), earnings(theo)) == ((0, 50), (0, 75))

    refunded = refund_coin_purchase(purchase=purchase, reason="Card used without permission")

    assert refunded.refund_note == (
        "Refunded 4.99 USD. 500 coins had already gone on gifts: 2 gifts (500 coins) were "
        "still held and were taken back from the creators." + HELD
    )
    assert coin_balance(fan) == 0
    assert not CoinEntry.objects.filter(reason=CoinReason.PURCHASE_REVERSED).exists()
    assert (earnings(maya), earnings(theo)) == ((0, 0), (0, 0))
    # The gift and its fee line, each mended by a correction (the original rows stay).
    assert corrections(maya) == [-200, 150]
    assert corrections(theo) == [-300, 225]
    assert EarningsEntry.objects.filter(source=Source.GIFT).count() == 2
    for sent in (on_video, on_air):
        sent.refresh_from_db()
        assert sent.reversed_at is not None
    credit = EarningsEntry.objects.get(pk=on_video.earnings_entry_id)
    assert credit.reversed_by.memo.endswith(
        "the fan's coins were refunded (Card used without permission)"
    )
    call_command("check_ledger")


def test_what_creators_and_fans_see_leaves_a_reversed_gift_out() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    set_consent(fan=fan, show=True)
    purchase = buy(fan)
    give(fan, creator, 500, "all-in")
    assert selectors.support_totals(creator).diamonds == 250

    refund_coin_purchase(purchase=purchase, reason="Chargeback")

    totals = selectors.support_totals(creator)
    assert (totals.diamonds, totals.gifts, totals.gift_money) == (0, 0, 0)
    assert selectors.diamonds_by_video(creator) == []
    assert selectors.top_supporters(creator) == []
    assert selectors.recent_support(creator) == []
    assert selectors.public_support(creator) == []


def test_part_spent_pack_takes_back_the_rest_of_its_coins_and_the_gift() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    purchase = buy(fan)
    give(fan, creator, 200, "rose")

    refunded = refund_coin_purchase(purchase=purchase, reason="Changed my mind")

    assert coin_balance(fan) == 0
    assert CoinEntry.objects.get(reason=CoinReason.PURCHASE_REVERSED).amount == -300
    assert refunded.refund_note == (
        "Refunded 4.99 USD. 300 coins of the pack were still yours and were taken back. "
        "200 coins had already gone on gifts: 1 gift (200 coins) was still held and was "
        "taken back from the creators." + HELD
    )
    assert earnings(creator) == (0, 0)
    call_command("check_ledger")


def test_never_more_is_taken_from_creators_than_the_refunded_coins_paid_for() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    buy(fan, coins=300, key="older")
    purchase = buy(fan, coins=500, key="refunded")
    small = give(fan, creator, 100, "small")  # worth 0.25
    big = give(fan, creator, 400, "big")  # worth 1.00, newer
    assert coin_balance(fan) == 300  # the older pack's

    refunded = refund_coin_purchase(purchase=purchase, reason="Disputed")

    # 300 coins still held are taken; of the 200 spent, the newest gift (400 coins) is more
    # than they paid for, so the older 100-coin one goes back and the platform absorbs 100.
    assert coin_balance(fan) == 0
    small.refresh_from_db()
    big.refresh_from_db()
    assert small.reversed_at is not None and big.reversed_at is None
    assert earnings(creator) == (0, 100)
    assert refunded.refund_note == (
        "Refunded 4.99 USD. 300 coins of the pack were still yours and were taken back. "
        "200 coins had already gone on gifts: 1 gift (100 coins) was still held and was "
        "taken back from the creators; the portal absorbs the other 100." + HELD
    )
    reversed_coins = sum(
        GiftSent.objects.filter(reversed_at__isnull=False).values_list("coins", flat=True)
    )
    assert reversed_coins <= 200
    call_command("check_ledger")


def test_gifts_sent_before_the_purchase_are_never_taken_back_for_it() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    buy(fan, coins=500, key="first")
    before = give(fan, creator, 300, "before")
    purchase = buy(fan, coins=500, key="second")
    give(fan, creator, 600, "after")  # balance 100

    refunded = refund_coin_purchase(purchase=purchase, reason="Disputed")

    before.refresh_from_db()
    assert before.reversed_at is None
    assert not GiftSent.objects.filter(reversed_at__isnull=False).exists()
    assert coin_balance(fan) == 0
    assert refunded.refund_note.endswith(
        "400 coins had already gone on gifts: the portal absorbs the other 400." + HELD
    )
    # 300 coins (0.75) and 600 coins (1.50): nothing taken back.
    assert earnings(creator) == (0, 225)
    call_command("check_ledger")


def test_a_gift_whose_money_was_released_stays_and_the_portal_absorbs_it() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    purchase = buy(fan)
    sent = give(fan, creator, 200, "rose")
    ledger.release_pending(today=rewards_today() + timedelta(days=PENDING_DAYS))
    assert earnings(creator) == (50, 0)

    refunded = refund_coin_purchase(purchase=purchase, reason="Disputed")

    sent.refresh_from_db()
    assert sent.reversed_at is None
    assert earnings(creator) == (50, 0)
    assert corrections(creator) == []
    assert coin_balance(fan) == 0
    assert refunded.refund_note == (
        "Refunded 4.99 USD. 300 coins of the pack were still yours and were taken back. "
        "200 coins had already gone on gifts: the portal absorbs the other 200." + HELD
    )
    assert selectors.support_totals(creator).diamonds == 100
    call_command("check_ledger")


def test_only_gifts_still_pending_are_taken_back_the_released_ones_are_absorbed(
    settings: "Settings",
) -> None:
    creator = eligible_creator()
    fan = FanFactory()
    purchase = buy(fan)
    settings.SUPPORT_PENDING_DAYS = 1
    released = give(fan, creator, 200, "released")
    ledger.release_pending(today=rewards_today() + timedelta(days=1))
    settings.SUPPORT_PENDING_DAYS = PENDING_DAYS
    held = give(fan, creator, 300, "held")
    assert coin_balance(fan) == 0
    assert earnings(creator) == (50, 75)

    refunded = refund_coin_purchase(purchase=purchase, reason="Disputed")

    released.refresh_from_db()
    held.refresh_from_db()
    assert released.reversed_at is None and held.reversed_at is not None
    assert earnings(creator) == (50, 0)
    assert refunded.refund_note == (
        "Refunded 4.99 USD. 500 coins had already gone on gifts: 1 gift (300 coins) was "
        "still held and was taken back from the creators; the portal absorbs the other 200." + HELD
    )
    call_command("check_ledger")


def test_refunding_twice_gives_back_and_takes_nothing_more() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    purchase = buy(fan)
    give(fan, creator, 200, "rose")
    first = refund_coin_purchase(purchase=purchase, reason="Disputed")
    counts = (
        CoinEntry.objects.count(),
        EarningsEntry.objects.count(),
        PaymentAttempt.objects.count(),
        SandboxPayment.objects.count(),
    )

    again = refund_coin_purchase(purchase=purchase, reason="Disputed again")

    assert again.pk == first.pk and again.state == PurchaseState.REFUNDED
    assert again.refund_note == first.refund_note
    assert (
        CoinEntry.objects.count(),
        EarningsEntry.objects.count(),
        PaymentAttempt.objects.count(),
        SandboxPayment.objects.count(),
    ) == counts
    assert len(refunds()) == 1
    assert coin_balance(fan) == 0
    assert earnings(creator) == (0, 0)
    call_command("check_ledger")


def test_a_purchase_whose_charge_failed_cannot_be_refunded() -> None:
    fan = FanFactory()
    pack = CoinPackFactory()
    with pytest.raises(GiftsError):
        buy_coin_pack(fan=fan, pack=pack, card=card_for(fan, DECLINES_CHARGES), request_key="k")
    failed = CoinPurchase.objects.get()
    assert failed.state == PurchaseState.FAILED

    with pytest.raises(GiftsError) as refused:
        refund_coin_purchase(purchase=failed, reason="Please refund")

    assert str(refused.value) == "Only a paid coin purchase can be refunded: nothing was charged."
    failed.refresh_from_db()
    assert failed.state == PurchaseState.FAILED and failed.refund_note == ""
    assert refunds() == []
    assert not CoinEntry.objects.exists()


def test_a_purchase_still_pending_cannot_be_refunded_yet() -> None:
    fan = FanFactory()
    with pytest.raises(GiftsError, match="stays pending"):
        buy_coin_pack(
            fan=fan, pack=CoinPackFactory(), card=card_for(fan, TIMES_OUT), request_key="k"
        )
    with pytest.raises(GiftsError, match="Only a paid coin purchase can be refunded"):
        refund_coin_purchase(purchase=CoinPurchase.objects.get(), reason="Please refund")
    assert refunds() == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_refund_needs_a_reason_the_fan_can_read(reason: str) -> None:
    fan = FanFactory()
    purchase = buy(fan)
    with pytest.raises(GiftsError, match="A refund needs a reason"):
        refund_coin_purchase(purchase=purchase, reason=reason)
    purchase.refresh_from_db()
    assert purchase.state == PurchaseState.PAID
    assert refunds() == []
    assert coin_balance(fan) == 500
