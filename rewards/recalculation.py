"""The nightly recalculation of one rewards day, shard by shard, in set-based SQL.

A run has two phases. *Planning* (one task per shard) runs the authenticity pass, then
writes the day's tally (DayTally: what every (creator, metric) measured, what the day before
carried in of a unit not yet whole, what it carries on, and the points due) with one SQL
statement, and stores each difference between what is due and what is already posted as a
RecalcLine with another. Since each day carries into the next, the days of a month are
planned in order, and a day planned again whose remainders changed makes the next one due
(`days_needing_recalculation`). When the last shard is
planned, the safety valve compares the day with the previous one: within the staff-set
limits the run moves on to *posting* (one task per shard), otherwise it is held, fully
computed, for staff to approve. Posting turns a shard's lines into ledger entries and
balance changes in one transaction.

Every step is safe to repeat: a shard is planned or posted at most once per run (its
timestamps are the guard), and each run re-reads what is posted, so a rerun posts only
what is still missing and a second run over the same data posts nothing. A run whose worker
died (no shard at work, none beating for REWARDS_RECALC_STALE_MINUTES) is taken over by the
next run of its day, which posts what the dead one left.
"""

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from accounts.models import User
from accounts.selectors import creator_profile_table
from activity import authenticity
from activity import retention as activity_retention
from activity import selectors as activity_selectors
from activity.tables import (
    creator_day_table,
    engagement_flag_table,
    flag_excludes_sql,
    video_day_table,
    video_table,
)
from core.clock import rewards_today

from . import points
from .models import (
    ACTIVE_STATES,
    CourseCompletion,
    DayTally,
    EarningRule,
    Metric,
    RecalcLimits,
    RecalcLine,
    RecalcRun,
    RecalcShard,
    RecalcState,
)


class RecalcError(Exception):
    """A recalculation that cannot start or go on; the message says why."""


def day_bounds(day: date) -> tuple[datetime | str, datetime | str]:
    """Where `day` starts and ends in REWARDS_DAY_TZ, as raw-SQL parameters.

    Adapted the way the ORM stores datetimes, because SQLite compares them as text and a
    '+00:00' suffix would put an upload at exactly midnight on the day before.
    """
    tz = ZoneInfo(settings.REWARDS_DAY_TZ)
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    adapt = connection.ops.adapt_datetimefield_value
    return adapt(start), adapt(end)


def _streak_sql(day: date) -> tuple[str, dict]:
    """Creators for whom `day` is the 4th distinct day with an upload in its (Monday) week."""
    week_start = day - timedelta(days=day.weekday())
    days = [week_start + timedelta(days=i) for i in range((day - week_start).days + 1)]
    params: dict = {}
    cases = []
    for i, each in enumerate(days):
        params[f"ws{i}"], params[f"we{i}"] = day_bounds(each)
        cases.append(f"WHEN published_at >= %(ws{i})s AND published_at < %(we{i})s THEN {i}")
    params["streak_days"] = settings.REWARDS_STREAK_DAYS
    params["today_index"] = len(days) - 1
    sql = f"""
        SELECT creator_id, 1 AS measured FROM (
            SELECT creator_id, CASE {" ".join(cases)} END AS d
            FROM {video_table()}
            WHERE is_original AND published_at >= %(ws0)s AND published_at < %(day_end)s
              AND creator_id BETWEEN %(lo)s AND %(hi)s
        ) uploads
        GROUP BY creator_id
        HAVING COUNT(DISTINCT d) = %(streak_days)s AND MAX(d) = %(today_index)s
    """
    return sql, params


def counted(column: str, excluded_column: str) -> str:
    """SQL for a video-day's `column` (as `vd`) less what its flags exclude (as `x`: the
    video-day's largest excluded amounts, xv/xl/xc/xs): what counts. The Creator Rewards
    Program counts with it too (rewards/program.py).

    What a flag excludes counts for nothing; never below zero. Views set aside are taken from
    the views watched 5 s in full (not in proportion): what was bought earns nothing, even when
    the bought views were watched less than the genuine ones."""
    x = f"COALESCE(x.{excluded_column}, 0)"
    return f"(vd.{column} - CASE WHEN {x} < vd.{column} THEN {x} ELSE vd.{column} END)"


