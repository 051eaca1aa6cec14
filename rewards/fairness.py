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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from accounts.selectors import creator_profile_table
from core.clock import rewards_today
from core.regions import region_key

from . import points as arithmetic
from .models import (
    ACTIVE_STATES,
    CreatorFairnessMonth,
    CreatorTier,
    DayTally,
    EarningRule,
    FairnessMonth,
    Metric,
    PointsEntry,
    RecalcRun,
    Tier,
)
from .recalculation import TALLY_TABLE, replay_sql
from .selectors import same_terms

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


@dataclass(frozen=True)
class CreatorPoints:
    """One creator counted in a period (they have a tally in it): what the ledger paid them
    for its tallied days, what the linear rule would have, and who they are (band, tier)."""

    creator_id: int
    followers: int
    tier_id: int | None
    points: int
    engagement_points: int
    linear_points: float
    linear_engagement_points: float
    qualified_views: int


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
    creators = per_creator(first, last)

    def band(label: str, least: int, most: int | None) -> Band:
        members = [
            c for c in creators if least <= c.followers and (most is None or c.followers <= most)
        ]
        return Band(
            label,
            len(members),
            sum(c.qualified_views for c in members),
            sum(c.engagement_points for c in members),
            sum(c.linear_engagement_points for c in members),
        )

    return Fairness(
        first=first,
        last=last,
        days_measured=days_measured(first, last),
        creators=len(creators),
        rules=concentration([c.points for c in creators]),
        linear=concentration([c.linear_points for c in creators]),
        bands=[band(*b) for b in FOLLOWER_BANDS],
        small=band(f"under {SMALL_BELOW:,}", 0, SMALL_BELOW - 1),
        large=band(f"over {LARGE_ABOVE:,}", LARGE_ABOVE + 1, None),
    )


def lorenz(values: Sequence[float], steps: int = 50) -> list[tuple[float, float]]:
    """The Lorenz curve of `values` (one per creator, zeros count): at `steps` + 1 evenly
    spaced shares of creators, poorest first, the share of the total they hold. Exact at
    those points (the curve between them is drawn straight), so a chart needs no more points
    however many creators there are. Nothing earned at all reads as perfect equality."""
    ascending = sorted(values)
    n, total = len(ascending), float(sum(ascending))
    if not n or total <= 0:
        return [(k / steps, k / steps) for k in range(steps + 1)]
    running = [0.0]
    for value in ascending:
        running.append(running[-1] + value)
    return [(k / steps, running[round(k * n / steps)] / total) for k in range(steps + 1)]


def band_label(followers: int) -> str:
    for label, least, most in FOLLOWER_BANDS:
        if followers >= least and (most is None or followers <= most):
            return label
    return FOLLOWER_BANDS[-1][0]


NO_TIER = "No tier"


class Member(Protocol):
    """Someone counted in a distribution: a creator's points, or their cash."""

    @property
    def followers(self) -> int: ...
    @property
    def tier_id(self) -> int | None: ...


M = TypeVar("M", bound=Member)


def by_band(creators: Sequence[M]) -> list[tuple[str, list[M]]]:
    """The creators split by follower band, every band listed (an empty one too)."""
    members: dict[str, list[M]] = {label: [] for label, _, _ in FOLLOWER_BANDS}
    for c in creators:
        members[band_label(c.followers)].append(c)
    return list(members.items())


def by_tier(creators: Sequence[M], tiers: Sequence[Tier]) -> list[tuple[str, list[M]]]:
    """The creators split by their tier today (CreatorTier: the nightly tier, floors
    included) in the order of `tiers` (every tier, lowest first), then those with none."""
    members: dict[int | None, list[M]] = {tier.pk: [] for tier in tiers}
    members[None] = []
    for c in creators:
        members.setdefault(c.tier_id, []).append(c)
    names = {tier.pk: tier.name for tier in tiers}
    return [(names.get(pk, NO_TIER), group) for pk, group in members.items()]


