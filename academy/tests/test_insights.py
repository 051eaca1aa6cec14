"""What a creator's own activity tells the Academy: signals at their thresholds, the courses
they recommend, the insight cards' exact figures, and bounded query counts."""

import datetime as dt
from collections.abc import Collection

import pytest

from academy import insights
from academy.insights import CardRow, Reason, Recommendation
from academy.models import Course, InsightKey, Level, PeerBand, Signal
from academy.tests.factories import CourseFactory
from accounts import services as accounts_services
from accounts.models import Badge, CreatorProfile
from accounts.tests.factories import CreatorFactory
from activity.models import Video, VideoDay
from activity.tests.factories import CreatorDayFactory, VideoDayFactory, VideoFactory
from payments import ledger
from payments.models import Source
from rewards import eligibility

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 18)  # a Wednesday; the 28-day window starts on 22 October
FIRST = TODAY - dt.timedelta(days=27)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def a_creator(followers: int = 500, **fields: object) -> CreatorProfile:
    """Below every follower threshold unless told otherwise, so only the rule under test
    reads more than the creator's activity."""
    return CreatorFactory(followers=followers, **fields)


def a_video(creator: CreatorProfile, on: dt.date = TODAY, **fields: object) -> Video:
    fields.setdefault("published_at", at(on))
    return VideoFactory(creator=creator, **fields)


def a_day(video: Video, on: dt.date = TODAY, **counts: int) -> VideoDay:
    """A video-day with only the counts given (the factory's defaults zeroed)."""
    zero = dict.fromkeys(("views", "views_5s", "likes", "comments", "shares"), 0)
    return VideoDayFactory(video=video, day=on, **{**zero, **counts})


def shown(creator: CreatorProfile, today: dt.date = TODAY) -> dict[Signal, str]:
    return {reason.signal: reason.text for reason in insights.signals(creator, today=today)}


def post_on(creator: CreatorProfile, *days_ago: int) -> None:
    for days in days_ago:
        a_video(creator, ago(days))


# Low watch time --------------------------------------------------------------------------


def watched(views: int, past_5s: int, watch_time_s: int, duration_s: int = 10) -> CreatorProfile:
    creator = a_creator()
    video = a_video(creator, ago(3), duration_s=duration_s)
    a_day(video, ago(2), views=views, views_5s=past_5s, watch_time_s=watch_time_s)
    return creator


def test_low_watch_time_shows_when_viewers_watch_under_40_percent_with_their_figures() -> None:
    creator = watched(views=100, past_5s=100, watch_time_s=399)
    assert shown(creator)[Signal.LOW_WATCH_TIME] == (
        "Over the last 28 days viewers watched 4.0 s of your videos on average, 39.9 % of a "
        "video's 10.0 s, and 100.0 % of views lasted past the first 5 seconds: what holds "
        "viewers is decided in the first three seconds."
    )


def test_watching_exactly_40_percent_is_not_low_watch_time() -> None:
    assert Signal.LOW_WATCH_TIME not in shown(watched(views=100, past_5s=100, watch_time_s=400))


def test_low_watch_time_shows_when_under_half_the_views_last_5_seconds() -> None:
    creator = watched(views=200, past_5s=99, watch_time_s=2_000)
    assert (
        "49.5 % of views lasted past the first 5 seconds" in shown(creator)[Signal.LOW_WATCH_TIME]
    )


def test_half_the_views_lasting_5_seconds_is_not_low_watch_time() -> None:
    assert Signal.LOW_WATCH_TIME not in shown(watched(views=200, past_5s=100, watch_time_s=2_000))


def test_under_100_views_say_nothing_about_watch_time() -> None:
    assert Signal.LOW_WATCH_TIME not in shown(watched(views=99, past_5s=0, watch_time_s=0))


