"""How fairly the earning rules share points out: the measure behind `rules_fairness` and the
staff reports.

Over a period, each creator's points under the rules in force (the ledger: what was paid)
are set beside what a *linear* rule would have paid for the same counted activity: every
metric at its rule's rate per unit (points_per_unit ÷ unit_size), no rounding to whole
units, no taper, no cap. The counted activity is the recalculation's day tallies
(`DayTally.measured`: after the authenticity pass's exclusions), so both sides see the
same views, likes and minutes.

For each side: the share of all points taken by the top 1 % and the top 10 % of creators,
the Gini coefficient (0: everyone earns the same; 1: one creator earns everything), and
engagement points (views, likes, comments, shares) per 1,000 qualified views by follower
band. The creators counted are those with a tally in the period (they were active), so a
creator who earned nothing still counts as earning nothing.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.db.models import Sum

from accounts.models import CreatorProfile

from .models import EARNING_KINDS, DayTally, Metric, PointsEntry

ENGAGEMENT_METRICS = (Metric.QUALIFIED_VIEWS, Metric.LIKES, Metric.COMMENTS, Metric.SHARES)
# (label, least followers, most followers); the promise compares the first two
# bands together (under 10,000) with the last two (over 100,000).
FOLLOWER_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under 1,000", 0, 999),
    ("1,000 to 9,999", 1_000, 9_999),
    ("10,000 to 99,999", 10_000, 99_999),
    ("100,000 to 999,999", 100_000, 999_999),
    ("1,000,000 and more", 1_000_000, None),
)
SMALL_BELOW = 10_000
LARGE_ABOVE = 100_000


@dataclass(frozen=True)
class Concentration:
    """How concentrated one side's points are."""

    total: float
    top_1_percent_share: float
    top_10_percent_share: float
    gini: float


@dataclass(frozen=True)
class Band:
    label: str
    creators: int
    qualified_views: int
    engagement_points: float
    linear_engagement_points: float

    @property
    def per_1000_views(self) -> float | None:
        if not self.qualified_views:
            return None
        return self.engagement_points * 1000 / self.qualified_views

    @property
    def linear_per_1000_views(self) -> float | None:
        if not self.qualified_views:
            return None
        return self.linear_engagement_points * 1000 / self.qualified_views


@dataclass(frozen=True)
class Fairness:
    first: date
    last: date
    days_measured: int  # days in first..last the recalculation tallied (the others are left out)
    creators: int
    rules: Concentration
    linear: Concentration
    bands: list[Band]
    small: Band  # every creator under SMALL_BELOW followers
    large: Band  # every creator over LARGE_ABOVE followers

    @property
    def top_1_percent_ratio(self) -> float | None:
        """The rules' top-1 % share over the linear rule's (at most 0.5 is the promise)."""
        if not self.linear.top_1_percent_share:
            return None
        return self.rules.top_1_percent_share / self.linear.top_1_percent_share

    @property
    def small_earn_at_least_as_much(self) -> bool | None:
        """Creators under 10,000 followers earn at least as many engagement points per 1,000
        views as creators over 100,000 (None when either side has no views)."""
        small, large = self.small.per_1000_views, self.large.per_1000_views
        if small is None or large is None:
            return None
        return small >= large

    def as_dict(self) -> dict:
        def side(c: Concentration) -> dict:
            return {
                "points": round(c.total),
                "top_1_percent_share": round(c.top_1_percent_share, 4),
                "top_10_percent_share": round(c.top_10_percent_share, 4),
                "gini": round(c.gini, 4),
            }

        def band(b: Band) -> dict:
            return {
                "band": b.label,
                "creators": b.creators,
                "qualified_views": b.qualified_views,
                "points_per_1000_views": _rounded(b.per_1000_views),
                "linear_points_per_1000_views": _rounded(b.linear_per_1000_views),
            }

        ratio = self.top_1_percent_ratio
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "days_in_period": (self.last - self.first).days + 1,
            "days_measured": self.days_measured,
            "creators": self.creators,
            "rules_in_force": side(self.rules),
            "linear_rule": side(self.linear),
            "top_1_percent_vs_linear": None if ratio is None else round(ratio, 3),
            "bands": [band(b) for b in self.bands],
            "under_10k_vs_over_100k": [band(self.small), band(self.large)],
            "small_earn_at_least_as_much": self.small_earn_at_least_as_much,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def concentration(points: Sequence[float]) -> Concentration:
    """Top shares and Gini of `points`, one value per creator (zeros count)."""
    ordered = sorted(points, reverse=True)
    n, total = len(ordered), float(sum(ordered))
    if not n or total <= 0:
        return Concentration(total, 0.0, 0.0, 0.0)

    def top_share(percent: int) -> float:
        # The top percent of creators, at least one: with 50 creators the top 1 % is one.
        return sum(ordered[: max(1, math.ceil(n * percent / 100))]) / total

    # Gini from the sorted values (ascending rank i = 1..n): sum((2i - n - 1) x_i) / (n sum x).
    ascending = ordered[::-1]
    gini = sum((2 * i - n - 1) * x for i, x in enumerate(ascending, start=1)) / (n * total)
    return Concentration(total, top_share(1), top_share(10), gini)


