"""Random sequences in which workers die mid-run and the next attempt takes their runs over.

The machine of test_recalculation_stateful.py, with one more step: a run is left planning or
posting, as a SIGKILL leaves it, goes silent past REWARDS_RECALC_STALE_MINUTES, and the next
run of its day takes over. After each takeover the ledger holds exactly what one clean run
over the same data would post, and the dead run's tasks, redelivered, change nothing.
"""

import datetime as dt
import os

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import rule

from rewards import recalculation
from rewards.models import ACTIVE_STATES, RecalcRun, RecalcState
from rewards.tests.test_recalculation_stateful import DAYS, LedgerMachine, posted_now


class TakeoverMachine(LedgerMachine):
    @rule(
        day=st.sampled_from(DAYS),
        planned=st.integers(0, 3),
        posted=st.integers(0, 3),
        silent_minutes=st.integers(6, 600),
    )
    def kill_a_worker_and_take_its_run_over(
        self, day: dt.date, planned: int, posted: int, silent_minutes: int
    ) -> None:
        dead = recalculation.start_run(day=day)
        for index in range(min(planned, dead.shard_count)):
            recalculation.plan_shard(run=dead, index=index)
        if planned >= dead.shard_count:
            dead = recalculation.finish_planning(run=dead)
            for index in range(min(posted, dead.shard_count)):
                recalculation.post_shard(run=dead, index=index)
        was_active = dead.state in ACTIVE_STATES
        with open(os.devnull, "w") as devnull:
            call_command("check_ledger", stdout=devnull)  # consistent halfway
        RecalcRun.objects.filter(pk=dead.pk).update(
            heartbeat_at=timezone.now() - dt.timedelta(minutes=silent_minutes)
        )

        self.recalculate(day)  # a clean run's ledger, or it fails

        dead.refresh_from_db()
        if was_active:
            assert dead.state == RecalcState.FAILED and "taken over" in dead.error
        after = posted_now(day)
        for index in range(dead.shard_count):
            assert recalculation.plan_shard(run=dead, index=index) is False
            assert recalculation.post_shard(run=dead, index=index) is False
        assert posted_now(day) == after


@pytest.mark.django_db
def test_runs_taken_over_after_a_worker_died_leave_a_clean_runs_ledger() -> None:
    with override_settings(REWARDS_RECALC_SHARD_SIZE=1):
        machine_test = TakeoverMachine.TestCase
        machine_test.settings = settings(
            max_examples=12,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        machine_test("runTest").runTest()
