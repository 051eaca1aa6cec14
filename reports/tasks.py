"""Scheduled work of the staff reports: the nightly precompute the impact report reads, and
the fairness report's default period and the what-if's ledger side computed ahead of the
first visit, nightly and again whenever a recalculation run changed them (scheduled by
migrations 0002_schedule_impact_refresh and 0003_schedule_keep_warm)."""

from datetime import date

from celery import shared_task

from core.clock import rewards_today
from core.tasks import RETRY_ON_DATABASE_ERRORS
from rewards import fairness

from . import fairness_report, impact
from .forms_fairness import last_days, presets


@shared_task(name="reports.refresh_creator_months", **RETRY_ON_DATABASE_ERRORS)
def refresh_creator_months(first_month: str | None = None) -> int:
    """Beat, nightly at 04:00 (after the recalculation and the tiers): each creator's last
    complete months and every enrolment, from `first_month` (an ISO date; the whole history
    after a backfill) when given. One transaction; running it twice writes the same rows.
    Returns the creator-months written.

    Then the fairness measure's monthly sums that a run changed (or that are missing) are
    summed again, and the fairness page's one-click periods and the what-if's ledger side
    are computed and cached, so the day's first visit pays for none of them (seconds over
    100,000 creators, README)."""
    first = date.fromisoformat(first_month) if first_month else None
    written = impact.refresh(first_month=first).creator_months
    fairness.refresh_months()
    _warm_fairness()
    return written


@shared_task(name="reports.keep_fairness_warm", **RETRY_ON_DATABASE_ERRORS)
def keep_fairness_warm() -> bool:
    """Beat, every 2 minutes (migration 0003_schedule_keep_warm). The fairness page's
    one-click periods are kept under the recalculation runs' stamp and the monthly sums
    record when they were made, so a run in the day (a rerun, a held run approved) leaves
    them to be computed again, and a lost cache the what-if's ledger side too: do it within
    minutes, so staff rarely wait for it or read a month's sums from before the run (seconds
    over 100,000 creators; a few queries when nothing changed). Not while a live run is
    planning or posting: it would change them again. Returns whether it looked."""
    if fairness.run_in_progress():
        return False
    fairness.refresh_months()
    _warm_fairness()
    return True


def _warm_fairness() -> None:
    """The fairness page's one-click periods and the what-if's ledger side, computed."""
    today = rewards_today()
    fairness_report.warm([(first, last) for _, first, last in presets(today)], last_days(today))