def test_watch_time_weighs_each_video_by_its_views_and_length() -> None:
    creator = a_creator()
    short, long = a_video(creator, duration_s=10), a_video(creator, duration_s=100)
    a_day(short, views=100, views_5s=100, watch_time_s=1_000)  # watched to the end
    a_day(long, views=100, views_5s=100, watch_time_s=3_000)  # 30 %
    # 4,000 s of 11,000 s: 36.4 %, though the two videos average 65 %.
    assert "36.4 % of a video's 55.0 s" in shown(creator)[Signal.LOW_WATCH_TIME]


def test_days_before_the_28_day_window_do_not_count_for_watch_time() -> None:
    creator = a_creator()
    video = a_video(creator, ago(40), duration_s=10)
    a_day(video, ago(28), views=1_000, views_5s=0, watch_time_s=0)  # day 29: outside
    a_day(video, ago(27), views=100, views_5s=100, watch_time_s=1_000)  # day 28: inside
    assert Signal.LOW_WATCH_TIME not in shown(creator)


# Irregular posting -----------------------------------------------------------------------


def test_a_creator_with_no_videos_in_28_days_is_told_about_cadence() -> None:
    creator = a_creator()
    post_on(creator, 28)  # day 29: outside the window
    assert shown(creator)[Signal.IRREGULAR_POSTING] == (
        "No videos in the last 28 days: an audience comes back to a creator who posts on a "
        "rhythm it can count on."
    )


def test_eight_posting_days_with_no_break_over_a_week_are_regular() -> None:
    creator = a_creator()
    post_on(creator, 27, 20, 13, 6, 5, 4, 3, 2)  # breaks of 7, 7, 7, 1, 1, 1, 1 and 2 days
    assert Signal.IRREGULAR_POSTING not in shown(creator)


def test_a_break_of_eight_days_is_irregular_posting() -> None:
    creator = a_creator()
    post_on(creator, 27, 19, 13, 6, 5, 4, 3, 2)
    assert shown(creator)[Signal.IRREGULAR_POSTING] == (
        "You posted on 8 days of the last 28, and your longest break from posting was 8 days; "
        "posting at least twice a week, with no break longer than a week, keeps your audience "
        "coming back."
    )


def test_seven_posting_days_are_irregular_and_two_videos_on_one_day_count_once() -> None:
    creator = a_creator()
    post_on(creator, 20, 17, 14, 11, 8, 5, 2, 2)
    assert shown(creator)[Signal.IRREGULAR_POSTING].startswith(
        "You posted on 7 days of the last 28, and your longest break from posting was 3 days;"
    )


def test_the_days_since_the_last_post_count_as_a_break() -> None:
    stopped, posting = a_creator(), a_creator()
    post_on(stopped, 15, 14, 13, 12, 11, 10, 9, 8)  # 8 days without a post by today
    post_on(posting, 14, 13, 12, 11, 10, 9, 8, 7)  # 7
    assert "longest break from posting was 8 days" in shown(stopped)[Signal.IRREGULAR_POSTING]
    assert Signal.IRREGULAR_POSTING not in shown(posting)


def test_posting_days_follow_the_rewards_day_time_zone(settings: object) -> None:
    settings.REWARDS_DAY_TZ = "America/New_York"
    creator = a_creator()
    for days in (27, 20, 13, 6, 5, 4, 3, 2):
        # 03:00 UTC is the evening before in New York: each post moves a day earlier, so the
        # first falls before the window.
        a_video(creator, published_at=at(ago(days), hour=3))
    assert shown(creator)[Signal.IRREGULAR_POSTING].startswith(
        "You posted on 7 days of the last 28, and your longest break from posting was 7 days;"
    )


# Few lives -------------------------------------------------------------------------------


def test_29_live_minutes_in_28_days_are_few_lives() -> None:
    creator = a_creator()
    CreatorDayFactory(creator=creator, day=ago(27), live_minutes=20)
    CreatorDayFactory(creator=creator, day=TODAY, live_minutes=9)
    CreatorDayFactory(creator=creator, day=ago(28), live_minutes=600)  # outside
    assert shown(creator)[Signal.FEW_LIVES] == (
        "You were live for 29 minutes in the last 28 days; lives are where viewers become "
        "regulars who comment, gift and subscribe."
    )


