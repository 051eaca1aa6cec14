"""The fairness report's figures on known numbers: Gini, top shares and Lorenz points of known
distributions, the split by band and tier, the cash the program paid, and the what-if
replaying the recalculation's arithmetic over real tallies without posting anything."""

import datetime as dt

import pytest

from accounts.tests.factories import CreatorFactory
from activity.tests.factories import VideoDayFactory, VideoFactory
from core.clock import rewards_today
from reports import fairness_report
from rewards import fairness, points, recalculation, services
from rewards.models import (
    CreatorTier,
    DayTally,
    EarningRule,
    EntryKind,
    Metric,
    PointsAccount,
    PointsEntry,
    ProgramStatement,
    RecalcLine,
    RecalcRun,
    Tier,
)


def test_lorenz_of_equal_shares_is_the_diagonal() -> None:
    assert fairness.lorenz([5, 5, 5, 5], steps=4) == [
        (0.0, 0.0),
        (0.25, 0.25),
        (0.5, 0.5),
        (0.75, 0.75),
        (1.0, 1.0),
    ]


def test_lorenz_gini_and_top_shares_of_a_known_distribution() -> None:
    values = [0, 100, 300]
    # Poorest first: a third holds nothing, two thirds hold 100 of 400.
    assert fairness.lorenz(values, steps=3) == [(0.0, 0.0), (1 / 3, 0.0), (2 / 3, 0.25), (1, 1)]
    c = fairness.concentration(values)
    # sum((2i - n - 1) x_i) / (n sum x) = (-2·0 + 0·100 + 2·300) / (3·400)
    assert c.gini == pytest.approx(0.5)
    assert c.top_1_percent_share == pytest.approx(0.75)  # the top creator of three
    assert c.top_10_percent_share == pytest.approx(0.75)


def test_lorenz_of_nothing_earned_reads_as_equality() -> None:
    assert fairness.lorenz([0, 0], steps=2) == [(0, 0), (0.5, 0.5), (1, 1)]
    assert fairness.lorenz([], steps=2) == [(0, 0), (0.5, 0.5), (1, 1)]


def test_lorenz_chart_places_curves_in_the_square_and_tabulates_the_quarters() -> None:
    from core import charts

    chart = charts.lorenz_chart("t", [("Paid", fairness.lorenz([0, 0, 0, 4], steps=4))])
    left, bottom, span = (
        charts.LORENZ_LEFT,
        charts.LORENZ_TOP + charts.LORENZ_SPAN,
        charts.LORENZ_SPAN,
    )
    first, *_, last = chart.curves[0].points.split()
    assert first == f"{left},{bottom}" or first == f"{float(left)},{float(bottom)}"
    assert last == f"{float(left + span)},{float(bottom - span)}"
    assert chart.rows == (
        ("25% of creators", ("0.0%",)),
        ("50% of creators", ("0.0%",)),
        ("75% of creators", ("0.0%",)),
    )
    assert charts.lorenz_chart("t", []).is_empty


# A period whose every figure is known: three creators, a tier, a band each.
FIRST, LAST = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


def _day(creator: object, day: dt.date, rule: EarningRule, views: int, paid: int) -> None:
    DayTally.objects.create(
        day=day,
        creator=creator,
        metric=rule.metric,
        rule=rule,
        measured=views,
        points=paid,
    )
    if paid:
        account, _ = PointsAccount.objects.get_or_create(creator=creator)
        PointsEntry.objects.create(
            account=account,
            amount=paid,
            kind=EntryKind.EARNED,
            metric=rule.metric,
            rule=rule,
            activity_date=day,
            measured=views,
            idempotency_key=f"t:{creator.pk}:{day}:{rule.metric}",
        )


@pytest.fixture
def known_period(db: None) -> dict:
    rule = EarningRule.objects.create(
        metric=Metric.SHARES, valid_from=dt.date(2026, 9, 1), unit_size=1, points_per_unit=1
    )
    gold = Tier.objects.create(name="Test gold", min_points_90d=10**8)
    idle = CreatorFactory(followers=500)
    mid = CreatorFactory(followers=5_000)
    top = CreatorFactory(followers=2_000_000)
    CreatorTier.objects.create(creator=top, tier=gold, earned_90d=300)
    _day(idle, dt.date(2026, 10, 3), rule, 0, 0)
    _day(mid, dt.date(2026, 10, 3), rule, 100, 100)
    # The top creator's shares were capped at 300 points; the linear rule pays 500.
    _day(top, dt.date(2026, 10, 4), rule, 500, 300)
    return {"idle": idle, "mid": mid, "top": top, "gold": gold}


