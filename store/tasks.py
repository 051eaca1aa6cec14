"""Celery tasks of the store: thin, safe to run twice (a decided redemption is skipped)."""

from celery import shared_task

from core.tasks import RETRY_ON_DATABASE_ERRORS

from . import services


@shared_task(name="store.cancel_stale_redemptions", **RETRY_ON_DATABASE_ERRORS)
def cancel_stale_redemptions() -> int:
    """Beat, 04:00 in REWARDS_DAY_TZ: cancel and refund store redemptions staff left pending
    longer than STORE_PENDING_MAX_DAYS."""
    return services.cancel_stale_redemptions()
