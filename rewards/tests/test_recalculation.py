import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from accounts.models import CreatorProfile, User
from activity.models import EngagementFlag, FlagStatus
from activity.tests.factories import DAY, CreatorDayFactory, VideoDayFactory, VideoFactory
from core.clock import rewards_today
from rewards import recalculation
from rewards.models import DayTally, EntryKind, Metric, PointsEntry, RecalcRun, RecalcState

pytestmark = pytest.mark.django_db


def run(day: dt.date = DAY) -> RecalcRun:
    return recalculation.recalculate_day_in_process(day=day)


def points_by_metric(creator: CreatorProfile, day: dt.date = DAY) -> dict[str, int]:
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
    # The 6,000 views set aside come off the 9,000 watched 5 s in full: 3,000 counted.
    assert points_by_metric(stat.creator)[Metric.QUALIFIED_VIEWS] == 6
    tally = DayTally.objects.get(creator=stat.creator, metric=Metric.QUALIFIED_VIEWS)
    assert (tally.measured, tally.carried_out) == (3_000, 0)

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


def upload_on(creator: CreatorProfile, day: dt.date) -> None:
    VideoFactory(creator=creator, published_at=dt.datetime.combine(day, dt.time(10), dt.UTC))


def test_streak_bonus_lands_on_the_fourth_distinct_upload_day_of_the_week() -> None:
    monday = dt.date(2026, 11, 16)
    creator = VideoFactory(published_at=dt.datetime(2026, 11, 16, 8, tzinfo=dt.UTC)).creator
    for offset in (0, 1, 3, 4, 5):  # Mon, Tue, Thu, Fri, Sat
        if offset:
            upload_on(creator, monday + dt.timedelta(days=offset))
    for offset in range(6):  # Monday to Saturday: Sunday the 22nd is today, not over yet
        run(monday + dt.timedelta(days=offset))
    streaks = PointsEntry.objects.filter(metric=Metric.STREAK)
    assert [(e.activity_date, e.amount) for e in streaks] == [(dt.date(2026, 11, 20), 50)]


def test_a_new_rule_version_applies_from_its_date_and_history_keeps_the_old_one() -> None:
    from rewards.models import EarningRule

    creator = VideoFactory().creator
    before, after = dt.date(2026, 11, 17), dt.date(2026, 11, 18)
    for day in (before, after):
        upload_on(creator, day)
    EarningRule.objects.create(
        metric=Metric.UPLOADS, valid_from=after, points_per_unit=25, daily_cap=25
    )
    run(before)
    run(after)
    assert points_by_metric(creator, before)[Metric.UPLOADS] == 10
    assert points_by_metric(creator, after)[Metric.UPLOADS] == 25


def test_a_finished_course_earns_through_the_academy_hook() -> None:
    from rewards.services import record_course_completion

    creator = VideoFactory().creator
    for _ in range(2):  # reported twice, counted once
        record_course_completion(
            creator=creator, course_key="hooks", title="Hooks that hold", completed_on=DAY
        )
    run()
    assert points_by_metric(creator)[Metric.COURSES] == 100


def test_a_shard_that_fails_halfway_leaves_the_ledger_consistent_and_a_rerun_finishes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.REWARDS_RECALC_SHARD_SIZE = 1
    stats = [VideoDayFactory(views=6_000, views_5s=5_000) for _ in range(3)]
    real_post = recalculation.post_shard
    calls = {"n": 0}

    def crash_on_second_shard(*, run: RecalcRun, index: int) -> bool:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_post(run=run, index=index)

    monkeypatch.setattr(recalculation, "post_shard", crash_on_second_shard)
    with pytest.raises(RuntimeError):
        run()
    failed = recalculation.RecalcRun.objects.get()
    assert failed.state == RecalcState.FAILED and failed.shards_posted == 1
    call_command("check_ledger")

    monkeypatch.setattr(recalculation, "post_shard", real_post)
    rerun = run()
    assert rerun.state == RecalcState.DONE
    assert all(points_by_metric(s.creator)[Metric.QUALIFIED_VIEWS] == 10 for s in stats)
    assert run().entries_posted == 0
    call_command("check_ledger")


def test_a_day_that_is_not_over_cannot_be_recalculated() -> None:

    with pytest.raises(recalculation.RecalcError, match="has not happened yet"):
        recalculation.start_run(day=rewards_today())


