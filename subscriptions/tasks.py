"""Scheduled work of subscriptions: daily renewals and dunning, and settling charges a crash or
a timeout left pending."""

from dataclasses import asdict
from datetime import datetime

from celery import shared_task
from django.utils import timezone

from core.tasks import RETRY_ON_DATABASE_ERRORS

from . import services

# Subscriptions a renewal task takes at once: about 20 s of work at 40 ms each, well inside
# the tasks' time limits, and spread over as many workers as there are.
RENEWAL_BATCH = 500


@shared_task(name="subscriptions.renew_due", **RETRY_ON_DATABASE_ERRORS)
def renew_due() -> int:
    """Beat, daily at 04:00: queue the renewal (or retry, end or lapse) of every subscription
    whose period has ended, RENEWAL_BATCH to a task, all as of this moment. Returns how many
    tasks it queued. Safe to run twice: each charge's key names its period and retry day, and
    a subscription renewed already is passed over."""
    now = timezone.now()
    due = services.due_for_renewal(now=now)
    batches = [due[start : start + RENEWAL_BATCH] for start in range(0, len(due), RENEWAL_BATCH)]
    for ids in batches:
        renew_batch.delay(ids, now.isoformat())
    return len(batches)


@shared_task(name="subscriptions.renew_batch", **RETRY_ON_DATABASE_ERRORS)
def renew_batch(subscription_ids: list[int], now: str) -> dict:
    """One batch of the daily renewals, as of the run's moment `now` (ISO)."""
    return asdict(
        services.renew_batch(subscription_ids=subscription_ids, now=datetime.fromisoformat(now))
    )


@shared_task(name="subscriptions.finish_pending_charges", **RETRY_ON_DATABASE_ERRORS)
def finish_pending_charges() -> int:
    """Beat, every 15 minutes: settle charges left pending, from what the gateway did."""
    return services.finish_pending_charges()
