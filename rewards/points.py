"""The arithmetic of earning rules, written once as SQL.

The nightly recalculation computes every (creator, day, rule) with it in set-based queries,
and `breakdowns()` and `days_in_a_row()` run the very same expressions for given amounts
(the drill-down and the what-if calculator), so there is no second copy to drift. Integer
arithmetic only:

    total    = carried_in + measured        (carried_in: the remainder of earlier days)
    units    = total // unit_size
    carried  = total - units * unit_size    (carried on to the next day of the month)
    raw      = units * points_per_unit
    tapered  = raw, or above `taper_above`: taper_above + (raw - taper_above) * taper_percent // 100
    points   = min(tapered, daily_cap)

What a day leaves over of a unit is carried into the next day, so small daily amounts add
up to whole units; remainders start from zero on the 1st of each month (`period_start`),
while the taper and the cap still apply to each day on its own.

The ledger's earning kinds as SQL (EARNING_KINDS_SQL) live here too, so the recalculation
and tiers count the same entries as earned.
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection

from .models import EARNING_KINDS, CarryStart, EarningRule

# The ledger's earning entry kinds (points earned, and their corrections) as an SQL list, for
# `kind IN (...)`: what the recalculation compares with what is due, and what tiers count.
EARNING_KINDS_SQL = ", ".join(f"'{kind}'" for kind in EARNING_KINDS)

# Stands in for "no cap" and "no taper" so the SQL needs no NULL handling.
NO_LIMIT = 2**62
# What one creator can be counted for in a day, and the most points per unit: together they
# keep measured × points × 100 (the taper) inside 64-bit integers.
MAX_MEASURED = 10**12
MAX_POINTS_PER_UNIT = 10_000


@functools.cache
def carry_start() -> date:
    """The first day whose remainders carry over (CarryStart; read once per process)."""
    row = CarryStart.objects.first()
    return row.day if row else date.min


def period_start(day: date) -> date:
    """The first day of the period within which remainders carry over: the calendar month,
    from `carry_start()` on. A day before it stands alone (it carries nothing in or out)."""
    start = carry_start()
    if day < start:
        return day
    return max(day.replace(day=1), start)


def carries_on(day: date) -> bool:
    """Whether what `day` leaves over is carried into the next day (not on a month's last)."""
    return period_start(day + timedelta(days=1)) == period_start(day)


def rules_in_force(day: date) -> dict[str, EarningRule]:
    """The version of each metric's rule that applies to `day`, active ones only."""
    in_force: dict[str, EarningRule] = {}
    for rule in EarningRule.objects.filter(valid_from__lte=day).order_by("metric", "-valid_from"):
        in_force.setdefault(rule.metric, rule)
    return {metric: rule for metric, rule in in_force.items() if rule.is_active}


_RULE_ROW = "(CAST(%s AS VARCHAR(20)), " + ", ".join(["CAST(%s AS BIGINT)"] * 6) + ")"
# VALUES cannot be empty: with no rules in force, one row that matches no metric.
_NO_RULE = ["", 0, 1, 0, NO_LIMIT, 100, NO_LIMIT]


def _rule_values(rule: EarningRule, key: int | None = None) -> list:
    return [
        rule.metric,
        rule.pk if key is None else key,
        rule.unit_size,
        rule.points_per_unit,
        NO_LIMIT if rule.taper_above is None else rule.taper_above,
        rule.taper_percent,
        NO_LIMIT if rule.daily_cap is None else rule.daily_cap,
    ]


def named_params(sql: str, params: list, prefix: str = "p") -> tuple[str, dict]:
    """Positional %s placeholders as named ones (`%(p0)s`, ...), so SQL such as rules_cte's
    can be mixed into a statement that uses named parameters."""
    parts = sql.split("%s")
    named = {f"{prefix}{i}": value for i, value in enumerate(params)}
    return parts[0] + "".join(f"%({prefix}{i})s{part}" for i, part in enumerate(parts[1:])), named


def rules_cte(rules: Sequence[EarningRule], keys: Sequence[int] | None = None) -> tuple[str, list]:
    """`rules(metric, rule_id, unit_size, per_unit, taper_above, taper_pct, cap) AS (VALUES …)`;
    `keys` stand in for the rules' ids (rules not saved, as in the property tests)."""
    keys = keys or [None] * len(rules)
    rows = [_rule_values(rule, key) for rule, key in zip(rules, keys, strict=True)] or [_NO_RULE]
    sql = (
        "rules(metric, rule_id, unit_size, per_unit, taper_above, taper_pct, cap) AS "
        f"(VALUES {', '.join([_RULE_ROW] * len(rows))})"
    )
    return sql, [value for row in rows for value in row]


def _least(a: str, b: str) -> str:
    # Each argument written once: a CASE repeats its branches' text, and the stages nest (the
    # what-if applies them to millions of tallies). SQLite's many-argument MIN. Never given
    # NULL (PostgreSQL's LEAST skips NULLs where a CASE would give NULL).
    return f"{'LEAST' if connection.vendor == 'postgresql' else 'MIN'}({a}, {b})"


def _greatest(a: str, b: str) -> str:
    return f"{'GREATEST' if connection.vendor == 'postgresql' else 'MAX'}({a}, {b})"


def capped_sql(total: str) -> str:
    """`total` no larger than MAX_MEASURED, so the points stay inside 64-bit integers."""
    return _least(f"({total})", str(MAX_MEASURED))


def carry_sql(total: str, r: str = "r") -> str:
    """SQL for what `total` (carried in + measured) leaves over of a whole unit of rule `r`.
    (Written without `%`, which SQL drivers read as a placeholder and SQLite lacks as MOD.)"""
    return f"(({total}) - (({total}) / {r}.unit_size) * {r}.unit_size)"


def stages_sql(total: str, r: str = "r") -> tuple[str, str, str]:
    """SQL for the raw, tapered and final points of `total` (carried in + measured, capped)
    under the rule row `r`."""
    raw = f"((({total}) / {r}.unit_size) * {r}.per_unit)"
    # Up to taper_above in full, and taper_pct % of what is above it (whole points).
    above = _greatest(f"{raw} - {r}.taper_above", "0")
    tapered = f"({_least(raw, f'{r}.taper_above')} + {above} * {r}.taper_pct / 100)"
    final = _least(tapered, f"{r}.cap")
    return raw, tapered, final


def points_sql(total: str, r: str = "r") -> str:
    return stages_sql(total, r)[2]


@dataclass(frozen=True)
class Breakdown:
    rule: EarningRule
    measured: int
    raw: int
    tapered: int
    points: int
    # The part of a unit earlier days carried in, and what this amount leaves for the next.
    carried_in: int = 0
    carried_out: int = 0

    @property
    def total(self) -> int:
        return self.carried_in + self.measured

    @property
    def units(self) -> int:
        return (self.total - self.carried_out) // self.rule.unit_size

    @property
    def capped(self) -> bool:
        return self.points < self.tapered

    @property
    def tapered_off(self) -> int:
        return self.raw - self.tapered


# One amount to explain: (rule, measured) or (rule, measured, carried_in).
Asked = tuple[EarningRule, int] | tuple[EarningRule, int, int]


def _stage_columns(total: str) -> str:
    raw, tapered, final = stages_sql(capped_sql(total))
    return f"{raw}, {tapered}, {final}, {carry_sql(total)}"


def breakdown(rule: EarningRule, measured: int, carried_in: int = 0) -> Breakdown:
    """What `rule` gives for `measured` with `carried_in` from earlier days, stage by stage,
    by the recalculation's own SQL."""
    return breakdowns([(rule, measured, carried_in)])[0]


def breakdowns(items: Sequence[Asked]) -> list[Breakdown]:
    """Many breakdowns in one query, by the same SQL (for pages that explain many entries).
    Repeated amounts are computed once, so a year of history stays one small query."""
    if not items:
        return []
    asked = [(item[0], item[1], item[2] if len(item) > 2 else 0) for item in items]

    # Rules by id, and one not saved yet (the property tests') by identity.
    def ident(rule: EarningRule) -> object:
        return rule.pk if rule.pk is not None else ("unsaved", id(rule))

    rules = list({ident(rule): rule for rule, _, _ in asked}.values())
    key = {ident(rule): i for i, rule in enumerate(rules)}
    unique = list(dict.fromkeys((key[ident(rule)], m, c) for rule, m, c in asked))
    cte, params = rules_cte(rules, keys=range(len(rules)))
    values = ", ".join(["(" + ", ".join(["CAST(%s AS BIGINT)"] * 4) + ")"] * len(unique))
    sql = (
        f"WITH {cte}, asked(position, rule_id, measured, carried_in) AS (VALUES {values}) "
        f"SELECT a.position, {_stage_columns('a.carried_in + a.measured')} FROM asked a "
        "JOIN rules r ON r.rule_id = a.rule_id ORDER BY a.position"
    )
    values_params = [v for i, (k, m, c) in enumerate(unique) for v in (i, k, m, c)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params + values_params)
        stages = {unique[i]: row for i, *row in cursor.fetchall()}
    explained = []
    for rule, measured, carried in asked:
        raw, tapered, final, left = stages[(key[ident(rule)], measured, carried)]
        explained.append(
            Breakdown(rule, measured, int(raw), int(tapered), int(final), carried, int(left))
        )
    return explained


def days_in_a_row(items: Sequence[tuple[EarningRule, Sequence[int]]]) -> list[list[Breakdown]]:
    """For each (rule, amounts): what the rule gives for consecutive days of one month that
    measure `amounts`, the first with nothing carried in and each carrying its remainder into
    the next. The nightly recalculation's own arithmetic (its carry and stages SQL), folded
    over the days in one recursive query, for the what-if calculator."""
    asked = [(key, rule, list(amounts)) for key, (rule, amounts) in enumerate(items)]
    rows = [(key, i, m) for key, _, amounts in asked for i, m in enumerate(amounts)]
    if not rows:
        return [[] for _ in asked]
    cte, params = rules_cte([rule for _, rule, _ in asked], keys=[key for key, _, _ in asked])
    values = ", ".join(["(CAST(%s AS BIGINT), CAST(%s AS BIGINT), CAST(%s AS BIGINT))"] * len(rows))
    sql = f"""
        WITH RECURSIVE {cte},
        asked(rule_id, position, measured) AS (VALUES {values}),
        walk(rule_id, position, measured, carried_in, carried_out) AS (
            SELECT a.rule_id, a.position, a.measured, CAST(0 AS BIGINT),
                   {carry_sql("a.measured")}
            FROM asked a JOIN rules r ON r.rule_id = a.rule_id WHERE a.position = 0
            UNION ALL
            SELECT a.rule_id, a.position, a.measured, w.carried_out,
                   {carry_sql("w.carried_out + a.measured")}
            FROM walk w
            JOIN asked a ON a.rule_id = w.rule_id AND a.position = w.position + 1
            JOIN rules r ON r.rule_id = a.rule_id
        )
        SELECT w.rule_id, w.position, {_stage_columns("w.carried_in + w.measured")},
               w.carried_in
        FROM walk w JOIN rules r ON r.rule_id = w.rule_id ORDER BY w.rule_id, w.position
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params + [v for row in rows for v in row])
        fetched = cursor.fetchall()
    walks: list[list[Breakdown]] = [[] for _ in asked]
    for key, i, raw, tapered, final, left, came in fetched:
        _, rule, amounts = asked[key]
        walks[key].append(
            Breakdown(rule, amounts[i], int(raw), int(tapered), int(final), int(came), int(left))
        )
    return walks
