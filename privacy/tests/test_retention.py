import datetime as dt
import logging

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from accounts.models import CreatorProfile, Notification, User
from accounts.tests.factories import CreatorFactory, FanFactory, StaffFactory
from activity import authenticity
from activity import retention as activity_retention
from activity import services as activity_services
from activity.models import (
    AudienceDay,
    CreatorDay,
    EngagementFlag,
    FlagAppeal,
    FlagReason,
    FlagStatus,
    Video,
    VideoDay,
)
from activity.tests.factories import (
    DAY,
    AudienceDayFactory,
    CreatorDayFactory,
    VideoDayFactory,
    VideoFactory,
)
from core.clock import rewards_day_of
from privacy import retention
from privacy.models import DataExport, ExportState
from privacy.tasks import apply_retention
from rewards import program, recalculation
from rewards import selectors as rewards_selectors
from rewards.models import DayTally, PointsEntry
from subscriptions.models import ChatMessage

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 6, 15, 12, tzinfo=dt.UTC)
TODAY = rewards_day_of(NOW)


@pytest.fixture(autouse=True)
def _periods(settings: Settings) -> None:
    settings.RETENTION_RAW_ACTIVITY_DAYS = 365
    settings.RETENTION_CHAT_DAYS = 90
    settings.RETENTION_NOTIFICATIONS_DAYS = 180
    settings.RETENTION_BATCH_SIZE = 5_000


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def chat_message(creator: CreatorProfile, *, at: dt.datetime) -> ChatMessage:
    return ChatMessage.objects.create(
        creator=creator, author=creator.user, body="Hello, room", created_at=at
    )


def notification(user: User, *, at: dt.datetime) -> Notification:
    return Notification.objects.create(user=user, subject="News", body="Something", created_at=at)


def deletes_of(model: type, queries: CaptureQueriesContext) -> int:
    table = model._meta.db_table
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].startswith("DELETE") and f'"{table}"' in query["sql"].split("WHERE")[0]
    )


def test_raw_activity_older_than_its_period_is_removed_and_the_days_totals_kept() -> None:
    old = VideoDayFactory(day=days_ago(366))
    edge = VideoDayFactory(day=days_ago(365))
    AudienceDayFactory(day=days_ago(400))
    new_audience = AudienceDayFactory(day=days_ago(10))
    old_totals = CreatorDayFactory(day=days_ago(800))

    removed = retention.apply_all(NOW)

    assert removed["activity.VideoDay"] == 1
    assert removed["activity.AudienceDay"] == 1
    assert not VideoDay.objects.filter(pk=old.pk).exists()
    assert VideoDay.objects.filter(pk=edge.pk).exists()  # 365 days old: still within
    assert list(AudienceDay.objects.values_list("pk", flat=True)) == [new_audience.pk]
    assert CreatorDay.objects.filter(pk=old_totals.pk).exists()
    # The videos stay: only their daily numbers go.
    assert Video.objects.filter(pk=old.video_id).exists()


def test_chat_messages_and_notifications_older_than_their_periods_are_removed() -> None:
    creator = CreatorFactory()
    fan = FanFactory()
    old_message = chat_message(creator, at=NOW - dt.timedelta(days=91))
    new_message = chat_message(creator, at=NOW - dt.timedelta(days=89))
    old_note = notification(fan, at=NOW - dt.timedelta(days=181))
    new_note = notification(fan, at=NOW - dt.timedelta(days=179))

    removed = retention.apply_all(NOW)

    assert removed["subscriptions.ChatMessage"] == 1
    assert removed["accounts.Notification"] == 1
    assert set(ChatMessage.objects.values_list("pk", flat=True)) == {new_message.pk}
    assert set(Notification.objects.values_list("pk", flat=True)) == {new_note.pk}
    assert not ChatMessage.objects.filter(pk=old_message.pk).exists()
    assert not Notification.objects.filter(pk=old_note.pk).exists()


