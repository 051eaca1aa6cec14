"""Fan support: who may receive it, gifts on videos and live sessions turned into Diamonds and
pending money at the rate of their day, messages, blocks, and what creators and fans see."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from accounts.models import CreatorProfile, Standing, User
from accounts.services import record_followers, set_standing
from accounts.tests.factories import CreatorFactory, FanFactory
from activity.tests.factories import VideoFactory
from core import regions
from core.clock import rewards_today, start_of_rewards_day
from gifts import selectors
from gifts.models import (
    CoinEntry,
    CoinReason,
    CreatorSupport,
    DiamondRate,
    GiftSent,
    SupportBlock,
    SupportRules,
)
from gifts.selectors import coin_balance
from gifts.services import GiftsError
from gifts.support import (
    block_fan,
    clean_message,
    post_gifts,
    preview_gifts,
    send_gift,
    set_accepting,
    set_consent,
    set_hidden,
    tip,
    unblock_fan,
)
from gifts.tests.factories import (
    GiftFactory,
    LiveSessionFactory,
    born_years_ago,
    card_for,
    eligible_creator,
    fan_with_coins,
)
from payments import ledger
from payments.models import EarningsEntry, Source

pytestmark = pytest.mark.django_db

PENDING_DAYS = 14  # settings.SUPPORT_PENDING_DAYS


def set_rules(**fields: object) -> SupportRules:
    """Staff saving the rules row (admin forgets the cached copy when they do)."""
    row, _ = SupportRules.objects.update_or_create(pk=1, defaults=fields)
    cache.delete(selectors.RULES_CACHE_KEY)
    return row


def earnings(creator: CreatorProfile) -> tuple[int, int]:
    """(available, pending) of the creator's USD earnings."""
    found = [b for b in ledger.balances(creator) if b.currency == "USD"]
    return (found[0].available, found[0].pending) if found else (0, 0)


def gift_on_video(
    fan: User, creator: CreatorProfile, *, coins: int = 200, key: str = "g1", **kwargs: object
) -> GiftSent:
    return send_gift(
        fan=fan,
        creator=creator,
        gift=kwargs.pop("gift", None) or GiftFactory(coins=coins),
        video=kwargs.pop("video", None) or VideoFactory(creator=creator),
        request_key=key,
        **kwargs,
    )


def nothing_sent(fan: User, coins: int) -> None:
    assert not GiftSent.objects.exists()
    assert not EarningsEntry.objects.exists()
    assert coin_balance(fan) == coins
    assert not CoinEntry.objects.filter(reason=CoinReason.GIFT_SENT).exists()


# --- eligibility and opt-in -------------------------------------------------------------------


def test_an_eligible_adult_receives_support_only_once_opted_in() -> None:
    creator = CreatorFactory(date_of_birth=born_years_ago(18), followers=1_000)
    state = selectors.eligibility(creator)
    assert state.eligible and not state.accepts and not state.receives
    set_accepting(creator=creator, accepts=True)
    assert selectors.eligibility(creator).receives


@pytest.mark.parametrize(
    ("fields", "label", "status"),
    [
        ({"date_of_birth": born_years_ago(18) + timedelta(days=1)}, "18 or older", "17 years old"),
        ({"standing": Standing.WARNED}, "Good standing", "Warned"),
        ({"standing": Standing.SUSPENDED}, "Good standing", "Suspended"),
        ({"followers": 999}, "1,000 followers", "999 followers"),
    ],
)
def test_each_unmet_condition_is_named_with_what_the_creator_has(
    fields: dict, label: str, status: str
) -> None:
    creator = CreatorFactory(**{"date_of_birth": born_years_ago(30), "followers": 5_000, **fields})
    state = selectors.eligibility(creator)
    assert not state.eligible
    assert [(c.label, c.status) for c in state.missing] == [(label, status)]


def test_staff_rules_decide_the_followers_and_standing_needed() -> None:
    warned = CreatorFactory(standing=Standing.WARNED, followers=4_000)
    set_rules(min_followers=5_000, needs_good_standing=False)
    state = selectors.eligibility(warned)
    assert [c.label for c in state.missing] == ["5,000 followers"]
    assert "Good standing" not in [c.label for c in state.conditions]
    set_rules(min_followers=4_000, min_age=21)
    assert selectors.eligibility(warned).eligible
    young_adult = CreatorFactory(date_of_birth=born_years_ago(20), followers=4_000)
    assert [c.label for c in selectors.eligibility(young_adult).missing] == ["21 or older"]


