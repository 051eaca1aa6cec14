"""Scheduled work of the Marketplace: the nightly refresh of listed creators' match features
(scheduled by migration 0002_schedule_refresh)."""

from celery import shared_task

from core.tasks import RETRY_ON_DATABASE_ERRORS

from . import features

# The deals' tasks (expiring invitations, approving deliveries) live in tasks_deals.py;
# imported here so Celery's autodiscovery of `marketplace.tasks` registers them.
from .tasks_deals import *  # noqa: F403


@shared_task(name="marketplace.refresh_features", **RETRY_ON_DATABASE_ERRORS)
def refresh_features() -> int:
    """Beat, nightly at 03:30: every listed creator's features over the 30 days up to
    yesterday. Running it twice writes the same values."""
    return features.refresh()