_ENGAGEMENT_SQL = ", ".join(f"'{m}'" for m in ENGAGEMENT_METRICS)


def _tallied_days_cte(first: date, last: date) -> tuple[str, dict]:
    """The CTEs `period_days(day)` and `tallied_days(day)`: the days of `first`..`last`, and
    those of them the recalculation tallied.
    One index probe per day of the period (a DISTINCT over the period's tallies reads every
    one of them: a second over 30 days of 100,000 creators). MATERIALIZED so the ledger is
    joined to a handful of rows (an `IN (subquery)` a planner without statistics turned
    into a scan of the tallies per ledger entry)."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    params = {f"td{i}": day for i, day in enumerate(days)}
    # PostgreSQL needs the type of a VALUES column; SQLite keeps days as ISO text.
    day = "CAST(%({})s AS DATE)" if connection.vendor == "postgresql" else "%({})s"
    values = ", ".join(f"({day.format(name)})" for name in params)
    # The period's days as a CTE of their own: SQLite names no columns of a derived table.
    sql = f"""period_days(day) AS (VALUES {values}),
    tallied_days AS MATERIALIZED (
        SELECT d.day FROM period_days d
        WHERE EXISTS (SELECT 1 FROM {TALLY_TABLE} t WHERE t.day = d.day)
    )"""
    return sql, params


def _sums_sql(first: date, last: date) -> tuple[str, dict]:
    """SELECT (creator_id, points, engagement, linear, linear_engagement, qualified_views):
    every creator with a tally in `first`..`last`, with the points the ledger holds for the
    tallied days (only those: the activity side cannot see the others) and the linear rule's
    points for the same counted activity (each tally at its rule's rate per unit). One
    set-based statement: the work grows with the period's rows. Both sides are MATERIALIZED:
    inlined, a planner that misjudges their sizes (fresh tables) re-aggregates the ledger
    once per creator."""
    tallied_days, params = _tallied_days_cte(first, last)
    sql = f"""
        WITH tallied AS MATERIALIZED (
            SELECT t.creator_id,
                   SUM(CASE WHEN r.id IS NULL THEN 0 ELSE
                       CAST(t.measured AS DOUBLE PRECISION) * r.points_per_unit / r.unit_size
                       END) AS linear,
                   SUM(CASE WHEN r.id IS NULL OR t.metric NOT IN ({_ENGAGEMENT_SQL}) THEN 0 ELSE
                       CAST(t.measured AS DOUBLE PRECISION) * r.points_per_unit / r.unit_size
                       END) AS linear_engagement,
                   SUM(CASE WHEN t.metric = '{Metric.QUALIFIED_VIEWS}' THEN t.measured ELSE 0 END)
                       AS qualified_views
            FROM {TALLY_TABLE} t
            LEFT JOIN {EarningRule._meta.db_table} r ON r.id = t.rule_id AND r.is_active
            WHERE t.day BETWEEN %(first)s AND %(last)s
            GROUP BY t.creator_id
        ),
        {tallied_days},
        paid AS MATERIALIZED (
            SELECT e.account_id AS creator_id, SUM(e.amount) AS points,
                   SUM(CASE WHEN e.metric IN ({_ENGAGEMENT_SQL}) THEN e.amount ELSE 0 END)
                       AS engagement
            FROM rewards_pointsentry e JOIN tallied_days d ON d.day = e.activity_date
            WHERE e.activity_date BETWEEN %(first)s AND %(last)s
              AND e.kind IN ({arithmetic.EARNING_KINDS_SQL})
            GROUP BY e.account_id
        )
        SELECT t.creator_id, COALESCE(p.points, 0), COALESCE(p.engagement, 0),
               COALESCE(t.linear, 0), COALESCE(t.linear_engagement, 0),
               COALESCE(t.qualified_views, 0)
        FROM tallied t LEFT JOIN paid p ON p.creator_id = t.creator_id
    """
    return sql, {"first": first, "last": last, **params}


def _with_profiles(sums_sql: str) -> str:
    """The rows of `sums_sql` (creator_id, then its sums) with each creator's followers and
    tier today, in creator order: joined after the sums, one row per creator, not per
    tally (the measure's and the what-if's replay)."""
    return f"""
        SELECT s.*, c.followers, ct.tier_id FROM ({sums_sql}) s
        JOIN {creator_profile_table()} c ON c.id = s.creator_id
        LEFT JOIN {CreatorTier._meta.db_table} ct ON ct.creator_id = s.creator_id
        ORDER BY s.creator_id
    """


def _creator_points(sql: str, params: dict) -> list[CreatorPoints]:
    with connection.cursor() as cursor:
        cursor.execute(_with_profiles(sql), params)
        rows = cursor.fetchall()
    # PostgreSQL's SUMs of BIGINT arrive as Decimal: whole numbers and floats here.
    return [
        CreatorPoints(
            creator_id,
            followers,
            tier_id,
            int(points),
            int(engagement),
            float(linear),
            float(linear_engagement),
            int(qualified_views),
        )
        for (
            creator_id,
            points,
            engagement,
            linear,
            linear_engagement,
            qualified_views,
            followers,
            tier_id,
        ) in rows
    ]


def per_creator(first: date, last: date) -> list[CreatorPoints]:
    """Every creator with a tally in `first`..`last`: the ledger's points for the tallied
    days beside the linear rule's, with their followers and tier (`_sums_sql`, one
    statement)."""
    return _creator_points(*_sums_sql(first, last))


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def months_of(first: date, last: date) -> list[date] | None:
    """The months `first`..`last` covers whole, their first days in order, or None when it
    starts or ends inside one. The month of `today` counts as whole to `today`: its days to
    come have no tallies yet, so the month's sums are the same as those of its days so far."""
    if first.day != 1:
        return None
    if last != month_end(last) and last < rewards_today() - timedelta(days=1):
        return None
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month_end(month) + timedelta(days=1)
    return months