def measure(first: date, last: date) -> Fairness:
    """The fairness of the points paid for rewards days `first`..`last`, both included."""
    tallies = DayTally.objects.filter(day__range=(first, last))
    creators = set(tallies.values_list("creator_id", flat=True).distinct())
    # Only days the recalculation tallied: both sides then see the same days (a day paid
    # before tallies existed, or whose run never finished, has points but no activity here).
    days = set(tallies.values_list("day", flat=True).distinct())
    paid = (
        PointsEntry.objects.filter(
            activity_date__in=days,
            kind__in=EARNING_KINDS,
            account_id__in=creators,
        )
        .values_list("account_id", "metric")
        .annotate(points=Sum("amount"))
    )
    points: dict[int, float] = dict.fromkeys(creators, 0.0)
    engagement: dict[int, float] = dict.fromkeys(creators, 0.0)
    for creator_id, metric, amount in paid:
        points[creator_id] += amount
        if metric in ENGAGEMENT_METRICS:
            engagement[creator_id] += amount

    linear: dict[int, Fraction] = dict.fromkeys(creators, Fraction(0))
    linear_engagement: dict[int, Fraction] = dict.fromkeys(creators, Fraction(0))
    views: dict[int, int] = dict.fromkeys(creators, 0)
    rated = (
        tallies.filter(rule__isnull=False, rule__is_active=True)
        .values_list("creator_id", "metric", "rule__points_per_unit", "rule__unit_size")
        .annotate(measured=Sum("measured"))
    )
    for creator_id, metric, per_unit, unit_size, measured in rated:
        earned = Fraction(measured * per_unit, unit_size)
        linear[creator_id] += earned
        if metric in ENGAGEMENT_METRICS:
            linear_engagement[creator_id] += earned
    for creator_id, measured in (
        tallies.filter(metric=Metric.QUALIFIED_VIEWS)
        .values_list("creator_id")
        .annotate(measured=Sum("measured"))
    ):
        views[creator_id] = measured

    followers = dict(CreatorProfile.objects.filter(pk__in=creators).values_list("pk", "followers"))

    def band(label: str, least: int, most: int | None) -> Band:
        members = [
            c for c in creators if followers[c] >= least and (most is None or followers[c] <= most)
        ]
        return Band(
            label,
            len(members),
            sum(views[c] for c in members),
            sum(engagement[c] for c in members),
            float(sum(linear_engagement[c] for c in members)),
        )

    return Fairness(
        first=first,
        last=last,
        days_measured=len(days),
        creators=len(creators),
        rules=concentration(list(points.values())),
        linear=concentration([float(v) for v in linear.values()]),
        bands=[band(*b) for b in FOLLOWER_BANDS],
        small=band(f"under {SMALL_BELOW:,}", 0, SMALL_BELOW - 1),
        large=band(f"over {LARGE_ABOVE:,}", LARGE_ABOVE + 1, None),
    )
