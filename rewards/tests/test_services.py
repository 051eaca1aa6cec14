import pytest
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import User
from accounts.tests.factories import CreatorFactory
from activity.tests.factories import DAY, VideoDayFactory
from rewards import recalculation, services, tasks
from rewards.models import EntryKind, Metric, PointsEntry, RecalcLimits, RecalcRun, RecalcState

pytestmark = pytest.mark.django_db


def test_spending_more_than_the_balance_is_refused_in_words() -> None:
    creator = CreatorFactory()
    services.post_entry(creator=creator, amount=50, kind=EntryKind.ADJUSTED, idempotency_key="a")
    with pytest.raises(services.PointsError, match="needs 80 points and the balance is 50"):
        services.post_entry(
            creator=creator, amount=-80, kind=EntryKind.REDEEMED, idempotency_key="b"
        )


def test_a_repeated_key_returns_the_first_entry_and_a_reused_key_is_refused() -> None:
    creator = CreatorFactory()
    first = services.post_entry(
        creator=creator, amount=5, kind=EntryKind.ADJUSTED, idempotency_key="k"
    )
    again = services.post_entry(
        creator=creator, amount=5, kind=EntryKind.ADJUSTED, idempotency_key="k"
    )
    assert again.pk == first.pk
    creator.points_account.refresh_from_db()
    assert creator.points_account.balance == 5
    with pytest.raises(services.PointsError, match="already used"):
        services.post_entry(
            creator=CreatorFactory(), amount=5, kind=EntryKind.ADJUSTED, idempotency_key="k"
        )


@pytest.mark.parametrize("kind", [EntryKind.EARNED, EntryKind.CORRECTION])
def test_earned_points_come_only_from_the_recalculation(kind: EntryKind) -> None:
    with pytest.raises(services.PointsError, match="recalculation only"):
        services.post_entry(creator=CreatorFactory(), amount=5, kind=kind, idempotency_key="x")


@pytest.fixture
def held_run() -> RecalcRun:
    RecalcLimits.objects.update(max_creator_change=100)
    VideoDayFactory(views=600_000, views_5s=500_000)  # 500 points: past the limit
    run = recalculation.recalculate_day_in_process(day=DAY)
    assert run.state == RecalcState.HELD
    return run


def test_approving_a_held_run_supersedes_it_and_queues_its_replacement_after_commit(
    held_run: RecalcRun,
    staff: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fresh = services.approve_held_run(run_id=held_run.pk, by=staff)
        assert PointsEntry.objects.count() == 0  # nothing planned before the commit
    # One planning task per shard (the others start cached pages again: the fraud queue's).
    queued = [c for c in callbacks if getattr(c, "func", None) == tasks.plan_shard.delay]
    assert len(queued) == fresh.shard_count == 1
    held_run.refresh_from_db()
    assert held_run.state == RecalcState.SUPERSEDED
    fresh.refresh_from_db()
    assert (fresh.approves, fresh.approved_by, fresh.state) == (held_run, staff, RecalcState.DONE)
    assert PointsEntry.objects.get().metric == Metric.QUALIFIED_VIEWS
    assert PointsEntry.objects.get().amount == 500


def test_a_run_that_is_not_held_cannot_be_approved_and_nothing_is_queued(
    staff: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    VideoDayFactory(views=6_000, views_5s=5_000)
    done = recalculation.recalculate_day_in_process(day=DAY)
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(recalculation.RecalcError, match="Only a held run"),
    ):
        services.approve_held_run(run_id=done.pk, by=staff)
    assert callbacks == []
    assert list(RecalcRun.objects.values_list("pk", "state")) == [(done.pk, RecalcState.DONE)]


def test_approving_while_another_run_of_the_day_is_under_way_changes_nothing(
    held_run: RecalcRun,
    staff: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    running = recalculation.start_run(day=DAY)
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(recalculation.RecalcError, match="already running"),
    ):
        services.approve_held_run(run_id=held_run.pk, by=staff)
    assert callbacks == []
    held_run.refresh_from_db()
    assert held_run.state == RecalcState.HELD
    assert set(RecalcRun.objects.values_list("pk", flat=True)) == {held_run.pk, running.pk}