def stale_months(months: Sequence[date]) -> list[date]:
    """Which of `months` have no sums yet, or sums that a recalculation run for one of their
    days may have changed since: it finished after they were made, or, still under way, beat
    after (a run that died before stops counting once its month is summed again). Two
    queries."""
    computed = {m.month: m.computed_at for m in FairnessMonth.objects.filter(month__in=months)}
    stale = [month for month in months if month not in computed]
    runs = RecalcRun.objects.filter(
        day__gte=min(months, default=date.min), day__lte=month_end(max(months, default=date.min))
    ).values_list("day", "finished_at", "heartbeat_at")
    for day, finished_at, heartbeat_at in runs:
        month = month_start(day)
        if month in computed and (finished_at or heartbeat_at) > computed[month]:
            stale.append(month)
    return sorted(set(stale))


def refresh_month(month: date) -> int:
    """Sum `month` afresh for every creator tallied in it (`_sums_sql` over its days),
    replacing its rows, in one transaction. Returns the creators written."""
    first, last = month, month_end(month)
    with transaction.atomic():
        computed_at = timezone.now()
        row, _ = FairnessMonth.objects.update_or_create(
            month=month,
            defaults={"days_tallied": days_measured(first, last), "computed_at": computed_at},
        )
        CreatorFairnessMonth.objects.filter(month=row).delete()
        sql, params = _sums_sql(first, last)
        table = CreatorFairnessMonth._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table} (month_id, creator_id, points, engagement_points,
                    linear_points, linear_engagement_points, qualified_views)
                SELECT %(month_id)s, s.* FROM ({sql}) s
                """,
                {**params, "month_id": row.pk},
            )
            return cursor.rowcount


def refresh_months(first: date | None = None, today: date | None = None) -> list[date]:
    """Beat's nightly step after the recalculation (reports.tasks): sum every month from
    `first` (by default the first the recalculation tallied) to today's that has no sums
    yet or whose sums a run has changed since. Returns the months summed."""
    today = today or rewards_today()
    first = first or DayTally.objects.aggregate(first=Min("day"))["first"]
    if first is None:
        return []
    month, months = month_start(first), []
    while month <= today:
        months.append(month)
        month = month_end(month) + timedelta(days=1)
    stale = stale_months(months)
    for month in stale:
        refresh_month(month)
    return stale


@dataclass(frozen=True)
class MonthSums:
    """Whole months' creators read from their nightly sums, and when they were summed."""

    creators: list[CreatorPoints]
    days_measured: int
    computed_at: datetime