def test_30_live_minutes_are_enough() -> None:
    creator = a_creator()
    CreatorDayFactory(creator=creator, day=ago(27), live_minutes=21)
    CreatorDayFactory(creator=creator, day=TODAY, live_minutes=9)
    assert Signal.FEW_LIVES not in shown(creator)


def test_a_creator_who_never_went_live_is_told_so() -> None:
    assert shown(a_creator())[Signal.FEW_LIVES].startswith(
        "You have not gone live in the last 28 days;"
    )


# Not brand-ready -------------------------------------------------------------------------


@pytest.fixture
def brand_ready() -> Badge:
    return Badge.objects.create(slug="brand-ready", name="Brand-ready", description="Ready.")


def test_more_than_10000_followers_without_the_badge_is_not_brand_ready() -> None:
    assert shown(a_creator(followers=10_001))[Signal.NOT_BRAND_READY] == (
        "You have 10,001 followers, more than the 10,000 brands look for in the Marketplace, "
        "but not yet the Brand-ready badge that tells them you know how to work with them."
    )


def test_exactly_10000_followers_are_not_yet_enough_for_brands() -> None:
    assert Signal.NOT_BRAND_READY not in shown(a_creator(followers=10_000))


def test_holding_the_brand_ready_badge_ends_the_signal(brand_ready: Badge) -> None:
    creator = a_creator(followers=50_000)
    other = Badge.objects.create(slug="hooks", name="Hooks", description="Hooks.")
    accounts_services.grant_badge(creator=creator, badge=other, reason="Finished Hooks")
    assert Signal.NOT_BRAND_READY in shown(creator)
    accounts_services.grant_badge(creator=creator, badge=brand_ready, reason="Finished Brands")
    assert Signal.NOT_BRAND_READY not in shown(creator)


# No subscribers --------------------------------------------------------------------------


def earn(creator: CreatorProfile, when: dt.datetime, source: Source = Source.SUBSCRIPTION) -> None:
    ledger.credit(
        creator=creator,
        amount=999,
        currency="USD",
        source=source,
        idempotency_key=f"test:{creator.pk}:{when.isoformat()}:{source}",
        now=when,
    )


def test_1000_followers_and_no_subscription_income_show_no_subscribers() -> None:
    creator = a_creator(followers=1_000)
    earn(creator, at(ago(3)), source=Source.TIP)  # other money is not subscription income
    assert shown(creator)[Signal.NO_SUBSCRIBERS] == (
        "You have 1,000 followers, enough to offer subscriptions (1,000 or more), and no "
        "subscription income in the last 30 days."
    )


def test_999_followers_are_too_few_to_offer_subscriptions() -> None:
    assert Signal.NO_SUBSCRIBERS not in shown(a_creator(followers=999))


def test_a_creator_too_young_to_offer_subscriptions_is_not_told_to() -> None:
    young = a_creator(followers=5_000, date_of_birth=dt.date(2008, 11, 19))  # 17 today
    assert Signal.NO_SUBSCRIBERS not in shown(young)


def test_subscription_income_on_the_first_of_the_30_days_counts() -> None:
    creator = a_creator(followers=1_000)
    earn(creator, at(ago(29), hour=0))
    assert Signal.NO_SUBSCRIBERS not in shown(creator)


def test_subscription_income_before_the_30_days_does_not() -> None:
    creator = a_creator(followers=1_000)
    earn(creator, at(ago(30), hour=23, minute=59))
    assert Signal.NO_SUBSCRIBERS in shown(creator)


# All signals -----------------------------------------------------------------------------


def test_signals_come_in_the_order_of_signal_each_with_its_reason() -> None:
    creator = a_creator(followers=20_000)
    video = a_video(creator, ago(2), duration_s=10)
    a_day(video, ago(1), views=100, views_5s=10, watch_time_s=100)
    reasons = insights.signals(creator, today=TODAY)
    assert [reason.signal for reason in reasons] == list(Signal)
    assert all(isinstance(reason, Reason) and reason.text for reason in reasons)


