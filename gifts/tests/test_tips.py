"""Tips: within the staff's bounds, split between creator and platform by the setting,
recorded before the card is charged, charged once per request, and credited to the creator
(pending, with the fee line) only when the charge went through."""

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory, FanFactory
from core.clock import rewards_today
from gifts import selectors
from gifts.models import SupportRules, Tip, TipState
from gifts.services import GiftsError
from gifts.support import finish_pending_tips, split_tip, tip, tip_with_new_card
from gifts.tests.factories import (
    DECLINES_CHARGES,
    SUCCEEDS,
    TIMES_OUT,
    card_details,
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
    SavedCard,
    Source,
)

if TYPE_CHECKING:
    from pytest_django import Settings

pytestmark = pytest.mark.django_db

PENDING_DAYS = 14  # settings.SUPPORT_PENDING_DAYS


def earnings(creator: CreatorProfile) -> tuple[int, int]:
    """(available, pending) of the creator's USD earnings."""
    found = [b for b in ledger.balances(creator) if b.currency == "USD"]
    return (found[0].available, found[0].pending) if found else (0, 0)


def charges() -> list[PaymentAttempt]:
    return list(PaymentAttempt.objects.filter(kind=AttemptKind.CHARGE))


def nothing_charged_or_credited() -> None:
    assert not SandboxPayment.objects.exists()
    assert not EarningsEntry.objects.exists()


# --- the split and the bounds -----------------------------------------------------------------


def test_a_tip_splits_by_the_creators_share_setting() -> None:
    split = split_tip(500)
    assert (split.amount, split.share, split.fee, split.share_pct, split.currency) == (
        500,
        400,
        100,
        80,
        "USD",
    )
    assert (split.amount_display, split.share_display, split.fee_display) == (
        "5.00 USD",
        "4.00 USD",
        "1.00 USD",
    )
    # An odd cent goes to the platform, never a fraction to anybody.
    odd = split_tip(333)
    assert (odd.share, odd.fee) == (266, 67)


def test_a_changed_share_setting_changes_the_split(settings: "Settings") -> None:
    settings.TIP_CREATOR_SHARE_PCT = 70
    split = split_tip(1_000)
    assert (split.share, split.fee, split.share_pct) == (700, 300, 70)


@pytest.mark.parametrize("amount", [0, 99, 50_001, -500])
def test_a_tip_outside_the_bounds_is_refused_with_the_bounds(amount: int) -> None:
    with pytest.raises(GiftsError) as refused:
        split_tip(amount)
    assert str(refused.value) == "A tip is between 1.00 USD and 500.00 USD."


def test_the_bounds_are_the_staffs_and_a_tip_outside_them_is_not_recorded_or_charged() -> None:
    SupportRules.objects.update_or_create(
        pk=1, defaults={"tip_min_minor": 300, "tip_max_minor": 2_000}
    )
    cache.delete(selectors.RULES_CACHE_KEY)
    creator = eligible_creator()
    fan = FanFactory()
    card = card_for(fan)
    for amount in (299, 2_001):
        with pytest.raises(GiftsError, match=r"^A tip is between 3.00 USD and 20.00 USD\.$"):
            tip(fan=fan, creator=creator, amount=amount, card=card, request_key=f"t{amount}")
    assert not Tip.objects.exists()
    assert charges() == []
    assert tip(fan=fan, creator=creator, amount=2_000, card=card, request_key="max").state == (
        TipState.PAID
    )


# --- paying -----------------------------------------------------------------------------------