def test_the_database_refuses_a_rule_that_lets_minors_receive_money() -> None:
    selectors.rules()  # the row, with its defaults
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportRules.objects.filter(pk=1).update(min_age=17)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportRules.objects.create(pk=2, min_age=16)
    with pytest.raises(ValidationError) as refused:
        SupportRules(min_age=17).full_clean()
    assert "min_age" in refused.value.message_dict
    assert SupportRules.objects.get().min_age == 18


def test_a_minor_is_never_eligible_even_if_a_rules_row_said_younger() -> None:
    # A row the constraint would refuse, as if it had got past it: the selector still says 18.
    cache.set(
        selectors.RULES_CACHE_KEY,
        SupportRules(pk=1, min_age=16, needs_good_standing=False, min_followers=0),
    )
    minor = CreatorFactory(date_of_birth=born_years_ago(17), followers=50_000)
    state = selectors.eligibility(minor)
    assert not state.eligible
    assert [(c.label, c.status) for c in state.missing] == [("18 or older", "17 years old")]
    with pytest.raises(GiftsError, match="18 or older"):
        set_accepting(creator=minor, accepts=True)
    assert not CreatorSupport.objects.filter(creator=minor).exists()


def test_a_creator_found_to_be_a_minor_after_opting_in_receives_nothing() -> None:
    creator = eligible_creator()
    # Their date of birth corrected by staff after they opted in.
    CreatorProfile.objects.filter(pk=creator.pk).update(date_of_birth=born_years_ago(16))
    creator.refresh_from_db()
    fan = fan_with_coins(500)
    with pytest.raises(GiftsError, match=f"@{creator.handle} cannot receive tips or gifts"):
        gift_on_video(fan, creator)
    with pytest.raises(GiftsError, match="cannot receive tips or gifts"):
        tip(fan=fan, creator=creator, amount=500, card=card_for(fan), request_key="t")
    nothing_sent(fan, 500)


def test_opting_in_is_refused_while_ineligible_with_everything_missing() -> None:
    creator = CreatorFactory(date_of_birth=born_years_ago(17), followers=300)
    with pytest.raises(GiftsError) as refused:
        set_accepting(creator=creator, accepts=True)
    assert str(refused.value) == "Tips and gifts need: 18 or older, 1,000 followers."
    assert not CreatorSupport.objects.filter(creator=creator).exists()
    assert not selectors.eligibility(creator).accepts


def test_opting_out_is_always_allowed_and_stops_new_gifts() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(500)
    gift_on_video(fan, creator, key="before")
    support = set_accepting(creator=creator, accepts=False)
    assert support.accepts is False
    with pytest.raises(GiftsError, match=f"@{creator.handle} does not take tips or gifts"):
        gift_on_video(fan, creator, key="after")
    post_gifts()  # what beat runs every few seconds
    assert earnings(creator) == (0, 50)
    assert coin_balance(fan) == 300


def test_a_creator_who_loses_eligibility_gets_no_new_support_but_keeps_what_they_earned() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(1_000)
    sent = gift_on_video(fan, creator, key="before")
    post_gifts()
    creator = set_standing(creator=creator, standing=Standing.WARNED, reason="Spam reports")

    with pytest.raises(GiftsError, match="cannot receive tips or gifts"):
        gift_on_video(fan, creator, key="after-warning")
    with pytest.raises(GiftsError, match="cannot receive tips or gifts"):
        tip(fan=fan, creator=creator, amount=500, card=card_for(fan), request_key="t")
    # Their choice stands; the rules stop the money.
    assert selectors.eligibility(creator).accepts
    assert not selectors.eligibility(creator).receives
    assert GiftSent.objects.get() == sent
    assert coin_balance(fan) == 800
    assert earnings(creator) == (0, 50)
    ledger.release_pending(today=rewards_today() + timedelta(days=PENDING_DAYS))
    assert earnings(creator) == (50, 0)

    creator = set_standing(creator=creator, standing=Standing.GOOD)
    record_followers(creator=creator, followers=999)
    with pytest.raises(GiftsError, match="cannot receive tips or gifts"):
        gift_on_video(fan, creator, key="too-few-followers")
    assert GiftSent.objects.count() == 1
    # Ineligible, they may still turn it off; turning it back on waits for eligibility.
    assert set_accepting(creator=creator, accepts=False).accepts is False
    with pytest.raises(GiftsError, match=r"^Tips and gifts need: 1,000 followers\.$"):
        set_accepting(creator=creator, accepts=True)


