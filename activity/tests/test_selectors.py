"""Reads other apps make of a creator's activity: exact sums over a window of rewards days,
only the creator's own rows, each in one query."""

import datetime as dt
import json
from collections.abc import Sequence

import pytest
from django.db import connection
from pytest_django import DjangoAssertNumQueries

from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory
from activity import selectors
from activity.models import Video, VideoDay
from activity.selectors import (
    AudienceSplit,
    EngagementTotals,
    PostingSlot,
    VideoWatch,
    WatchTotals,
)
from activity.tests.factories import (
    DAY,
    AudienceDayFactory,
    CreatorDayFactory,
    VideoDayFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db

FIRST = DAY - dt.timedelta(days=27)


def ago(days: int) -> dt.date:
    return DAY - dt.timedelta(days=days)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def a_video(creator: CreatorProfile, on: dt.date = DAY, **fields: object) -> Video:
    fields.setdefault("published_at", at(on))
    return VideoFactory(creator=creator, **fields)


def a_day(video: Video, on: dt.date = DAY, **counts: int) -> VideoDay:
    """A video-day with only the counts given."""
    zero = dict.fromkeys(("views", "views_5s", "likes", "comments", "shares"), 0)
    return VideoDayFactory(video=video, day=on, **{**zero, **counts})


def test_watch_totals_sum_the_creators_days_in_the_window_weighing_length_by_views(
    django_assert_num_queries: object,
) -> None:
    creator = CreatorFactory()
    short, long = a_video(creator, duration_s=10), a_video(creator, duration_s=100)
    a_day(short, FIRST, views=100, views_5s=90, watch_time_s=1_000)
    a_day(long, DAY, views=50, views_5s=20, watch_time_s=1_500)
    a_day(long, ago(28), views=1_000, views_5s=1_000, watch_time_s=9_000)  # before the window
    a_day(a_video(CreatorFactory(), duration_s=10), DAY, views=7, watch_time_s=7)  # not theirs
    with django_assert_num_queries(1):
        totals = selectors.watch_totals(creator, FIRST, DAY)
    assert totals == WatchTotals(
        views=150, views_past_5s=110, watch_time_s=2_500, full_length_s=100 * 10 + 50 * 100
    )
    assert selectors.watch_totals(CreatorFactory(), FIRST, DAY) == WatchTotals(0, 0, 0, 0)


def test_posting_days_are_the_distinct_rewards_days_with_a_video(
    settings: object, django_assert_num_queries: object
) -> None:
    creator = CreatorFactory()
    a_video(creator, published_at=at(ago(3), 9))
    a_video(creator, published_at=at(ago(3), 18))  # the same day: counted once
    a_video(creator, published_at=at(FIRST, 0))
    a_video(creator, published_at=at(ago(28), 23))  # the day before the window
    a_video(creator, published_at=at(DAY + dt.timedelta(days=1), 0))  # after it
    a_video(CreatorFactory(), published_at=at(ago(1)))  # not theirs
    with django_assert_num_queries(1):
        assert selectors.posting_days(creator, FIRST, DAY) == [FIRST, ago(3)]
    # In New York 00:00 UTC is the evening before: FIRST's video moves out of the window, and
    # the one of the day after DAY into it.
    settings.REWARDS_DAY_TZ = "America/New_York"
    assert selectors.posting_days(creator, FIRST, DAY) == [ago(3), DAY]


def test_live_minutes_between_sum_the_creators_days_in_the_window() -> None:
    creator = CreatorFactory()
    CreatorDayFactory(creator=creator, day=FIRST, live_minutes=20)
    CreatorDayFactory(creator=creator, day=DAY, live_minutes=9)
    CreatorDayFactory(creator=creator, day=ago(28), live_minutes=600)
    CreatorDayFactory(day=DAY, live_minutes=45)  # another creator's
    assert selectors.live_minutes_between(creator, FIRST, DAY) == 29
    assert selectors.live_minutes_between(CreatorFactory(), FIRST, DAY) == 0


def test_first_week_views_by_slot_group_videos_by_weekday_and_hour_of_publication(
    settings: object, django_assert_num_queries: object
) -> None:
    creator = CreatorFactory()
    tuesday, friday = dt.date(2026, 11, 10), dt.date(2026, 11, 6)
    first = a_video(creator, published_at=at(tuesday, 18))
    a_day(first, tuesday, views=1_000)
    a_day(first, tuesday + dt.timedelta(days=1), views=300)
    a_day(first, tuesday + dt.timedelta(days=6), views=500)  # the 7th day of its week
    a_day(first, tuesday + dt.timedelta(days=7), views=900)  # the 8th: not in it
    second = a_video(creator, published_at=at(tuesday - dt.timedelta(weeks=1), 18))
    a_day(second, tuesday - dt.timedelta(weeks=1), views=2_000)
    a_video(creator, published_at=at(friday, 9))  # no views yet
    a_video(creator, published_at=at(DAY, 9))  # after the days asked for
    a_video(CreatorFactory(), published_at=at(friday, 9))  # not theirs
    with django_assert_num_queries(1):
        slots = selectors.first_week_views_by_slot(creator, FIRST, ago(7), first_week_days=7)
    assert sorted(slots, key=lambda slot: slot.weekday) == [
        PostingSlot(weekday=2, hour=18, videos=2, first_week_views=3_800),
        PostingSlot(weekday=5, hour=9, videos=1, first_week_views=0),
    ]
    # 18:00 UTC on a Tuesday is 03:00 on the Wednesday in Tokyo, and a video's first day is
    # that Wednesday.
    settings.REWARDS_DAY_TZ = "Asia/Tokyo"
    slots = selectors.first_week_views_by_slot(creator, FIRST, ago(7), first_week_days=1)
    assert sorted(slots, key=lambda slot: slot.weekday) == [
        PostingSlot(weekday=3, hour=3, videos=2, first_week_views=300),
        PostingSlot(weekday=5, hour=18, videos=1, first_week_views=0),
    ]


def test_best_watched_videos_are_ordered_by_share_watched_then_views_then_id(
    django_assert_num_queries: object,
) -> None:
    creator = CreatorFactory()
    half = a_video(creator, title="Half", duration_s=20)
    a_day(half, ago(2), views=200, watch_time_s=2_000)
    a_day(half, ago(1), views=100, watch_time_s=1_000)
    most = a_video(creator, title="Most", duration_s=10)
    a_day(most, ago(1), views=100, watch_time_s=623)
    also_half = a_video(creator, title="Also half", duration_s=10)
    a_day(also_half, ago(1), views=100, watch_time_s=500)  # fewer views than Half
    a_video(creator, title="Tenth", duration_s=10)  # no days: nothing
    few = a_video(creator, title="Few views", duration_s=10)
    a_day(few, ago(1), views=99, watch_time_s=990)
    empty = a_video(creator, title="No length", duration_s=0)
    a_day(empty, ago(1), views=1_000)
    old = a_video(creator, title="Old", duration_s=10)
    a_day(old, ago(28), views=1_000, watch_time_s=10_000)
    with django_assert_num_queries(1):
        top = selectors.best_watched_videos(creator, FIRST, DAY, min_views=100, limit=3)
    assert top == [
        VideoWatch(most.pk, "Most", duration_s=10, views=100, watch_time_s=623),
        VideoWatch(half.pk, "Half", duration_s=20, views=300, watch_time_s=3_000),
        VideoWatch(also_half.pk, "Also half", duration_s=10, views=100, watch_time_s=500),
    ]
    assert selectors.best_watched_videos(creator, FIRST, DAY, min_views=100, limit=1) == top[:1]


def test_engagement_totals_leave_bots_out(django_assert_num_queries: object) -> None:
    creator = CreatorFactory()
    video = a_video(creator, ago(5))
    a_day(video, ago(5), views=600, bot_views=200, likes=40, bot_likes=20, comments=6, shares=4)
    a_day(video, ago(4), views=400, likes=20, comments=4)
    a_day(video, ago(28), views=100, likes=100)  # before the window
    with django_assert_num_queries(1):
        totals = selectors.engagement_totals(creator, FIRST, DAY)
    assert totals == EngagementTotals(genuine_likes=40, comments=10, shares=4, genuine_views=800)
    assert selectors.engagement_totals(CreatorFactory(), FIRST, DAY) == EngagementTotals(0, 0, 0, 0)


def test_engagement_by_creator_sql_selects_each_creators_genuine_sums_in_the_window() -> None:
    one, two, idle = CreatorFactory(), CreatorFactory(), CreatorFactory()
    video = a_video(one)
    a_day(video, ago(5), views=600, bot_views=200, likes=40, bot_likes=20, comments=6, shares=4)
    a_day(video, ago(4), views=400, likes=20, comments=4)
    a_day(video, ago(28), views=100, likes=100)  # before the window
    a_day(a_video(two), FIRST, views=50, likes=5)
    a_day(a_video(idle), DAY + dt.timedelta(days=1), views=50)  # after it
    sql, params = selectors.engagement_by_creator_sql(FIRST, DAY)
    assert set(params) == {"activity_first", "activity_last"}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT creator_id, engaged, genuine_views FROM ({sql}) s ORDER BY creator_id",
            params,
        )
        rows = cursor.fetchall()
    assert rows == [(one.pk, 40 + 10 + 4, 800), (two.pk, 5, 50)]


