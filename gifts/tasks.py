"""Scheduled work of fan support: settling coin purchases and tips a crash or a timeout left
pending."""

from celery import shared_task

from core.tasks import RETRY_ON_DATABASE_ERRORS

from . import services, support


@shared_task(name="gifts.finish_pending_payments", **RETRY_ON_DATABASE_ERRORS)
def finish_pending_payments() -> int:
    """Beat, every 15 minutes: settle coin purchases and tips left pending, from what the
    gateway did (nothing is charged again)."""
    return services.finish_pending_purchases() + support.finish_pending_tips()