def test_each_kind_is_removed_in_batches_of_the_batch_size(settings: Settings) -> None:
    settings.RETENTION_BATCH_SIZE = 2
    creator = CreatorFactory()
    for _ in range(5):
        chat_message(creator, at=NOW - dt.timedelta(days=200))
        notification(creator.user, at=NOW - dt.timedelta(days=200))
        VideoDayFactory(day=days_ago(400))
        AudienceDayFactory(day=days_ago(400))

    with CaptureQueriesContext(connection) as queries:
        removed = retention.apply_all(NOW)

    for model in (ChatMessage, Notification, VideoDay, AudienceDay):
        assert removed[model._meta.label] == 5
        assert not model.objects.exists()
        # 2 + 2 + 1: three DELETE statements, the short batch being the last.
        assert deletes_of(model, queries) == 3, model


def test_each_batch_is_its_own_transaction(settings: Settings) -> None:
    settings.RETENTION_BATCH_SIZE = 2
    creator = CreatorFactory()
    for _ in range(5):
        chat_message(creator, at=NOW - dt.timedelta(days=200))

    with CaptureQueriesContext(connection) as queries:
        retention.apply_all(NOW)

    # Tests run inside a transaction, so each batch's own atomic block is a savepoint.
    statements = [q["sql"] for q in queries.captured_queries]
    chat_deletes = [
        i
        for i, sql in enumerate(statements)
        if sql.startswith('DELETE FROM "subscriptions_chatmessage"')
    ]
    for index in chat_deletes:
        assert statements[index + 1].startswith("RELEASE SAVEPOINT")
        # The batch's ids were picked in the same savepoint, just before its DELETE.
        assert statements[index - 2].startswith("SAVEPOINT")


def test_video_days_with_an_unresolved_flag_are_kept_until_staff_decide() -> None:
    staff = StaffFactory()
    open_flag = flag(VideoDayFactory(day=days_ago(400)))
    appealed = flag(VideoDayFactory(day=days_ago(400)))
    activity_services.review_flag(flag=appealed, verdict=FlagStatus.CONFIRMED, reviewer=staff)
    activity_services.appeal_flag(
        creator=appealed.creator, flag=appealed, message="A big account shared it that day."
    )
    answered = flag(VideoDayFactory(day=days_ago(400)))
    appeal = activity_services.appeal_flag(
        creator=answered.creator, flag=answered, message="A press mention brought them."
    )
    activity_services.answer_appeal(
        appeal_id=appeal.pk, verdict=FlagStatus.CONFIRMED, answer="Bought views.", reviewer=staff
    )
    dismissed = flag(VideoDayFactory(day=days_ago(400)))
    activity_services.review_flag(flag=dismissed, verdict=FlagStatus.DISMISSED, reviewer=staff)

    removed = retention.apply_all(NOW)

    # The decided ones go with their flags and the answered appeal; the others stay.
    assert removed["activity.VideoDay"] == 2
    assert removed["activity.EngagementFlag"] == 2
    assert removed["activity.FlagAppeal"] == 1
    assert set(EngagementFlag.objects.values_list("pk", flat=True)) == {
        open_flag.pk,
        appealed.pk,
    }
    assert activity_retention.video_days_held_for_review(days_ago(365)) == 2

    # Once staff decide, the next night removes them too.
    activity_services.review_flag(flag=open_flag, verdict=FlagStatus.CONFIRMED, reviewer=staff)
    [waiting] = appealed.appeals.all()
    activity_services.answer_appeal(
        appeal_id=waiting.pk, verdict=FlagStatus.DISMISSED, answer="Genuine.", reviewer=staff
    )
    again = retention.apply_all(NOW)
    assert again["activity.VideoDay"] == 2
    assert not EngagementFlag.objects.exists() and not FlagAppeal.objects.exists()


def flag(stat: VideoDay) -> EngagementFlag:
    return EngagementFlag.objects.create(
        video_day=stat,
        creator=stat.creator,
        day=stat.day,
        reason=FlagReason.BOT_MARKED,
        detail="Marked by the platform",
        excluded_views=stat.bot_views,
    )


