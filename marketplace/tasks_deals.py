"""Scheduled work of the Marketplace's deals: invitations left unanswered expire, deliveries
the brand left undecided are approved (and the creator paid), and brands' payments the
gateway left unanswered are settled."""

from celery import shared_task

from core.tasks import RETRY_ON_DATABASE_ERRORS

from . import collaborations, proposals


@shared_task(name="marketplace.expire_invitations", **RETRY_ON_DATABASE_ERRORS)
def expire_invitations() -> int:
    """Beat, nightly: mark expired the invitations and counter-offers whose answer is
    overdue. Running it twice expires nothing more."""
    return proposals.expire_invitations()


@shared_task(name="marketplace.auto_approve_deliveries", **RETRY_ON_DATABASE_ERRORS)
def auto_approve_deliveries() -> int:
    """Beat, nightly: approve deliveries left undecided MARKETPLACE_AUTO_APPROVE_DAYS and
    credit their creators. Each collaboration is credited once, under its own key."""
    return collaborations.auto_approve_due()


@shared_task(name="marketplace.finish_pending_payments", **RETRY_ON_DATABASE_ERRORS)
def finish_pending_payments() -> int:
    """Beat, every 15 minutes (migration 0004_schedule_pending_payments): settle brands'
    payments into hold whose outcome the gateway left unknown, from what it did (nothing is
    charged again). One it cannot be asked about now waits for the next run."""
    return collaborations.finish_pending_payments()
