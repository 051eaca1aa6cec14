"""What the creator's rewards dashboard shows, read in a fixed number of queries whatever
the length of the history (tests pin the count with 1 and 365 days of data)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, Sum
from django.urls import reverse

from accounts.models import CreatorProfile
from core import charts

from . import eligibility, expiry, selectors, tiers
from .models import Metric, PointsEntry

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
RECENT_ENTRIES = 8


class PeriodError(ValueError):
    """A chart period the dashboard does not offer; the message is safe to show."""


def parse_period(raw: str | None) -> int:
    if raw in (None, ""):
        return DEFAULT_PERIOD
    try:
        period = int(raw)
    except ValueError:
        period = 0
    if period not in PERIODS:
        raise PeriodError(
            f"Choose a period of {', '.join(str(p) for p in PERIODS[:-1])} or {PERIODS[-1]} days."
        )
    return period


@dataclass(frozen=True)
class SourceTotal:
    metric: str
    label: str
    points: int
    share: int  # percent of the period's points, for the bar beside it


@dataclass(frozen=True)
class PeriodPoints:
    """Points per day over the `days` days that end on `last`, and by source."""

    days: int
    first: date
    last: date
    per_day: list[tuple[date, int]]
    by_source: list[SourceTotal]

    @property
    def total(self) -> int:
        return sum(points for _, points in self.per_day)

    @property
    def best_day(self) -> tuple[date, int] | None:
        best = max(self.per_day, key=lambda item: item[1], default=None)
        return best if best and best[1] > 0 else None


def period_points(creator: CreatorProfile, *, days: int, last: date) -> PeriodPoints:
    """One query: points earned per (day, metric), folded into the chart and the sources."""
    first = last - timedelta(days=days - 1)
    rows = (
        PointsEntry.objects.for_creator(creator)
        .earned()
        .between(first, last)
        .values_list("activity_date", "metric")
        .annotate(points=Sum("amount"))
        .order_by()
    )
    by_day: dict[date, int] = defaultdict(int)
    by_metric: dict[str, int] = defaultdict(int)
    for day, metric, points in rows:
        by_day[day] += points
        by_metric[metric] += points
    total = sum(by_metric.values())
    labels = dict(Metric.choices)
    by_source = [
        SourceTotal(
            metric, labels.get(metric, metric), points, round(points * 100 / total) if total else 0
        )
        for metric, points in sorted(by_metric.items(), key=lambda item: -item[1])
        if points
    ]
    per_day = [(first + timedelta(days=i), by_day[first + timedelta(days=i)]) for i in range(days)]
    return PeriodPoints(days, first, last, per_day, by_source)


@dataclass(frozen=True)
class PointsPanel:
    """The dashboard's points panel: one period's chart and totals, and the periods offered."""

    points: PeriodPoints
    chart: charts.Chart
    periods: tuple[int, ...] = PERIODS


def points_panel(points: PeriodPoints) -> PointsPanel:
    """The panel of one period; each bar of its chart opens its day's drill-down."""
    days = [day for day, _ in points.per_day]
    chart = charts.bar_chart(
        f"Points per day, {points.first:%-d %b} to {points.last:%-d %b}",
        [(f"{day:%-d %b}", value) for day, value in points.per_day],
        hrefs=[reverse("rewards:day", kwargs={"day": day.isoformat()}) for day in days],
    )
    return PointsPanel(points, chart)


@dataclass(frozen=True)
class Dashboard:
    today: date
    balance: int
    this_month: int
    last_month: int
    last_month_start: date
    period: PeriodPoints
    recent: list[PointsEntry]
    expiring: list[expiry.Expiring]
    tier: tiers.TierProgress
    programs: list[eligibility.ProgramPath]

    @property
    def month_share_of_last(self) -> int:
        """This month so far, as a percentage of all of last month."""
        return round(self.this_month * 100 / self.last_month) if self.last_month > 0 else 0

    @property
    def expiring_total(self) -> int:
        return sum(e.points for e in self.expiring)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def dashboard(creator: CreatorProfile, *, today: date, period: int) -> Dashboard:
    """Everything the dashboard shows; points for a day arrive with the next night's run, so
    the chart ends yesterday."""
    this_month = _month_start(today)
    last_month = _month_start(this_month - timedelta(days=1))
    tier_first, _ = tiers.window(today)
    earned = (
        PointsEntry.objects.for_creator(creator)
        .earned()
        .between(min(last_month, tier_first), today)
        .aggregate(
            this_month=Sum("amount", filter=Q(activity_date__gte=this_month)),
            last_month=Sum(
                "amount",
                filter=Q(activity_date__range=(last_month, this_month - timedelta(days=1))),
            ),
            last_90=Sum("amount", filter=Q(activity_date__range=(tier_first, today))),
        )
    )
    recent = list(
        PointsEntry.objects.for_creator(creator)
        .select_related("rule")
        .order_by("-created_at", "-id")[:RECENT_ENTRIES]
    )
    return Dashboard(
        today=today,
        balance=selectors.balance_of(creator),
        this_month=earned["this_month"] or 0,
        last_month=earned["last_month"] or 0,
        last_month_start=last_month,
        period=period_points(creator, days=period, last=today - timedelta(days=1)),
        recent=recent,
        expiring=expiry.expiring_soon(creator, today),
        tier=tiers.progress(creator, today, earned["last_90"] or 0),
        programs=eligibility.program_paths(creator, today),
    )
