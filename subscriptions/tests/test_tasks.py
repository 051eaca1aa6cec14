"""The daily renewal task fans out in batches, each renewing as of the run's moment."""

from datetime import timedelta

import pytest
from django.utils import timezone

from subscriptions import tasks
from subscriptions.models import ChargeKind, ChargeState, SubscriptionCharge
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def due_subscriptions(count: int) -> list:
    """Live monthly subscriptions whose period ended yesterday."""
    return SubscriptionFactory.create_batch(count, started_at=timezone.now() - timedelta(days=31))


def test_the_daily_task_queues_the_due_subscriptions_in_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tasks, "RENEWAL_BATCH", 2)
    queued: list[tuple[list[int], str]] = []
    monkeypatch.setattr(tasks.renew_batch, "delay", lambda ids, now: queued.append((ids, now)))
    due = due_subscriptions(5)
    SubscriptionFactory()  # not due
    assert tasks.renew_due() == 3
    assert sorted(pk for ids, _ in queued for pk in ids) == sorted(s.pk for s in due)
    assert [len(ids) for ids, _ in queued] == [2, 2, 1]
    assert len({now for _, now in queued}) == 1  # every batch renews as of the run's moment


def test_each_due_subscription_is_renewed_once_however_often_batches_run() -> None:
    # Without a broker the batches run at once (CELERY_TASK_ALWAYS_EAGER), as on a laptop.
    due = due_subscriptions(3)
    queued: list[tuple[list[int], str]] = []
    send = tasks.renew_batch.delay
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            tasks.renew_batch,
            "delay",
            lambda ids, now: (queued.append((ids, now)), send(ids, now))[1],
        )
        assert tasks.renew_due() == 1
    ids, now = queued[0]
    again = tasks.renew_batch(ids, now)  # the same batch delivered twice
    assert (again["renewed"], again["skipped"]) == (0, 3)
    assert tasks.renew_due() == 0  # nothing is due any more
    for subscription in due:
        charges = SubscriptionCharge.objects.filter(
            subscription=subscription, kind=ChargeKind.RENEWAL
        )
        assert [c.state for c in charges] == [ChargeState.SUCCEEDED]
        subscription.refresh_from_db()
        assert subscription.current_period_end > timezone.now()