# --- gifts ------------------------------------------------------------------------------------


def test_a_gift_on_a_video_becomes_diamonds_and_pending_money_less_the_platforms_share() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(500)
    video = VideoFactory(creator=creator, title="Morning routine")
    gift = GiftFactory(name="Rose", coins=200)

    sent = send_gift(
        fan=fan, creator=creator, gift=gift, video=video, request_key="k", message="Love it"
    )

    # 100 coins are 50 Diamonds worth 0.25, listed at 1.00 (the first rate).
    assert (sent.coins, sent.diamonds, sent.creator_value_minor, sent.list_value_minor) == (
        200,
        100,
        50,
        200,
    )
    assert (sent.video, sent.live, sent.message, sent.anonymous) == (video, None, "Love it", False)
    assert sent.rate == DiamondRate.objects.get(effective_from="2026-01-01")
    assert sent.value_display == "0.50 USD"
    assert coin_balance(fan) == 300
    assert (sent.coin_entry.amount, sent.coin_entry.reason) == (-200, CoinReason.GIFT_SENT)
    # The Diamonds are the creator's at once; the money goes on the ledger at the poster's
    # next run (beat, every few seconds), dated when the gift was sent.
    assert sent.earnings_entry is None and earnings(creator) == (0, 0)
    assert post_gifts() == 1
    sent.refresh_from_db()

    due = rewards_today() + timedelta(days=PENDING_DAYS)
    credit, fee = EarningsEntry.objects.filter(account__creator=creator).order_by("pk")
    assert sent.earnings_entry == credit
    assert credit.created_at == sent.created_at
    assert (credit.amount, credit.source, credit.pending_until, credit.document) == (
        200,
        Source.GIFT,
        due,
        f"gifts.giftsent:{sent.pk}",
    )
    assert credit.memo == "Rose (100 Diamonds) on “Morning routine”"
    assert (fee.amount, fee.source, fee.pending_until) == (-150, Source.PLATFORM_FEE, due)
    assert earnings(creator) == (0, 50)
    ledger.release_pending(today=due - timedelta(days=1))
    assert earnings(creator) == (0, 50)
    ledger.release_pending(today=due)
    assert earnings(creator) == (50, 0)
    call_command("check_ledger")


def test_the_fan_sees_what_a_gift_is_worth_before_sending_it() -> None:
    rose, crown = GiftFactory(coins=100), GiftFactory(coins=1_000)
    previews = preview_gifts([rose, crown])
    assert [(p.coins, p.diamonds, p.value_display) for p in previews.values()] == [
        (100, 50, "0.25 USD"),
        (1_000, 500, "2.50 USD"),
    ]
    assert list(previews) == [rose.pk, crown.pk]
    assert preview_gifts([rose], now=datetime(2025, 12, 31, 12, tzinfo=UTC)) == {}


def test_a_gift_during_a_live_session_on_air_is_recorded_on_the_session() -> None:
    creator = eligible_creator()
    live = LiveSessionFactory(creator=creator)
    fan = fan_with_coins(100)
    assert selectors.live_now(creator) == live

    sent = send_gift(
        fan=fan, creator=creator, gift=GiftFactory(coins=100), live=live, request_key="k"
    )

    assert (sent.live, sent.video, sent.diamonds) == (live, None, 50)
    post_gifts()
    sent.refresh_from_db()
    assert "on a live session" in sent.earnings_entry.memo
    assert coin_balance(fan) == 0
    assert earnings(creator) == (0, 25)


def test_a_live_session_takes_gifts_until_its_end_plus_the_grace_minutes_and_no_longer() -> None:
    creator = eligible_creator()
    started = datetime(2026, 11, 30, 9, tzinfo=UTC)
    live = LiveSessionFactory(creator=creator, started_at=started, minutes=30)
    fan = fan_with_coins(300)
    gift = GiftFactory(coins=100)
    last_moment = started + timedelta(minutes=30 + 10)

    send_gift(fan=fan, creator=creator, gift=gift, live=live, request_key="a", now=last_moment)
    assert selectors.live_now(creator, now=last_moment) == live

    too_late = last_moment + timedelta(seconds=1)
    assert selectors.live_now(creator, now=too_late) is None
    with pytest.raises(GiftsError, match="That live session has ended"):
        send_gift(fan=fan, creator=creator, gift=gift, live=live, request_key="b", now=too_late)
    with pytest.raises(GiftsError, match="That live session has ended"):
        send_gift(
            fan=fan,
            creator=creator,
            gift=gift,
            live=live,
            request_key="c",
            now=started - timedelta(minutes=1),
        )
    assert GiftSent.objects.count() == 1
    assert coin_balance(fan) == 200