def test_an_expired_export_loses_its_archive_and_old_failed_and_expired_ones_go() -> None:
    user = FanFactory()
    storage = storages["private"]
    expired = ready_export(user, expires_at=NOW - dt.timedelta(hours=1))
    current = ready_export(FanFactory(), expires_at=NOW + dt.timedelta(hours=1))
    old_failed = DataExport.objects.create(
        user=user, state=ExportState.FAILED, requested_at=NOW - dt.timedelta(days=31)
    )
    new_failed = DataExport.objects.create(
        user=user, state=ExportState.FAILED, requested_at=NOW - dt.timedelta(days=29)
    )
    long_expired = DataExport.objects.create(
        user=user, state=ExportState.EXPIRED, expires_at=NOW - dt.timedelta(days=31)
    )
    archive = expired.archive

    removed = retention.apply_all(NOW)

    assert removed[retention.ARCHIVES_REMOVED] == 1
    assert not storage.exists(archive)
    expired.refresh_from_db()
    assert (expired.state, expired.archive) == (ExportState.EXPIRED, "")
    current.refresh_from_db()
    assert current.state == ExportState.READY and storage.exists(current.archive)
    assert removed["privacy.DataExport"] == 2
    assert set(DataExport.objects.values_list("pk", flat=True)) == {
        expired.pk,
        current.pk,
        new_failed.pk,
    }
    assert not DataExport.objects.filter(pk__in=[old_failed.pk, long_expired.pk]).exists()


def ready_export(user: User, *, expires_at: dt.datetime) -> DataExport:
    name = storages["private"].save(f"exports/{user.pk}/data.zip", ContentFile(b"PK\x05\x06"))
    return DataExport.objects.create(
        user=user,
        state=ExportState.READY,
        finished_at=expires_at - dt.timedelta(hours=72),
        expires_at=expires_at,
        archive=name,
        size_bytes=4,
    )


def test_running_twice_removes_nothing_more() -> None:
    creator = CreatorFactory()
    VideoDayFactory(day=days_ago(400))
    AudienceDayFactory(day=days_ago(400))
    chat_message(creator, at=NOW - dt.timedelta(days=100))
    notification(creator.user, at=NOW - dt.timedelta(days=200))
    ready_export(creator.user, expires_at=NOW - dt.timedelta(days=1))

    first = retention.apply_all(NOW)
    second = retention.apply_all(NOW)

    assert sum(first.values()) == 5
    assert set(second) == set(first) and not any(second.values())


def test_the_nightly_task_applies_retention_as_of_now() -> None:
    creator = CreatorFactory()
    now = timezone.now()
    old = chat_message(creator, at=now - dt.timedelta(days=91))
    kept = chat_message(creator, at=now - dt.timedelta(days=1))

    removed = apply_retention.delay().get()

    assert removed["subscriptions.ChatMessage"] == 1
    assert not ChatMessage.objects.filter(pk=old.pk).exists()
    assert ChatMessage.objects.filter(pk=kept.pk).exists()


