"""The fraud review queue: flags with the points each holds back, filtered, sorted and paged
in one statement.

What a flag holds back is what its excluded amounts would earn on top of what its day
counted: for each metric it touches (qualified views, likes, comments, shares), the points
the rule in force that day gives for the day's tally plus the excluded amount, less what it
gives for the tally alone. The arithmetic is rewards.points' own SQL (`points_sql`,
`capped_sql`, `rules_cte`), so taper and cap bite exactly as the recalculation would apply
them; the tally (rewards' DayTally) supplies what the day counted and what earlier days
carried in. Amounts are bounded as the recalculation bounds them: excluded views come off the
views watched 5 s, and only for videos that can earn qualified views.

Two simplifications, both in the reviewer's favour of reading one number per flag:
- Flags on one video-day overlap (the recalculation sets aside the largest of each amount,
  not their sum); each flag's figure is what it holds back on its own, so dismissing one of
  two overlapping flags may pay back less than its figure.
- A remainder carried into the next day of the month is not followed: the figure is the
  day's own points.

A dismissed flag holds nothing back (its amounts count again), so its figure is 0.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet

from activity.models import EngagementFlag, FlagAppeal, FlagReason
from activity.selectors import flags_version, flags_with_appeals
from activity.tables import (
    engagement_flag_table,
    flag_excludes_sql,
    video_day_table,
    video_table,
)
from core.regions import REGION_SECONDS, region_key
from rewards import points
from rewards.models import DayTally, EarningRule, Metric

from .fairness_report import runs_version

PAGE_SIZE = 50

# Short names for the table; the full sentences (which creators read) are in FlagReason.
SHORT_REASONS = {
    FlagReason.VIEW_SPIKE: "View spike",
    FlagReason.LIKE_RATIO: "Likes per view",
    FlagReason.COMMENT_RATIO: "Comments per view",
    FlagReason.BOT_MARKED: "Bot-marked",
}


class Sort:
    HELD = "held"
    NEWEST = "newest"
    OLDEST = "oldest"

    CHOICES = [
        (HELD, "Most points held back"),
        (NEWEST, "Newest day first"),
        (OLDEST, "Oldest day first"),
    ]


_ORDER = {
    Sort.HELD: "held DESC, f.day DESC, f.id DESC",
    Sort.NEWEST: "f.day DESC, f.id DESC",
    Sort.OLDEST: "f.day ASC, f.id ASC",
}


def _least(a: str, b: str) -> str:
    # LEAST is PostgreSQL's; SQLite spells it min(). CASE reads the same on both.
    return f"(CASE WHEN {a} < {b} THEN {a} ELSE {b} END)"


# The metrics a flag's amounts move, each with what of the video-day (`c`) it sets aside.
_AMOUNTS = [
    (
        Metric.QUALIFIED_VIEWS,
        "CASE WHEN c.is_original AND c.duration_s >= %s "
        f"THEN {_least('c.excluded_views', 'c.views_5s')} ELSE 0 END",
    ),
    (Metric.LIKES, _least("c.excluded_likes", "c.likes")),
    (Metric.COMMENTS, _least("c.excluded_comments", "c.comments")),
    (Metric.SHARES, _least("c.excluded_shares", "c.shares")),
]


def _rules_sql() -> tuple[str, list]:
    """The CTEs `rules` (every active version, keyed by its id: points.rules_cte) and
    `versions(rule_id, metric, valid_from)` (every version, to find the one in force on a
    day the tally has no row for). One query for the rules; there are tens of versions."""
    every = list(EarningRule.objects.order_by("metric", "valid_from"))
    rules_sql, params = points.rules_cte([rule for rule in every if rule.is_active])
    # PostgreSQL needs the type for a VALUES column; SQLite stores days as ISO text and
    # would turn CAST(... AS DATE) into a number.
    day = "CAST(%s AS DATE)" if connection.vendor == "postgresql" else "%s"
    rows = [(rule.pk, rule.metric, rule.valid_from.isoformat()) for rule in every] or [
        (0, "", date.min.isoformat())
    ]
    values = ", ".join([f"(CAST(%s AS BIGINT), CAST(%s AS VARCHAR(20)), {day})"] * len(rows))
    versions = f"versions(rule_id, metric, valid_from) AS (VALUES {values})"
    return f"{rules_sql}, {versions}", params + [value for row in rows for value in row]


def _held_back_sql(picked: str, picked_params: list) -> tuple[str, list]:
    """The CTEs ending in `held(flag_id, held)` for the flags `picked` (a SELECT of ids)
    that still exclude something; see the module's note."""
    rules_sql, params = _rules_sql()
    params = params + list(picked_params)
    amounts = []
    for metric, amount in _AMOUNTS:
        amounts.append(
            f"SELECT c.id AS flag_id, c.creator_id, c.day, CAST(%s AS VARCHAR(20)) AS metric, "
            f"CAST({amount} AS BIGINT) AS amount FROM chosen c"
        )
        params += [metric] + ([settings.QUALIFIED_VIEW_MIN_DURATION_S] if "%s" in amount else [])
    base = "s.carried_in + s.measured"
    after = points.points_sql(points.capped_sql(f"{base} + s.amount"))
    before = points.points_sql(points.capped_sql(base))
    sql = f"""
        {rules_sql},
        picked(id) AS ({picked}),
        chosen AS (
            SELECT f.id, f.creator_id, f.day, f.excluded_views, f.excluded_likes,
                   f.excluded_comments, f.excluded_shares, vd.views_5s, vd.likes,
                   vd.comments, vd.shares, v.is_original, v.duration_s
            FROM {engagement_flag_table()} f
            JOIN {video_day_table()} vd ON vd.id = f.video_day_id
            JOIN {video_table()} v ON v.id = vd.video_id
            WHERE f.id IN (SELECT id FROM picked) AND {flag_excludes_sql("f")}
        ),
        amounts AS ({" UNION ALL ".join(amounts)}),
        sized AS (
            SELECT a.flag_id, a.amount,
                   COALESCE(t.measured, 0) AS measured, COALESCE(t.carried_in, 0) AS carried_in,
                   -- The tally's rule; a metric the day did not tally at all (everything
                   -- excluded) takes the version in force that day.
                   CASE WHEN t.metric IS NOT NULL THEN t.rule_id ELSE (
                       SELECT vv.rule_id FROM versions vv
                       WHERE vv.metric = a.metric AND vv.valid_from <= a.day
                       ORDER BY vv.valid_from DESC LIMIT 1
                   ) END AS rule_id
            FROM amounts a
            LEFT JOIN {DayTally._meta.db_table} t
              ON t.day = a.day AND t.creator_id = a.creator_id AND t.metric = a.metric
            WHERE a.amount > 0
        ),
        held AS (
            SELECT s.flag_id, CAST(SUM({after} - {before}) AS BIGINT) AS held
            FROM sized s JOIN rules r ON r.rule_id = s.rule_id
            GROUP BY s.flag_id
        )"""
    return sql, params