def test_a_live_session_that_ended_long_ago_is_refused_and_nothing_moves() -> None:
    creator = eligible_creator()
    over = LiveSessionFactory(
        creator=creator, started_at=datetime(2026, 11, 1, 20, tzinfo=UTC), minutes=45
    )
    fan = fan_with_coins(500)
    with pytest.raises(GiftsError, match="send the gift on a video instead"):
        send_gift(fan=fan, creator=creator, gift=GiftFactory(), live=over, request_key="k")
    nothing_sent(fan, 500)


def test_a_gift_on_another_creators_video_or_live_session_is_refused() -> None:
    creator = eligible_creator()
    other = eligible_creator()
    fan = fan_with_coins(500)
    gift = GiftFactory()
    with pytest.raises(GiftsError, match="That video is not one of this creator's"):
        send_gift(
            fan=fan, creator=creator, gift=gift, video=VideoFactory(creator=other), request_key="v"
        )
    with pytest.raises(GiftsError, match="That live session is not one of this creator's"):
        send_gift(
            fan=fan,
            creator=creator,
            gift=gift,
            live=LiveSessionFactory(creator=other),
            request_key="l",
        )
    nothing_sent(fan, 500)


def test_a_gift_goes_on_exactly_one_video_or_live_session() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(500)
    gift = GiftFactory()
    with pytest.raises(GiftsError, match="Choose a video or the live session"):
        send_gift(fan=fan, creator=creator, gift=gift, request_key="none")
    with pytest.raises(GiftsError, match="Choose a video or the live session"):
        send_gift(
            fan=fan,
            creator=creator,
            gift=gift,
            video=VideoFactory(creator=creator),
            live=LiveSessionFactory(creator=creator),
            request_key="both",
        )
    nothing_sent(fan, 500)


def test_a_gift_keeps_the_rate_of_its_day_when_staff_set_a_new_one() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(1_000)
    gift = GiftFactory(coins=100)
    video = VideoFactory(creator=creator)
    today = rewards_today()
    first = DiamondRate.objects.get(effective_from="2026-01-01")
    new = DiamondRate.objects.create(
        effective_from=today,
        diamonds_per_100_coins=80,
        diamond_value_minor_per_100=100,
        coin_value_minor_per_100=100,
    )
    regions.bump(selectors.RATES_VERSION_KEY)  # as admin does when staff save a rate
    yesterday = start_of_rewards_day(today - timedelta(days=1)) + timedelta(hours=12)

    before = send_gift(
        fan=fan, creator=creator, gift=gift, video=video, request_key="y", now=yesterday
    )
    after = send_gift(fan=fan, creator=creator, gift=gift, video=video, request_key="t")

    post_gifts()
    before.refresh_from_db()
    assert (before.rate, before.diamonds, before.creator_value_minor) == (first, 50, 25)
    assert (after.rate, after.diamonds, after.creator_value_minor) == (new, 80, 80)
    assert preview_gifts([gift], now=yesterday)[gift.pk].diamonds == 50
    assert preview_gifts([gift])[gift.pk].diamonds == 80
    fees = EarningsEntry.objects.filter(source=Source.PLATFORM_FEE).order_by("pk")
    assert [entry.amount for entry in fees] == [-75, -20]
    assert before.earnings_entry.pending_until == today - timedelta(days=1) + timedelta(
        days=PENDING_DAYS
    )
    assert earnings(creator) == (0, 105)
    call_command("check_ledger")


