"""Scheduled work of subscriptions: daily renewals and dunning, and settling charges a crash or
a timeout left pending."""

from dataclasses import asdict

from celery import shared_task

from core.tasks import RETRY_ON_DATABASE_ERRORS

from . import services


@shared_task(name="subscriptions.renew_due", **RETRY_ON_DATABASE_ERRORS)
def renew_due() -> dict:
    """Beat, daily at 04:00: renew, retry, end or lapse every subscription whose period has
    ended. Safe to run twice: each charge's key names its period and retry day."""
    return asdict(services.renew_due())


@shared_task(name="subscriptions.finish_pending_charges", **RETRY_ON_DATABASE_ERRORS)
def finish_pending_charges() -> int:
    """Beat, every 15 minutes: settle charges left pending, from what the gateway did."""
    return services.finish_pending_charges()