@dataclass(frozen=True)
class QueueRow:
    flag: EngagementFlag
    held_back: int

    @property
    def reason(self) -> str:
        return SHORT_REASONS.get(self.flag.reason, self.flag.get_reason_display())

    @property
    def appeal(self) -> FlagAppeal | None:
        """The latest appeal: the one waiting, or the last answered."""
        appeals = self.flag.appeals_newest_first
        return appeals[0] if appeals else None

    @property
    def excluded(self) -> list[tuple[str, int]]:
        """What the flag sets aside, the kinds it names only."""
        flag = self.flag
        kinds = [
            ("views", flag.excluded_views),
            ("likes", flag.excluded_likes),
            ("comments", flag.excluded_comments),
            ("shares", flag.excluded_shares),
        ]
        return [(kind, amount) for kind, amount in kinds if amount]


@dataclass(frozen=True)
class Queue:
    rows: list[QueueRow]
    # Every flag the filters match, and the points all of them hold back.
    matching: int
    held_back: int
    number: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _page_sql(flags: QuerySet[EngagementFlag], *, min_held: int, sort: str) -> tuple[str, list]:
    picked, picked_params = flags.values("pk").query.sql_with_params()
    held_sql, params = _held_back_sql(picked, picked_params)
    sql = f"""
        WITH {held_sql}
        SELECT f.id, COALESCE(h.held, 0) AS held,
               COUNT(*) OVER () AS matching, SUM(COALESCE(h.held, 0)) OVER () AS total_held
        FROM {engagement_flag_table()} f
        LEFT JOIN held h ON h.flag_id = f.id
        WHERE f.id IN (SELECT id FROM picked) AND COALESCE(h.held, 0) >= %s
        ORDER BY {_ORDER[sort]}
        LIMIT %s OFFSET %s
    """
    return sql, [*params, min_held]


def _fetch(
    flags: QuerySet[EngagementFlag], *, min_held: int, sort: str, number: int, page_size: int
) -> list[tuple]:
    """A page's (flag id, held back, matching, total held) rows. Valuing what each flag holds
    back reads its day's tallies and rules: about 90 ms over a year of 100,000 creators, where
    twenty staff need the page in well under a second. So a page is kept in the cache under
    the flags' version (bumped whenever a flag is made, reviewed, appealed or answered:
    activity.selectors.flags_version) and the recalculation runs' (new tallies), for at most
    REGION_SECONDS; the flags themselves are always read afresh (flags_with_appeals)."""
    picked, picked_params = flags.values("pk").query.sql_with_params()
    asked = [picked, picked_params, min_held, sort, number, page_size]
    digest = hashlib.sha256(json.dumps(asked, default=str).encode()).hexdigest()
    key = region_key("reports:fraud", flags_version(), runs_version(), digest[:32])
    found = cache.get(key)
    if found is None:
        sql, params = _page_sql(flags, min_held=min_held, sort=sort)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, page_size, (number - 1) * page_size])
            found = cursor.fetchall()
        cache.set(key, found, REGION_SECONDS)
    return found


def review_queue(
    flags: QuerySet[EngagementFlag],
    *,
    min_held: int = 0,
    sort: str = Sort.HELD,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Queue:
    """One page of `flags` (activity.selectors.flags_for_review) holding back at least
    `min_held` points, in `sort` order, with each flag's creator, video, reviewer and
    appeals. Five queries: the runs' version, the rules, the page with its totals, the flags,
    their appeals; three when the page is cached (the version, the flags, their appeals).
    A page past the end shows the last page (two more queries, only then)."""
    fetched = _fetch(flags, min_held=min_held, sort=sort, number=page, page_size=page_size)
    if not fetched and page > 1:
        head = _fetch(flags, min_held=min_held, sort=sort, number=1, page_size=1)
        matching = head[0][2] if head else 0
        page = max(1, -(-matching // page_size))
        fetched = _fetch(flags, min_held=min_held, sort=sort, number=page, page_size=page_size)
    if not fetched:
        return Queue([], 0, 0, 1, 1)
    by_id = flags_with_appeals([row[0] for row in fetched])
    rows = [QueueRow(by_id[pk], int(held)) for pk, held, _, _ in fetched if pk in by_id]
    matching, total_held = int(fetched[0][2]), int(fetched[0][3] or 0)
    return Queue(rows, matching, total_held, page, max(1, -(-matching // page_size)))