@pytest.mark.parametrize(
    ("diamonds_per_100", "value_per_100", "list_per_100"),
    [
        (50, 300, 100),  # 100 coins pay 1.50 and list at 1.00
        # 100 coins pay 1.5 cents and list at 1 cent: the fee is still negative, only smaller.
        (50, 3, 1),
    ],
)
def test_the_database_refuses_a_rate_that_pays_the_creator_more_than_the_coins_are_worth(
    diamonds_per_100: int, value_per_100: int, list_per_100: int
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        DiamondRate.objects.create(
            effective_from=rewards_today(),
            diamonds_per_100_coins=diamonds_per_100,
            diamond_value_minor_per_100=value_per_100,
            coin_value_minor_per_100=list_per_100,
        )


def test_no_gift_is_sent_on_a_day_before_any_rate() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(500)
    with pytest.raises(GiftsError, match="no Diamond rate is set"):
        gift_on_video(fan, creator, now=datetime(2025, 12, 31, 12, tzinfo=UTC))
    nothing_sent(fan, 500)


def test_the_same_request_twice_sends_one_gift_and_takes_the_coins_once() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(500)
    gift = GiftFactory(coins=200)
    video = VideoFactory(creator=creator)
    first = send_gift(fan=fan, creator=creator, gift=gift, video=video, request_key="click")
    again = send_gift(fan=fan, creator=creator, gift=gift, video=video, request_key="click")
    assert again.pk == first.pk
    assert GiftSent.objects.count() == 1
    assert coin_balance(fan) == 300
    assert CoinEntry.objects.filter(reason=CoinReason.GIFT_SENT).count() == 1
    assert (post_gifts(), post_gifts()) == (1, 0)
    assert EarningsEntry.objects.count() == 2
    assert earnings(creator) == (0, 50)


def test_a_request_key_used_for_another_gift_is_refused() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(500)
    video = VideoFactory(creator=creator)
    send_gift(fan=fan, creator=creator, gift=GiftFactory(), video=video, request_key="k")
    with pytest.raises(GiftsError, match="already used for another gift"):
        send_gift(fan=fan, creator=creator, gift=GiftFactory(), video=video, request_key="k")
    assert GiftSent.objects.count() == 1


def test_two_fans_may_use_the_same_request_key() -> None:
    creator = eligible_creator()
    gift = GiftFactory(coins=100)
    video = VideoFactory(creator=creator)
    for fan in (fan_with_coins(100), fan_with_coins(100)):
        send_gift(fan=fan, creator=creator, gift=gift, video=video, request_key="same")
    assert GiftSent.objects.count() == 2
    assert post_gifts() == 2
    assert earnings(creator) == (0, 50)


def test_a_gift_costing_more_coins_than_the_fan_has_is_refused_and_nothing_moves() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(150)
    with pytest.raises(GiftsError) as refused:
        gift_on_video(fan, creator, coins=200)
    assert str(refused.value) == "You have 150 coins; this needs 200 coins."
    nothing_sent(fan, 150)


def test_a_fan_who_never_bought_coins_sends_nothing() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    with pytest.raises(GiftsError, match="You have 0 coins"):
        gift_on_video(fan, creator, coins=1)
    assert not GiftSent.objects.exists()
    assert not EarningsEntry.objects.exists()


def test_a_gift_no_longer_offered_is_refused_and_left_out_of_the_catalog() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(500)
    retired = GiftFactory(is_active=False)
    offered = GiftFactory()
    assert list(selectors.gift_catalog()) == [offered]
    with pytest.raises(GiftsError, match="That gift is not offered any more"):
        gift_on_video(fan, creator, gift=retired)
    nothing_sent(fan, 500)


def test_the_catalog_gift_has_a_picture() -> None:
    gift = GiftFactory()
    assert gift.image.name.startswith("gifts/") and gift.image.name.endswith(".png")
    assert (gift.image.width, gift.image.height) == (16, 16)


def test_only_fans_send_gifts_and_only_to_creators_who_take_them() -> None:
    creator = eligible_creator()
    not_opted_in = CreatorFactory(followers=5_000)
    fan = fan_with_coins(500)
    with pytest.raises(GiftsError, match="Only fan accounts send tips and gifts"):
        gift_on_video(CreatorFactory().user, creator)
    with pytest.raises(GiftsError, match=f"@{not_opted_in.handle} does not take tips or gifts"):
        gift_on_video(fan, not_opted_in)
    nothing_sent(fan, 500)


def test_a_blocked_fan_cannot_send_gifts_until_unblocked() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(500)
    other_fan = fan_with_coins(500)
    block = block_fan(creator=creator, fan=fan)
    assert block_fan(creator=creator, fan=fan) == block  # blocking twice is one block
    assert list(selectors.blocked_fans(creator)) == [block]

    with pytest.raises(GiftsError, match="does not take tips or gifts from you"):
        gift_on_video(fan, creator, key="blocked")
    with pytest.raises(GiftsError, match="does not take tips or gifts from you"):
        tip(fan=fan, creator=creator, amount=500, card=card_for(fan), request_key="t")
    assert coin_balance(fan) == 500
    gift_on_video(other_fan, creator, key="other")  # the block is this fan's alone

    unblock_fan(creator=creator, fan=fan)
    assert not SupportBlock.objects.exists()
    gift_on_video(fan, creator, key="after")
    assert coin_balance(fan) == 300


def test_only_fans_can_be_blocked() -> None:
    creator = eligible_creator()
    with pytest.raises(GiftsError, match="Only fans"):
        block_fan(creator=creator, fan=CreatorFactory().user)
    assert not SupportBlock.objects.exists()


# --- messages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("<b>Thank you</b> <i>so</i> much", "Thank you so much"),
        ('<a href="https://evil.example">click</a> me', "click me"),
        ("<img src=x onerror=alert(1)>Nice video", "Nice video"),
        ("Hi\x00\x07 there\u200b!\u202e", "Hi there!"),
        ("  line one\n\n\tline two  ", "line one line two"),
        ("", ""),
        ("Ünïcødé 🎉 stays", "Ünïcødé 🎉 stays"),
    ],
)
def test_messages_are_kept_as_plain_text(typed: str, kept: str) -> None:
    assert clean_message(typed) == kept


