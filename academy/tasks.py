"""Scheduled work of the Academy: the peer figures its insight cards compare a creator with."""

from datetime import date, timedelta

from celery import shared_task

from core.clock import rewards_today
from core.tasks import RETRY_ON_DATABASE_ERRORS

from . import insights


@shared_task(name="academy.refresh_peer_bands", **RETRY_ON_DATABASE_ERRORS)
def refresh_peer_bands(day: str | None = None) -> int:
    """Beat, 03:45 in REWARDS_DAY_TZ: every follower band's median engagement over the 28
    days that end on `day` (ISO date), by default yesterday, the last whole day of data.
    Safe to run twice: it upserts one row per band. Returns the bands written."""
    last = date.fromisoformat(day) if day else rewards_today() - timedelta(days=1)
    return insights.refresh_peer_bands(last)
