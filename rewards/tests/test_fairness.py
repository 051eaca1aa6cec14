"""The fairness measure (rewards.fairness): its arithmetic on known numbers, and a period of
ledger and tallies whose every figure is known."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.tests.factories import CreatorFactory
from rewards import fairness
from rewards.models import DayTally, EarningRule, EntryKind, Metric, PointsAccount, PointsEntry


def test_equal_points_are_perfectly_equal() -> None:
    c = fairness.concentration([5, 5, 5, 5])
    assert c.gini == pytest.approx(0)
    assert c.top_1_percent_share == pytest.approx(0.25)  # one creator of four
    assert c.top_10_percent_share == pytest.approx(0.25)


def test_one_earner_among_many_is_as_unequal_as_it_gets() -> None:
    c = fairness.concentration([0] * 99 + [100])
    assert c.gini == pytest.approx(0.99)  # (n - 1) / n
    assert c.top_1_percent_share == pytest.approx(1)


def test_the_top_ten_percent_of_twenty_is_two_creators() -> None:
    c = fairness.concentration([10, 6] + [1] * 18)
    assert c.top_10_percent_share == pytest.approx(16 / 34)
    assert c.top_1_percent_share == pytest.approx(10 / 34)


def test_nothing_earned_is_no_concentration() -> None:
    assert fairness.concentration([]).gini == 0
    assert fairness.concentration([0, 0]).top_1_percent_share == 0


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=200))
def test_shares_and_gini_stay_in_bounds_and_ignore_order(points: list[int]) -> None:
    c = fairness.concentration(points)
    again = fairness.concentration(list(reversed(points)))
    assert c == again
    assert 0 <= c.gini < 1
    assert 0 <= c.top_1_percent_share <= c.top_10_percent_share <= 1 + 1e-9


@pytest.mark.django_db
def test_a_period_is_measured_from_the_ledger_and_the_tallies() -> None:
    first, last = date(2026, 10, 1), date(2026, 10, 31)
    views_rule = EarningRule.objects.create(
        metric=Metric.QUALIFIED_VIEWS,
        valid_from=date(2026, 9, 1),
        unit_size=1000,
        points_per_unit=2,
        daily_cap=500,
    )
    small = CreatorFactory(followers=800)
    large = CreatorFactory(followers=500_000)
    idle = CreatorFactory(followers=5_000)

    def day(creator: object, when: date, views: int, points: int) -> None:
        DayTally.objects.create(
            day=when,
            creator=creator,
            metric=Metric.QUALIFIED_VIEWS,
            rule=views_rule,
            measured=views,
            points=points,
        )
        if points:
            account, _ = PointsAccount.objects.get_or_create(creator=creator)
            PointsEntry.objects.create(
                account=account,
                amount=points,
                kind=EntryKind.EARNED,
                metric=Metric.QUALIFIED_VIEWS,
                rule=views_rule,
                activity_date=when,
                measured=views,
                idempotency_key=f"t:{creator.pk}:{when}",
            )

    # The small creator: 500 views on two days, paid 2 points once the carry makes 1,000.
    day(small, date(2026, 10, 5), 500, 0)
    day(small, date(2026, 10, 6), 500, 2)
    # The large creator: a million views in a day, capped at 500 points (linear: 2,000).
    day(large, date(2026, 10, 5), 1_000_000, 500)
    # Active but earning nothing: counts as a creator with no points.
    day(idle, date(2026, 10, 7), 0, 0)
    # Outside the period: not counted.
    day(large, date(2026, 11, 1), 1_000_000, 500)
    # Points of a day the recalculation never tallied (paid before tallies existed): left
    # out, since the activity side cannot see that day.
    account = PointsAccount.objects.get(creator=large)
    PointsEntry.objects.create(
        account=account,
        amount=300,
        kind=EntryKind.EARNED,
        metric=Metric.QUALIFIED_VIEWS,
        rule=views_rule,
        activity_date=date(2026, 10, 20),
        idempotency_key="untallied",
    )

    result = fairness.measure(first, last)

    assert result.creators == 3
    assert result.days_measured == 3  # 5, 6 and 7 October
    assert result.rules.total == 502
    assert result.linear.total == pytest.approx(2_002)
    assert result.rules.top_1_percent_share == pytest.approx(500 / 502)
    assert result.linear.top_1_percent_share == pytest.approx(2_000 / 2_002)
    assert result.small.per_1000_views == pytest.approx(2)  # 2 points for 1,000 views
    assert result.large.per_1000_views == pytest.approx(0.5)  # 500 points for 1,000,000
    assert result.large.linear_per_1000_views == pytest.approx(2)
    assert result.small_earn_at_least_as_much is True
    assert [b.creators for b in result.bands] == [1, 1, 0, 1, 0]
    document = result.as_dict()
    assert document["creators"] == 3
    assert document["under_10k_vs_over_100k"][0]["points_per_1000_views"] == 2