# The audience the platform reports ----------------------------------------------------------


def test_latest_audience_is_the_latest_days_split_each_dimension_largest_share_first(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    creator, other = CreatorFactory(), CreatorFactory()
    AudienceDayFactory(creator=creator, day=ago(7), countries={"US": 10_000})
    AudienceDayFactory(
        creator=creator,
        day=ago(1),
        countries={"other": 2_000, "GB": 4_150, "IE": 600, "US": 2_000, "FR": 1_250},
        age_bands={"25-34": 3_500, "18-24": 4_000, "55+": 500, "13-17": 2_000},
        genders={"male": 3_700, "female": 6_000, "other": 300},
    )
    AudienceDayFactory(creator=other, day=DAY, countries={"JP": 10_000})
    with django_assert_num_queries(1):
        split = selectors.latest_audience(creator)
    assert split == AudienceSplit(
        day=ago(1),
        shares={
            "country": [("GB", 4_150), ("US", 2_000), ("other", 2_000), ("FR", 1_250), ("IE", 600)],
            "age_band": [("18-24", 4_000), ("25-34", 3_500), ("13-17", 2_000), ("55+", 500)],
            "gender": [("female", 6_000), ("male", 3_700), ("other", 300)],
        },
    )
    assert split.share_bp("country", "GB") == 4_150
    assert split.share_bp("country", "DE") == split.share_bp("income", "GB") == 0
    assert selectors.latest_audience(CreatorFactory()) is None


def rows_of(sql: str, params: Sequence[object] = ()) -> dict[int, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            creator_id: (day, *map(json.loads, splits))
            for creator_id, day, *splits in cursor.fetchall()
        }


def test_latest_audience_sql_gives_each_creators_latest_day_for_everyone_or_the_callers_own() -> (
    None
):
    early, late, silent = CreatorFactory(), CreatorFactory(), CreatorFactory()
    AudienceDayFactory(creator=early, day=ago(30), genders={"female": 10_000})
    AudienceDayFactory(creator=early, day=ago(9), genders={"male": 10_000})
    latest = AudienceDayFactory(creator=late, day=DAY)
    AudienceDayFactory(creator=late, day=ago(2), genders={"other": 10_000})

    everyone = rows_of(selectors.latest_audience_sql())
    assert set(everyone) == {early.pk, late.pk}  # a creator without an audience has no row
    assert everyone[early.pk][0] == ago(9) and everyone[early.pk][3] == {"male": 10_000}
    assert everyone[late.pk] == (DAY, latest.countries, latest.age_bands, latest.genders)

    # The caller's own creators, with the caller's own parameters, in a WITH.
    chosen = "SELECT id AS creator_id FROM accounts_creatorprofile WHERE id IN (%s, %s)"
    sql = f"WITH audience AS ({selectors.latest_audience_sql(chosen)}) SELECT * FROM audience"
    assert set(rows_of(sql, [late.pk, silent.pk])) == {late.pk}
