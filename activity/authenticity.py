"""The authenticity pass: flag video-days whose engagement is implausible, before points.

Three checks, thresholds in settings.AUTHENTICITY:
- views far above the creator's own trailing level (median and MAD, robust to earlier bursts)
  while likes per view fall well below the creator's usual rate: a bot burst. A viral video,
  whose likes and shares rise with its views, keeps its usual like rate and is not flagged;
- likes or comments per view beyond what people do;
- engagement the platform itself marked as coming from bot accounts.
A flag excludes what it names until staff dismiss it; open flags whose data no longer looks
wrong (a corrected re-delivery) are withdrawn. Reviewed flags are history and stay.
"""

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from .models import EngagementFlag, FlagReason, FlagStatus, VideoDay

MAD_TO_SIGMA = 1.4826  # makes the MAD comparable to a standard deviation for normal data
MIN_BASELINE_DAYS = 7


@dataclass(frozen=True)
class Baseline:
    median_views: float
    mad_views: float
    like_rate: float


def _baseline_ctes(only_creators: str = "") -> str:
    """The trailing baselines as CTEs ending in `baseline(creator_id, median_views, mad_views,
    like_rate)`; `only_creators`, a subquery of creator ids, leaves the others out."""
    only = f"AND creator_id IN ({only_creators})" if only_creators else ""
    return f"""
        daily AS (
            SELECT creator_id, day, SUM(views) AS views, SUM(likes) AS likes
            FROM activity_videoday
            WHERE day >= %(start)s AND day < %(day)s AND creator_id BETWEEN %(lo)s AND %(hi)s
              {only}
            GROUP BY creator_id, day
        ), med AS (
            SELECT creator_id, COUNT(*) AS n,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY views) AS median_views,
                   SUM(likes)::float / NULLIF(SUM(views), 0) AS like_rate
            FROM daily GROUP BY creator_id
        ), baseline AS (
            SELECT m.creator_id, m.median_views,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(d.views - m.median_views))
                       AS mad_views,
                   COALESCE(m.like_rate, 0) AS like_rate
            FROM med m JOIN daily d USING (creator_id)
            WHERE m.n >= %(min_days)s
            GROUP BY m.creator_id, m.median_views, m.like_rate
        )
    """


def _baseline_params(day: date, lo: int, hi: int) -> dict:
    return {
        "start": day - timedelta(days=settings.AUTHENTICITY["TRAILING_DAYS"]),
        "day": day,
        "lo": lo,
        "hi": hi,
        "min_days": MIN_BASELINE_DAYS,
    }


def _baselines_postgresql(day: date, lo: int, hi: int) -> dict[int, Baseline]:
    columns = "creator_id, median_views, mad_views, like_rate"
    sql = f"WITH {_baseline_ctes()} SELECT {columns} FROM baseline"
    with connection.cursor() as cursor:
        cursor.execute(sql, _baseline_params(day, lo, hi))
        return {row[0]: Baseline(row[1], row[2], row[3]) for row in cursor.fetchall()}


def _baselines_portable(day: date, lo: int, hi: int) -> dict[int, Baseline]:
    """The same baselines for databases without percentile_cont (SQLite, for local use)."""
    window = settings.AUTHENTICITY["TRAILING_DAYS"]
    rows = (
        VideoDay.objects.filter(
            day__gte=day - timedelta(days=window), day__lt=day, creator__id__range=(lo, hi)
        )
        .values("creator_id", "day")
        .annotate(v=Sum("views"), lk=Sum("likes"))
    )
    per_creator: dict[int, list[tuple[int, int]]] = {}
    for row in rows:
        per_creator.setdefault(row["creator_id"], []).append((row["v"], row["lk"]))
    baselines = {}
    for creator_id, days in per_creator.items():
        if len(days) < MIN_BASELINE_DAYS:
            continue
        views = [v for v, _ in days]
        median = statistics.median(views)
        mad = statistics.median(abs(v - median) for v in views)
        total_views = sum(views)
        rate = sum(lk for _, lk in days) / total_views if total_views else 0.0
        baselines[creator_id] = Baseline(median, mad, rate)
    return baselines


def baselines(day: date, lo: int, hi: int) -> dict[int, Baseline]:
    if connection.vendor == "postgresql":
        return _baselines_postgresql(day, lo, hi)
    return _baselines_portable(day, lo, hi)


