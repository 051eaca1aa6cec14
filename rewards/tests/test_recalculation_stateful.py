"""Random sequences of ingesting, recalculating, re-delivering, crashing and reviewing.

After every step `check_ledger` holds; after every completed recalculation of a day, the
ledger holds exactly what one clean run over the same data would post for that day.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from accounts.tests.factories import CreatorFactory
from activity.ingestion import ingest_records
from activity.models import EngagementFlag, FlagStatus
from rewards import recalculation
from rewards.models import EARNING_KINDS, PointsEntry, RecalcState

DAYS = [dt.date(2026, 11, 16), dt.date(2026, 11, 17), dt.date(2026, 11, 18)]
HANDLES = ["ann", "bo", "cy"]


def due_now(day: dt.date) -> dict[tuple[int, str], int]:
    """What a clean run would post for `day`: planned into a throwaway run, never posted."""
    sid = transaction.savepoint()
    try:
        run = recalculation.start_run(day=day)
        for index in range(run.shard_count):
            recalculation.plan_shard(run=run, index=index)
        lines = {(line.creator_id, line.metric): line.due for line in run.lines.all()}
        merged = {**posted_now(day), **lines}
        return {key: due for key, due in merged.items() if due}
    finally:
        transaction.savepoint_rollback(sid)


def posted_now(day: dt.date) -> dict[tuple[int, str], int]:
    totals: dict[tuple[int, str], int] = {}
    for entry in PointsEntry.objects.filter(activity_date=day, kind__in=EARNING_KINDS):
        key = (entry.account_id, entry.metric)
        totals[key] = totals.get(key, 0) + entry.amount
    return {key: total for key, total in totals.items() if total}


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        for handle in HANDLES:
            CreatorFactory(handle=handle)
        self.batches: list[list[dict]] = []
        ingest_records(
            [
                {
                    "type": "video",
                    "id": f"v-{h}",
                    "creator": h,
                    "title": "T",
                    "published_at": "2026-11-15T08:00:00Z",
                    "duration_s": 90,
                    "original": True,
                }
                for h in HANDLES
            ]
        )

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @rule(
        handle=st.sampled_from(HANDLES),
        day=st.sampled_from(DAYS),
        views=st.integers(0, 400_000),
        bots=st.integers(0, 100),
        likes_per_mille=st.integers(0, 120),
    )
    def ingest(
        self, handle: str, day: dt.date, views: int, bots: int, likes_per_mille: int
    ) -> None:
        likes = views * likes_per_mille // 1000
        batch = [
            {
                "type": "video_day",
                "id": f"vd-{handle}-{day}",
                "video": f"v-{handle}",
                "date": day.isoformat(),
                "views": views,
                "views_5s": views * 8 // 10,
                "likes": likes,
                "comments": views // 150,
                "shares": views // 300,
                "bot_views": views * bots // 100,
            },
            {
                "type": "creator_day",
                "id": f"cd-{handle}-{day}",
                "creator": handle,
                "date": day.isoformat(),
                "followers": 10_000,
                "replies": views % 40,
            },
        ]
        report = ingest_records(batch)
        assert not report.rejected, report.rejected
        self.batches.append(batch)

    @rule(data=st.data())
    def redeliver(self, data: st.DataObject) -> None:
        if self.batches:
            batch = data.draw(st.sampled_from(self.batches))
            # An older batch sent again is newer data for the platform; it may update rows,
            # but never adds any.
            report = ingest_records(batch)
            assert not report.accepted and not report.rejected

    @rule(day=st.sampled_from(DAYS))
    def recalculate(self, day: dt.date) -> None:
        run = recalculation.recalculate_day_in_process(day=day)
        assert run.state == RecalcState.DONE
        deferred = run.lines.filter(deferred=True).exists()
        if not deferred:
            assert posted_now(day) == due_now(day)

    @rule(day=st.sampled_from(DAYS), crash_at=st.integers(1, 3))
    def crash_a_shard_then_rerun(self, day: dt.date, crash_at: int) -> None:
        real_post, calls = recalculation.post_shard, {"n": 0}

        def crashing(**kwargs: object) -> bool:
            calls["n"] += 1
            if calls["n"] == crash_at:
                raise RuntimeError("worker killed")
            return real_post(**kwargs)

        recalculation.post_shard = crashing
        try:
            recalculation.recalculate_day_in_process(day=day)
        except RuntimeError:
            pass
        finally:
            recalculation.post_shard = real_post
        call_command("check_ledger")  # consistent even halfway
        self.recalculate(day)

    @rule(verdict=st.sampled_from([FlagStatus.CONFIRMED, FlagStatus.DISMISSED]))
    def review_a_flag(self, verdict: str) -> None:
        flag = EngagementFlag.objects.order_by("?").first()
        if flag is not None:
            EngagementFlag.objects.filter(pk=flag.pk).update(status=verdict)

    @invariant()
    def balances_equal_their_entries(self) -> None:
        call_command("check_ledger", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.django_db
def test_random_sequences_keep_the_ledger_right() -> None:
    with override_settings(REWARDS_RECALC_SHARD_SIZE=1):
        machine_test = LedgerMachine.TestCase
        machine_test.settings = settings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        machine_test("runTest").runTest()
