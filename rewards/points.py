"""The arithmetic of earning rules, written once as SQL.

The nightly recalculation computes every (creator, day, rule) with it in one set-based
query, and `breakdown()` runs the very same expression for one amount (the drill-down and
the what-if calculator), so there is no second copy to drift. Integer arithmetic only:

    raw      = (measured // unit_size) * points_per_unit
    tapered  = raw, or above `taper_above`: taper_above + (raw - taper_above) * taper_percent // 100
    points   = min(tapered, daily_cap)

The ledger's earning kinds as SQL (EARNING_KINDS_SQL) live here too, so the recalculation
and tiers count the same entries as earned.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection

from .models import EARNING_KINDS, EarningRule

# The ledger's earning entry kinds (points earned, and their corrections) as an SQL list, for
# `kind IN (...)`: what the recalculation compares with what is due, and what tiers count.
EARNING_KINDS_SQL = ", ".join(f"'{kind}'" for kind in EARNING_KINDS)

# Stands in for "no cap" and "no taper" so the SQL needs no NULL handling.
NO_LIMIT = 2**62
# What one creator can be counted for in a day, and the most points per unit: together they
# keep measured × points × 100 (the taper) inside 64-bit integers.
MAX_MEASURED = 10**12
MAX_POINTS_PER_UNIT = 10_000


def rules_in_force(day: date) -> dict[str, EarningRule]:
    """The version of each metric's rule that applies to `day`, active ones only."""
    in_force: dict[str, EarningRule] = {}
    for rule in EarningRule.objects.filter(valid_from__lte=day).order_by("metric", "-valid_from"):
        in_force.setdefault(rule.metric, rule)
    return {metric: rule for metric, rule in in_force.items() if rule.is_active}


_RULE_ROW = "(CAST(%s AS VARCHAR(20)), " + ", ".join(["CAST(%s AS BIGINT)"] * 6) + ")"
# VALUES cannot be empty: with no rules in force, one row that matches no metric.
_NO_RULE = ["", 0, 1, 0, NO_LIMIT, 100, NO_LIMIT]


def _rule_values(rule: EarningRule) -> list:
    return [
        rule.metric,
        rule.pk,
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


def rules_cte(rules: Sequence[EarningRule]) -> tuple[str, list]:
    """`rules(metric, rule_id, unit_size, per_unit, taper_above, taper_pct, cap) AS (VALUES …)`."""
    rows = [_rule_values(rule) for rule in rules] or [_NO_RULE]
    sql = (
        "rules(metric, rule_id, unit_size, per_unit, taper_above, taper_pct, cap) AS "
        f"(VALUES {', '.join([_RULE_ROW] * len(rows))})"
    )
    return sql, [value for row in rows for value in row]


def stages_sql(measured: str, r: str = "r") -> tuple[str, str, str]:
    """SQL for the raw, tapered and final points of `measured` under the rule row `r`."""
    raw = f"((({measured}) / {r}.unit_size) * {r}.per_unit)"
    tapered = (
        f"(CASE WHEN {raw} > {r}.taper_above "
        f"THEN {r}.taper_above + ({raw} - {r}.taper_above) * {r}.taper_pct / 100 ELSE {raw} END)"
    )
    final = f"(CASE WHEN {tapered} > {r}.cap THEN {r}.cap ELSE {tapered} END)"
    return raw, tapered, final


def points_sql(measured: str, r: str = "r") -> str:
    return stages_sql(measured, r)[2]


@dataclass(frozen=True)
class Breakdown:
    rule: EarningRule
    measured: int
    raw: int
    tapered: int
    points: int

    @property
    def units(self) -> int:
        return self.measured // self.rule.unit_size

    @property
    def capped(self) -> bool:
        return self.points < self.tapered

    @property
    def tapered_off(self) -> int:
        return self.raw - self.tapered


def breakdown(rule: EarningRule, measured: int) -> Breakdown:
    """What `rule` gives for `measured`, stage by stage, by the recalculation's own SQL."""
    cte, params = rules_cte([rule])
    raw, tapered, final = stages_sql("CAST(%s AS BIGINT)")
    sql = f"WITH {cte} SELECT {raw}, {tapered}, {final} FROM rules r"
    # Each stage repeats the measured placeholder; count them to pass it as often.
    measured_params = [measured] * sum(part.count("%s") for part in (raw, tapered, final))
    with connection.cursor() as cursor:
        cursor.execute(sql, params + measured_params)
        raw_points, tapered_points, points = cursor.fetchone()
    return Breakdown(rule, measured, int(raw_points), int(tapered_points), int(points))


def breakdowns(items: Sequence[tuple[EarningRule, int]]) -> list[Breakdown]:
    """Many breakdowns in one query, by the same SQL (for pages that explain many entries).
    Repeated (rule, amount) pairs are computed once, so a year of history stays one small query."""
    if not items:
        return []
    unique = list(dict.fromkeys((rule.pk, measured) for rule, measured in items))
    if len(unique) < len(items):
        by_rule = {rule.pk: rule for rule, _ in items}
        computed = dict(
            zip(unique, breakdowns([(by_rule[pk], m) for pk, m in unique]), strict=True)
        )
        return [computed[(rule.pk, measured)] for rule, measured in items]
    rules = list({rule.pk: rule for rule, _ in items}.values())
    cte, params = rules_cte(rules)
    raw, tapered, final = stages_sql("a.measured")
    values = ", ".join(
        ["(CAST(%s AS BIGINT), CAST(%s AS BIGINT), CAST(%s AS BIGINT))"] * len(items)
    )
    sql = (
        f"WITH {cte}, asked(position, rule_id, measured) AS (VALUES {values}) "
        f"SELECT a.position, {raw}, {tapered}, {final} FROM asked a "
        "JOIN rules r ON r.rule_id = a.rule_id ORDER BY a.position"
    )
    asked = [v for i, (rule, measured) in enumerate(items) for v in (i, rule.pk, measured)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params + asked)
        rows = cursor.fetchall()
    return [
        Breakdown(items[i][0], items[i][1], int(raw_p), int(tapered_p), int(points_p))
        for i, raw_p, tapered_p, points_p in rows
    ]