def _spike_detail(row: VideoDay, base: Baseline) -> str | None:
    rules = settings.AUTHENTICITY
    if row.views < rules["SPIKE_MIN_VIEWS"]:
        return None
    spread = max(base.mad_views * MAD_TO_SIGMA, base.median_views * 0.1, 1.0)
    robust_z = (row.views - base.median_views) / spread
    like_rate = row.likes / row.views
    if (
        robust_z < rules["SPIKE_ROBUST_Z"]
        or like_rate >= base.like_rate * rules["SPIKE_LIKE_RATE_SHARE"]
    ):
        return None
    return (
        f"{row.views:,} views against a usual {base.median_views:,.0f} a day "
        f"({robust_z:.0f} robust deviations above), with {like_rate:.1%} likes per view "
        f"against a usual {base.like_rate:.1%}"
    )


def _ratio_flags(row: VideoDay) -> list[tuple[str, str]]:
    rules = settings.AUTHENTICITY
    if row.views < rules["RATIO_MIN_VIEWS"]:
        return []
    found = []
    if row.likes > row.views * rules["MAX_LIKES_PER_VIEW"]:
        found.append((FlagReason.LIKE_RATIO, f"{row.likes:,} likes on {row.views:,} views"))
    if row.comments > row.views * rules["MAX_COMMENTS_PER_VIEW"]:
        found.append(
            (FlagReason.COMMENT_RATIO, f"{row.comments:,} comments on {row.views:,} views")
        )
    return found


def _whole_day(row: VideoDay, reason: str, detail: str) -> EngagementFlag:
    return EngagementFlag(
        video_day=row,
        creator_id=row.creator_id,
        day=row.day,
        reason=reason,
        detail=detail,
        excluded_views=row.views,
        excluded_likes=row.likes,
        excluded_comments=row.comments,
        excluded_shares=row.shares,
    )


def candidate_flags(day: date, lo: int, hi: int) -> list[EngagementFlag]:
    """What the checks find for `day` among creators with ids lo..hi, unsaved."""
    rules = settings.AUTHENTICITY
    base = baselines(day, lo, hi)
    spike_floor = rules["SPIKE_MIN_VIEWS"]
    ratio_floor = rules["RATIO_MIN_VIEWS"]
    # Only rows that could trip a check are read; ordinary rows stay in the database.
    suspects = VideoDay.objects.filter(day=day, creator__id__range=(lo, hi)).filter(
        _could_trip_a_check(spike_floor, ratio_floor, with_baseline=list(base))
    )
    flags = []
    for row in suspects.iterator(chunk_size=2_000):
        if row.bot_views or row.bot_likes:
            flags.append(
                EngagementFlag(
                    video_day=row,
                    creator_id=row.creator_id,
                    day=row.day,
                    reason=FlagReason.BOT_MARKED,
                    detail=(
                        f"the platform marked {row.bot_views:,} views and "
                        f"{row.bot_likes:,} likes as coming from bot accounts"
                    ),
                    excluded_views=row.bot_views,
                    excluded_likes=row.bot_likes,
                )
            )
        for reason, detail in _ratio_flags(row):
            flags.append(_whole_day(row, reason, detail))
        if row.creator_id in base and (detail := _spike_detail(row, base[row.creator_id])):
            flags.append(_whole_day(row, FlagReason.VIEW_SPIKE, detail))
    return flags


def _could_trip_a_check(spike_floor: int, ratio_floor: int, with_baseline: list[int]) -> Q:
    """Rows worth reading: bot-marked, beyond a ratio, or big enough to be a spike for a
    creator who has a baseline to be judged against. Ordinary rows stay in the database."""
    rules = settings.AUTHENTICITY
    return (
        Q(bot_views__gt=0)
        | Q(bot_likes__gt=0)
        | Q(views__gte=ratio_floor, likes__gt=F("views") * rules["MAX_LIKES_PER_VIEW"])
        | Q(views__gte=ratio_floor, comments__gt=F("views") * rules["MAX_COMMENTS_PER_VIEW"])
        | Q(views__gte=spike_floor, creator_id__in=with_baseline)
    )


EXCLUDED = ("excluded_views", "excluded_likes", "excluded_comments", "excluded_shares")