def _amounts_sql(day: date) -> tuple[str, dict]:
    """SQL for (creator_id, metric, measured) of every metric, for creators lo..hi."""
    day_start, day_end = day_bounds(day)
    streak, streak_params = _streak_sql(day)
    excluded = f"""
        SELECT video_day_id, MAX(excluded_views) AS xv, MAX(excluded_likes) AS xl,
               MAX(excluded_comments) AS xc, MAX(excluded_shares) AS xs
        FROM {engagement_flag_table()}
        WHERE day = %(day)s AND {flag_excludes_sql()} AND creator_id BETWEEN %(lo)s AND %(hi)s
        GROUP BY video_day_id
    """

    sql = f"""
        engagement AS (
            SELECT vd.creator_id,
                   CAST(SUM(CASE WHEN v.is_original AND v.duration_s >= %(min_duration)s
                                 THEN {counted("views_5s", "xv")} ELSE 0 END) AS BIGINT) AS qv,
                   CAST(SUM({counted("likes", "xl")}) AS BIGINT) AS likes,
                   CAST(SUM({counted("comments", "xc")}) AS BIGINT) AS comments,
                   CAST(SUM({counted("shares", "xs")}) AS BIGINT) AS shares
            FROM {video_day_table()} vd
            -- The shard's range on the video side too: an index range scan of the shard's
            -- videos instead of reading every video on the platform to hash-join them.
            JOIN {video_table()} v
              ON v.id = vd.video_id AND v.creator_id BETWEEN %(lo)s AND %(hi)s
            LEFT JOIN ({excluded}) x ON x.video_day_id = vd.id
            WHERE vd.day = %(day)s AND vd.creator_id BETWEEN %(lo)s AND %(hi)s
            GROUP BY vd.creator_id
        ),
        amounts AS (
            SELECT creator_id, '{Metric.QUALIFIED_VIEWS}' AS metric, qv AS measured FROM engagement
            UNION ALL SELECT creator_id, '{Metric.LIKES}', likes FROM engagement
            UNION ALL SELECT creator_id, '{Metric.COMMENTS}', comments FROM engagement
            UNION ALL SELECT creator_id, '{Metric.SHARES}', shares FROM engagement
            UNION ALL
            SELECT creator_id, '{Metric.UPLOADS}', CAST(COUNT(*) AS BIGINT)
            FROM {video_table()}
            WHERE is_original AND published_at >= %(day_start)s AND published_at < %(day_end)s
              AND creator_id BETWEEN %(lo)s AND %(hi)s
            GROUP BY creator_id
            UNION ALL
            SELECT creator_id, '{Metric.REPLIES}', CAST(replies AS BIGINT)
            FROM {creator_day_table()}
            WHERE day = %(day)s AND creator_id BETWEEN %(lo)s AND %(hi)s
            UNION ALL
            SELECT creator_id, '{Metric.LIVE_MINUTES}', CAST(live_minutes AS BIGINT)
            FROM {creator_day_table()}
            WHERE day = %(day)s AND creator_id BETWEEN %(lo)s AND %(hi)s
            UNION ALL
            SELECT creator_id, '{Metric.STREAK}', CAST(measured AS BIGINT) FROM ({streak}) s
            UNION ALL
            SELECT creator_id, '{Metric.COURSES}', CAST(COUNT(*) AS BIGINT)
            FROM rewards_coursecompletion
            WHERE completed_on = %(day)s AND creator_id BETWEEN %(lo)s AND %(hi)s
            GROUP BY creator_id
        )
    """
    params = {
        "day": day,
        "day_start": day_start,
        "day_end": day_end,
        "min_duration": settings.QUALIFIED_VIEW_MIN_DURATION_S,
        **streak_params,
    }
    return sql, params


TALLY_TABLE = DayTally._meta.db_table


def tally_sql(day: date, rules: list[EarningRule] | None = None) -> tuple[str, dict]:
    """INSERT or refresh the day's tally (DayTally) for creators lo..hi: for every metric
    that counted something, that carried a remainder in, or that was tallied before, what it
    measured, what the day before carried in (nothing on the 1st of a month), what is left
    over of a whole unit of the rule in force (`rules`, by default the rules in force that
    day) and the points that rule gives the day (points.py's SQL, with the day's own taper
    and cap). A metric with no rule in force carries nothing on. A row is written again only
    where something in it changed, so a rerun over the same data writes nothing."""
    if rules is None:
        rules = list(points.rules_in_force(day).values())
    rules_sql, rules_params = points.named_params(*points.rules_cte(rules))
    amounts_sql, amounts_params = _amounts_sql(day)
    in_shard = "creator_id BETWEEN %(lo)s AND %(hi)s"
    total = "t.carried_in + t.measured"
    carried = (
        ""
        if points.period_start(day) == day
        else f"""
            UNION ALL
            SELECT creator_id, metric, CAST(0 AS BIGINT), carried_out, 0 FROM {TALLY_TABLE}
            WHERE day = %(previous)s AND {in_shard} AND carried_out > 0"""
    )
    sql = f"""
        WITH {rules_sql}, {amounts_sql},
        tally AS (
            -- SUM of BIGINT is NUMERIC on PostgreSQL, whose division is not whole units.
            SELECT creator_id, metric, CAST(SUM(measured) AS BIGINT) AS measured,
                   CAST(SUM(carried) AS BIGINT) AS carried_in, MAX(tallied) AS tallied
            FROM (
                SELECT creator_id, metric,
                       CASE WHEN measured > %(max_measured)s THEN %(max_measured)s
                            ELSE measured END AS measured,
                       CAST(0 AS BIGINT) AS carried, 0 AS tallied
                FROM amounts WHERE measured > 0
                {carried}
                UNION ALL
                SELECT creator_id, metric, CAST(0 AS BIGINT), CAST(0 AS BIGINT), 1
                FROM {TALLY_TABLE} WHERE day = %(day)s AND {in_shard}
            ) parts
            GROUP BY creator_id, metric
        )
        INSERT INTO {TALLY_TABLE}
            (day, creator_id, metric, rule_id, measured, carried_in, carried_out, points)
        SELECT %(day)s, t.creator_id, t.metric, r.rule_id, t.measured, t.carried_in,
               CASE WHEN r.rule_id IS NULL THEN 0 ELSE {points.carry_sql(total)} END,
               CASE WHEN r.rule_id IS NULL THEN 0
                    ELSE {points.points_sql(points.capped_sql(total))} END
        FROM tally t LEFT JOIN rules r ON r.metric = t.metric
        WHERE r.rule_id IS NOT NULL OR t.carried_in > 0 OR t.tallied = 1
        ON CONFLICT (day, creator_id, metric) DO UPDATE
        SET rule_id = excluded.rule_id, measured = excluded.measured,
            carried_in = excluded.carried_in, carried_out = excluded.carried_out,
            points = excluded.points
        WHERE {TALLY_TABLE}.measured <> excluded.measured
           OR {TALLY_TABLE}.carried_in <> excluded.carried_in
           OR {TALLY_TABLE}.carried_out <> excluded.carried_out
           OR {TALLY_TABLE}.points <> excluded.points
           OR COALESCE({TALLY_TABLE}.rule_id, 0) <> COALESCE(excluded.rule_id, 0)
    """
    params = {
        **rules_params,
        **amounts_params,
        "previous": day - timedelta(days=1),
        "max_measured": points.MAX_MEASURED,
    }
    return sql, params