def per_creator_months(months: Sequence[date]) -> MonthSums | None:
    """`per_creator` over whole `months` from their nightly sums (two queries), or None when
    one has none yet. Months before the first the refresh summed had nothing tallied when it
    ran (it starts from the first tallied day), so they add nothing, unless tallies came
    for them since (a backfill: a third query, then None). Sums a run changed since are
    read as they are: `computed_at` says as of when (the earliest summing)."""
    summed = list(FairnessMonth.objects.filter(month__lte=max(months)).order_by("month"))
    if not summed:
        return None
    found = [row for row in summed if row.month in months]
    if len(found) < len([month for month in months if month >= summed[0].month]):
        return None
    earlier = [month for month in months if month < summed[0].month]
    if earlier and DayTally.objects.filter(day__gte=earlier[0], day__lt=summed[0].month).exists():
        return None
    if not found:
        return MonthSums([], 0, summed[0].computed_at)
    table = CreatorFairnessMonth._meta.db_table
    params = {f"m{i}": row.pk for i, row in enumerate(found)}
    sql = f"""
        SELECT creator_id, SUM(points), SUM(engagement_points), SUM(linear_points),
               SUM(linear_engagement_points), SUM(qualified_views)
        FROM {table}
        WHERE month_id IN ({", ".join(f"%({name})s" for name in params)})
        GROUP BY creator_id
    """
    return MonthSums(
        _creator_points(sql, params),
        sum(row.days_tallied for row in found),
        min(row.computed_at for row in found),
    )


def tallied_days(first: date, last: date) -> list[date]:
    """The days of `first`..`last` the recalculation tallied, in order (one query)."""
    cte, params = _tallied_days_cte(first, last)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {cte} SELECT day FROM tallied_days ORDER BY day", params)
        return [_as_date(day) for (day,) in cursor.fetchall()]


def _as_date(value: date | str) -> date:
    # SQLite hands back the ISO text it keeps.
    return value if isinstance(value, date) else date.fromisoformat(value)


def days_measured(first: date, last: date) -> int:
    """How many days of `first`..`last` the recalculation tallied."""
    return len(tallied_days(first, last))


def rule_versions_during(first: date, last: date) -> dict[str, list[EarningRule | None]]:
    """Every metric's rule versions in force on some day of `first`..`last`, oldest first:
    the one in force on `first` (None where none had started, switched off or not), then
    each that started after it (one query)."""
    versions: dict[str, list[EarningRule | None]] = {metric: [None] for metric in Metric.values}
    for rule in EarningRule.objects.filter(valid_from__lte=last).order_by("metric", "valid_from"):
        found = versions.setdefault(rule.metric, [None])
        if rule.valid_from <= first:
            found[0] = rule
        else:
            found.append(rule)
    return versions


@dataclass(frozen=True)
class Replay:
    """What draft rules would have given for `first`..`last`: per creator (every creator with
    a tally then, nothing for those the draft gives nothing) and per metric."""

    first: date
    last: date
    by_creator: dict[int, int]
    by_metric: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_metric.values())


