"""Scheduled work of the staff reports: the nightly precompute the impact report reads, and
the fairness report's default period computed ahead of the first visit (scheduled by
migration 0002_schedule_impact_refresh)."""

from datetime import date

from celery import shared_task

from core.clock import rewards_today
from core.tasks import RETRY_ON_DATABASE_ERRORS

from . import fairness_report, impact
from .forms_fairness import last_days


@shared_task(name="reports.refresh_creator_months", **RETRY_ON_DATABASE_ERRORS)
def refresh_creator_months(first_month: str | None = None) -> int:
    """Beat, nightly at 04:00 (after the recalculation and the tiers): each creator's last
    complete months and every enrolment, from `first_month` (an ISO date; the whole history
    after a backfill) when given. One transaction; running it twice writes the same rows.
    Returns the creator-months written.

    Then the fairness report's default period (the last 30 days) is computed and cached, so
    the day's first visit does not pay for it (20 s over 100,000 creators, README)."""
    first = date.fromisoformat(first_month) if first_month else None
    written = impact.refresh(first_month=first).creator_months
    fairness_report.warm(*last_days(rewards_today()))
    return written