def replay_sql(
    first: date,
    last: date,
    rules: Sequence[EarningRule],
    metrics: Sequence[str],
    *,
    as_tallied: Collection[str] = (),
    same_unit: Collection[str] = (),
) -> tuple[str, dict]:
    """SELECT (creator_id, then the points of each of `metrics`): what `rules` (active ones,
    saved or drafts) would have given every creator tallied in `first`..`last`, had they been
    in force from `first`, by the tallies the nightly run wrote for those days (DayTally's
    measured amounts and, on `first`, what the day before carried in) and the run's own
    arithmetic (points.py's carry and stages). It reads and writes nothing else: the staff
    what-if. Every creator with a tally in the days has a row (zeros where nothing is paid).

    The carry needs no day-by-day walk: what a day leaves over is (carried in + measured)
    less whole units, so what reaches a day is (what reached the period's first day here +
    everything measured since, before that day) less whole units, one running sum per
    (creator, metric, period). A rule with units of 1 carries nothing and skips the window.
    A metric no rule was in force for has no tallies to replay (the nightly run keeps none).

    The running sum sorts every tally it replays, so the caller names the metrics that need
    less (rewards.fairness.replay decides from the rule versions in force on these days):
    - `as_tallied`: the rule pays as every version in force on these days did, so the
      tally's own points are the replay's;
    - `same_unit`: every version in force on these days was active with the rule's unit
      size, so each tally's carried_in is what the running sum would give, and the rule's
      stages apply to carried_in + measured row by row.
    Neither sorts: the tallies of both are read once and summed by creator."""
    rules_sql, params = points.named_params(*points.rules_cte(rules, keys=range(len(rules))))
    ruled = {rule.metric for rule in rules}
    windowed = sorted(ruled - set(as_tallied) - set(same_unit))
    tallied_as_is = sorted(ruled & set(as_tallied))

    def listed(prefix: str, names: Sequence[str]) -> str:
        params.update({f"{prefix}{i}": name for i, name in enumerate(names)})
        return ", ".join(f"%({prefix}{i})s" for i in range(len(names)))

    stage = "r.unit_size, r.per_unit, r.taper_above, r.taper_pct, r.cap"
    # One pass over the tallies of every metric the window does not replay: the tally's own
    # points, the rule's stages on what reached the day, or nothing (no rule in the draft).
    row_points = (
        "CASE WHEN r.metric IS NULL THEN 0 "
        + (
            f"WHEN t.metric IN ({listed('n', tallied_as_is)}) THEN t.points "
            if tallied_as_is
            else ""
        )
        + f"ELSE {points.points_sql(points.capped_sql('t.carried_in + t.measured'))} END"
    )
    parts = [
        f"""
            SELECT t.creator_id, r.rule_id AS rule_key, {row_points} AS points
            FROM {TALLY_TABLE} t LEFT JOIN rules r ON r.metric = t.metric
            WHERE t.day BETWEEN %(first)s AND %(last)s"""
        + (f" AND t.metric NOT IN ({listed('w', windowed)})" if windowed else "")
    ]
    window_ctes = ""
    if windowed:
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        periods = list(dict.fromkeys(points.period_start(day) for day in days))
        day_rows = []
        for i, day in enumerate(days):
            params[f"d{i}"] = day
            params[f"g{i}"] = periods.index(points.period_start(day))
            day_rows.append(f"(%(d{i})s, CAST(%(g{i})s AS INTEGER))")
        # What reached the day (earlier days' measures less whole units) plus what it measured.
        reached_total = f"{points.carry_sql('r.earlier')} + r.measured"
        window_ctes = f"""
        days(day, period) AS (VALUES {", ".join(day_rows)}),
        tallied AS (
            SELECT t.creator_id, t.metric, r.rule_id AS rule_key, t.day, d.period, t.measured,
                   CASE WHEN t.day = %(first)s THEN t.carried_in ELSE 0 END AS seed, {stage}
            FROM {TALLY_TABLE} t
            JOIN days d ON d.day = t.day
            JOIN rules r ON r.metric = t.metric
            WHERE t.day BETWEEN %(first)s AND %(last)s AND t.metric IN ({listed("w", windowed)})
        ),
        reached AS (
            -- SUM of BIGINT is NUMERIC on PostgreSQL, whose division is not whole units.
            SELECT r.creator_id, r.metric, r.rule_key, r.measured, {stage},
                   CAST(SUM(r.seed) OVER (PARTITION BY r.creator_id, r.metric, r.period)
                        + COALESCE(SUM(r.measured) OVER (
                              PARTITION BY r.creator_id, r.metric, r.period ORDER BY r.day
                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                        AS BIGINT) AS earlier
            FROM tallied r WHERE r.unit_size > 1
        ),"""
        parts += [
            f"""
            SELECT r.creator_id, r.rule_key,
                   {points.points_sql(points.capped_sql(reached_total))}
            FROM reached r""",
            f"""
            SELECT r.creator_id, r.rule_key,
                   {points.points_sql(points.capped_sql("r.seed + r.measured"))}
            FROM tallied r WHERE r.unit_size = 1""",
        ]
    # Each metric's column sums the rows of its rule (keyed by its place in `rules`: an
    # integer to compare, and one sum per rule, not per metric).
    key = {rule.metric: i for i, rule in enumerate(rules)}
    pivot = ", ".join(
        f"CAST(COALESCE(SUM(points) FILTER (WHERE rule_key = {key[metric]}), 0) AS BIGINT)"
        if metric in key
        else "CAST(0 AS BIGINT)"
        for metric in metrics
    )
    sql = f"""
        WITH {rules_sql},{window_ctes}
        day_points AS ({" UNION ALL ".join(parts)}
        )
        SELECT creator_id, {pivot} FROM day_points GROUP BY creator_id
    """
    params.update({"first": first, "last": last})
    return sql, params