def test_a_message_may_be_150_characters_after_cleaning_and_no_more() -> None:
    assert clean_message("x" * 150) == "x" * 150
    assert clean_message("<b>" + "x" * 150 + "</b>") == "x" * 150
    with pytest.raises(GiftsError) as refused:
        clean_message("x" * 151)
    assert str(refused.value) == "A message can be 150 characters at most; this one has 151."


def test_a_gift_keeps_its_message_cleaned_and_a_too_long_one_sends_nothing() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(500)
    with pytest.raises(GiftsError, match="150 characters at most"):
        gift_on_video(fan, creator, key="long", message="y" * 151)
    nothing_sent(fan, 500)
    sent = gift_on_video(fan, creator, key="ok", message="<script>x</script>Go\x1b on!")
    assert sent.message == "xGo on!"
    assert GiftSent.objects.get().message == "xGo on!"


# --- what creators and fans see ---------------------------------------------------------------


def test_top_supporters_are_consenting_fans_counting_what_they_sent_openly() -> None:
    creator = eligible_creator()
    video = VideoFactory(creator=creator)
    rose, crown = GiftFactory(coins=200), GiftFactory(coins=1_000)

    def give(fan: User, gift: object, key: str, **kwargs: object) -> None:
        send_gift(fan=fan, creator=creator, gift=gift, video=video, request_key=key, **kwargs)

    alice, bob, carol, dave, erin = (fan_with_coins(5_000) for _ in range(5))
    for fan in (alice, bob, dave, erin):
        set_consent(fan=fan, show=True)
    give(alice, rose, "a1")  # 100 Diamonds
    give(alice, crown, "a2", anonymous=True)  # not counted: sent anonymously
    give(bob, rose, "b1")
    tip(fan=bob, creator=creator, amount=500, card=card_for(bob), request_key="b2")
    give(carol, crown, "c1")  # never agreed to be shown
    give(dave, crown, "d1", anonymous=True)
    tip(fan=erin, creator=creator, amount=1_000, card=card_for(erin), request_key="e1")

    shown = selectors.top_supporters(creator)

    # Diamonds first, then tips break the tie.
    assert [(s.name, s.diamonds, s.tipped) for s in shown] == [
        (bob.display_name, 100, 400),
        (alice.display_name, 100, 0),
        (erin.display_name, 0, 800),
    ]
    assert shown[0].tipped_display == "4.00 USD"
    assert [s.name for s in selectors.top_supporters(creator, limit=1)] == [bob.display_name]
    set_consent(fan=alice, show=False)
    assert alice.display_name not in [s.name for s in selectors.top_supporters(creator)]
    assert selectors.top_supporters(eligible_creator()) == []


