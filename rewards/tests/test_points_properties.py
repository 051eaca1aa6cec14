"""Rule arithmetic, property by property, against the SQL the recalculation runs."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rewards import points
from rewards.models import EarningRule, Metric

pytestmark = pytest.mark.django_db
SQL_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

rules = st.builds(
    EarningRule,
    metric=st.just(Metric.QUALIFIED_VIEWS),
    unit_size=st.integers(1, 5_000),
    points_per_unit=st.integers(0, 50),
    daily_cap=st.none() | st.integers(0, 10_000),
    taper_above=st.none() | st.integers(0, 5_000),
    taper_percent=st.integers(0, 100),
)
amounts = st.integers(0, 10**9)


def reference(rule: EarningRule, measured: int) -> int:
    """The rule as the help text states it, written plainly."""
    raw = (measured // rule.unit_size) * rule.points_per_unit
    if rule.taper_above is not None and raw > rule.taper_above:
        raw = rule.taper_above + (raw - rule.taper_above) * rule.taper_percent // 100
    return raw if rule.daily_cap is None else min(raw, rule.daily_cap)


@SQL_SETTINGS
@given(rule=rules, measured=amounts)
def test_the_sql_gives_what_the_rule_says(rule: EarningRule, measured: int) -> None:
    b = points.breakdown(rule, measured)
    assert b.points == reference(rule, measured)
    assert 0 <= b.points <= b.tapered <= b.raw
    if rule.daily_cap is not None:
        assert b.points <= rule.daily_cap


@SQL_SETTINGS
@given(rule=rules, a=amounts, b=amounts)
def test_more_activity_never_earns_fewer_points(rule: EarningRule, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert points.breakdown(rule, low).points <= points.breakdown(rule, high).points


@SQL_SETTINGS
@given(rule=rules, measured=amounts)
def test_less_than_one_unit_earns_nothing(rule: EarningRule, measured: int) -> None:
    assert points.breakdown(rule, measured % rule.unit_size).points == 0


@SQL_SETTINGS
@given(items=st.lists(st.tuples(rules, amounts), min_size=1, max_size=12))
def test_batched_breakdowns_match_one_by_one(items: list[tuple[EarningRule, int]]) -> None:
    for i, (rule, _) in enumerate(items):
        rule.pk = i + 1  # batches join on the rule id
    assert [b.points for b in points.breakdowns(items)] == [
        points.breakdown(rule, measured).points for rule, measured in items
    ]