def _shortcuts(
    rules: Sequence[EarningRule], versions: dict[str, list[EarningRule | None]]
) -> dict[str, set[str]]:
    """Which of the active `rules` the replay may take without its running sum (see
    recalculation.replay_sql): `as_tallied`, a metric whose draft pays as every version in
    force on the days did (the tallies' points are the draft's); `same_unit`, one whose
    versions on those days were all active with the draft's unit size (each tally's
    carried_in is the draft's carry). A metric whose rule changed within the days, or was
    off some of them, is replayed in full: its tallies were paid by each day's version."""
    as_tallied, same_unit = set(), set()
    for rule in rules:
        during = versions.get(rule.metric, [None])
        if all(same_terms(rule, version) for version in during):
            as_tallied.add(rule.metric)
        elif all(v is not None and v.is_active and v.unit_size == rule.unit_size for v in during):
            same_unit.add(rule.metric)
    return {"as_tallied": as_tallied, "same_unit": same_unit}


def _replay_rows(
    first: date,
    last: date,
    rules: Sequence[EarningRule],
    versions: dict[str, list[EarningRule | None]] | None,
    with_profiles: bool = False,
) -> list[tuple]:
    active = [rule for rule in rules if rule.is_active]
    shortcuts = {} if versions is None else _shortcuts(active, versions)
    sql, params = replay_sql(first, last, active, list(Metric.values), **shortcuts)
    if with_profiles:
        # Who each creator is (band, tier) for the comparison, in creator order.
        sql = _with_profiles(sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _sums(rows: Sequence[tuple]) -> tuple[dict[int, int], dict[str, int]]:
    """(creator_id, then one amount per metric) rows as totals per creator and per metric."""
    metrics = list(Metric.values)
    by_creator: dict[int, int] = {}
    by_metric = dict.fromkeys(metrics, 0)
    for creator_id, *amounts in rows:
        amounts = amounts[: len(metrics)]
        by_creator[creator_id] = int(sum(amounts))
        for metric, amount in zip(metrics, amounts, strict=True):
            by_metric[metric] += int(amount)
    return by_creator, by_metric


def replay(
    first: date,
    last: date,
    rules: Sequence[EarningRule],
    versions: dict[str, list[EarningRule | None]] | None = None,
) -> Replay:
    """The points `rules` (one per metric, saved or not; inactive ones give nothing) would
    have given over `first`..`last`, by the recalculation's own arithmetic over its day
    tallies (recalculation.replay_sql), replaying in full only the metrics whose rule the
    draft changes in a way the tallies cannot answer (`_shortcuts`, from `versions`:
    rule_versions_during, read here when not given). Reads only: nothing is written."""
    if versions is None:
        versions = rule_versions_during(first, last)
    by_creator, by_metric = _sums(_replay_rows(first, last, rules, versions))
    return Replay(first, last, by_creator, by_metric)


def paid_by_metric(first: date, last: date) -> dict[str, int]:
    """The points the ledger holds per metric for the days of `first`..`last` the
    recalculation tallied (what `replay` is set beside)."""
    return _paid(first, last, tallied_days(first, last))[1]


def _paid(
    first: date,
    last: date,
    days: Sequence[date],
    after_id: int = 0,
    through_id: int | None = None,
) -> tuple[dict[int, int], dict[str, int]]:
    """The ledger's earned points on `days`, the days of `first`..`last` the recalculation
    tallied (`tallied_days`): per creator (every entry) and per metric, from one pass over
    the entries with ids in after_id..through_id (the lower one left out; every id when not
    given). The days as a list, not a join: a filter on each entry costs less than a hash
    join of six million entries."""
    metrics = list(Metric.values)
    params: dict = {"first": first, "last": last, "after": after_id, "through": through_id}
    # No day tallied: NULL, which no entry's day equals (the query still runs, one shape).
    listed = list(days) or [None]
    params.update({f"day{i}": day for i, day in enumerate(listed)})
    params.update({f"m{i}": metric for i, metric in enumerate(metrics)})
    # BIGINT, not NUMERIC: a million Decimals cost Python a second.
    pivot = ", ".join(
        f"CAST(COALESCE(SUM(e.amount) FILTER (WHERE e.metric = %(m{i})s), 0) AS BIGINT)"
        for i in range(len(metrics))
    )
    sql = f"""
        SELECT e.account_id, CAST(SUM(e.amount) AS BIGINT), {pivot}
        FROM rewards_pointsentry e
        WHERE e.activity_date BETWEEN %(first)s AND %(last)s
          AND e.activity_date IN ({", ".join(f"%(day{i})s" for i in range(len(listed)))})
          AND e.kind IN ({arithmetic.EARNING_KINDS_SQL})
          AND e.id > %(after)s {"AND e.id <= %(through)s" if through_id is not None else ""}
        GROUP BY e.account_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_creator = {row[0]: int(row[1]) for row in rows}
    by_metric = {metric: sum(int(row[2 + i]) for row in rows) for i, metric in enumerate(metrics)}
    return by_creator, by_metric


# The ledger's side of a what-if is the same for every draft of a period; the ledger only
# grows (append-only), so what is kept stays exact with the entries after it added: kept a
# night and a bit (the period moves on each night).
LEDGER_SECONDS = 26 * 60 * 60


def runs_stamp() -> str:
    """What the earned points of past days, and the figures kept from them, depend on: when
    the latest recalculation run finished (posted, held or failed: only runs post earned
    points and corrections; one under way changes the figures once it ends, and until then
    what was kept is shown), how many runs have finished, and when the monthly sums were last
    made (they follow the runs, minutes later: a report read from them before is kept no
    longer). One query."""
    runs, months = RecalcRun._meta.db_table, FairnessMonth._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(finished_at) FROM {runs}), "
            f"(SELECT MAX(finished_at) FROM {runs}), (SELECT MAX(computed_at) FROM {months})"
        )
        finished_count, finished, summed = cursor.fetchone()

    def text(value: object) -> str:
        # A cache key's part: no spaces (SQLite hands timestamps back as text with one).
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, datetime) else str(value).replace(" ", "T")

    return ":".join(text(value) for value in (finished_count, finished, summed))


def run_in_progress() -> bool:
    """Whether a recalculation run is planning or posting and beat in the last
    REWARDS_RECALC_STALE_MINUTES (one that went silent is presumed dead, as the next run of
    its day will take it over). One query."""
    alive_since = timezone.now() - timedelta(minutes=settings.REWARDS_RECALC_STALE_MINUTES)
    return RecalcRun.objects.filter(state__in=ACTIVE_STATES, heartbeat_at__gte=alive_since).exists()


def _ledger_now() -> tuple[int, tuple[int, int]]:
    """The latest entry's id, and the runs' state: the latest run's id and how many are
    planning or posting. Only runs post earned points: while none is (and none started since
    the same state was read), no earned entry with a smaller id can still commit. One
    query."""
    runs, entries = RecalcRun._meta.db_table, PointsEntry._meta.db_table
    states = ", ".join(f"'{state}'" for state in ACTIVE_STATES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {entries}), (SELECT MAX(id) FROM {runs}), "
            f"(SELECT COUNT(*) FROM {runs} WHERE state IN ({states}))"
        )
        latest, latest_run, active = cursor.fetchone()
    return latest or 0, (latest_run or 0, active)


def _added(
    kept: tuple[dict[int, int], dict[str, int]], more: tuple[dict[int, int], dict[str, int]]
) -> tuple[dict[int, int], dict[str, int]]:
    by_creator, by_metric = dict(kept[0]), dict(kept[1])
    for creator_id, amount in more[0].items():
        by_creator[creator_id] = by_creator.get(creator_id, 0) + amount
    for metric, amount in more[1].items():
        by_metric[metric] = by_metric.get(metric, 0) + amount
    return by_creator, by_metric


def ledger_for_what_if(
    first: date, last: date, days: Sequence[date] | None = None
) -> tuple[dict[int, int], dict[str, int]]:
    """`_paid` for the period, read once and kept (the ledger pass is 2-4 s of the what-if
    over 100,000 creators; the scheduled tasks read it ahead, reports.tasks), then brought up
    to date with the entries posted since: the ledger is append-only, so the sums of the
    entries up to a kept id plus those after it are the ledger's now. What is read while no
    run posts is kept with its last id; what is read while one posts is exact for now but
    not kept (an entry of that run with a smaller id could still commit). One query when
    nothing came since, three when entries did (`days`: tallied_days(first, last), when the
    caller has them; a query more when not)."""
    days = tallied_days(first, last) if days is None else days
    key = region_key("rewards:what-if-ledger", first.isoformat(), last.isoformat(), len(days))
    kept = cache.get(key)
    latest, runs = _ledger_now()
    through, sums = kept if kept is not None else (0, ({}, {metric: 0 for metric in Metric.values}))
    if kept is not None and latest < through:  # not this ledger's (a database restored)
        through, sums = 0, ({}, {metric: 0 for metric in Metric.values})
    elif kept is not None and latest == through:
        return sums
    sums = _added(sums, _paid(first, last, days, after_id=through, through_id=latest))
    # Kept only when no run posted while the entries were read (other entries may come).
    if not runs[1] and _ledger_now()[1] == runs:
        cache.set(key, (latest, sums), LEDGER_SECONDS)
    return sums


@dataclass(frozen=True)
class CreatorDraft:
    """One creator tallied in a what-if's days: who they are (band, tier), what the ledger
    paid them for the tallied days and what the draft would have."""

    creator_id: int
    followers: int
    tier_id: int | None
    paid: int
    draft: int


@dataclass(frozen=True)
class DraftBesideLedger:
    """A draft's points over `first`..`last` beside the ledger's, per creator and metric."""

    first: date
    last: date
    days_measured: int
    creators: list[CreatorDraft]
    draft_by_metric: dict[str, int]
    paid_by_metric: dict[str, int]


# The what-if's two reads sum millions of rows once: JIT compiling their expressions costs
# more than it saves, and a hash of 100,000 creators' sums needs more than the default
# work_mem (with it, the sums spill to disk in many batches).
WHAT_IF_WORK_MEM = "64MB"


@contextmanager
def _for_one_big_read() -> Iterator[None]:
    """JIT off and WHAT_IF_WORK_MEM for the reads inside: SET LOCAL lasts until the
    transaction ends, one of its own unless the caller's is open (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        yield
        return
    with nullcontext() if connection.in_atomic_block else transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(f"SET LOCAL work_mem = '{WHAT_IF_WORK_MEM}'")
        yield


def draft_beside_ledger(
    first: date,
    last: date,
    rules: Sequence[EarningRule],
    versions: dict[str, list[EarningRule | None]],
) -> DraftBesideLedger:
    """What `rules` (one per metric, saved or not) would have given every creator tallied
    in `first`..`last` (`replay`, with `versions`: rule_versions_during), beside what the
    ledger holds for the tallied days, per creator and per metric: the staff what-if's
    figures. Five queries (two settings, the tallied days, the replay, the ledger); the
    tallies and the ledger are each read once."""
    with _for_one_big_read():
        days = tallied_days(first, last)
        rows = _replay_rows(first, last, rules, versions, with_profiles=True)
        paid_by_creator, paid_by_metric = ledger_for_what_if(first, last, days)
    metrics = len(Metric.values)
    draft_by_creator, draft_by_metric = _sums([row[: 1 + metrics] for row in rows])
    creators = [
        CreatorDraft(
            row[0],
            row[1 + metrics],
            row[2 + metrics],
            paid_by_creator.get(row[0], 0),
            draft_by_creator[row[0]],
        )
        for row in rows
    ]
    return DraftBesideLedger(first, last, len(days), creators, draft_by_metric, paid_by_metric)