def steady(creator: CreatorProfile) -> CreatorProfile:
    """A creator whose data shows nothing: regular posts, watched, with lives."""
    for days in (21, 18, 15, 12, 9, 6, 3, 0):
        video = a_video(creator, ago(days), duration_s=10)
        a_day(video, ago(days), views=100, views_5s=100, watch_time_s=1_000)
    CreatorDayFactory(creator=creator, day=ago(1), live_minutes=45)
    return creator


def test_a_steady_creator_shows_no_signal() -> None:
    assert insights.signals(steady(a_creator()), today=TODAY) == []


def test_signals_take_a_fixed_number_of_queries_whatever_the_history(
    django_assert_max_num_queries: object, brand_ready: Badge
) -> None:
    creator = steady(a_creator(followers=20_000))
    for days in range(0, 200, 2):  # 100 more videos, most long before the window
        video = a_video(creator, ago(days))
        a_day(video, ago(days), views=1_000, views_5s=1_000, watch_time_s=75_000)
        CreatorDayFactory(creator=creator, day=ago(days), live_minutes=1)
    # Three reads of activity, the badges, the subscription rule and the income.
    with django_assert_max_num_queries(6):
        reasons = insights.signals(creator, today=TODAY)
    assert [reason.signal for reason in reasons] == [Signal.NOT_BRAND_READY, Signal.NO_SUBSCRIBERS]


def test_a_small_creator_costs_three_queries(django_assert_max_num_queries: object) -> None:
    creator = steady(a_creator(followers=10))
    eligibility.subscription_thresholds()  # the staff-set rule, cached for a minute: warm
    with django_assert_max_num_queries(3):
        insights.signals(creator, today=TODAY)


# Recommendations -------------------------------------------------------------------------


def a_course(
    title: str,
    addresses: Signal | str = "",
    level: Level = Level.INTERMEDIATE,
    published: bool = True,
) -> Course:
    return CourseFactory(
        title=title,
        addresses=addresses,
        level=level,
        **({} if published else {"published_at": None}),
    )


def recommend(
    creator: CreatorProfile, courses: list[Course], completed: Collection[int] = ()
) -> list[Recommendation]:
    return insights.recommendations(
        creator, today=TODAY, courses=courses, completed_course_ids=completed
    )


def test_courses_are_recommended_for_the_signals_shown_with_their_reasons() -> None:
    creator = a_creator()  # no videos, no lives
    cadence = a_course("Cadence", Signal.IRREGULAR_POSTING)
    lives = a_course("Going live", Signal.FEW_LIVES)
    hooks = a_course("Hooks", Signal.LOW_WATCH_TIME)
    basics = a_course("Basics", level=Level.BEGINNER)
    reasons = shown(creator)
    assert recommend(creator, [hooks, basics, lives, cadence]) == [
        Recommendation(cadence, reasons[Signal.IRREGULAR_POSTING]),
        Recommendation(lives, reasons[Signal.FEW_LIVES]),
    ]


def test_completed_and_unpublished_courses_are_not_recommended() -> None:
    creator = a_creator()
    done = a_course("Cadence", Signal.IRREGULAR_POSTING)
    draft = a_course("Cadence two", Signal.IRREGULAR_POSTING, published=False)
    lives = a_course("Going live", Signal.FEW_LIVES)
    assert [r.course for r in recommend(creator, [done, draft, lives], {done.pk})] == [lives]


def test_at_most_three_courses_each_signals_first_before_any_second() -> None:
    creator = a_creator()
    cadence = [a_course(f"Cadence {n}", Signal.IRREGULAR_POSTING) for n in range(3)]
    lives = [a_course(f"Lives {n}", Signal.FEW_LIVES) for n in range(3)]
    assert [r.course for r in recommend(creator, cadence + lives)] == [
        cadence[0],
        lives[0],
        cadence[1],
    ]


