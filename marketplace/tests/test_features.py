"""The nightly refresh of listed creators' match features, checked against sums worked out
by hand, and its schedule."""

import datetime as dt

import pytest
from django_celery_beat.models import PeriodicTask

from accounts.models import Badge
from accounts.services import grant_badge
from activity.models import EngagementFlag, FlagReason, FlagStatus
from activity.tests.factories import DAY, AudienceDayFactory, VideoDayFactory, VideoFactory
from marketplace import features, tasks
from marketplace.models import Listing, MatchFeatures
from marketplace.tests.factories_listings import eligible_creator, listed_creator

pytestmark = pytest.mark.django_db


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def busy_creator() -> object:
    """A listed creator with two videos seen in the 30 days up to DAY, and days outside."""
    creator = listed_creator()
    recent = VideoFactory(creator=creator, published_at=at(dt.date(2026, 11, 1)))
    older = VideoFactory(creator=creator, published_at=at(dt.date(2026, 9, 1)))
    VideoFactory(creator=creator, published_at=at(DAY + dt.timedelta(days=2)))  # after the day
    VideoDayFactory(
        video=recent, day=dt.date(2026, 11, 10), views=1_000, likes=60, comments=10, shares=5
    )
    VideoDayFactory(
        video=older,
        day=dt.date(2026, 11, 15),
        views=3_000,
        likes=140,
        comments=20,
        shares=10,
        bot_views=0,
    )
    # Day 31 before DAY, and a day after it: outside the window.
    VideoDayFactory(video=older, day=DAY - dt.timedelta(days=30), views=90_000, likes=9_000)
    VideoDayFactory(video=recent, day=DAY + dt.timedelta(days=1), views=90_000, likes=9_000)
    return creator


def test_refresh_computes_each_feature_over_the_30_days(busy_creator: object) -> None:
    assert features.refresh(day=DAY) == 1
    row = MatchFeatures.objects.get(creator=busy_creator)
    assert row.followers == 20_000
    assert row.avg_views == 2_000  # 4,000 views over the 2 videos that drew them
    assert row.engagement_bp == 612  # 245 engaged of 4,000 genuine views: 6.125 %
    assert row.authenticity == 100
    assert row.posts_30d == 1
    assert row.last_post_at == at(dt.date(2026, 11, 1))
    assert row.badges == []


def test_bots_are_left_out_of_engagement(busy_creator: object) -> None:
    video = VideoFactory(creator=busy_creator, published_at=at(dt.date(2026, 11, 2)))
    VideoDayFactory(
        video=video,
        day=DAY,
        views=1_000,
        bot_views=1_000,
        likes=100,
        bot_likes=100,
        comments=0,
        shares=0,
    )
    features.refresh(day=DAY)
    row = MatchFeatures.objects.get(creator=busy_creator)
    assert row.engagement_bp == 612  # the bots' views and likes count for nothing
    assert row.avg_views == 5_000 // 3


@pytest.mark.parametrize(
    ("status", "expected"),
    [(FlagStatus.OPEN, 80), (FlagStatus.CONFIRMED, 80), (FlagStatus.DISMISSED, 100)],
)
def test_authenticity_loses_two_points_a_percent_of_views_set_aside(
    busy_creator: object, status: str, expected: int
) -> None:
    day = VideoDayFactory(
        video=VideoFactory(creator=busy_creator),
        day=DAY,
        views=1_000,
        likes=0,
        comments=0,
        shares=0,
    )
    EngagementFlag.objects.create(
        video_day=day,
        creator=busy_creator,
        day=DAY,
        reason=FlagReason.VIEW_SPIKE,
        detail="spike",
        excluded_views=500,
        status=status,
    )
    features.refresh(day=DAY)
    # 500 of 5,000 views set aside: 10 %, twice 10 points off.
    assert MatchFeatures.objects.get(creator=busy_creator).authenticity == expected


def test_authenticity_never_goes_below_zero(busy_creator: object) -> None:
    day = VideoDayFactory(video=VideoFactory(creator=busy_creator), day=DAY, views=4_000)
    EngagementFlag.objects.create(
        video_day=day,
        creator=busy_creator,
        day=DAY,
        reason=FlagReason.VIEW_SPIKE,
        detail="spike",
        excluded_views=4_000,
    )
    features.refresh(day=DAY)
    assert MatchFeatures.objects.get(creator=busy_creator).authenticity == 0


