"""Scheduled work of fan support: posting gifts to their creators' earnings, and settling
coin purchases and tips a crash or a timeout left pending."""

from celery import shared_task

from core.tasks import RETRY_ON_DATABASE_ERRORS

from . import services, support


@shared_task(name="gifts.finish_pending_payments", **RETRY_ON_DATABASE_ERRORS)
def finish_pending_payments() -> int:
    """Beat, every 15 minutes: settle coin purchases and tips left pending, from what the
    gateway did (nothing is charged again)."""
    return services.finish_pending_purchases() + support.finish_pending_tips()


@shared_task(name="gifts.post_gifts", **RETRY_ON_DATABASE_ERRORS)
def post_gifts(creator_id: int | None = None) -> int:
    """Beat, every few seconds (and after each gift where tasks run in-process): credit the
    creators' earnings with the gifts not posted yet. Running it twice, or two at once, posts
    each gift once."""
    return support.post_gifts(creator_id=creator_id)