def due_sql(day: date) -> tuple[str, dict]:
    """The CTE `due(creator_id, metric, rule_id, measured, carried_in, due)`: the points each
    creator lo..hi is due for `day`, as the day's tally holds them (`tally_sql` writes it
    first: the rule applied to what earlier days carried in plus what the day measured).
    The one statement of what is due: the nightly run plans from it, and the web
    benchmark's seed builds its ledger with it."""
    sql = f"""
        due AS (
            SELECT creator_id, metric, rule_id, measured, carried_in, points AS due
            FROM {TALLY_TABLE}
            WHERE day = %(day)s AND creator_id BETWEEN %(lo)s AND %(hi)s
              AND rule_id IS NOT NULL
        )"""
    return sql, {"day": day}


def plan_sql(day: date) -> tuple[str, dict]:
    """INSERT the differences between due and posted for one run and creators lo..hi."""
    due, params = due_sql(day)
    sql = f"""
        WITH {due},
        posted AS MATERIALIZED (
            SELECT e.account_id AS creator_id, e.metric, SUM(e.amount) AS posted
            FROM rewards_pointsentry e
            WHERE e.activity_date = %(day)s AND e.account_id BETWEEN %(lo)s AND %(hi)s
              AND e.kind IN ({points.EARNING_KINDS_SQL})
            GROUP BY e.account_id, e.metric
        )
        INSERT INTO rewards_recalcline
            (run_id, creator_id, metric, rule_id, measured, carried_in, due, posted, delta,
             deferred)
        SELECT %(run)s, creator_id, metric, MAX(rule_id), MAX(measured), MAX(carried_in),
               SUM(due), SUM(posted), SUM(due) - SUM(posted), FALSE
        FROM (
            SELECT creator_id, metric, rule_id, measured, carried_in, due,
                   CAST(0 AS BIGINT) AS posted
            FROM due
            UNION ALL
            SELECT creator_id, metric, CAST(NULL AS BIGINT), CAST(0 AS BIGINT),
                   CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(posted AS BIGINT)
            FROM posted
        ) both_sides
        GROUP BY creator_id, metric
        HAVING SUM(due) <> SUM(posted)
    """
    return sql, params


# Per creator: the day's total after this run against the previous day's posted total.
SHARD_FIGURES_SQL = f"""
    SELECT COALESCE(SUM(today), 0), COALESCE(MAX(ABS(today - before)), 0) FROM (
        SELECT creator_id, SUM(today) AS today, SUM(before) AS before FROM (
            SELECT account_id AS creator_id, amount AS today, 0 AS before
            FROM rewards_pointsentry
            WHERE activity_date = %(day)s AND account_id BETWEEN %(lo)s AND %(hi)s
              AND kind IN ({points.EARNING_KINDS_SQL})
            UNION ALL
            SELECT creator_id, delta, 0 FROM rewards_recalcline
            WHERE run_id = %(run)s AND creator_id BETWEEN %(lo)s AND %(hi)s
            UNION ALL
            SELECT account_id, 0, amount
            FROM rewards_pointsentry
            WHERE activity_date = %(previous)s AND account_id BETWEEN %(lo)s AND %(hi)s
              AND kind IN ({points.EARNING_KINDS_SQL})
        ) figures
        GROUP BY creator_id
    ) per_creator
"""

# Creators whose differences in the shard add up to a loss: the only balances that can fall.
_TAKING = """
    SELECT creator_id, SUM(delta) AS total FROM rewards_recalcline
    WHERE run_id = %(run)s AND creator_id BETWEEN %(lo)s AND %(hi)s
    GROUP BY creator_id HAVING SUM(delta) < 0
"""
TAKING_ACCOUNTS_SQL = f"""
    SELECT creator_id FROM rewards_pointsaccount
    WHERE creator_id IN (SELECT creator_id FROM ({_TAKING}) taking)
    ORDER BY creator_id
"""

