"""The nightly peer bands: exact figures for a small set of creators, the same after a second
run, one statement, and the schedule that runs them."""

import datetime as dt

import pytest
from django.db import connection
from django_celery_beat.models import PeriodicTask

from academy import insights, tasks
from academy.models import PeerBand
from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory
from activity.tests.factories import VideoDayFactory, VideoFactory
from core.clock import rewards_today

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 18)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the median is PostgreSQL's percentile_cont"
)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's bands show the mean"
)


def creator_with(followers: int, *days: dict[str, int]) -> CreatorProfile:
    """A creator with one video and a day of its figures for each of `days` (`ago`: how many
    days before DAY; figures not given are 0)."""
    creator = CreatorFactory(followers=followers)
    video = VideoFactory(creator=creator)
    zero = dict.fromkeys(("views", "views_5s", "likes", "comments", "shares"), 0)
    for figures in days:
        ago = figures.pop("ago", 0)
        VideoDayFactory(video=video, day=DAY - dt.timedelta(days=ago), **{**zero, **figures})
    return creator


def small_world() -> None:
    # Fewer than 1k followers: 1,000 and 501 basis points.
    creator_with(500, {"views": 600, "likes": 60, "ago": 27}, {"views": 400, "likes": 40})
    creator_with(999, {"views": 10_000, "likes": 400, "comments": 100, "shares": 1})
    # 1k to 10k: bots left out, 30 genuine interactions on 100 genuine views.
    creator_with(
        1_000,
        {"views": 200, "bot_views": 100, "likes": 30, "bot_likes": 10, "comments": 5, "shares": 5},
    )
    # 10k to 50k: 100, 300 and 1,000; one creator with too few views and days outside count
    # for nothing.
    creator_with(20_000, {"views": 1_000, "likes": 10}, {"views": 5, "likes": 5, "ago": 28})
    creator_with(30_000, {"views": 1_000, "likes": 20, "shares": 10})
    creator_with(49_999, {"views": 1_000, "likes": 100})
    creator_with(12_000, {"views": 99, "likes": 99})
    # 1M and more: 333.3 basis points, rounded down as the creator's own card rounds.
    creator_with(1_000_000, {"views": 3_000, "likes": 100})


def bands() -> list[tuple[int, dt.date, int, int]]:
    return list(
        PeerBand.objects.values_list("min_followers", "day", "creators", "median_engagement_bp")
    )


@postgresql_only
def test_peer_bands_hold_each_bands_creators_and_median_engagement() -> None:
    small_world()
    assert insights.refresh_peer_bands(DAY) == 7
    assert bands() == [
        (0, DAY, 2, 751),  # 1,000 and 501: 750.5, rounded half up
        (1_000, DAY, 1, 3_000),
        (10_000, DAY, 3, 300),
        (50_000, DAY, 0, 0),
        (100_000, DAY, 0, 0),
        (500_000, DAY, 0, 0),
        (1_000_000, DAY, 1, 333),
    ]


@sqlite_only
def test_on_sqlite_peer_bands_hold_the_mean_engagement() -> None:
    small_world()
    assert insights.refresh_peer_bands(DAY) == 7
    assert [(lower, mean) for lower, _, _, mean in bands()] == [
        (0, 751),
        (1_000, 3_000),
        (10_000, 467),  # (100 + 300 + 1,000) / 3
        (50_000, 0),
        (100_000, 0),
        (500_000, 0),
        (1_000_000, 333),
    ]


def test_refreshing_twice_leaves_the_same_rows() -> None:
    small_world()
    insights.refresh_peer_bands(DAY)
    first = bands()
    assert insights.refresh_peer_bands(DAY) == 7
    assert bands() == first


def test_a_later_refresh_replaces_every_band_including_one_left_empty() -> None:
    creator_with(60_000, {"views": 1_000, "likes": 50})
    insights.refresh_peer_bands(DAY)
    later = DAY + dt.timedelta(days=28)  # the creator's day is no longer in the window
    creator_with(2_000, {"views": 1_000, "likes": 20, "ago": -28})
    insights.refresh_peer_bands(later)
    assert PeerBand.objects.get(min_followers=50_000).creators == 0
    assert PeerBand.objects.get(min_followers=1_000).median_engagement_bp == 200
    assert set(PeerBand.objects.values_list("day", flat=True)) == {later}


def test_a_creator_alone_in_a_band_is_level_with_it() -> None:
    creator = creator_with(1_000_000, {"views": 3_000, "likes": 100})
    insights.refresh_peer_bands(DAY)
    card = insights.engagement_card(creator, today=DAY)
    assert card.headline == "3.3 %"
    assert ": level with the 3.3 % of creators with 1M followers or more" in card.text


def test_the_refresh_is_one_statement_whatever_the_number_of_creators(
    django_assert_num_queries: object,
) -> None:
    small_world()
    for followers in range(0, 200_000, 10_000):
        creator_with(followers, {"views": 500, "likes": 5})
    with django_assert_num_queries(1):
        insights.refresh_peer_bands(DAY)


def test_the_task_refreshes_the_28_days_to_yesterday_by_default() -> None:
    creator_with(500, {"views": 1_000, "likes": 10})
    assert tasks.refresh_peer_bands.name == "academy.refresh_peer_bands"
    assert tasks.refresh_peer_bands.delay().get() == 7
    assert set(PeerBand.objects.values_list("day", flat=True)) == {
        rewards_today() - dt.timedelta(days=1)
    }
    tasks.refresh_peer_bands.delay(DAY.isoformat())
    assert bands()[0] == (0, DAY, 1, 100)


def test_the_refresh_is_scheduled_nightly() -> None:
    scheduled = PeriodicTask.objects.select_related("crontab").get(
        task="academy.refresh_peer_bands"
    )
    assert scheduled.enabled
    assert (scheduled.crontab.hour, scheduled.crontab.minute) == ("3", "45")