def test_a_creator_without_activity_has_zeros_and_full_authenticity() -> None:
    creator = listed_creator()
    features.refresh(day=DAY)
    row = MatchFeatures.objects.get(creator=creator)
    assert (row.avg_views, row.engagement_bp, row.posts_30d, row.authenticity) == (0, 0, 0, 100)
    assert row.last_post_at is None


def test_badges_are_the_slugs_held(busy_creator: object) -> None:
    for slug in ("brand-ready", "analytics"):
        badge = Badge.objects.create(slug=slug, name=slug, description="")
        grant_badge(creator=busy_creator, badge=badge, reason="Finished a course")
    features.refresh(day=DAY)
    assert MatchFeatures.objects.get(creator=busy_creator).badges == ["analytics", "brand-ready"]


def test_only_listed_creators_have_features_and_a_removed_listing_loses_them(
    busy_creator: object,
) -> None:
    eligible_creator()  # not listed
    other = listed_creator()
    features.refresh(day=DAY)
    assert set(MatchFeatures.objects.values_list("creator_id", flat=True)) == {
        busy_creator.pk,
        other.pk,
    }
    Listing.objects.filter(creator=other).delete()
    features.refresh(day=DAY)
    assert list(MatchFeatures.objects.values_list("creator_id", flat=True)) == [busy_creator.pk]


def test_refreshing_twice_writes_the_same_values(busy_creator: object) -> None:
    features.refresh(day=DAY)
    first = MatchFeatures.objects.values().get(creator=busy_creator)
    features.refresh(day=DAY)
    again = MatchFeatures.objects.values().get(creator=busy_creator)
    first.pop("refreshed_at"), again.pop("refreshed_at")
    assert first == again


def test_one_creators_refresh_leaves_the_others(busy_creator: object) -> None:
    other = listed_creator()
    MatchFeatures.objects.filter(creator=other).update(followers=1)
    features.refresh(day=DAY, creator=busy_creator)
    assert MatchFeatures.objects.get(creator=other).followers == 1
    assert MatchFeatures.objects.get(creator=busy_creator).avg_views == 2_000


def test_the_audience_is_the_latest_split_the_platform_reported(busy_creator: object) -> None:
    AudienceDayFactory(
        creator=busy_creator, day=DAY - dt.timedelta(days=1), countries={"US": 10_000}
    )
    AudienceDayFactory(creator=busy_creator, day=DAY)
    features.refresh(day=DAY)
    row = MatchFeatures.objects.get(creator=busy_creator)
    assert row.audience_countries == {"GB": 5_000, "US": 3_000, "other": 2_000}
    assert row.audience_ages == {"18-24": 6_000, "25-34": 4_000}
    assert row.audience_genders == {"female": 5_500, "male": 4_500}


def test_one_creators_refresh_reads_only_their_audience(busy_creator: object) -> None:
    other = listed_creator()
    AudienceDayFactory(creator=other)
    AudienceDayFactory(creator=busy_creator, countries={"FR": 10_000})
    features.refresh(day=DAY, creator=busy_creator)
    assert MatchFeatures.objects.get(creator=busy_creator).audience_countries == {"FR": 10_000}
    assert MatchFeatures.objects.get(creator=other).audience_countries == {}


def test_refresh_is_one_statement_whatever_the_number_of_creators(
    django_assert_max_num_queries: object,
) -> None:
    for _ in range(5):
        listed_creator()
    with django_assert_max_num_queries(4):  # the upsert, the clean-up (select + delete)
        features.refresh(day=DAY)


def test_the_task_refreshes_and_is_scheduled_nightly(busy_creator: object) -> None:
    MatchFeatures.objects.all().delete()
    assert tasks.refresh_features.run() == 1
    assert MatchFeatures.objects.filter(creator=busy_creator).exists()
    scheduled = PeriodicTask.objects.get(task="marketplace.refresh_features")
    assert (scheduled.crontab.hour, scheduled.crontab.minute) == ("3", "30")