# A correction that would take a balance below zero (the points were already spent) waits:
# its line is marked deferred, the difference stays due, and a later run posts it once the
# balance allows. Entries and balances below read only the lines not deferred. (A creator
# without an account yet has nothing posted, so no negative line.)
DEFER_SQL = f"""
    UPDATE rewards_recalcline SET deferred = TRUE
    WHERE run_id = %(run)s AND creator_id BETWEEN %(lo)s AND %(hi)s AND delta < 0
      AND creator_id IN (
          SELECT taking.creator_id FROM ({_TAKING}) taking
          LEFT JOIN rewards_pointsaccount acc ON acc.creator_id = taking.creator_id
          WHERE COALESCE(acc.balance, 0) + taking.total < 0)
"""

# The idempotency key numbers a (creator, day, metric)'s earning entries: two posts racing for
# the same difference would write the same key, and the unique index lets only one through.
POST_SQL = f"""
    WITH prior AS MATERIALIZED (
        SELECT account_id, metric, COUNT(*) AS n
        FROM rewards_pointsentry
        WHERE activity_date = %(day)s AND account_id BETWEEN %(lo)s AND %(hi)s
          AND kind IN ({points.EARNING_KINDS_SQL})
        GROUP BY account_id, metric
    ),
    -- A day posted before is corrected, even in a metric that earned nothing then (a
    -- dismissed flag's likes): the creator sees every later change labelled as one.
    posted_day AS MATERIALIZED (SELECT DISTINCT account_id FROM prior)
    INSERT INTO rewards_pointsentry
        (account_id, amount, kind, metric, rule_id, activity_date, measured, carried_in,
         idempotency_key, memo, created_at, run_id)
    SELECT l.creator_id, l.delta,
           CASE WHEN d.account_id IS NULL THEN 'earned' ELSE 'correction' END,
           l.metric, l.rule_id, %(day)s, l.measured, l.carried_in,
           'recalc:' || l.creator_id || ':' || %(day_text)s || ':' || l.metric || ':'
               || COALESCE(p.n, 0),
           CASE WHEN d.account_id IS NULL THEN ''
                ELSE 'Recalculated: ' || l.due || ' points due, ' || l.posted
                     || ' posted before (late data, an authenticity review, or a change in '
                     || 'what earlier days carried in)' END,
           %(now)s, %(run)s
    FROM rewards_recalcline l
    LEFT JOIN prior p ON p.account_id = l.creator_id AND p.metric = l.metric
    LEFT JOIN posted_day d ON d.account_id = l.creator_id
    WHERE l.run_id = %(run)s AND l.creator_id BETWEEN %(lo)s AND %(hi)s AND NOT l.deferred
"""

# Every balance the shard moves, set-based and once per account. A creator whose total is
# negative has an account (points were posted before): it is moved by an UPDATE, because an
# upsert checks the balance constraint on the row it proposes, before it finds the account.
# Every other total is upserted: an account is created with its first points. Creator order,
# as the lock on losses takes them. (The entries above may reference accounts created here:
# the foreign keys Django makes are checked at commit.)
_SHARD_TOTALS = """
    SELECT creator_id, SUM(delta) AS total FROM rewards_recalcline
    WHERE run_id = %(run)s AND creator_id BETWEEN %(lo)s AND %(hi)s AND NOT deferred
    GROUP BY creator_id
"""
TAKE_BALANCES_SQL = f"""
    UPDATE rewards_pointsaccount SET balance = balance + t.total, updated_at = %(now)s
    FROM ({_SHARD_TOTALS}) t
    WHERE rewards_pointsaccount.creator_id = t.creator_id AND t.total < 0
"""
APPLY_BALANCES_SQL = f"""
    INSERT INTO rewards_pointsaccount AS acc (creator_id, balance, updated_at)
    SELECT creator_id, total, %(now)s FROM ({_SHARD_TOTALS}) t
    WHERE total >= 0
    ORDER BY creator_id
    ON CONFLICT (creator_id) DO UPDATE
    SET balance = acc.balance + EXCLUDED.balance, updated_at = EXCLUDED.updated_at
"""


def shard_bounds_sql() -> str:
    """The first and last creator id of each shard of `size` creators, in order."""
    return f"""
        SELECT MIN(id), MAX(id) FROM (
            SELECT id, (ROW_NUMBER() OVER (ORDER BY id) - 1) / %(size)s AS shard
            FROM {creator_profile_table()}
        ) numbered
        GROUP BY shard ORDER BY shard
    """


