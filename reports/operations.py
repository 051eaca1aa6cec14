"""The operations report: what the machinery is doing and what waits for staff.

Recent recalculation runs and their state, tasks that failed for good, redemptions and
payouts waiting (oldest first, with how long each has waited). Each list is a bounded read:
at most LIMIT rows, plus a count of all, whatever the size of the tables.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils.timesince import timesince

from core.models import TaskFailure
from core.task_failures import recent_failures
from payments import selectors as payments_selectors
from payments.models import PayoutRequest
from rewards.models import ACTIVE_STATES, RecalcRun, RecalcState
from store import selectors as store_selectors
from store.models import Redemption

LIMIT = 20
# Failures counted on the page's summary: the last week's.
FAILURE_WINDOW = timedelta(days=7)
# A run in progress whose shards have not beaten for this long may be stuck (its takeover
# is REWARDS_RECALC_STALE_MINUTES; this only colours the page).
QUIET = timedelta(minutes=10)


def age(since: datetime, now: datetime) -> str:
    """How long, in words and to the largest two units: "3 days, 4 hours"; "under a minute"
    rather than timesince's "0 minutes"."""
    if now - since < timedelta(minutes=1):
        return "under a minute"
    return timesince(since, now, depth=2)


def recent_runs(*, limit: int) -> QuerySet[RecalcRun]:
    """The latest recalculation runs, newest first, with who approved each. (A read of
    rewards' records; rewards.selectors is the place for it when that module is next
    touched.)"""
    return RecalcRun.objects.select_related("approved_by").order_by("-started_at", "-pk")[:limit]


@dataclass(frozen=True)
class RunRow:
    run: RecalcRun
    started_ago: str
    took: str
    quiet_for: str  # for a run in progress whose shards have been silent a while

    @property
    def tone(self) -> str:
        return {
            RecalcState.DONE: "good",
            RecalcState.FAILED: "bad",
            RecalcState.HELD: "warn",
            RecalcState.SUPERSEDED: "neutral",
        }.get(self.run.state, "info")


@dataclass(frozen=True)
class Waiting:
    """One thing waiting for staff, and how long it has waited."""

    obj: Redemption | PayoutRequest
    waited: str


@dataclass(frozen=True)
class FailureRow:
    failure: TaskFailure
    ago: str

    @property
    def exception_line(self) -> str:
        return self.failure.exception.splitlines()[0] if self.failure.exception else ""


@dataclass(frozen=True)
class Operations:
    now: datetime
    runs: list[RunRow]
    runs_attention: int  # held or failed among those shown, and in progress but quiet
    failures: list[FailureRow]
    failures_this_week: int
    redemptions: list[Waiting]
    redemptions_waiting: int
    payouts: list[Waiting]
    payouts_waiting: int


def _run_row(run: RecalcRun, now: datetime) -> RunRow:
    took = age(run.started_at, run.finished_at) if run.finished_at else ""
    quiet = ""
    if run.state in ACTIVE_STATES and now - run.heartbeat_at >= QUIET:
        quiet = age(run.heartbeat_at, now)
    return RunRow(run, age(run.started_at, now), took, quiet)


def operations(now: datetime, *, limit: int = LIMIT) -> Operations:
    """Everything the page shows: at most eight queries, whatever the size of the tables."""
    runs = [_run_row(run, now) for run in recent_runs(limit=limit)]
    failures, failures_this_week = recent_failures(limit=limit, since=now - FAILURE_WINDOW)
    redemptions, redemptions_waiting = store_selectors.pending_redemptions(limit=limit)
    payouts, payouts_waiting = payments_selectors.waiting_payouts(limit=limit)
    stopped = (RecalcState.HELD, RecalcState.FAILED)
    attention = sum(1 for row in runs if row.run.state in stopped or row.quiet_for)
    return Operations(
        now=now,
        runs=runs,
        runs_attention=attention,
        failures=[FailureRow(failure, age(failure.failed_at, now)) for failure in failures],
        failures_this_week=failures_this_week,
        redemptions=[Waiting(r, age(r.created_at, now)) for r in redemptions],
        redemptions_waiting=redemptions_waiting,
        payouts=[Waiting(p, age(p.created_at, now)) for p in payouts],
        payouts_waiting=payouts_waiting,
    )