def test_with_no_signal_beginner_courses_not_completed_are_a_place_to_start() -> None:
    creator = steady(a_creator())
    first, done, second, third, fourth = (
        a_course(f"Basics {n}", level=Level.BEGINNER) for n in range(5)
    )
    advanced = a_course("Advanced", level=Level.ADVANCED)
    unrelated = a_course("Going live", Signal.FEW_LIVES, level=Level.BEGINNER)
    found = recommend(creator, [advanced, first, done, unrelated, second, third, fourth], {done.pk})
    assert [r.course for r in found] == [first, unrelated, second]
    assert {r.reason_text for r in found} == {
        "A good place to start: a beginner's course you have not taken yet."
    }


def test_signals_no_course_addresses_fall_back_to_beginner_courses() -> None:
    creator = a_creator()  # shows irregular posting and few lives
    basics = a_course("Basics", level=Level.BEGINNER)
    hooks = a_course("Hooks", Signal.LOW_WATCH_TIME, level=Level.BEGINNER)
    assert [r.course for r in recommend(creator, [basics, hooks])] == [basics, hooks]


def test_recommendations_list_a_queryset_of_courses_once(
    django_assert_max_num_queries: object,
) -> None:
    creator = a_creator()
    for n in range(5):
        a_course(f"Cadence {n}", Signal.IRREGULAR_POSTING)
    eligibility.subscription_thresholds()  # warm, as above
    with django_assert_max_num_queries(4):  # the three signal reads and the courses
        found = insights.recommendations(
            creator,
            today=TODAY,
            courses=Course.objects.published().select_related("category"),
            completed_course_ids=set(),
        )
    assert len(found) == 3


# Best time to post -----------------------------------------------------------------------

TUESDAY, FRIDAY = dt.date(2026, 11, 10), dt.date(2026, 11, 6)


def best_time_videos(creator: CreatorProfile) -> None:
    """Five videos of the 90 days to a week ago: Tuesdays average 1,167 first-week views,
    Fridays 2,000; 18:00 averages 1,750, 09:00 1,500 and 21:00 1,000."""
    v1 = a_video(creator, published_at=at(TUESDAY, 18, 5))
    a_day(v1, TUESDAY, views=1_000)
    a_day(v1, TUESDAY + dt.timedelta(days=6), views=500)  # the 7th day of its week
    a_day(v1, TUESDAY + dt.timedelta(days=7), views=900)  # the 8th: not in its first week
    v2 = a_video(creator, published_at=at(TUESDAY - dt.timedelta(weeks=1), 18, 40))
    a_day(v2, TUESDAY - dt.timedelta(weeks=1), views=2_000)
    a_video(creator, published_at=at(TUESDAY - dt.timedelta(weeks=12), 9, 10))  # no views
    v4 = a_video(creator, published_at=at(FRIDAY, 9, 30))
    a_day(v4, FRIDAY + dt.timedelta(days=2), views=3_000)
    v5 = a_video(creator, published_at=at(FRIDAY - dt.timedelta(weeks=2), 21))
    a_day(v5, FRIDAY - dt.timedelta(weeks=2), views=1_000)


def test_best_time_is_the_weekday_and_the_hour_with_most_first_week_views() -> None:
    creator = a_creator()
    best_time_videos(creator)
    # Too recent (its first week is not over) and too old: neither counts.
    recent = a_video(creator, published_at=at(ago(6), 7))
    a_day(recent, ago(6), views=100_000)
    old = a_video(creator, published_at=at(ago(97), 7))
    a_day(old, ago(97), views=100_000)
    card = insights.best_time_card(creator, today=TODAY)
    assert card.key == InsightKey.BEST_TIME and card.enough_data
    assert card.title == "Best posting weekday and hour"
    assert card.headline == "Fridays, 18:00"
    assert card.text == (
        "Over the 90 days to 11 Nov 2026, your videos posted on a Friday drew 2,000 views in "
        "their first week on average, and those posted between 18:00 and 19:00 (UTC) drew "
        "1,750; across all 5 videos the average was 1,500."
    )
    assert card.rows == (
        CardRow("Tuesday", "1,167 views", "first week, average of 3 videos"),
        CardRow("Friday", "2,000 views", "first week, average of 2 videos"),
    )


