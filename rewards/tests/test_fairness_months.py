"""The fairness measure's monthly sums: summed nightly, equal to the live measure over the
same whole months, summed again only when a run changed a month."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import CreatorFactory
from rewards import fairness
from rewards.models import (
    CreatorFairnessMonth,
    DayTally,
    EarningRule,
    EntryKind,
    FairnessMonth,
    Metric,
    PointsAccount,
    PointsEntry,
    RecalcRun,
    RecalcState,
)

pytestmark = pytest.mark.django_db

SEPTEMBER, OCTOBER, NOVEMBER = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)


@pytest.fixture
def activity() -> list:
    """Two creators tallied in September and October (views and likes, paid in the ledger,
    one correction), and one only in October."""
    views = EarningRule.objects.create(
        metric=Metric.QUALIFIED_VIEWS, valid_from=date(2026, 8, 1), unit_size=1000,
        points_per_unit=2, daily_cap=500,
    )  # fmt: skip
    likes = EarningRule.objects.create(
        metric=Metric.LIKES, valid_from=date(2026, 8, 1), unit_size=10, points_per_unit=1
    )
    creators = [CreatorFactory(followers=f) for f in (800, 250_000, 5_000)]

    def day(creator: object, when: date, rule: EarningRule, measured: int, paid: int) -> None:
        DayTally.objects.create(
            day=when, creator=creator, metric=rule.metric, rule=rule, measured=measured,
            points=paid,
        )  # fmt: skip
        account, _ = PointsAccount.objects.get_or_create(creator=creator)
        if not paid:
            return
        PointsEntry.objects.create(
            account=account, amount=paid, kind=EntryKind.EARNED, metric=rule.metric, rule=rule,
            activity_date=when, measured=measured,
            idempotency_key=f"t:{creator.pk}:{when}:{rule.metric}",
        )  # fmt: skip

    small, large, late = creators
    day(small, date(2026, 9, 5), views, 2_000, 4)
    day(small, date(2026, 10, 31), likes, 55, 5)
    day(large, date(2026, 9, 30), views, 1_000_000, 500)
    day(large, date(2026, 10, 1), likes, 900, 90)
    day(late, date(2026, 10, 15), views, 0, 0)
    PointsEntry.objects.create(
        account=PointsAccount.objects.get(creator=large), amount=-10,
        kind=EntryKind.CORRECTION, metric=Metric.LIKES, rule=likes,
        activity_date=date(2026, 10, 1), idempotency_key="correction",
    )  # fmt: skip
    return creators


def test_whole_months_read_from_their_sums_equal_the_live_measure(activity: list) -> None:
    summed = fairness.refresh_months(today=date(2026, 11, 20))

    assert summed == [SEPTEMBER, OCTOBER, NOVEMBER]
    from_sums = fairness.per_creator_months([SEPTEMBER, OCTOBER])
    live = fairness.per_creator(SEPTEMBER, date(2026, 10, 31))
    # The amounts are exact in binary floating point, so the rows compare exactly.
    assert from_sums.creators == live
    assert [c.points for c in from_sums.creators] == [4 + 5, 500 + 90 - 10, 0]
    assert from_sums.days_measured == fairness.days_measured(SEPTEMBER, date(2026, 10, 31)) == 5
    october = fairness.per_creator_months([OCTOBER])
    assert [c.creator_id for c in october.creators] == [c.pk for c in activity]
    assert fairness.per_creator_months([date(2026, 7, 1)]) is None  # never summed


def test_a_month_is_summed_again_only_when_a_run_for_its_days_finished_since(
    activity: list,
) -> None:
    fairness.refresh_months(today=date(2026, 11, 20))
    assert fairness.refresh_months(today=date(2026, 11, 20)) == []

    # A rerun of 1 October (a dismissed flag, say) pays the large creator 7 more likes points.
    run = RecalcRun.objects.create(day=date(2026, 10, 1), state=RecalcState.POSTING)
    assert fairness.stale_months([SEPTEMBER, OCTOBER]) == [OCTOBER]  # still posting
    PointsEntry.objects.create(
        account=PointsAccount.objects.get(creator=activity[1]), amount=7,
        kind=EntryKind.CORRECTION, metric=Metric.LIKES, activity_date=date(2026, 10, 1),
        idempotency_key="rerun", run=run,
    )  # fmt: skip
    RecalcRun.objects.filter(pk=run.pk).update(
        state=RecalcState.DONE, finished_at=timezone.now() + timedelta(seconds=1)
    )

    assert fairness.refresh_months(today=date(2026, 11, 20)) == [OCTOBER]
    october = fairness.per_creator_months([OCTOBER])
    assert [c.points for c in october.creators] == [5, 90 - 10 + 7, 0]
    assert FairnessMonth.objects.get(month=OCTOBER).days_tallied == 3
    assert CreatorFairnessMonth.objects.filter(month__month=OCTOBER).count() == 3


def test_nothing_tallied_sums_nothing() -> None:
    assert fairness.refresh_months(today=date(2026, 11, 20)) == []
    assert not FairnessMonth.objects.exists()


@pytest.mark.parametrize(
    ("first", "last", "months"),
    [
        (date(2026, 9, 1), date(2026, 10, 31), [SEPTEMBER, OCTOBER]),
        (date(2026, 2, 1), date(2026, 2, 28), [date(2026, 2, 1)]),
        # This month to yesterday (today: 20 November): its days to come have no tallies.
        (date(2026, 11, 1), date(2026, 11, 19), [NOVEMBER]),
        (date(2026, 9, 2), date(2026, 10, 31), None),
        (date(2026, 9, 1), date(2026, 10, 30), None),
    ],
)
def test_which_periods_are_whole_months(
    first: date, last: date, months: list | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fairness, "rewards_today", lambda: date(2026, 11, 20))
    assert fairness.months_of(first, last) == months


def test_sums_say_when_they_were_made(activity: list) -> None:
    before = timezone.now()
    fairness.refresh_months(today=date(2026, 11, 20))
    summed = fairness.per_creator_months([SEPTEMBER, OCTOBER])
    assert isinstance(summed.computed_at, datetime)
    assert summed.computed_at >= before


def test_a_run_that_died_stops_counting_once_its_month_is_summed_again(activity: list) -> None:
    silent = timezone.now() - timedelta(hours=1)
    RecalcRun.objects.create(
        day=date(2026, 10, 1), state=RecalcState.POSTING, started_at=silent, heartbeat_at=silent
    )
    FairnessMonth.objects.all().delete()
    assert OCTOBER in fairness.refresh_months(today=date(2026, 11, 20))
    assert fairness.refresh_months(today=date(2026, 11, 20)) == []
    assert fairness.run_in_progress() is False  # silent: presumed dead


def test_tallies_backfilled_before_the_first_summed_month_are_not_read_as_nothing(
    activity: list,
) -> None:
    fairness.refresh_months(today=date(2026, 11, 20))
    assert fairness.per_creator_months([date(2026, 8, 1), SEPTEMBER]) is not None
    rule = EarningRule.objects.filter(metric=Metric.LIKES).latest("valid_from")
    DayTally.objects.create(
        day=date(2026, 8, 20), creator=activity[0], metric=Metric.LIKES, rule=rule, measured=9
    )
    # August has tallies now but no sums yet: the live measure answers until the refresh.
    assert fairness.per_creator_months([date(2026, 8, 1), SEPTEMBER]) is None
    fairness.refresh_months(today=date(2026, 11, 20))
    assert len(fairness.per_creator_months([date(2026, 8, 1), SEPTEMBER]).creators) == 2