def _execute(sql: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


class RunUnderWay(RecalcError):
    """Another run of the day is alive: a shard of it is at work, or one beat recently."""

    def __init__(self, day: date, run: RecalcRun | None) -> None:
        self.day, self.run = day, run
        detail = ""
        if run is not None:
            silent = max(0, int((timezone.now() - run.heartbeat_at).total_seconds()))
            detail = (
                f" (run {run.pk}, {run.get_state_display().lower()}, last heartbeat "
                f"{silent // 60} min {silent % 60} s ago; taken over after "
                f"{settings.REWARDS_RECALC_STALE_MINUTES} min of silence)"
            )
        super().__init__(f"A recalculation of {day} is already running{detail}.")


def _take_over_silent_runs(day: date) -> list[int]:
    """Retire the day's active runs that show no sign of life, so that a new run can replace
    them, and return their ids. A run is alive while it beat in the last
    REWARDS_RECALC_STALE_MINUTES, or while one of its shards is at work: a shard holds its
    shard's row (planning) or its run's row (posting) locked for as long as its transaction
    lasts. A held lock is proof of life whatever the heartbeat says, since a shard's heartbeat
    is written in its own transaction and others see it only once the shard commits, however
    long the shard takes. A worker killed mid-shard loses its connection, PostgreSQL rolls its
    transaction back and drops its locks, and the heartbeat's age alone speaks for the run.

    Runs in start_run's transaction, which keeps the rows it checked locked until the new run
    exists: a late task of a retired run (a redelivery, a retry) then finds it failed and
    stops, since plan_shard and post_shard read the run's state under their locks, and so the
    new run plans from a ledger that the old one no longer posts to. (SQLite locks no rows and
    runs one writer at a time.)"""
    stale_before = timezone.now() - timedelta(minutes=settings.REWARDS_RECALC_STALE_MINUTES)
    quiet = (
        RecalcRun.objects.select_for_update(skip_locked=True)
        .filter(day=day, state__in=ACTIVE_STATES, heartbeat_at__lt=stale_before)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    silent = []
    for run_id in quiet:
        shards = RecalcShard.objects.filter(run_id=run_id).order_by("pk")
        free = shards.select_for_update(skip_locked=True).values_list("pk", flat=True)
        if len(free) == shards.count():
            silent.append(run_id)
    if silent:
        RecalcRun.objects.filter(pk__in=silent).update(
            state=RecalcState.FAILED,
            error=(
                f"No heartbeat for {settings.REWARDS_RECALC_STALE_MINUTES} minutes and no "
                "shard at work: presumed dead, and taken over by the next run of the day."
            ),
            finished_at=timezone.now(),
        )
    return silent


def start_run(
    *,
    day: date,
    approved_by: User | None = None,
    approves: RecalcRun | None = None,
    nightly: bool = False,
) -> RecalcRun:
    """Open a run for `day` with its shards, taking over a run of the day that went silent;
    raises RunUnderWay while another run of the day is alive. With `approved_by` alone the
    safety valve is skipped (demo data); with `approves`, the run may move points as far as
    that held run did, and no further."""
    if day >= rewards_today():
        raise RecalcError(f"{day} has not happened yet: a day is recalculated once it is over.")
    kept_from = activity_retention.raw_activity_kept_from(rewards_today())
    trailing = timedelta(days=settings.AUTHENTICITY["TRAILING_DAYS"])
    if day - trailing < kept_from:
        # The retention settings removed per-video numbers the run reads: the day's own (it
        # would find none and take back every point they gave) or its authenticity
        # baseline's, the days before it.
        raise RecalcError(
            f"Per-video numbers of days before {kept_from} were removed after "
            f"{activity_retention.raw_activity_days()} days: {day} and the "
            f"{trailing.days} days before it can no longer be recalculated in full."
        )
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Starts of the same day queue here, so two never take over the same silent
                # run at once (each would wait for the other's new run: a deadlock).
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(%s, %s)",
                        [START_LOCK, day.toordinal()],
                    )
            _take_over_silent_runs(day)
            run = RecalcRun.objects.create(
                day=day, approved_by=approved_by, approves=approves, nightly=nightly
            )
            with connection.cursor() as cursor:
                cursor.execute(shard_bounds_sql(), {"size": settings.REWARDS_RECALC_SHARD_SIZE})
                bounds = cursor.fetchall()
            RecalcShard.objects.bulk_create(
                RecalcShard(run=run, index=i, first_creator_id=lo, last_creator_id=hi)
                for i, (lo, hi) in enumerate(bounds)
            )
            run.shard_count = len(bounds)
            run.save(update_fields=["shard_count"])
    except IntegrityError as exc:
        alive = RecalcRun.objects.filter(day=day, state__in=ACTIVE_STATES).first()
        raise RunUnderWay(day, alive) from exc
    return run


# The first key of the advisory lock that queues starts of a day (the second is the day).
START_LOCK = 0x52454341  # "RECA"


def _lock_balances(params: dict) -> int:
    """Hold the accounts the shard takes points from while deciding what their balances can
    take, so a redemption cannot spend between that decision and the balance update; returns
    how many there are. Points given need no such hold: a balance plus a positive total is
    never below zero, and the upsert moves each account under its own row lock, from its
    latest balance, so a spend meanwhile is neither lost nor blocked. (SQLite locks the whole
    file.) Two postings over the same creators (runs of different days) now take their locks
    in two ascending passes rather than one; should they deadlock, PostgreSQL aborts one and
    its task retries, as for any OperationalError."""
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(TAKING_ACCOUNTS_SQL + lock, params)
        return len(cursor.fetchall())


def _touch(run: RecalcRun, **counters: F) -> None:
    RecalcRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now(), **counters)