def test_removing_raw_activity_leaves_the_ledgers_and_the_days_explanation_whole(
    settings: Settings,
) -> None:
    settings.RETENTION_RAW_ACTIVITY_DAYS = 730
    video = VideoFactory(published_at=dt.datetime(2026, 11, 18, 9, tzinfo=dt.UTC))
    creator = video.creator
    VideoDayFactory(video=video, views=15_000, views_5s=12_400, likes=450, comments=41)
    VideoDayFactory(views=9_000, views_5s=7_000, bot_views=2_000, bot_likes=10)  # flagged
    CreatorDayFactory(creator=creator, replies=7, live_minutes=42)
    recalculation.recalculate_day_in_process(day=DAY)
    staff = StaffFactory()
    for each in EngagementFlag.objects.all():
        activity_services.review_flag(flag=each, verdict=FlagStatus.CONFIRMED, reviewer=staff)
    entries = list(PointsEntry.objects.order_by("pk").values_list("pk", "amount"))
    balance = rewards_selectors.balance_of(creator)
    tallies = DayTally.objects.count()
    assert entries and tallies
    call_command("check_ledger")

    later = dt.datetime.combine(DAY, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(days=800)
    removed = retention.apply_all(later)

    assert removed["activity.VideoDay"] == 2 and removed["activity.EngagementFlag"] == 1
    assert list(PointsEntry.objects.order_by("pk").values_list("pk", "amount")) == entries
    assert DayTally.objects.count() == tallies
    call_command("check_ledger")
    # The day still explains every point; only each video's numbers behind them are gone.
    [explained] = rewards_selectors.explain_points(creator, DAY, DAY)
    assert rewards_selectors.balance_of(creator) == balance > 0
    assert explained.points == balance and explained.entries
    assert explained.videos == [] and explained.creator_day is not None
    client = Client()
    client.force_login(creator.user)
    page = client.get(reverse("rewards:day", kwargs={"day": DAY.isoformat()}))
    assert page.status_code == 200
    assert "Entries and the rules behind them" in page.content.decode()


def test_raw_activity_is_kept_as_long_as_the_rewards_read_it_back(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    floor = activity_retention.MIN_RAW_ACTIVITY_DAYS
    # The nightly recalculation rereads RECHECK_DAYS back, each day judged against the
    # trailing days before it.
    assert floor >= recalculation.RECHECK_DAYS + authenticity.rules()["TRAILING_DAYS"]
    # The Program's monthly run (program.pay_last_month) rereads the month before last, with
    # its 30-day views window ending on that month's last day, on whatever day it runs.
    for offset in range(366):
        run_on = dt.date(2027, 1, 1) + dt.timedelta(days=offset)
        before_last = program.previous_month(program.previous_month(run_on.replace(day=1)))
        window_start = program.last_day(before_last) - dt.timedelta(days=29)
        assert (run_on - min(before_last, window_start)).days <= floor, run_on

    # A setting below the floor keeps the floor.
    settings.RETENTION_RAW_ACTIVITY_DAYS = 10
    within = VideoDayFactory(day=days_ago(floor))
    VideoDayFactory(day=days_ago(floor + 1))  # removed
    with caplog.at_level(logging.WARNING, logger="privacy.retention"):
        retention.apply_all(NOW)
    assert set(VideoDay.objects.values_list("pk", flat=True)) == {within.pk}
    assert f"RETENTION_RAW_ACTIVITY_DAYS is 10, but the rewards still read back {floor}" in (
        caplog.text
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plans")
def test_every_statement_of_a_run_finds_its_rows_through_an_index(settings: Settings) -> None:
    settings.RETENTION_BATCH_SIZE = 2
    creator = CreatorFactory()
    for _ in range(3):
        chat_message(creator, at=NOW - dt.timedelta(days=200))
        notification(creator.user, at=NOW - dt.timedelta(days=200))
        flag(VideoDayFactory(day=days_ago(400)))
        AudienceDayFactory(day=days_ago(400))
    EngagementFlag.objects.update(status=FlagStatus.CONFIRMED)

    with CaptureQueriesContext(connection) as queries:
        retention.apply_all(NOW)

    retained = ("activity_", "subscriptions_chatmessage", "accounts_notification")
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("SELECT", "DELETE")) and any(t in q["sql"] for t in retained)
    ]
    # Each kind's batches are picked, oldest first, by a SELECT ... LIMIT of its own.
    picked = ("activity_videoday", "activity_audienceday", *retained[1:])
    for table in picked:
        assert any(
            sql.startswith("SELECT") and f'FROM "{table}"' in sql and "LIMIT 2" in sql
            for sql in statements
        ), table
    with connection.cursor() as cursor:
        # Tiny tables are cheapest read whole; with that priced out, only a missing index
        # leaves the planner a sequential scan.
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in statements:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            # An index that only gives the order, read whole, would show no condition.
            assert "Seq Scan" not in plan and "Index Cond" in plan, f"{sql}\n{plan}"
