"""The fairness report: how the points earned and the cash paid in a period are shared out,
beside what a linear rule would share, and the rules' what-if.

The measure is rewards.fairness's (the `rules_fairness` command's): this module reads it
through its functions and lays it out for the page, every figure as text the template shows.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar

from django.core.cache import cache

from core.charts import LorenzChart, lorenz_chart
from core.clock import rewards_today
from core.money import format_minor
from core.regions import region_key
from rewards import fairness
from rewards import selectors as rewards_selectors
from rewards.fairness import Concentration
from rewards.models import EarningRule, Metric, Tier

M = TypeVar("M", bound=fairness.Member)


def percent(share: float) -> str:
    return f"{share:.1%}"


def change(before: float, after: float) -> str:
    """The change from `before` to `after` in percent, "new" from nothing."""
    if not before:
        return "—" if not after else "new"
    return f"{(after - before) / before:+.1%}"


@dataclass(frozen=True)
class Figures:
    """One side's distribution as the page shows it."""

    name: str
    total: str
    gini: str
    top_1: str
    top_10: str


def figures(name: str, c: Concentration, amount: Callable[[float], str]) -> Figures:
    return Figures(
        name,
        amount(c.total),
        f"{c.gini:.3f}",
        percent(c.top_1_percent_share),
        percent(c.top_10_percent_share),
    )


@dataclass(frozen=True)
class Comparison(Generic[M]):
    """One distribution beside another (the rules beside the linear rule, or the ledger beside
    a draft): overall, as Lorenz curves, and by follower band and by tier."""

    creators: int
    sides: tuple[Figures, Figures]
    chart: LorenzChart
    headers: list[str]
    by_band: list[list[str]]
    by_tier: list[list[str]]


def compare(
    title: str,
    members: Sequence[M],
    sides: tuple[tuple[str, Callable[[M], float]], tuple[str, Callable[[M], float]]],
    tiers: Sequence[Tier],
    amount: Callable[[float], str],
) -> Comparison[M]:
    """Set two measures of the same `members` side by side (rewards.fairness's concentration
    and Lorenz curve, per band and per tier too)."""
    (a_name, a), (b_name, b) = sides
    a_all = fairness.concentration([a(m) for m in members])
    b_all = fairness.concentration([b(m) for m in members])

    def rows(groups: list[tuple[str, list[M]]]) -> list[list[str]]:
        table = []
        for label, group in groups:
            ga = fairness.concentration([a(m) for m in group])
            gb = fairness.concentration([b(m) for m in group])
            table.append(
                [
                    label,
                    f"{len(group):,}",
                    f"{amount(ga.total)} ({percent(ga.total / a_all.total if a_all.total else 0)})",
                    f"{amount(gb.total)} ({percent(gb.total / b_all.total if b_all.total else 0)})",
                    f"{ga.gini:.3f} / {gb.gini:.3f}",
                    f"{percent(ga.top_10_percent_share)} / {percent(gb.top_10_percent_share)}",
                ]
            )
        return table

    chart = lorenz_chart(
        title,
        [
            (a_name, fairness.lorenz([a(m) for m in members])),
            (b_name, fairness.lorenz([b(m) for m in members])),
        ]
        if members
        else [],
    )
    return Comparison(
        creators=len(members),
        sides=(figures(a_name, a_all, amount), figures(b_name, b_all, amount)),
        chart=chart,
        headers=[
            "Group",
            "Creators",
            f"{a_name} (share)",
            f"{b_name} (share)",
            "Gini",
            "Top 10 % share",
        ],
        by_band=rows(fairness.by_band(members)),
        by_tier=rows(fairness.by_tier(members, tiers)),
    )


def points_amount(value: float) -> str:
    return f"{round(value):,}"


@dataclass(frozen=True)
class CashComparison:
    currency: str
    comparison: Comparison[rewards_selectors.CreatorCash]


@dataclass(frozen=True)
class FairnessReport:
    first: date
    last: date
    days_measured: int
    points: Comparison[fairness.CreatorPoints]
    cash: list[CashComparison]
    # When the whole months' nightly sums were summed (None: computed from the day's data).
    summed_at: datetime | None = None

    @property
    def days_in_period(self) -> int:
        return (self.last - self.first).days + 1


# A period's distributions are sums over every creator's tallies and ledger entries in it:
# over 100,000 creators, seconds of work (the database's and Python's), where the page has
# 1 s. They change only when a recalculation run posts points (corrections included) or a
# day passes (statements close, tiers move at night), so each period's report is kept under
# that version: the nightly warm-up (`warm`) computes the default period's, and any other
# period costs its full price once, then nothing until the next run.
REPORT_SECONDS = 26 * 60 * 60


def runs_version() -> str:
    """What a period's report depends on besides the period: the latest recalculation run
    (a new one, or one finishing, posts points) and the rewards day (one query)."""
    return f"{rewards_today().isoformat()}:{fairness.runs_stamp()}"


def report(first: date, last: date) -> FairnessReport:
    """The distributions of points and cash over `first`..`last`: computed once per version
    of the ledger (`runs_version`), then read from the cache (one query when cached)."""
    key = region_key("reports:fairness", first.isoformat(), last.isoformat(), runs_version())
    found = cache.get(key)
    if found is None:
        found = compute(first, last)
        cache.set(key, found, REPORT_SECONDS)
    return found