@transaction.atomic
def plan_shard(*, run: RecalcRun, index: int) -> bool:
    """Plan one shard; True when it was the last one left to plan."""
    shard = RecalcShard.objects.select_for_update().get(run=run, index=index)
    if shard.planned_at is not None:
        return False
    # Read under the shard's lock: a run taken over meanwhile plans nothing more.
    if not RecalcRun.objects.filter(pk=run.pk, state=RecalcState.PLANNING).exists():
        return False
    lo, hi = shard.first_creator_id, shard.last_creator_id
    authenticity.flag_day(day=run.day, lo=lo, hi=hi)
    # The day's tally first (what each metric measured and carried), then the plan from it.
    sql, params = tally_sql(run.day)
    _execute(sql, {**params, "lo": lo, "hi": hi})
    sql, params = plan_sql(run.day)
    _execute(sql, {**params, "run": run.pk, "lo": lo, "hi": hi})
    with connection.cursor() as cursor:
        cursor.execute(
            SHARD_FIGURES_SQL,
            {"run": run.pk, "lo": lo, "hi": hi, "day": run.day, "previous": run.day - timedelta(1)},
        )
        shard.due_total, shard.max_creator_change = (int(v) for v in cursor.fetchone())
    shard.planned_at = timezone.now()
    shard.save(update_fields=["planned_at", "due_total", "max_creator_change"])
    _touch(run, shards_planned=F("shards_planned") + 1)
    return not RecalcShard.objects.filter(run=run, planned_at__isnull=True).exists()


@transaction.atomic
def finish_planning(*, run: RecalcRun) -> RecalcRun:
    """Apply the safety valve: move on to posting, or hold the run for staff approval."""
    run = RecalcRun.objects.select_for_update().get(pk=run.pk)
    if run.state != RecalcState.PLANNING:
        return run
    shards = list(run.shards.all())
    run.day_total_due = sum(s.due_total for s in shards)
    run.max_creator_change = max((s.max_creator_change for s in shards), default=0)
    run.previous_day_total = previous_day_total(run.day)
    reason = ""
    if run.approves is not None:
        seen = run.approves
        if run.max_creator_change > seen.max_creator_change or abs(
            run.day_total_due - run.previous_day_total
        ) > abs(seen.day_total_due - seen.previous_day_total):
            reason = "it would move points further than the run that was approved"
    elif run.approved_by_id is None:
        reason = RecalcLimits.current().holds(
            total_due=run.day_total_due,
            previous_total=run.previous_day_total,
            max_creator_change=run.max_creator_change,
        )
    run.state = RecalcState.HELD if reason else RecalcState.POSTING
    run.held_reason = reason
    run.heartbeat_at = timezone.now()
    if reason:
        run.finished_at = timezone.now()
    run.save()
    return run


def previous_day_total(day: date) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(amount), 0) FROM rewards_pointsentry "
            f"WHERE activity_date = %s AND kind IN ({points.EARNING_KINDS_SQL})",
            [day - timedelta(days=1)],
        )
        return int(cursor.fetchone()[0])


@transaction.atomic
def post_shard(*, run: RecalcRun, index: int) -> bool:
    """Post one shard's differences as entries and balances; True when it was the last one."""
    # The run's row lock orders this post against a stale-run sweep or a new run of the day:
    # a run that is no longer posting posts nothing more.
    if RecalcRun.objects.select_for_update().get(pk=run.pk).state != RecalcState.POSTING:
        return False
    shard = RecalcShard.objects.select_for_update().get(run=run, index=index)
    if shard.posted_at is not None:
        return False
    params = {
        "run": run.pk,
        "lo": shard.first_creator_id,
        "hi": shard.last_creator_id,
        "day": run.day,
        "day_text": run.day.isoformat(),
        "now": timezone.now(),
    }
    # A day's first run takes from nobody (nothing is posted yet), later runs from few: the
    # deferral and the UPDATE for losses run only when someone's differences add up to a loss.
    taking = _lock_balances(params)
    if taking:
        _execute(DEFER_SQL, params)
    posted = _execute(POST_SQL, params)
    if connection.vendor != "postgresql":
        # One entry per line not deferred (rowcount of WITH … INSERT is not reported on SQLite).
        posted = RecalcLine.objects.filter(
            run=run,
            creator_id__gte=shard.first_creator_id,
            creator_id__lte=shard.last_creator_id,
            deferred=False,
        ).count()
    if taking:
        _execute(TAKE_BALANCES_SQL, params)
    _execute(APPLY_BALANCES_SQL, params)
    shard.posted_at = timezone.now()
    shard.save(update_fields=["posted_at"])
    _touch(run, shards_posted=F("shards_posted") + 1, entries_posted=F("entries_posted") + posted)
    return not RecalcShard.objects.filter(run=run, posted_at__isnull=True).exists()


def finish_run(*, run: RecalcRun) -> RecalcRun:
    # What was posted is exactly the lines not deferred; they are indexed by run, entries are not.
    delta = run.lines.filter(deferred=False).aggregate(total=Sum("delta"))["total"] or 0
    RecalcRun.objects.filter(pk=run.pk, state=RecalcState.POSTING).update(
        state=RecalcState.DONE, finished_at=timezone.now(), points_delta=delta
    )
    run.refresh_from_db()
    return run


def mark_failed(*, run: RecalcRun, error: str) -> None:
    RecalcRun.objects.filter(pk=run.pk, state__in=ACTIVE_STATES).update(
        state=RecalcState.FAILED, error=error[:5000], finished_at=timezone.now()
    )


def recalculate_day_in_process(*, day: date, approved_by: User | None = None) -> RecalcRun:
    """The whole run in this process, shard after shard (management command, tests, no broker)."""
    return drive_in_process(run=start_run(day=day, approved_by=approved_by))


