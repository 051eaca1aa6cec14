"""The named demo creators' recent activity (devdata.demo_marketplace.seed_recent_activity):
real views and engagement in brand search and match explanations, written through
ingestion, and never twice."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import BrandProfile, CreatorProfile, Niche
from accounts.tests.factories import BrandFactory, CreatorFactory
from activity.models import CreatorDay, Video, VideoDay
from activity.tests.factories import VideoDayFactory, VideoFactory
from core.clock import rewards_today
from devdata import demo_marketplace
from marketplace import matching
from marketplace.models import Campaign, MatchFeatures

pytestmark = pytest.mark.django_db


def niches(*slugs: str) -> list[Niche]:
    return list(Niche.objects.filter(slug__in=slugs))


@pytest.fixture
def maya() -> CreatorProfile:
    """The demo creator with a week of activity up to yesterday, as seed_demo leaves her."""
    creator = CreatorFactory(
        handle="mayamakes", followers=28_900, niches=niches("cooking", "diy-crafts")
    )
    yesterday = rewards_today() - timedelta(days=1)
    for n in range(7):
        video = VideoFactory(creator=creator, published_at=timezone.now() - timedelta(days=n + 1))
        VideoDayFactory(video=video, day=yesterday - timedelta(days=n), views=2_000)
    return creator


@pytest.fixture
def leo() -> CreatorProfile:
    """A named creator with no activity at all: zero views in search before this change."""
    return CreatorFactory(
        handle="leo.dances", followers=412_000, country="BR", niches=niches("dance", "music")
    )


@pytest.fixture
def brand() -> BrandProfile:
    return BrandFactory(company_name="Glow Cosmetics")


def rows() -> tuple[int, int, int]:
    return Video.objects.count(), VideoDay.objects.count(), CreatorDay.objects.count()


def test_named_creators_get_a_month_of_activity_and_real_numbers_once(
    maya: CreatorProfile, leo: CreatorProfile, brand: BrandProfile
) -> None:
    maya_days = VideoDay.objects.filter(creator=maya).count()
    seeded = demo_marketplace.seed_marketplace(creator=maya, brand=brand)
    assert seeded.active == 1  # Leo; Maya's activity already reaches yesterday

    yesterday = rewards_today() - timedelta(days=1)
    assert VideoDay.objects.filter(creator=maya).count() == maya_days
    days = CreatorDay.objects.filter(creator=leo)
    assert days.count() == 30
    assert min(days.values_list("day", flat=True)) == yesterday - timedelta(days=29)
    leo.refresh_from_db()
    assert leo.followers == 412_000  # the latest day's count is today's, as seeded
    videos = Video.objects.filter(creator=leo)
    assert 5 <= videos.count() <= 20
    assert all(v.record_id.startswith("demo-mkt-v-leo.dances-") for v in videos)
    assert leo.listing.featured.count() == demo_marketplace.GENERATED_FEATURED

    found = MatchFeatures.objects.get(creator=leo)
    assert found.avg_views > 10_000  # a believable share of 412,000 followers
    assert 300 <= found.engagement_bp <= 1_500  # 3 to 15 %
    assert found.posts_30d == videos.count() and found.last_post_at is not None

    # The brand's campaign explains Leo's match with those numbers, not zeros.
    campaign = Campaign.objects.get(brand=brand, title="Autumn glow launch")
    match = matching.explain(campaign, leo)
    assert match is not None
    words = {part.key: part.words for part in match.parts}
    assert not words["engagement"].startswith("Engagement rate 0 %")
    assert f"{found.posts_30d} posts in 30 days" in words["activity"]
    assert "no post yet" not in words["activity"]

    # A second seed the same day writes nothing and refreshes nothing.
    before = rows(), list(MatchFeatures.objects.values_list("pk", "refreshed_at"))
    again = demo_marketplace.seed_marketplace(creator=maya, brand=brand)
    assert not again.made
    assert (rows(), list(MatchFeatures.objects.values_list("pk", "refreshed_at"))) == before


def test_a_demo_seeded_days_ago_is_brought_up_to_date(leo: CreatorProfile) -> None:
    today = rewards_today()
    assert demo_marketplace.seed_recent_activity(today=today - timedelta(days=5)) == 1
    before = CreatorDay.objects.filter(creator=leo).count()
    assert demo_marketplace.seed_recent_activity(today=today) == 1
    days = list(CreatorDay.objects.filter(creator=leo).values_list("day", flat=True))
    assert len(days) == before + 5 and len(set(days)) == len(days)
    assert max(days) == today - timedelta(days=1)
    assert demo_marketplace.seed_recent_activity(today=today) == 0


def test_the_same_day_gives_the_same_numbers(leo: CreatorProfile) -> None:
    first = demo_marketplace._activity_records(leo, date(2026, 1, 1), date(2026, 1, 30))
    assert first == demo_marketplace._activity_records(leo, date(2026, 1, 1), date(2026, 1, 30))
    assert {record["type"] for record in first} == {"creator_day", "video", "video_day"}