def test_only_one_run_of_a_day_at_a_time() -> None:
    recalculation.start_run(day=DAY)
    with pytest.raises(recalculation.RunUnderWay, match="already running"):
        recalculation.start_run(day=DAY)


def test_a_run_that_jumps_past_the_limits_is_held_until_staff_approve(staff: User) -> None:
    from rewards.models import RecalcLimits

    RecalcLimits.objects.update(max_creator_change=100)
    stat = VideoDayFactory(views=600_000, views_5s=500_000)
    held = run()
    assert held.state == RecalcState.HELD
    assert "limit 100" in held.held_reason
    assert PointsEntry.objects.count() == 0
    assert held.lines.get(metric=Metric.QUALIFIED_VIEWS).delta == 500

    fresh = recalculation.replace_held_run(run_id=held.pk, approver=staff)
    held.refresh_from_db()
    assert held.state == RecalcState.SUPERSEDED
    approved = recalculation.drive_in_process(run=fresh)
    assert approved.state == RecalcState.DONE
    assert points_by_metric(stat.creator)[Metric.QUALIFIED_VIEWS] == 500


def test_an_approved_run_that_would_move_more_than_was_approved_is_held_again(
    staff: User,
) -> None:
    from rewards.models import RecalcLimits

    RecalcLimits.objects.update(max_creator_change=100)
    stat = VideoDayFactory(views=300_000, views_5s=200_000)  # 400 points: held
    held = run()
    stat.views, stat.views_5s = 600_000, 500_000  # grows to 500 while it waits
    stat.save()
    again = recalculation.drive_in_process(
        run=recalculation.replace_held_run(run_id=held.pk, approver=staff)
    )
    assert again.state == RecalcState.HELD
    assert "further than the run that was approved" in again.held_reason
    assert PointsEntry.objects.count() == 0


def test_a_correction_below_zero_waits_until_the_balance_allows(staff: User) -> None:
    from rewards.services import post_entry

    stat = VideoDayFactory(views=20_000, views_5s=10_000)
    run()
    account = stat.creator.points_account
    post_entry(creator=stat.creator, amount=-20, kind=EntryKind.REDEEMED, idempotency_key="spend")
    stat.views_5s = 0
    stat.save()
    deferred = run()
    assert deferred.entries_posted == 0  # -20 would take the balance below zero
    account.refresh_from_db()
    assert account.balance == 0
    post_entry(creator=stat.creator, amount=20, kind=EntryKind.REFUNDED, idempotency_key="refund")
    assert run().entries_posted == 1
    account.refresh_from_db()
    assert account.balance == 0
    call_command("check_ledger")