def warm(periods: Sequence[tuple[date, date]], what_if_days: tuple[date, date]) -> None:
    """Compute and keep the report for each of `periods` (the page's one-click periods) and
    the ledger's side of the what-if over `what_if_days`: the scheduled tasks' step after a
    recalculation (reports.tasks). A few queries each when they are kept already."""
    for first, last in periods:
        report(first, last)
    fairness.ledger_for_what_if(*what_if_days)


def compute(first: date, last: date) -> FairnessReport:
    """The distributions of points and cash over `first`..`last`: for whole months, from
    their nightly sums (rewards.fairness.per_creator_months, as of their summing); for any
    other period, or months not summed yet, from the tallies and the ledger (seconds over
    100,000 creators)."""
    tiers = rewards_selectors.tiers()
    months = fairness.months_of(first, last)
    summed = fairness.per_creator_months(months) if months else None
    if summed is not None:
        creators, days, as_of = summed.creators, summed.days_measured, summed.computed_at
    else:
        creators, days, as_of = fairness.per_creator(first, last), None, None
    points = compare(
        "Lorenz curve of points earned",
        creators,
        (("Points paid", lambda c: c.points), ("Linear rule", lambda c: c.linear_points)),
        tiers,
        points_amount,
    )
    by_currency: dict[str, list[rewards_selectors.CreatorCash]] = {}
    for row in rewards_selectors.program_cash(first, last):
        by_currency.setdefault(row.currency, []).append(row)
    cash = []
    for currency, rows in sorted(by_currency.items()):

        def money(value: float, currency: str = currency) -> str:
            return format_minor(round(value), currency)

        cash.append(
            CashComparison(
                currency,
                compare(
                    f"Lorenz curve of cash paid ({currency})",
                    rows,
                    (("Cash paid", lambda c: c.paid_minor), ("Flat rate", lambda c: c.flat_minor)),
                    tiers,
                    money,
                ),
            )
        )
    if days is None:
        days = fairness.days_measured(first, last)
    return FairnessReport(first, last, days, points, cash, as_of)


@dataclass(frozen=True)
class MetricTotal:
    label: str
    paid: str
    draft: str
    change: str
    rule_changed: bool


@dataclass(frozen=True)
class WhatIf:
    """The draft rules' points over the last days beside what the ledger holds for them."""

    first: date
    last: date
    days_measured: int
    metrics: list[MetricTotal]
    total_paid: str
    total_draft: str
    total_change: str
    comparison: Comparison[fairness.CreatorDraft]
    notes: list[str] = field(default_factory=list)


def what_if(first: date, last: date, drafts: Sequence[EarningRule]) -> WhatIf:
    """What `drafts` (one unsaved rule per metric) would have given over `first`..`last`,
    computed by the recalculation's own SQL over its tallies without writing anything, beside
    what the ledger holds for those days (seven queries: the rule versions, then
    rewards.fairness.draft_beside_ledger's five, the tiers)."""
    versions = fairness.rule_versions_during(first, last)
    in_force = {metric: during[-1] for metric, during in versions.items()}
    found = fairness.draft_beside_ledger(first, last, drafts, versions)
    paid, drafted = found.paid_by_metric, found.draft_by_metric
    labels = dict(Metric.choices)
    changed = {d.metric for d in drafts if not rewards_selectors.same_terms(d, in_force[d.metric])}
    metrics = [
        MetricTotal(
            labels[metric],
            points_amount(paid[metric]),
            points_amount(drafted[metric]),
            change(paid[metric], drafted[metric]),
            metric in changed,
        )
        for metric in Metric.values
        if paid[metric] or drafted[metric] or metric in changed
    ]
    total_paid = sum(paid.values())
    total_draft = sum(drafted.values())
    comparison = compare(
        "Lorenz curve: ledger and draft",
        found.creators,
        (("Ledger", lambda c: c.paid), ("Draft", lambda c: c.draft)),
        rewards_selectors.tiers(),
        points_amount,
    )
    days_measured = found.days_measured
    notes = []
    days = (last - first).days + 1
    if days_measured < days:
        notes.append(
            f"The nightly run tallied {days_measured} of these {days} days; the figures cover "
            "those days only."
        )
    if any(len(during) > 1 for during in versions.values()):
        notes.append(
            "The rules changed during these days: the ledger paid each day by the version in "
            "force then, while the draft applies to every day."
        )
    switched_on = [
        labels[d.metric]
        for d in drafts
        if d.is_active
        and not (in_force[d.metric] and in_force[d.metric].is_active)
        and not drafted[d.metric]
    ]
    if switched_on:
        notes.append(
            "No activity was tallied for "
            + ", ".join(switched_on)
            + " in these days (the nightly run tallies only metrics with a rule in force), so "
            "the draft shows nothing for it."
        )
    return WhatIf(
        first,
        last,
        days_measured,
        metrics,
        points_amount(total_paid),
        points_amount(total_draft),
        change(total_paid, total_draft),
        comparison,
        notes,
    )
