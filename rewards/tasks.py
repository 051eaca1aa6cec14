"""Celery tasks of the recalculation: thin, by id, safe to run twice (see recalculation.py)."""

import logging
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

from celery import Task, shared_task
from django.db import transaction

from core.clock import rewards_today
from core.tasks import RETRY_ON_DATABASE_ERRORS

from . import expiry, program, recalculation, tiers
from .models import RecalcRun, RecalcState
from .points import period_start

logger = logging.getLogger(__name__)

RETRY = RETRY_ON_DATABASE_ERRORS


@shared_task(name="rewards.recalculate_yesterday", **RETRY)
def recalculate_yesterday() -> None:
    """What beat runs at 02:00 in REWARDS_DAY_TZ: yesterday, and every recent day whose data
    or reviews changed since its last run (recalculation.days_needing_recalculation). Each
    day carries its remainders into the next, so the days of one month run one after the
    other: only the earliest of each month is queued here, and each run queues the next
    once it has planned (`queue_next_day`). Months run side by side."""
    today = rewards_today()
    days = {today - timedelta(days=1), *recalculation.days_needing_recalculation(today=today)}
    first_of_month: dict[date, date] = {}
    for day in sorted(days):
        first_of_month.setdefault(period_start(day), day)
    for day in sorted(first_of_month.values()):
        recalculate_day.delay(day.isoformat(), nightly=True)


def queue_next_day(run: RecalcRun) -> None:
    """Queue the next day of the run's month that needs recalculating, once what the run's
    day carries out is written (planned, held, or given up), so later days plan from it; a
    nightly run goes on to yesterday too."""
    following = recalculation.next_day_of_the_month(
        after=run.day, today=rewards_today(), with_yesterday=run.nightly
    )
    if following is not None:
        transaction.on_commit(
            partial(recalculate_day.delay, following.isoformat(), nightly=run.nightly)
        )


@shared_task(name="rewards.recalculate_day", **RETRY)
def recalculate_day(
    day: str, approved_by_id: int | None = None, nightly: bool = False
) -> int | None:
    """Open a run for `day` and queue one planning task per shard; returns the run id, or None
    when a run of that day is already under way (it will post what is due). A run of the day
    that went silent (a killed worker) is taken over (recalculation.start_run)."""
    from accounts.models import User

    approver = User.objects.filter(pk=approved_by_id).first() if approved_by_id else None
    try:
        with transaction.atomic():
            run = recalculation.start_run(
                day=date.fromisoformat(day), approved_by=approver, nightly=nightly
            )
            queue_planning(run)
    except recalculation.RecalcError as exc:
        logger.info("Not recalculating %s: %s", day, exc)
        return None
    if run.shard_count == 0:
        recalculation.finish_run(run=run)
        queue_next_day(run)
    return run.pk


def queue_planning(run: RecalcRun) -> None:
    """One planning task per shard of an opened run, sent once its transaction commits."""
    for index in range(run.shard_count):
        transaction.on_commit(partial(plan_shard.delay, run.pk, index))


def _failing(run: RecalcRun, exc: Exception, task: Task) -> None:
    # Out of retries: the run stops blocking its day, and a rerun finishes the job.
    if getattr(task.request, "retries", 0) >= RETRY["max_retries"] or not isinstance(
        exc, RETRY["autoretry_for"]
    ):
        recalculation.mark_failed(run=run, error=f"{type(exc).__name__}: {exc}")
        if run.state == RecalcState.PLANNING:
            # Later days of the month go on from what is written; the next night redoes
            # this one and, where its remainders change, them.
            queue_next_day(run)


def _shard_step(
    task: Task,
    run_id: int,
    index: int,
    *,
    state: RecalcState,
    step: Callable[..., bool],
    after_last: Callable[[RecalcRun], None],
) -> None:
    """Run one shard's step while the run is in `state`; the shard that finishes last moves
    the run on. A step repeated after a retry or a redelivery finds its shard done and stops."""
    run = RecalcRun.objects.get(pk=run_id)
    if run.state != state:
        return
    try:
        last = step(run=run, index=index)
    except Exception as exc:
        _failing(run, exc, task)
        raise
    # A retry of a task whose step committed but whose hand-over failed finds its shard done:
    # if no shard is left and the run has not moved on, it hands over now.
    field = "planned_at" if state == RecalcState.PLANNING else "posted_at"
    if last or (
        not run.shards.filter(**{f"{field}__isnull": True}).exists()
        and RecalcRun.objects.filter(pk=run.pk, state=state).exists()
    ):
        after_last(run)


def _post_all_shards(run: RecalcRun) -> None:
    run = recalculation.finish_planning(run=run)
    if run.state == RecalcState.POSTING:
        for shard in range(run.shard_count):
            post_shard.delay(run.pk, shard)
    # The day's remainders are written (posted or held alike): the next day may plan.
    queue_next_day(run)


@shared_task(name="rewards.plan_shard", bind=True, **RETRY)
def plan_shard(self: Task, run_id: int, index: int) -> None:
    _shard_step(
        self,
        run_id,
        index,
        state=RecalcState.PLANNING,
        step=recalculation.plan_shard,
        after_last=_post_all_shards,
    )


@shared_task(name="rewards.post_shard", bind=True, **RETRY)
def post_shard(self: Task, run_id: int, index: int) -> None:
    _shard_step(
        self,
        run_id,
        index,
        state=RecalcState.POSTING,
        step=recalculation.post_shard,
        after_last=lambda run: recalculation.finish_run(run=run),
    )


@shared_task(name="rewards.expire_points", **RETRY)
def expire_points() -> int:
    """Beat, 03:00 in REWARDS_DAY_TZ: post what expires today (rewards/expiry.py)."""
    return expiry.expire(rewards_today())


@shared_task(name="rewards.recompute_tiers", **RETRY)
def recompute_tiers() -> int:
    """Beat, 03:30 in REWARDS_DAY_TZ: every tier from the 90 days that end yesterday, the last
    day the 02:00 recalculation posted."""
    return tiers.recompute(rewards_today() - timedelta(days=1))


@shared_task(name="rewards.pay_rewards_program", **RETRY)
def pay_rewards_program() -> int:
    """Beat, 05:00 on the 1st in REWARDS_DAY_TZ: the month before last looked at again (its
    changes become corrections), then last month paid (rewards/program.py; safe to repeat)."""
    return program.pay_last_month().pk
