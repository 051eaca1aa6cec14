"""Scheduled work of the earnings ledger."""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from core.tasks import RETRY_ON_DATABASE_ERRORS

from . import ledger, services
from .models import AttemptState, PaymentAttempt

logger = logging.getLogger(__name__)

# An attempt younger than this may still be waiting for its answer: leave it to its caller.
SETTLE_AFTER = timedelta(minutes=10)


@shared_task(name="payments.release_pending_earnings", **RETRY_ON_DATABASE_ERRORS)
def release_pending_earnings() -> int:
    """Beat, 03:00 in REWARDS_DAY_TZ: pending earnings dated up to today become available."""
    return ledger.release_pending()


@shared_task(name="payments.settle_unsettled_attempts", **RETRY_ON_DATABASE_ERRORS)
def settle_unsettled_attempts() -> int:
    """Beat, every 15 minutes: settle charges and refunds a crash or a timeout left started
    or unknown, from what the gateway holds (never by calling it to move money). One the
    gateway cannot be asked about now is tried again next time; staff see it in admin."""
    cutoff = timezone.now() - SETTLE_AFTER
    settled = 0
    for attempt in PaymentAttempt.objects.filter(
        state__in=[AttemptState.STARTED, AttemptState.UNKNOWN], updated_at__lt=cutoff
    ).order_by("pk"):
        try:
            services.reconcile_attempt(attempt=attempt)
            settled += 1
        except services.PaymentError:
            logger.warning("Payment attempt %s could not be settled yet.", attempt.pk)
    return settled