def test_best_time_follows_the_rewards_day_time_zone(settings: object) -> None:
    settings.REWARDS_DAY_TZ = "Asia/Tokyo"
    creator = a_creator()
    for weeks in range(5):
        # 20:00 UTC on a Tuesday is 05:00 on the Wednesday in Tokyo.
        a_video(creator, published_at=at(TUESDAY - dt.timedelta(weeks=weeks), 20))
    card = insights.best_time_card(creator, today=TODAY)
    assert card.headline == "Wednesdays, 05:00"
    assert "between 05:00 and 06:00 (Asia/Tokyo)" in card.text


def test_best_time_needs_five_videos() -> None:
    creator = a_creator()
    for weeks in range(4):
        a_video(creator, published_at=at(TUESDAY - dt.timedelta(weeks=weeks)))
    a_video(creator, published_at=at(ago(2)))  # too recent to count
    card = insights.best_time_card(creator, today=TODAY)
    assert not card.enough_data and card.rows == ()
    assert card.headline == "Not enough data yet"
    assert card.text == (
        "Your best time to post shows once you have 5 videos with a whole first week behind "
        "them, from the 90 days to 11 Nov 2026; you have 4 videos."
    )


# Top videos ------------------------------------------------------------------------------


def test_top_videos_are_the_three_watched_longest_for_their_length() -> None:
    creator = a_creator()
    first = a_video(creator, title="Sixty-two", duration_s=10)
    a_day(first, ago(1), views=100, watch_time_s=623)
    second = a_video(creator, title="Fifty", duration_s=20)
    a_day(second, ago(2), views=200, watch_time_s=2_000)
    a_day(second, ago(1), views=100, watch_time_s=1_000)
    third = a_video(creator, title="Twenty", duration_s=30)
    a_day(third, ago(1), views=1_000, watch_time_s=6_000)
    fourth = a_video(creator, title="Ten", duration_s=10)
    a_day(fourth, ago(1), views=500, watch_time_s=500)
    few_views = a_video(creator, title="Few views", duration_s=10)
    a_day(few_views, ago(1), views=99, watch_time_s=990)
    old = a_video(creator, title="Old", duration_s=10)
    a_day(old, ago(28), views=1_000, watch_time_s=10_000)  # outside the 28 days
    other = a_video(a_creator(), title="Not mine", duration_s=10)
    a_day(other, ago(1), views=1_000, watch_time_s=10_000)
    card = insights.top_videos_card(creator, today=TODAY)
    assert card.headline == "62.3 %"
    assert card.text == (
        "Over the last 28 days, viewers watched 62.3 % of “Sixty-two” on average across its "
        "100 views: of your videos with 100 views or more, the one they kept watching longest."
    )
    assert card.rows == (
        CardRow("Sixty-two", "62.3 %", "100 views"),
        CardRow("Fifty", "50.0 %", "300 views"),
        CardRow("Twenty", "20.0 %", "1,000 views"),
    )


def test_top_videos_need_a_video_with_100_views() -> None:
    creator = a_creator()
    a_day(a_video(creator), ago(1), views=99, watch_time_s=99)
    card = insights.top_videos_card(creator, today=TODAY)
    assert not card.enough_data and card.headline == "Not enough data yet"
    assert card.text == (
        "No video of yours reached 100 views in the last 28 days; your best-watched videos "
        "show here once one does."
    )


# Engagement ------------------------------------------------------------------------------


def engaged(creator: CreatorProfile) -> None:
    """54 genuine interactions on 800 genuine views: 675 basis points."""
    video = a_video(creator, ago(5))
    a_day(video, ago(5), views=600, bot_views=200, likes=40, bot_likes=20, comments=6, shares=4)
    a_day(video, ago(4), views=400, likes=20, comments=4)
    a_day(video, ago(28), views=100, likes=100)  # outside the 28 days