def test_diamonds_are_counted_by_video_and_by_live_session() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(5_000)
    popular, quiet = VideoFactory(creator=creator), VideoFactory(creator=creator)
    live = LiveSessionFactory(creator=creator)
    gift = GiftFactory(coins=200)
    for key, where in [("1", popular), ("2", popular), ("3", quiet)]:
        send_gift(fan=fan, creator=creator, gift=gift, video=where, request_key=key)
    send_gift(fan=fan, creator=creator, gift=gift, live=live, request_key="4")

    by_video = selectors.diamonds_by_video(creator)
    assert [(row["video_id"], row["gifts"], row["diamonds"]) for row in by_video] == [
        (popular.pk, 2, 200),
        (quiet.pk, 1, 100),
    ]
    assert [
        (row["live_id"], row["gifts"], row["diamonds"])
        for row in selectors.diamonds_by_live(creator)
    ] == [(live.pk, 1, 100)]
    totals = selectors.support_totals(creator)
    assert (totals.diamonds, totals.gifts, totals.gift_money) == (400, 4, 200)
    assert selectors.diamonds_by_video(eligible_creator()) == []


def test_support_totals_count_paid_tips_only() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(500)
    gift_on_video(fan, creator)
    tip(fan=fan, creator=creator, amount=500, card=card_for(fan), request_key="paid")
    with pytest.raises(GiftsError):
        tip(
            fan=fan,
            creator=creator,
            amount=700,
            card=card_for(fan, "4000000000000341"),
            request_key="declined",
        )
    totals = selectors.support_totals(creator)
    assert (totals.diamonds, totals.gifts, totals.tips, totals.tip_money) == (100, 1, 1, 400)
    assert (totals.gift_money_display, totals.tip_money_display) == ("0.50 USD", "4.00 USD")


def test_the_creator_sees_recent_gifts_and_tips_newest_first_hidden_ones_marked() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(500)
    sent = gift_on_video(fan, creator, message="First!")
    paid = tip(
        fan=fan, creator=creator, amount=500, card=card_for(fan), request_key="t", message="Two"
    )
    set_hidden(creator=creator, kind="gift", pk=sent.pk, hidden=True)

    recent = selectors.recent_support(creator)

    assert [(m.kind, m.pk, m.message, m.hidden) for m in recent] == [
        ("tip", paid.pk, "Two", False),
        ("gift", sent.pk, "First!", True),
    ]


def test_other_fans_do_not_see_messages_the_creator_hid() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(500)
    kept = gift_on_video(fan, creator, key="kept", message="Lovely")
    rude = gift_on_video(fan, creator, key="rude", message="Something rude")
    paid = tip(
        fan=fan, creator=creator, amount=500, card=card_for(fan), request_key="t", message="Rude"
    )

    set_hidden(creator=creator, kind="gift", pk=rude.pk, hidden=True)
    set_hidden(creator=creator, kind="tip", pk=paid.pk, hidden=True)

    assert [m.message for m in selectors.public_support(creator)] == ["Lovely"]
    assert [m.pk for m in selectors.public_support(creator)] == [kept.pk]
    set_hidden(creator=creator, kind="tip", pk=paid.pk, hidden=False)
    assert [m.message for m in selectors.public_support(creator)] == ["Rude", "Lovely"]


def test_other_fans_do_not_learn_who_sent_an_anonymous_gift() -> None:
    creator = eligible_creator()
    fan = fan_with_coins(500)
    sent = gift_on_video(fan, creator, message="From a secret admirer", anonymous=True)
    assert sent.anonymous

    [shown] = selectors.public_support(creator)

    assert shown.anonymous and shown.message == "From a secret admirer"
    # public_support promises "anonymous ones without the sender's name".
    assert shown.fan_name != fan.display_name


def test_a_creator_can_hide_only_their_own_gifts_and_tips() -> None:
    creator = eligible_creator()
    other = eligible_creator()
    fan = fan_with_coins(500)
    sent = gift_on_video(fan, creator)
    paid = tip(fan=fan, creator=creator, amount=500, card=card_for(fan), request_key="t")

    for kind, pk in [("gift", sent.pk), ("tip", paid.pk), ("post", sent.pk), ("gift", 0)]:
        with pytest.raises(GiftsError, match="There is no such gift or tip of yours"):
            set_hidden(creator=other, kind=kind, pk=pk, hidden=True)
    sent.refresh_from_db()
    paid.refresh_from_db()
    assert sent.hidden_at is None and paid.hidden_at is None

    assert set_hidden(creator=creator, kind="gift", pk=sent.pk, hidden=True).hidden_at
    sent.refresh_from_db()
    assert sent.hidden_at is not None