def test_a_paid_tip_credits_the_creator_pending_with_the_platform_fee_as_its_own_line() -> None:
    creator = eligible_creator()
    fan = FanFactory()

    paid = tip(
        fan=fan,
        creator=creator,
        amount=500,
        card=card_for(fan),
        request_key="k",
        message="<b>You</b> made my day",
    )

    assert paid.state == TipState.PAID
    assert (paid.amount_minor, paid.creator_share_minor, paid.fee_minor, paid.share_pct) == (
        500,
        400,
        100,
        80,
    )
    assert (paid.message, paid.anonymous, paid.failure) == ("You made my day", False, "")
    assert paid.share_display == "4.00 USD"
    [attempt] = charges()
    assert paid.attempt == attempt
    assert (attempt.state, attempt.amount, attempt.currency, attempt.idempotency_key) == (
        AttemptState.SUCCEEDED,
        500,
        "USD",
        f"tip:{paid.pk}",
    )
    due = rewards_today() + timedelta(days=PENDING_DAYS)
    credit, fee = EarningsEntry.objects.filter(account__creator=creator).order_by("pk")
    assert paid.earnings_entry == credit
    assert (credit.amount, credit.source, credit.pending_until, credit.document) == (
        500,
        Source.TIP,
        due,
        f"gifts.tip:{paid.pk}",
    )
    assert credit.memo == "Tip: “You made my day”"
    assert (fee.amount, fee.source, fee.pending_until) == (-100, Source.PLATFORM_FEE, due)
    assert fee.memo == "Platform fee (20 %) on a tip"
    assert earnings(creator) == (0, 400)
    ledger.release_pending(today=due)
    assert earnings(creator) == (400, 0)
    call_command("check_ledger")


def test_an_anonymous_tip_is_recorded_as_such() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    paid = tip(
        fan=fan, creator=creator, amount=100, card=card_for(fan), request_key="k", anonymous=True
    )
    assert Tip.objects.get(pk=paid.pk).anonymous
    assert (paid.creator_share_minor, paid.fee_minor) == (80, 20)


def test_the_same_request_twice_charges_once_and_credits_once() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    card = card_for(fan)
    first = tip(fan=fan, creator=creator, amount=500, card=card, request_key="double-click")
    again = tip(fan=fan, creator=creator, amount=500, card=card, request_key="double-click")
    assert again.pk == first.pk
    assert Tip.objects.count() == 1
    assert PaymentAttempt.objects.count() == 1
    assert SandboxPayment.objects.count() == 1
    assert EarningsEntry.objects.count() == 2
    assert earnings(creator) == (0, 400)


def test_a_request_key_used_for_another_tip_is_refused() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    card = card_for(fan)
    tip(fan=fan, creator=creator, amount=500, card=card, request_key="k")
    with pytest.raises(GiftsError, match="already used for another tip"):
        tip(fan=fan, creator=creator, amount=900, card=card, request_key="k")
    with pytest.raises(GiftsError, match="already used for another tip"):
        tip(fan=fan, creator=eligible_creator(), amount=500, card=card, request_key="k")
    assert Tip.objects.count() == 1
    assert PaymentAttempt.objects.count() == 1


def test_a_declined_card_fails_the_tip_with_a_clear_message_and_no_money_moves() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    card = card_for(fan, DECLINES_CHARGES)

    with pytest.raises(GiftsError) as refused:
        tip(fan=fan, creator=creator, amount=500, card=card, request_key="k")

    assert str(refused.value) == "Your card was declined."
    failed = Tip.objects.get()
    assert failed.state == TipState.FAILED
    assert failed.failure == "Your card was declined."
    assert failed.earnings_entry is None
    [attempt] = charges()
    assert attempt.state == AttemptState.FAILED
    nothing_charged_or_credited()
    assert earnings(creator) == (0, 0)
    assert selectors.support_totals(creator).tips == 0

    # Clicking again does not call the gateway again.
    with pytest.raises(GiftsError, match="Your card was declined"):
        tip(fan=fan, creator=creator, amount=500, card=card, request_key="k")
    assert PaymentAttempt.objects.count() == 1
    assert Tip.objects.count() == 1


