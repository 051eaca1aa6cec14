"""Nightly work of the Marketplace's deals: invitations left unanswered expire, and
deliveries the brand left undecided are approved (and the creator paid)."""

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
