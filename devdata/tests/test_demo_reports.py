"""The demo's history for the program impact report: enrolments months ago, the history
before them, the report's numbers right away, and nothing written twice."""

from datetime import UTC, datetime, time, timedelta

import pytest

from accounts.tests.factories import BrandFactory, CreatorFactory
from activity.models import CreatorDay, Video, VideoDay
from core.clock import rewards_today
from devdata import demo_reports
from marketplace.models import Proposal
from reports import impact
from rewards.models import PointsAccount

pytestmark = pytest.mark.django_db


def test_demo_creators_get_history_either_side_of_enrolment_once() -> None:
    today = rewards_today()
    first = today - timedelta(days=90)  # where demo_activity's three months start
    creators = [CreatorFactory(followers=20_000) for _ in range(10)]
    for creator in creators:
        PointsAccount.objects.create(creator=creator)  # opened today, by the seed's runs
        CreatorDay.objects.bulk_create(
            CreatorDay(
                record_id=f"demo-cd-{creator.pk}-{n}",
                creator=creator,
                day=first + timedelta(days=n),
                followers=20_000 + 50 * n,
            )
            for n in range(90)
        )
        # An upload every other day, each with a day of stats, as demo_activity writes them.
        for n in range(0, 90, 2):
            video = Video.objects.create(
                record_id=f"demo-v-{creator.pk}-{n}",
                creator=creator,
                title="Recent",
                published_at=datetime.combine(first + timedelta(days=n), time(12), UTC),
                duration_s=75,
            )
            VideoDay.objects.create(
                record_id=f"demo-vd-{creator.pk}-{n}",
                video=video,
                creator=creator,
                day=first + timedelta(days=n),
                views=1_000,
                views_5s=800,
                likes=80,
                comments=10,
                shares=5,
            )
    seeded = demo_reports.seed_impact_history(today=today, brand=BrandFactory())
    # Every tenth creator keeps only the recent months, every tenth enrols last month.
    assert seeded.creators == 8
    result = impact.report(impact.Filters())
    assert (result.enrolled, result.counted) == (10, 8)
    assert [item.creators for item in result.left_out] == [1, 1, 0]
    posts, engagement, growth, requests = result.metrics
    assert posts.after > posts.before > 0  # quieter before enrolment, as planned
    assert engagement.after > engagement.before > 0
    assert growth.before > 0 and requests.after is not None
    assert min(PointsAccount.objects.values_list("enrolled_on", flat=True)) < first
    written = (
        CreatorDay.objects.count(),
        Video.objects.count(),
        VideoDay.objects.count(),
        Proposal.objects.count(),
    )
    assert demo_reports.seed_impact_history(today=today, brand=BrandFactory()).creators == 0
    assert (
        CreatorDay.objects.count(),
        Video.objects.count(),
        VideoDay.objects.count(),
        Proposal.objects.count(),
    ) == written
