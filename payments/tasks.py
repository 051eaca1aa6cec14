"""Scheduled work of the earnings ledger."""

from celery import shared_task

from core.tasks import RETRY_ON_DATABASE_ERRORS

from . import ledger


@shared_task(name="payments.release_pending_earnings", **RETRY_ON_DATABASE_ERRORS)
def release_pending_earnings() -> int:
    """Beat, 03:00 in REWARDS_DAY_TZ: pending earnings dated up to today become available."""
    return ledger.release_pending()