def test_report_gives_the_known_concentration_beside_the_linear_rule(known_period: dict) -> None:
    result = fairness_report.report(FIRST, LAST)

    assert result.days_measured == 2
    assert result.points.creators == 3
    paid, linear = result.points.sides
    assert (paid.total, paid.gini, paid.top_1, paid.top_10) == ("400", "0.500", "75.0%", "75.0%")
    # Linear: 0, 100, 500 of 600: (2·500 - 0) / (3·600) = 0.556.
    assert (linear.total, linear.gini, linear.top_1) == ("600", "0.556", "83.3%")
    bands = {row[0]: row for row in result.points.by_band}
    assert bands["under 1,000"][1:4] == ["1", "0 (0.0%)", "0 (0.0%)"]
    assert bands["1,000 to 9,999"][1:4] == ["1", "100 (25.0%)", "100 (16.7%)"]
    assert bands["1,000,000 and more"][1:4] == ["1", "300 (75.0%)", "500 (83.3%)"]
    tiers = {row[0]: row for row in result.points.by_tier}
    assert tiers["Test gold"][1:3] == ["1", "300 (75.0%)"]
    assert tiers[fairness.NO_TIER][1:3] == ["2", "100 (25.0%)"]
    # The Lorenz curve of what was paid: the poorest third hold nothing.
    assert result.points.chart.rows[0] == ("25% of creators", ("0.0%", "0.0%"))


def test_cash_is_what_the_program_credited_in_the_period(known_period: dict) -> None:
    closed = dt.datetime(2026, 10, 2, 9, tzinfo=dt.UTC)
    for creator, credited in ((known_period["mid"], 1_000), (known_period["top"], 9_000)):
        ProgramStatement.objects.create(
            creator=creator,
            month=dt.date(2026, 9, 1),
            currency="USD",
            total_minor=credited,
            credited_minor=credited,
            closed_at=closed,
        )
    # Closed after the period: not counted.
    ProgramStatement.objects.create(
        creator=known_period["idle"],
        month=dt.date(2026, 10, 1),
        currency="USD",
        total_minor=50,
        credited_minor=50,
        closed_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
    )

    result = fairness_report.report(FIRST, LAST)

    (cash,) = result.cash
    assert cash.currency == "USD"
    assert cash.comparison.creators == 2
    paid = cash.comparison.sides[0]
    assert paid.total == "100.00 USD"
    assert paid.top_1 == "90.0%"
    assert paid.gini == "0.400"  # (−1·1,000 + 1·9,000) / (2·10,000)


# The what-if over real tallies: the nightly run over a few days, then replayed.
DAYS = [dt.date(2026, 10, 26) + dt.timedelta(days=i) for i in range(10)]  # 26 Oct to 4 Nov


@pytest.fixture
def recalculated(db: None) -> dict:
    """Two creators' videos over days that cross a month, run through the real nightly
    recalculation in order (each day carries into the next)."""
    small, large = VideoFactory(creator__followers=800), VideoFactory(creator__followers=300_000)
    for i, day in enumerate(DAYS):
        VideoDayFactory(
            video=small, day=day, views=300 + 40 * i, views_5s=300 + 40 * i, likes=17, comments=2
        )
        VideoDayFactory(
            video=large, day=day, views=90_000 * (i + 1), views_5s=80_000 * (i + 1), likes=3_000
        )
    for day in DAYS:
        run = recalculation.recalculate_day_in_process(day=day)
        assert run.state == "done"
    return {"small": small.creator, "large": large.creator}


def _ledger(creator: object, first: dt.date, last: dt.date) -> int:
    return sum(
        PointsEntry.objects.filter(
            account_id=creator.pk, activity_date__range=(first, last)
        ).values_list("amount", flat=True)
    )


def test_replaying_the_rules_in_force_gives_what_the_ledger_holds(recalculated: dict) -> None:
    # From the 28th: what the 27th carried in counts, and 1 November starts afresh.
    first, last = DAYS[2], DAYS[-1]
    rules = list(points.rules_in_force(first).values())
    assert list(points.rules_in_force(last).values()) == rules  # one version all along

    replayed = fairness.replay(first, last, rules)

    for creator in recalculated.values():
        assert replayed.by_creator[creator.pk] == _ledger(creator, first, last) > 0
    assert replayed.by_metric == fairness.paid_by_metric(first, last)


