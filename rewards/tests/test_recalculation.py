import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection

from activity.models import EngagementFlag, FlagStatus
from activity.tests.factories import DAY, CreatorDayFactory, VideoDayFactory, VideoFactory
from rewards import recalculation
from rewards.models import EntryKind, Metric, PointsEntry, RecalcState

pytestmark = pytest.mark.django_db


def run(day: dt.date = DAY) -> object:
    return recalculation.recalculate_day_in_process(day=day)


def points_by_metric(creator: object, day: dt.date = DAY) -> dict[str, int]:
    totals: dict[str, int] = {}
    for entry in PointsEntry.objects.filter(account__creator=creator, activity_date=day):
        totals[entry.metric] = totals.get(entry.metric, 0) + entry.amount
    return totals


def test_a_day_of_activity_earns_points_by_each_rule() -> None:
    video = VideoFactory(published_at=dt.datetime(2026, 11, 18, 9, tzinfo=dt.UTC))
    creator = video.creator
    VideoDayFactory(video=video, views=15_000, views_5s=12_400, likes=450, comments=41, shares=33)
    CreatorDayFactory(creator=creator, replies=7, live_minutes=42)

    result = run()

    assert result.state == RecalcState.DONE
    assert points_by_metric(creator) == {
        Metric.UPLOADS: 10,
        Metric.QUALIFIED_VIEWS: 24,  # 12,400 qualified views × 2 per 1,000
        Metric.LIKES: 4,
        Metric.COMMENTS: 2,
        Metric.SHARES: 3,
        Metric.REPLIES: 7,
        Metric.LIVE_MINUTES: 8,
    }
    creator.points_account.refresh_from_db()
    assert creator.points_account.balance == 58
    call_command("check_ledger")


def test_running_twice_posts_nothing_the_second_time() -> None:
    VideoDayFactory(views=6_000, views_5s=5_000)
    first = run()
    second = run()
    assert first.entries_posted > 0
    assert second.entries_posted == 0
    call_command("check_ledger")


def test_late_data_shows_up_as_a_labelled_correction() -> None:
    stat = VideoDayFactory(views=9_000, views_5s=4_000)
    run()
    stat.views_5s = 9_000
    stat.save()
    run()
    corrections = PointsEntry.objects.filter(
        kind=EntryKind.CORRECTION, metric=Metric.QUALIFIED_VIEWS
    )
    [correction] = corrections
    assert correction.amount == 10  # 18 due now, 8 posted before
    assert "18 points due, 8 posted before" in correction.memo
    assert points_by_metric(stat.creator)[Metric.QUALIFIED_VIEWS] == 18


def test_bot_marked_views_count_for_nothing_until_the_flag_is_dismissed() -> None:
    stat = VideoDayFactory(views=10_000, views_5s=9_000, bot_views=6_000, likes=100, bot_likes=50)
    run()
    flag = EngagementFlag.objects.get()
    assert flag.excluded_views == 6_000
    assert points_by_metric(stat.creator)[Metric.QUALIFIED_VIEWS] == 6  # 3,000 counted

    flag.status = FlagStatus.DISMISSED
    flag.save()
    run()
    assert points_by_metric(stat.creator)[Metric.QUALIFIED_VIEWS] == 18
    call_command("check_ledger")


def test_daily_cap_and_diminishing_returns_bite() -> None:
    stat = VideoDayFactory(views=2_000_000, views_5s=1_000_000)
    run()
    # 1,000,000 → 2,000 raw; above 200 only half counts: 200 + 900 = 1,100; capped at 500.
    assert points_by_metric(stat.creator)[Metric.QUALIFIED_VIEWS] == 500


def test_ledger_rows_cannot_be_updated_or_deleted_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    VideoDayFactory(views=6_000, views_5s=5_000)
    run()
    from django.db import DatabaseError, transaction

    entry = PointsEntry.objects.first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PointsEntry.objects.filter(pk=entry.pk).update(amount=999)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PointsEntry.objects.filter(pk=entry.pk).delete()