@transaction.atomic
def flag_day(*, day: date, lo: int, hi: int) -> int:
    """Bring the flags of `day` for creators lo..hi up to date; return how many now stand.

    Open flags follow the data. A reviewed flag is history and keeps its amounts, unless the
    data now excludes more than staff saw: then it reopens with the new amounts.
    """
    if connection.vendor == "postgresql":
        return _flag_day_postgresql(day, lo, hi)
    return _flag_day_portable(day, lo, hi)


REOPENED = "Reopened: more engagement excluded than when it was reviewed."


def _flag_day_portable(day: date, lo: int, hi: int) -> int:
    """flag_day in Python over candidate_flags(), for databases other than PostgreSQL."""
    found = candidate_flags(day, lo, hi)
    existing = {
        (f.video_day_id, f.reason): f
        for f in EngagementFlag.objects.filter(day=day, creator__id__range=(lo, hi))
    }
    fresh, changed = [], []
    for flag in found:
        old = existing.get((flag.video_day_id, flag.reason))
        if old is None:
            fresh.append(flag)
            continue
        grew = any(getattr(flag, name) > getattr(old, name) for name in EXCLUDED)
        if old.status == FlagStatus.OPEN or grew:
            for name in ("detail", *EXCLUDED):
                setattr(old, name, getattr(flag, name))
            if old.status != FlagStatus.OPEN:
                old.status = FlagStatus.OPEN
                old.review_note = REOPENED
            changed.append(old)
    EngagementFlag.objects.bulk_create(fresh)
    EngagementFlag.objects.bulk_update(changed, ["detail", *EXCLUDED, "status", "review_note"])
    keep = {(f.video_day_id, f.reason) for f in found}
    withdrawn = [
        flag.pk
        for key, flag in existing.items()
        if key not in keep and flag.status == FlagStatus.OPEN
    ]
    EngagementFlag.objects.filter(pk__in=withdrawn).delete()
    return len(found)


# Python's "{:,}" for the integers in the details, and "{:.1%}" for the rates: to_char on a
# float8 rounds as printf does, which is as Python does.
_THOUSANDS = "'FM9,999,999,999,999,999,999,990'"


def _grouped(sql: str) -> str:
    return f"to_char({sql}, {_THOUSANDS})"


def _percent(sql: str) -> str:
    return f"to_char(({sql}) * CAST(100 AS float8), 'FM999999999999990.0') || '%%'"