def test_a_lower_cap_moves_the_totals_as_worked_out_by_hand(recalculated: dict) -> None:
    first, last = DAYS[2], DAYS[-1]
    rules = list(points.rules_in_force(first).values())
    views = next(r for r in rules if r.metric == Metric.QUALIFIED_VIEWS)
    draft = EarningRule(
        metric=Metric.QUALIFIED_VIEWS,
        unit_size=views.unit_size,
        points_per_unit=views.points_per_unit,
        taper_above=None,
        taper_percent=100,
        daily_cap=1,
    )
    replayed = fairness.replay(
        first, last, [draft if r.metric == Metric.QUALIFIED_VIEWS else r for r in rules]
    )

    # By hand, from the tallies: at most 1 point a day, paid on the days that reach a unit.
    tallies = DayTally.objects.filter(day__range=(first, last), metric=Metric.QUALIFIED_VIEWS)
    expected = 0
    for creator in recalculated.values():
        carried = tallies.get(creator=creator, day=first).carried_in
        mine = 0
        for t in tallies.filter(creator=creator).order_by("day"):
            if points.period_start(t.day) == t.day:
                carried = 0
            total = carried + t.measured
            mine += min(1, (total // views.unit_size) * views.points_per_unit)
            carried = total % views.unit_size
        expected += mine
    assert replayed.by_metric[Metric.QUALIFIED_VIEWS] == expected
    paid = fairness.paid_by_metric(first, last)
    assert paid[Metric.QUALIFIED_VIEWS] > expected  # the cap bites
    others = [m for m in Metric.values if m != Metric.QUALIFIED_VIEWS]
    assert [replayed.by_metric[m] for m in others] == [paid[m] for m in others]


def test_the_what_if_posts_nothing(recalculated: dict) -> None:
    counts = [
        model.objects.count()
        for model in (PointsEntry, RecalcRun, RecalcLine, DayTally, EarningRule)
    ]
    rules = list(points.rules_in_force(DAYS[0]).values())
    result = fairness_report.what_if(DAYS[0], DAYS[-1], rules)
    assert result.total_paid == result.total_draft
    assert counts == [
        model.objects.count()
        for model in (PointsEntry, RecalcRun, RecalcLine, DayTally, EarningRule)
    ]


@pytest.mark.django_db
def test_saving_a_draft_creates_the_next_version_and_leaves_the_others() -> None:
    valid_from = rewards_today() + dt.timedelta(days=40)
    before = list(EarningRule.objects.values_list("pk", "metric", "valid_from", "daily_cap"))
    in_force = fairness_report.rewards_selectors.rule_versions_on(valid_from)
    likes = in_force[Metric.LIKES]
    draft = EarningRule(
        metric=Metric.LIKES,
        is_active=True,
        unit_size=likes.unit_size,
        points_per_unit=likes.points_per_unit,
        taper_above=likes.taper_above,
        taper_percent=likes.taper_percent,
        daily_cap=7,
    )
    unchanged = [r for m, r in in_force.items() if r is not None and m != Metric.LIKES]

    (saved,) = services.save_rule_version(drafts=[draft, *unchanged], valid_from=valid_from)

    assert (saved.metric, saved.valid_from, saved.daily_cap) == (Metric.LIKES, valid_from, 7)
    assert (
        list(
            EarningRule.objects.exclude(pk=saved.pk).values_list(
                "pk", "metric", "valid_from", "daily_cap"
            )
        )
        == before
    )
    with pytest.raises(services.RuleVersionError, match="already has a version"):
        draft.daily_cap = 8
        services.save_rule_version(drafts=[draft], valid_from=valid_from)


@pytest.mark.django_db
@pytest.mark.parametrize("days", [-1, 0])
def test_a_version_cannot_start_today_or_before(days: int) -> None:
    draft = EarningRule(metric=Metric.LIKES, unit_size=1, points_per_unit=9)
    with pytest.raises(services.RuleVersionError, match="after today"):
        services.save_rule_version(
            drafts=[draft], valid_from=rewards_today() + dt.timedelta(days=days)
        )
    assert not EarningRule.objects.filter(points_per_unit=9).exists()


@pytest.mark.django_db
def test_a_draft_that_changes_nothing_is_not_saved() -> None:
    day = rewards_today() + dt.timedelta(days=60)
    same = [r for r in fairness_report.rewards_selectors.rule_versions_on(day).values() if r]
    drafts = [
        EarningRule(metric=r.metric, **{t: getattr(r, t) for t in services.selectors.RULE_TERMS})
        for r in same
    ]
    with pytest.raises(services.RuleVersionError, match="nothing to save"):
        services.save_rule_version(drafts=drafts, valid_from=day)