def test_a_card_typed_for_a_tip_is_forgotten_when_it_is_declined() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    with pytest.raises(GiftsError, match="declined"):
        tip_with_new_card(
            fan=fan,
            card=card_details(DECLINES_CHARGES),
            creator=creator,
            amount=500,
            request_key="k",
        )
    declined = SavedCard.objects.get()
    assert declined.forgotten_at is not None
    assert Tip.objects.get().state == TipState.FAILED
    nothing_charged_or_credited()


def test_a_card_typed_for_a_tip_that_goes_through_is_kept() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    paid = tip_with_new_card(
        fan=fan, card=card_details(SUCCEEDS), creator=creator, amount=500, request_key="k"
    )
    assert paid.state == TipState.PAID
    assert SavedCard.objects.get().forgotten_at is None
    assert paid.card == SavedCard.objects.get()


def test_an_unanswered_tip_stays_pending_until_settled_without_charging_again() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    with pytest.raises(GiftsError, match="The tip stays pending until its outcome is known"):
        tip(fan=fan, creator=creator, amount=500, card=card_for(fan, TIMES_OUT), request_key="k")
    pending = Tip.objects.get()
    assert pending.state == TipState.PENDING
    assert charges()[0].state == AttemptState.UNKNOWN
    assert not EarningsEntry.objects.exists()
    assert selectors.support_totals(creator).tips == 0

    # Too recent to settle: a request may still be answering it.
    assert finish_pending_tips() == 0
    assert Tip.objects.get().state == TipState.PENDING

    Tip.objects.filter(pk=pending.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert finish_pending_tips() == 1

    pending.refresh_from_db()
    assert pending.state == TipState.PAID
    assert pending.earnings_entry is not None
    assert SandboxPayment.objects.filter(kind="charge").count() == 1  # charged once, found
    assert PaymentAttempt.objects.count() == 1
    assert earnings(creator) == (0, 400)
    assert finish_pending_tips() == 0  # nothing left pending
    call_command("check_ledger")


# --- who may be tipped, with what ---------------------------------------------------------------


def test_a_tip_to_a_creator_who_does_not_take_tips_is_not_recorded_or_charged() -> None:
    fan = FanFactory()
    card = card_for(fan)
    not_opted_in = CreatorFactory(followers=5_000)
    too_few_followers = CreatorFactory(followers=10)
    with pytest.raises(GiftsError, match="does not take tips or gifts"):
        tip(fan=fan, creator=not_opted_in, amount=500, card=card, request_key="a")
    with pytest.raises(GiftsError, match="cannot receive tips or gifts"):
        tip(fan=fan, creator=too_few_followers, amount=500, card=card, request_key="b")
    assert not Tip.objects.exists()
    assert charges() == []


def test_only_a_fan_tips_and_only_with_their_own_card() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    with pytest.raises(GiftsError, match="Choose one of your own cards"):
        tip(fan=fan, creator=creator, amount=500, card=card_for(FanFactory()), request_key="a")
    other_creator = CreatorFactory().user
    with pytest.raises(GiftsError, match="Only fan accounts"):
        tip(
            fan=other_creator,
            creator=creator,
            amount=500,
            card=card_for(other_creator),
            request_key="b",
        )
    assert not Tip.objects.exists()
    assert charges() == []


def test_a_tip_message_too_long_is_refused_before_anything_is_charged() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    with pytest.raises(GiftsError, match="150 characters at most"):
        tip(
            fan=fan,
            creator=creator,
            amount=500,
            card=card_for(fan),
            request_key="k",
            message="z" * 151,
        )
    assert not Tip.objects.exists()
    assert charges() == []


@pytest.mark.parametrize("key", ["", "x" * 65])
def test_a_tip_needs_a_request_key(key: str) -> None:
    fan = FanFactory()
    with pytest.raises(GiftsError, match="The form was incomplete"):
        tip(fan=fan, creator=eligible_creator(), amount=500, card=card_for(fan), request_key=key)
    assert not Tip.objects.exists()