def test_engagement_is_compared_with_the_median_of_the_creators_follower_band() -> None:
    creator = a_creator(followers=12_000)
    engaged(creator)
    PeerBand.objects.create(
        min_followers=10_000, day=ago(1), creators=412, median_engagement_bp=340
    )
    PeerBand.objects.create(min_followers=1_000, day=ago(1), creators=9, median_engagement_bp=900)
    card = insights.engagement_card(creator, today=TODAY)
    assert card.headline == "6.8 %"
    assert card.text == (
        "Likes, comments and shares came to 6.8 % of your views over the last 28 days: above "
        "the 3.4 % of creators with 10k–50k followers (the median of 412 creators)."
    )
    assert card.rows == (
        CardRow("Likes", "40", "bot likes left out"),
        CardRow("Comments", "10"),
        CardRow("Shares", "4"),
        CardRow("Views", "800", "bot views left out"),
        CardRow("Creators with 10k–50k followers", "3.4 %", "median of 412"),
    )


def test_engagement_below_the_band_says_below() -> None:
    creator = a_creator(followers=2_000_000)
    engaged(creator)
    PeerBand.objects.create(
        min_followers=1_000_000, day=ago(1), creators=1, median_engagement_bp=676
    )
    assert ": below the 6.8 % of creators with 1M followers or more (the median of 1 creator)." in (
        insights.engagement_card(creator, today=TODAY).text
    )


def test_engagement_without_peer_figures_yet_says_when_they_come() -> None:
    creator = a_creator(followers=300)
    engaged(creator)
    PeerBand.objects.create(min_followers=0, day=ago(1), creators=0, median_engagement_bp=0)
    card = insights.engagement_card(creator, today=TODAY)
    assert card.enough_data and card.headline == "6.8 %"
    assert card.text.endswith(
        "; the comparison with creators with fewer than 1k followers shows after the next "
        "nightly update."
    )
    assert len(card.rows) == 4


def test_engagement_needs_100_genuine_views() -> None:
    creator = a_creator()
    a_day(a_video(creator), ago(1), views=150, bot_views=51, likes=10)
    card = insights.engagement_card(creator, today=TODAY)
    assert not card.enough_data and card.headline == "Not enough data yet"
    assert card.text == (
        "Your engagement rate shows once your videos have 100 views in 28 days; they have 99 views."
    )


@pytest.mark.parametrize(
    ("followers", "band", "label"),
    [
        (0, 0, "fewer than 1k followers"),
        (999, 0, "fewer than 1k followers"),
        (1_000, 1_000, "1k–10k followers"),
        (49_999, 10_000, "10k–50k followers"),
        (500_000, 500_000, "500k–1M followers"),
        (3_000_000, 1_000_000, "1M followers or more"),
    ],
)
def test_follower_bands_and_their_names(followers: int, band: int, label: str) -> None:
    assert insights.band_of(followers) == band
    assert insights.band_label(band) == label


# Every card ------------------------------------------------------------------------------


def test_insight_for_gives_the_card_of_each_key() -> None:
    creator = a_creator()
    engaged(creator)
    cards = insights.insight_cards(creator, today=TODAY)
    assert [card.key for card in cards] == [
        InsightKey.BEST_TIME,
        InsightKey.TOP_VIDEOS,
        InsightKey.ENGAGEMENT,
    ]
    for card in cards:
        assert insights.insight_for(card.key, creator, today=TODAY) == card
    assert insights.insight_for("engagement", creator, today=TODAY) == cards.engagement


def test_every_card_takes_four_queries_whatever_the_history(
    django_assert_max_num_queries: object,
) -> None:
    creator = a_creator(followers=20_000)
    best_time_videos(creator)
    for days in range(0, 300, 3):
        video = a_video(creator, ago(days))
        for later in range(3):
            a_day(video, ago(days) + dt.timedelta(days=later), views=150, likes=5)
    PeerBand.objects.create(min_followers=10_000, day=ago(1), creators=5, median_engagement_bp=100)
    with django_assert_max_num_queries(4):
        cards = insights.insight_cards(creator, today=TODAY)
    assert all(card.enough_data for card in cards)