def drive_in_process(*, run: RecalcRun) -> RecalcRun:
    """Plan and post an opened run here, shard after shard."""
    try:
        for shard in range(run.shard_count):
            plan_shard(run=run, index=shard)
        run = finish_planning(run=run)
        if run.state != RecalcState.POSTING:
            return run
        for shard in range(run.shard_count):
            post_shard(run=run, index=shard)
        return finish_run(run=run)
    except Exception as exc:
        mark_failed(run=run, error=f"{type(exc).__name__}: {exc}")
        raise


# How far back the nightly job looks for days whose data changed after their last run.
RECHECK_DAYS = 35


def days_needing_recalculation(*, today: date) -> list[date]:
    """Past days to recalculate again: data or reviews newer than the day's last finished run
    (late data, a dismissed flag, a course reported late), a last run that failed, or a last
    run that left corrections waiting for the balance. A handful of grouped queries."""
    first = today - timedelta(days=RECHECK_DAYS)
    latest_run: dict[date, RecalcRun] = {}
    for run in RecalcRun.objects.filter(day__gte=first, day__lt=today).order_by("started_at"):
        latest_run[run.day] = run
    changed = activity_selectors.days_changed_since_runs(first, today)

    def note(rows: Iterable[tuple[date | None, datetime | None]]) -> None:
        for day, moment in rows:
            if day is not None and moment is not None:
                changed[day] = max(changed.get(day, moment), moment)

    note(
        CourseCompletion.objects.filter(completed_on__gte=first, completed_on__lt=today)
        .values_list("completed_on")
        .annotate(m=Max("recorded_at"))
    )
    deferred = set(
        RecalcLine.objects.filter(
            run__in=[r.pk for r in latest_run.values()], deferred=True
        ).values_list("run__day", flat=True)
    )
    carry_stale = _carry_out_of_date(latest_run)
    due = []
    for day in sorted(set(changed) | set(latest_run)):
        run = latest_run.get(day)
        if (
            run is None
            or run.state == RecalcState.FAILED
            or day in deferred
            or day in carry_stale
            or (run.state == RecalcState.DONE and changed.get(day, run.started_at) > run.started_at)
        ):
            due.append(day)
    return due


# Any (creator, metric) whose remainder carried into `day` is not what the day before
# carries out: the day was planned before the day before last changed.
CARRY_MISMATCH_SQL = f"""
    SELECT 1 FROM (
        SELECT creator_id, metric, carried_out AS carried FROM {TALLY_TABLE}
        WHERE day = %(previous)s AND carried_out > 0
        UNION ALL
        SELECT creator_id, metric, -carried_in FROM {TALLY_TABLE}
        WHERE day = %(day)s AND carried_in > 0
    ) both_days
    GROUP BY creator_id, metric
    HAVING SUM(carried) <> 0
    LIMIT 1
"""


def _carry_out_of_date(latest_run: dict[date, RecalcRun]) -> set[date]:
    """Days whose last run read what the day before carried out before that day's last run
    had finished writing it (a correction to the day before, or the two run at once), and
    whose carried remainders differ from it now: they must be planned again, after the day
    before. Only such pairs are compared (one query each), so a night without corrections
    reads nothing here."""
    stale = set()
    for day, run in latest_run.items():
        before = latest_run.get(day - timedelta(days=1))
        if before is None or points.period_start(day) == day:
            continue
        # The day before's last tally write is no later than its last heartbeat (each
        # shard beats, finish_planning last) or its end.
        wrote_until = max(before.heartbeat_at, before.finished_at or before.heartbeat_at)
        if wrote_until < run.started_at:
            continue
        with connection.cursor() as cursor:
            cursor.execute(CARRY_MISMATCH_SQL, {"day": day, "previous": before.day})
            if cursor.fetchone() is not None:
                stale.add(day)
    return stale


def next_day_of_the_month(*, after: date, today: date, with_yesterday: bool = False) -> date | None:
    """The day of `after`'s month to recalculate after it, in day order, since each carries
    its remainders into the next: the earliest later day of the month that needs it
    (days_needing_recalculation), and, `with_yesterday` (the nightly job), yesterday if it
    has never run; None when none does."""
    yesterday = today - timedelta(days=1)
    if after >= yesterday or not points.carries_on(after):
        return None  # no later day of its month is over yet (the usual night), or none left
    days = set(days_needing_recalculation(today=today))
    if with_yesterday and not RecalcRun.objects.filter(day=yesterday).exists():
        days.add(yesterday)
    later = [
        day
        for day in days
        if after < day < today and points.period_start(day) == points.period_start(after)
    ]
    return min(later, default=None)


@transaction.atomic
def replace_held_run(*, run_id: int, approver: User) -> RecalcRun:
    """Open the run that replaces a held run staff approved (what is posted may have changed
    while it waited), allowed to move points as far as the held run showed and no further; the
    held run is superseded once its replacement exists. Returns the new run, for planning (the
    use-case with its queueing is `services.approve_held_run`)."""
    held = RecalcRun.objects.select_for_update().get(pk=run_id)
    if held.state != RecalcState.HELD:
        raise RecalcError("Only a held run can be approved.")
    fresh = start_run(day=held.day, approved_by=approver, approves=held)
    held.state = RecalcState.SUPERSEDED
    held.save(update_fields=["state"])
    return fresh