def test_the_celery_tasks_queue_shards_after_commit_and_run_the_same_recalculation(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from rewards import tasks

    stat = VideoDayFactory(views=6_000, views_5s=5_000)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run_id = tasks.recalculate_day.delay(DAY.isoformat()).get()
    # One planning task per shard, queued only once the run exists (the other callbacks
    # start cached pages again: the fraud queue's version).
    queued = [c for c in callbacks if getattr(c, "func", None) == tasks.plan_shard.delay]
    assert len(queued) == 1
    finished = recalculation.RecalcRun.objects.get(pk=run_id)
    assert finished.state == RecalcState.DONE
    assert points_by_metric(stat.creator)[Metric.QUALIFIED_VIEWS] == 10


def test_recalculate_points_command_takes_a_date_or_a_range(capsys: pytest.CaptureFixture) -> None:
    VideoDayFactory(views=6_000, views_5s=5_000)
    call_command("recalculate_points", "--from", "2026-11-17", "--to", "2026-11-18")
    out = capsys.readouterr().out
    assert "2026-11-17: 0 entries" in out and "2026-11-18: 1 entries, +10 points" in out
    with pytest.raises(CommandError):
        call_command("recalculate_points", "--from", "2026-11-18", "--to", "2026-11-17")


def test_days_whose_data_or_reviews_changed_after_their_run_are_recalculated_again() -> None:
    from activity.services import review_flag

    today = rewards_today()
    day = today - dt.timedelta(days=3)
    stat = VideoDayFactory(day=day, views=10_000, views_5s=9_000, bot_views=6_000)
    run(day)
    assert day not in recalculation.days_needing_recalculation(today=today)

    flag = EngagementFlag.objects.get()
    review_flag(flag=flag, verdict=FlagStatus.DISMISSED, reviewer=stat.creator.user)
    assert day in recalculation.days_needing_recalculation(today=today)
    run(day)
    assert day not in recalculation.days_needing_recalculation(today=today)
    assert points_by_metric(stat.creator, day)[Metric.QUALIFIED_VIEWS] == 18  # paid back

    stat.views_5s = 10_000
    stat.save()  # late data
    assert day in recalculation.days_needing_recalculation(today=today)


def test_the_nightly_task_recalculates_yesterday_and_every_changed_day(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from rewards import tasks

    today = rewards_today()
    late_day = today - dt.timedelta(days=5)
    published = dt.datetime.combine(late_day, dt.time(9), dt.UTC)
    stat = VideoDayFactory(
        video=VideoFactory(published_at=published), day=late_day, views=6_000, views_5s=5_000
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.recalculate_yesterday.delay()
    assert set(RecalcRun.objects.values_list("day", flat=True)) == {
        today - dt.timedelta(days=1),
        late_day,
    }
    assert points_by_metric(stat.creator, late_day)[Metric.QUALIFIED_VIEWS] == 10


def test_an_upload_at_exactly_midnight_counts_on_its_own_day() -> None:
    creator = VideoFactory().creator
    VideoFactory(creator=creator, published_at=dt.datetime(2026, 11, 18, 0, 0, tzinfo=dt.UTC))
    run(DAY)
    run(DAY - dt.timedelta(days=1))
    assert points_by_metric(creator, DAY).get(Metric.UPLOADS) == 10
    assert Metric.UPLOADS not in points_by_metric(creator, DAY - dt.timedelta(days=1))


def test_a_crash_inside_a_shards_posting_rolls_the_whole_shard_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stat = VideoDayFactory(views=6_000, views_5s=5_000)
    real_execute = recalculation._execute

    def crash_on_balances(sql: str, params: dict) -> int:
        if sql is recalculation.APPLY_BALANCES_SQL:
            raise RuntimeError("killed between entries and balances")
        return real_execute(sql, params)

    monkeypatch.setattr(recalculation, "_execute", crash_on_balances)
    with pytest.raises(RuntimeError):
        run()
    assert PointsEntry.objects.count() == 0  # entries went with the failed transaction
    call_command("check_ledger")
    monkeypatch.setattr(recalculation, "_execute", real_execute)
    run()
    assert points_by_metric(stat.creator)[Metric.QUALIFIED_VIEWS] == 10
    call_command("check_ledger")


def test_a_stale_run_posts_nothing_more_once_it_is_no_longer_posting() -> None:
    VideoDayFactory(views=6_000, views_5s=5_000)
    stale = recalculation.start_run(day=DAY)
    recalculation.plan_shard(run=stale, index=0)
    recalculation.finish_planning(run=stale)
    recalculation.mark_failed(run=stale, error="presumed dead")
    assert recalculation.post_shard(run=stale, index=0) is False
    assert PointsEntry.objects.count() == 0
    assert run().entries_posted == 1


def _post_while_paused(
    monkeypatch: pytest.MonkeyPatch, spend: Callable[[], PointsEntry]
) -> dict[str, RecalcRun | PointsEntry | Exception | bool]:
    """Recalculate DAY in a thread, stop its posting after the balances are decided (before
    entries and balances are written), run `spend` in another thread, then let posting go on.
    Returns what the recalculation and `spend` returned or raised, and whether `spend` was
    still waiting when posting was let go."""
    real_execute = recalculation._execute
    decided, go = threading.Event(), threading.Event()

    def pausing(sql: str, params: dict) -> int:
        if sql is recalculation.POST_SQL:
            decided.set()
            go.wait(10)
        return real_execute(sql, params)

    monkeypatch.setattr(recalculation, "_execute", pausing)
    results: dict[str, RecalcRun | PointsEntry | Exception | bool] = {}

    def in_thread(name: str, work: Callable[[], RecalcRun | PointsEntry]) -> threading.Thread:
        def target() -> None:
            try:
                results[name] = work()
            except Exception as exc:  # handed to the test to assert on
                results[name] = exc
            finally:
                connection.close()

        thread = threading.Thread(target=target)
        thread.start()
        return thread

    recalc = in_thread("run", run)
    assert decided.wait(10)
    spender = in_thread("spend", spend)
    spender.join(1.0)
    results["spend_waited"] = spender.is_alive()
    go.set()
    recalc.join(10)
    spender.join(10)
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_spend_racing_a_negative_correction_waits_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    from rewards.services import PointsError, post_entry

    stat = VideoDayFactory(views=20_000, views_5s=10_000)
    run()  # 20 points
    stat.views_5s = 0
    stat.save()  # a correction of -20 is due

    results = _post_while_paused(
        monkeypatch,
        lambda: post_entry(
            creator=stat.creator, amount=-20, kind=EntryKind.REDEEMED, idempotency_key="race"
        ),
    )
    # The account was held from the decision to the balance update: the spend waited, then
    # found the points gone, instead of taking the balance below zero under the correction.
    assert results["spend_waited"]
    assert results["run"].state == RecalcState.DONE and results["run"].entries_posted == 1
    assert isinstance(results["spend"], PointsError)
    stat.creator.points_account.refresh_from_db()
    assert stat.creator.points_account.balance == 0
    call_command("check_ledger")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_spend_racing_points_given_does_not_wait_and_nothing_is_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    from rewards.services import post_entry

    stat = VideoDayFactory(views=20_000, views_5s=10_000)
    run()  # 20 points
    stat.views_5s = 15_000
    stat.save()  # 10 more are due

    results = _post_while_paused(
        monkeypatch,
        lambda: post_entry(
            creator=stat.creator, amount=-5, kind=EntryKind.REDEEMED, idempotency_key="race"
        ),
    )
    assert not results["spend_waited"]  # points given take no lock until they are written
    assert results["run"].state == RecalcState.DONE and results["run"].entries_posted == 1
    assert results["spend"].amount == -5
    stat.creator.points_account.refresh_from_db()
    assert stat.creator.points_account.balance == 20 + 10 - 5
    call_command("check_ledger")


def _silent_for(run: RecalcRun, *, minutes: float) -> None:
    """As if the run's last heartbeat was `minutes` ago."""
    RecalcRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


def _killed(*, planned: int, posted: int = 0) -> RecalcRun:
    """A run of DAY whose worker died after planning `planned` shards and posting `posted`:
    still active, as a SIGKILL leaves it (nobody marks it failed)."""
    run = recalculation.start_run(day=DAY)
    for index in range(planned):
        recalculation.plan_shard(run=run, index=index)
    if planned == run.shard_count:
        run = recalculation.finish_planning(run=run)
        for index in range(posted):
            recalculation.post_shard(run=run, index=index)
    return run


@pytest.mark.parametrize(
    ("planned", "posted"), [(1, 0), (3, 0), (3, 2)], ids=["planning", "planned", "posting"]
)
def test_a_run_silent_for_longer_than_the_limit_is_taken_over_by_the_next_attempt(
    settings: Settings, planned: int, posted: int
) -> None:
    settings.REWARDS_RECALC_SHARD_SIZE = 1
    stats = [VideoDayFactory(views=6_000, views_5s=5_000) for _ in range(3)]
    dead = _killed(planned=planned, posted=posted)
    _silent_for(dead, minutes=6)

    taken_over = run()

    dead.refresh_from_db()
    assert dead.state == RecalcState.FAILED and "taken over" in dead.error
    assert taken_over.state == RecalcState.DONE
    assert taken_over.entries_posted == 3 - posted
    assert all(points_by_metric(s.creator)[Metric.QUALIFIED_VIEWS] == 10 for s in stats)
    # The dead worker's tasks come back (the broker redelivers them): they do nothing.
    for index in range(3):
        assert recalculation.plan_shard(run=dead, index=index) is False
        assert recalculation.post_shard(run=dead, index=index) is False
    assert PointsEntry.objects.count() == 3
    call_command("check_ledger")


def test_a_run_that_beat_within_the_limit_is_not_taken_over_and_goes_on(
    settings: Settings,
) -> None:
    settings.REWARDS_RECALC_SHARD_SIZE = 1
    for _ in range(2):
        VideoDayFactory(views=6_000, views_5s=5_000)
    alive = _killed(planned=2, posted=1)
    _silent_for(alive, minutes=4)

    with pytest.raises(recalculation.RunUnderWay, match="already running") as refused:
        run()

    assert refused.value.run == alive
    assert f"run {alive.pk}, posting, last heartbeat 4 min" in str(refused.value)
    alive.refresh_from_db()
    assert alive.state == RecalcState.POSTING
    assert recalculation.post_shard(run=alive, index=1) is True
    assert recalculation.finish_run(run=alive).state == RecalcState.DONE
    assert PointsEntry.objects.count() == 2


def test_how_long_a_run_may_stay_silent_is_a_setting(settings: Settings) -> None:
    settings.REWARDS_RECALC_STALE_MINUTES = 30
    VideoDayFactory(views=6_000, views_5s=5_000)
    quiet = _killed(planned=0)
    _silent_for(quiet, minutes=20)
    with pytest.raises(recalculation.RunUnderWay):
        run()
    _silent_for(quiet, minutes=31)
    assert run().entries_posted == 1


def test_requeueing_a_day_whose_worker_died_takes_its_run_over(
    settings: Settings, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    from rewards import tasks

    settings.REWARDS_RECALC_SHARD_SIZE = 1
    stats = [VideoDayFactory(views=6_000, views_5s=5_000) for _ in range(2)]
    dead = _killed(planned=2, posted=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recalculate_day.delay(DAY.isoformat()).get() is None  # still beating
    _silent_for(dead, minutes=6)
    with django_capture_on_commit_callbacks(execute=True):
        run_id = tasks.recalculate_day.delay(DAY.isoformat()).get()
    assert RecalcRun.objects.get(pk=run_id).state == RecalcState.DONE
    assert all(points_by_metric(s.creator)[Metric.QUALIFIED_VIEWS] == 10 for s in stats)
    call_command("check_ledger")


def test_the_range_command_reports_a_running_day_and_goes_on_with_the_rest(
    capsys: pytest.CaptureFixture,
) -> None:
    VideoDayFactory(views=6_000, views_5s=5_000)  # on DAY, the 18th
    busy = recalculation.start_run(day=dt.date(2026, 11, 17))

    with pytest.raises(CommandError, match="a run of each was under way: 2026-11-17"):
        call_command("recalculate_points", "--from", "2026-11-16", "--to", "2026-11-18")

    out = capsys.readouterr().out
    assert "2026-11-16: 0 entries" in out
    assert (
        f"2026-11-17: skipped: A recalculation of 2026-11-17 is already running (run {busy.pk}, "
        "planning, last heartbeat 0 min" in out
    )
    assert "2026-11-18: 1 entries, +10 points" in out
    busy.refresh_from_db()
    assert busy.state == RecalcState.PLANNING  # left to its own workers


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("phase", [RecalcState.PLANNING, RecalcState.POSTING])
def test_a_shard_at_work_keeps_its_run_from_being_taken_over_however_long_it_takes(
    monkeypatch: pytest.MonkeyPatch, phase: RecalcState
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    stat = VideoDayFactory(views=6_000, views_5s=5_000)
    slow = recalculation.start_run(day=DAY)
    if phase == RecalcState.POSTING:
        recalculation.plan_shard(run=slow, index=0)
        slow = recalculation.finish_planning(run=slow)
    # Its heartbeat is an hour old: the shard's own beat shows only once it commits.
    _silent_for(slow, minutes=60)
    real_execute = recalculation._execute
    at_work, go = threading.Event(), threading.Event()

    def pausing(sql: str, params: dict) -> int:
        if sql is recalculation.POST_SQL or "INSERT INTO rewards_recalcline" in sql:
            at_work.set()
            go.wait(10)
        return real_execute(sql, params)

    monkeypatch.setattr(recalculation, "_execute", pausing)
    step = recalculation.post_shard if phase == RecalcState.POSTING else recalculation.plan_shard

    def work() -> None:
        try:
            step(run=slow, index=0)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    try:
        assert at_work.wait(10)
        with pytest.raises(recalculation.RunUnderWay):
            recalculation.start_run(day=DAY)  # does not wait for the shard, either
    finally:
        go.set()
        worker.join(10)

    slow.refresh_from_db()
    assert slow.state == phase
    assert timezone.now() - slow.heartbeat_at < dt.timedelta(minutes=1)  # it beat on commit
    if phase == RecalcState.POSTING:
        assert recalculation.finish_run(run=slow).state == RecalcState.DONE
        assert points_by_metric(stat.creator)[Metric.QUALIFIED_VIEWS] == 10
    call_command("check_ledger")