def _flag_day_sql() -> str:
    """candidate_flags() and _flag_day_portable() as one statement: the same checks, details
    and amounts, inserted, updated and withdrawn by the same rules."""
    like_rate = "CAST(t.likes AS float8) / t.views"
    spike = """
        SELECT t.*, b.median_views, b.like_rate AS usual_like_rate,
               (t.views - b.median_views) / GREATEST(
                   b.mad_views * %(mad_to_sigma)s, b.median_views * CAST(0.1 AS float8),
                   CAST(1 AS float8)) AS robust_z
        FROM today t JOIN baseline b ON b.creator_id = t.creator_id
        WHERE t.views >= %(spike_min_views)s
    """
    return f"""
        WITH today AS (
            -- The rows that could trip a check (as _could_trip_a_check); ordinary rows stay.
            SELECT id, creator_id, views, likes, comments, shares, bot_views, bot_likes
            FROM activity_videoday
            WHERE day = %(day)s AND creator_id BETWEEN %(lo)s AND %(hi)s
              AND (bot_views > 0 OR bot_likes > 0 OR views >= %(spike_min_views)s
                   OR (views >= %(ratio_min_views)s
                       AND (likes > views * %(max_likes_per_view)s
                            OR comments > views * %(max_comments_per_view)s)))
        ), {_baseline_ctes("SELECT creator_id FROM today WHERE views >= %(spike_min_views)s")},
        found (video_day_id, creator_id, reason, detail, excluded_views, excluded_likes,
               excluded_comments, excluded_shares) AS (
            SELECT id, creator_id, '{FlagReason.BOT_MARKED}',
                   'the platform marked ' || {_grouped("bot_views")} || ' views and '
                       || {_grouped("bot_likes")} || ' likes as coming from bot accounts',
                   bot_views, bot_likes, 0, 0
            FROM today WHERE bot_views > 0 OR bot_likes > 0
            UNION ALL
            SELECT id, creator_id, '{FlagReason.LIKE_RATIO}',
                   {_grouped("likes")} || ' likes on ' || {_grouped("views")} || ' views',
                   views, likes, comments, shares
            FROM today
            WHERE views >= %(ratio_min_views)s AND likes > views * %(max_likes_per_view)s
            UNION ALL
            SELECT id, creator_id, '{FlagReason.COMMENT_RATIO}',
                   {_grouped("comments")} || ' comments on ' || {_grouped("views")} || ' views',
                   views, likes, comments, shares
            FROM today
            WHERE views >= %(ratio_min_views)s AND comments > views * %(max_comments_per_view)s
            UNION ALL
            -- round() on a float8 breaks ties to even, as Python's "{{:.0f}}" does.
            SELECT id, creator_id, '{FlagReason.VIEW_SPIKE}',
                   {_grouped("views")} || ' views against a usual '
                       || {_grouped("CAST(round(median_views) AS numeric)")} || ' a day ('
                       || CAST(CAST(round(robust_z) AS numeric) AS text)
                       || ' robust deviations above), with ' || {_percent(like_rate)}
                       || ' likes per view against a usual ' || {_percent("usual_like_rate")},
                   views, likes, comments, shares
            FROM ({spike}) t
            WHERE robust_z >= %(spike_robust_z)s
              AND {like_rate} < usual_like_rate * %(spike_like_rate_share)s
        ), withdrawn AS (
            DELETE FROM activity_engagementflag f
            WHERE f.day = %(day)s AND f.creator_id BETWEEN %(lo)s AND %(hi)s
              AND f.status = '{FlagStatus.OPEN}'
              AND NOT EXISTS (
                  SELECT 1 FROM found
                  WHERE found.video_day_id = f.video_day_id AND found.reason = f.reason)
        ), written AS (
            INSERT INTO activity_engagementflag AS f
                (video_day_id, creator_id, day, reason, detail, excluded_views, excluded_likes,
                 excluded_comments, excluded_shares, status, created_at, review_note)
            SELECT video_day_id, creator_id, %(day)s, reason, detail, excluded_views,
                   excluded_likes, excluded_comments, excluded_shares, '{FlagStatus.OPEN}',
                   %(now)s, ''
            FROM found
            ON CONFLICT (video_day_id, reason) DO UPDATE SET
                detail = EXCLUDED.detail,
                excluded_views = EXCLUDED.excluded_views,
                excluded_likes = EXCLUDED.excluded_likes,
                excluded_comments = EXCLUDED.excluded_comments,
                excluded_shares = EXCLUDED.excluded_shares,
                status = '{FlagStatus.OPEN}',
                review_note = CASE WHEN f.status = '{FlagStatus.OPEN}' THEN f.review_note
                                   ELSE %(reopened)s END
            -- Open flags follow the data; a reviewed one reopens only when it would exclude
            -- more. An open flag already saying the same is left alone (no new row version).
            WHERE (f.status = '{FlagStatus.OPEN}'
                   AND (f.detail, f.excluded_views, f.excluded_likes, f.excluded_comments,
                        f.excluded_shares)
                       IS DISTINCT FROM (EXCLUDED.detail, EXCLUDED.excluded_views,
                        EXCLUDED.excluded_likes, EXCLUDED.excluded_comments,
                        EXCLUDED.excluded_shares))
               OR EXCLUDED.excluded_views > f.excluded_views
               OR EXCLUDED.excluded_likes > f.excluded_likes
               OR EXCLUDED.excluded_comments > f.excluded_comments
               OR EXCLUDED.excluded_shares > f.excluded_shares
        )
        SELECT COUNT(*) FROM found
    """


def _flag_day_postgresql(day: date, lo: int, hi: int) -> int:
    rules = settings.AUTHENTICITY
    params = {
        **_baseline_params(day, lo, hi),
        "now": timezone.now(),
        "reopened": REOPENED,
        "mad_to_sigma": MAD_TO_SIGMA,
        "spike_min_views": rules["SPIKE_MIN_VIEWS"],
        "spike_robust_z": float(rules["SPIKE_ROBUST_Z"]),
        "spike_like_rate_share": float(rules["SPIKE_LIKE_RATE_SHARE"]),
        "ratio_min_views": rules["RATIO_MIN_VIEWS"],
        "max_likes_per_view": float(rules["MAX_LIKES_PER_VIEW"]),
        "max_comments_per_view": float(rules["MAX_COMMENTS_PER_VIEW"]),
    }
    with connection.cursor() as cursor:
        cursor.execute(_flag_day_sql(), params)
        return int(cursor.fetchone()[0])
