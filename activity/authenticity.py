"""The authenticity pass: find what of a video-day's engagement is implausible, before points.

Each check sets aside only the *excess*, what the creator's own level and like rate do not
explain, and says so in words; thresholds are settings.AUTHENTICITY (bounds: activity.checks).

The creator's baseline comes from the trailing days, leaving out video-days with a standing
(open or upheld) flag, so one purchase does not make later genuine days look like fraud:
the median views of a video-day, their median absolute deviation, and likes per view on
its ordinary video-days (up to ORDINARY_MULTIPLE times the median views).

- Views (bought views, or the subtle pattern: a few times the usual views while likes per
  view halve). A *level ceiling* (the median plus robust deviations, at least a share of the
  median since daily views are heavy-tailed, plus Poisson noise: at 60 views a day, 120 is
  normal) needs no likes to explain it. Beyond it, views must bring likes: up to
  NEAR_MULTIPLE times the usual views the audience is the creator's own and keeps at least
  NEAR_LIKE_RATE_SHARE of the usual likes per view; far beyond (viral reach, new audiences)
  FAR_LIKE_RATE_SHARE. The likes are read generously (an upper confidence bound at
  CONFIDENCE_Z), and the views beyond what they and the ceiling explain are set aside
  (`explained_views`). A viral day, whose likes rise with its views, explains itself
  whatever its size; bought views with flat likes do not, at any size.
- Likes (bought likes): more than the larger of LIKE_RATE_MULTIPLE times the usual rate and
  MAX_LIKES_PER_VIEW, with Poisson noise, are set aside. Comments likewise.
- Engagement the platform itself marked as coming from bot accounts is set aside as marked.

A flag excludes what it names until staff dismiss it; open flags whose data no longer looks
wrong (a corrected re-delivery) are withdrawn. Reviewed flags are history and stay.

The pass runs as one statement on PostgreSQL (`_flag_day_sql`) and in Python elsewhere
(`judge`, the reference); both compute the same floats in the same order, so they agree.
"""

import math
import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core import regions

from .checks import authenticity_problems
from .models import EngagementFlag, FlagReason, FlagStatus, VideoDay
from .selectors import FLAGS_VERSION_KEY

MAD_TO_SIGMA = 1.4826  # makes the MAD comparable to a standard deviation for normal data
# The usual like rate is read from ordinary video-days, up to this multiple of the median
# views: one genuine viral day, with its own like rate, would otherwise outweigh weeks.
ORDINARY_MULTIPLE = 4.0


def rules() -> dict[str, Any]:
    """settings.AUTHENTICITY, checked: a worker started without the system checks refuses
    nonsense thresholds too."""
    rules = settings.AUTHENTICITY
    if problems := authenticity_problems(rules):
        raise ImproperlyConfigured(" ".join(problems))
    return rules


@dataclass(frozen=True)
class Baseline:
    video_days: int
    median_views: float
    mad_views: float
    like_rate: float


def _baseline_ctes() -> str:
    """The trailing baselines as CTEs ending in `baseline(creator_id, video_days,
    median_views, mad_views, like_rate)` for the creators of `today(creator_id)`."""
    return f"""
        history AS (
            SELECT h.creator_id, h.views, h.likes
            FROM activity_videoday h
            WHERE h.day >= %(start)s AND h.day < %(day)s AND h.creator_id BETWEEN %(lo)s AND %(hi)s
              AND h.creator_id IN (SELECT creator_id FROM today)
              AND NOT EXISTS (
                  SELECT 1 FROM activity_engagementflag f
                  WHERE f.video_day_id = h.id AND f.status <> '{FlagStatus.DISMISSED}')
        ), med AS (
            SELECT creator_id, COUNT(*) AS n,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY views) AS median_views
            FROM history GROUP BY creator_id
        ), baseline AS (
            SELECT m.creator_id, m.n AS video_days, m.median_views,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(h.views - m.median_views))
                       AS mad_views,
                   COALESCE(
                       CAST(SUM(h.likes) FILTER (WHERE h.views <= %(ordinary)s * m.median_views)
                            AS float8)
                       / NULLIF(SUM(h.views) FILTER (
                           WHERE h.views <= %(ordinary)s * m.median_views), 0),
                       CAST(0 AS float8)) AS like_rate
            FROM med m JOIN history h USING (creator_id)
            WHERE m.n >= %(min_days)s
            GROUP BY m.creator_id, m.n, m.median_views
        )
    """


def _baseline_params(day: date, lo: int, hi: int) -> dict:
    checked = rules()
    return {
        "start": day - timedelta(days=checked["TRAILING_DAYS"]),
        "day": day,
        "lo": lo,
        "hi": hi,
        "min_days": checked["MIN_BASELINE_VIDEO_DAYS"],
        "ordinary": ORDINARY_MULTIPLE,
    }


def _baselines_postgresql(day: date, lo: int, hi: int) -> dict[int, Baseline]:
    columns = "creator_id, video_days, median_views, mad_views, like_rate"
    sql = f"""
        WITH today AS (SELECT DISTINCT creator_id FROM activity_videoday
                       WHERE day >= %(start)s AND day < %(day)s
                         AND creator_id BETWEEN %(lo)s AND %(hi)s),
        {_baseline_ctes()} SELECT {columns} FROM baseline"""
    with connection.cursor() as cursor:
        cursor.execute(sql, _baseline_params(day, lo, hi))
        return {row[0]: Baseline(*row[1:]) for row in cursor.fetchall()}


def _baselines_portable(day: date, lo: int, hi: int) -> dict[int, Baseline]:
    """The same baselines for databases without percentile_cont (SQLite, for local use)."""
    checked = rules()
    standing = EngagementFlag.objects.filter(video_day=OuterRef("pk")).exclude(
        status=FlagStatus.DISMISSED
    )
    rows = (
        VideoDay.objects.filter(
            day__gte=day - timedelta(days=checked["TRAILING_DAYS"]),
            day__lt=day,
            creator__id__range=(lo, hi),
        )
        .filter(~Exists(standing))
        .values_list("creator_id", "views", "likes")
    )
    per_creator: dict[int, list[tuple[int, int]]] = {}
    for creator_id, views, likes in rows.iterator(chunk_size=5_000):
        per_creator.setdefault(creator_id, []).append((views, likes))
    found = {}
    for creator_id, days in per_creator.items():
        if len(days) < checked["MIN_BASELINE_VIDEO_DAYS"]:
            continue
        views = [v for v, _ in days]
        median = statistics.median(views)
        mad = statistics.median(abs(v - median) for v in views)
        ordinary = [(v, lk) for v, lk in days if v <= ORDINARY_MULTIPLE * median]
        total_views = sum(v for v, _ in ordinary)
        rate = sum(lk for _, lk in ordinary) / total_views if total_views else 0.0
        found[creator_id] = Baseline(len(days), median, mad, rate)
    return found


def baselines(day: date, lo: int, hi: int) -> dict[int, Baseline]:
    """The baseline on `day` of each creator lo..hi with enough history."""
    if connection.vendor == "postgresql":
        return _baselines_postgresql(day, lo, hi)
    return _baselines_portable(day, lo, hi)


@dataclass(frozen=True)
class Finding:
    reason: str
    detail: str
    excluded_views: int = 0
    excluded_likes: int = 0
    excluded_comments: int = 0


def level_ceiling(base: Baseline, checked: dict[str, Any]) -> float:
    """Views of one video-day the creator's own level explains without a look at likes."""
    z = float(checked["CONFIDENCE_Z"])
    m = base.median_views
    spread = max(base.mad_views * MAD_TO_SIGMA, float(checked["LEVEL_MIN_SPREAD"]) * m)
    return m + float(checked["LEVEL_SPREADS"]) * spread + z * math.sqrt(m) + z * z


def explained_views(likes: int, base: Baseline, checked: dict[str, Any]) -> float:
    """The most views the creator's level and `likes` explain (needs a like rate above 0).

    Up to NEAR_MULTIPLE times the median, views must bring NEAR_LIKE_RATE_SHARE of the usual
    likes per view; once the likes are what that many views would bring, views up to the
    larger of (near / far) × NEAR_MULTIPLE × median and what the likes bring at
    FAR_LIKE_RATE_SHARE are explained. Continuous and rising in `likes`.
    """
    z = float(checked["CONFIDENCE_Z"])
    near = float(checked["NEAR_LIKE_RATE_SHARE"])
    far = float(checked["FAR_LIKE_RATE_SHARE"])
    multiple = float(checked["NEAR_MULTIPLE"])
    m, rate = base.median_views, base.like_rate
    root = math.sqrt(likes + 1) + z * 0.5
    likes_bound = root * root  # a generous upper bound of the likes' Poisson mean
    if likes_bound < near * rate * multiple * m:
        from_likes = likes_bound / (near * rate)
    else:
        from_likes = max(near / far * multiple * m, likes_bound / (far * rate))
    return max(level_ceiling(base, checked), from_likes)


def _allowed(views: int, per_view: float, z: float) -> float:
    """The most of a count that `per_view` on `views` plausibly gives, with Poisson noise."""
    expected = views * per_view
    return expected + z * math.sqrt(expected) + z * z


def plausible_like_rate(base: Baseline | None, checked: dict[str, Any]) -> float:
    absolute = float(checked["MAX_LIKES_PER_VIEW"])
    if base is None:
        return absolute
    return max(base.like_rate * float(checked["LIKE_RATE_MULTIPLE"]), absolute)


def judge(row: VideoDay, base: Baseline | None, checked: dict[str, Any]) -> list[Finding]:
    """What the checks find on one video-day, judged against the creator's baseline (None
    without enough history: then only the absolute ratios and the platform's marks apply)."""
    z = float(checked["CONFIDENCE_Z"])
    found = []
    if row.bot_views or row.bot_likes:
        found.append(
            Finding(
                FlagReason.BOT_MARKED,
                f"the platform marked {row.bot_views:,} views and {row.bot_likes:,} likes as "
                "coming from bot accounts",
                excluded_views=row.bot_views,
                excluded_likes=row.bot_likes,
            )
        )
    like_rate = plausible_like_rate(base, checked)
    if math.floor(row.likes - _allowed(row.views, like_rate, z)) >= 1:
        # Clearly beyond what people do: keep what the creator's usual rate explains.
        if base is not None and base.like_rate > 0:
            excess = math.floor(row.likes - _allowed(row.views, base.like_rate, z))
            kept_at = f"at the creator's usual {base.like_rate:.1%}"
        else:
            excess = math.floor(row.likes - _allowed(row.views, like_rate, z))
            kept_at = "without a usual rate to go by"
        found.append(
            Finding(
                FlagReason.LIKE_RATIO,
                f"{row.likes:,} likes on {row.views:,} views, beyond the {like_rate:.1%} per "
                f"view that is plausible; {kept_at}, {row.likes - excess:,} likes kept, "
                f"{excess:,} set aside",
                excluded_likes=excess,
            )
        )
    excess = math.floor(
        row.comments - _allowed(row.views, float(checked["MAX_COMMENTS_PER_VIEW"]), z)
    )
    if excess >= 1:
        found.append(
            Finding(
                FlagReason.COMMENT_RATIO,
                f"{row.comments:,} comments on {row.views:,} views: {row.comments - excess:,} "
                f"comments kept, {excess:,} set aside",
                excluded_comments=excess,
            )
        )
    if base is not None and base.like_rate > 0:
        excess = math.floor(row.views - explained_views(row.likes, base, checked))
        if excess >= 1:
            found.append(
                Finding(
                    FlagReason.VIEW_SPIKE,
                    f"{row.views:,} views against a usual {math.floor(base.median_views):,} "
                    f"a video a day, with {row.likes:,} likes ({row.likes / row.views:.1%} per "
                    f"view against a usual {base.like_rate:.1%}): the usual level and these "
                    f"likes explain {row.views - excess:,} views, {excess:,} set aside",
                    excluded_views=excess,
                )
            )
    return found


def candidate_flags(day: date, lo: int, hi: int) -> list[EngagementFlag]:
    """What the checks find for `day` among creators with ids lo..hi, unsaved."""
    checked = rules()
    base = baselines(day, lo, hi)
    flags = []
    for row in VideoDay.objects.filter(day=day, creator__id__range=(lo, hi)).iterator(
        chunk_size=2_000
    ):
        for finding in judge(row, base.get(row.creator_id), checked):
            flags.append(
                EngagementFlag(
                    video_day=row,
                    creator_id=row.creator_id,
                    day=row.day,
                    reason=finding.reason,
                    detail=finding.detail,
                    excluded_views=finding.excluded_views,
                    excluded_likes=finding.excluded_likes,
                    excluded_comments=finding.excluded_comments,
                )
            )
    return flags


EXCLUDED = ("excluded_views", "excluded_likes", "excluded_comments", "excluded_shares")


@transaction.atomic
def flag_day(*, day: date, lo: int, hi: int) -> int:
    """Bring the flags of `day` for creators lo..hi up to date; return how many now stand.

    Open flags follow the data. A reviewed flag is history and keeps its amounts, unless the
    data now excludes more than staff saw: then it reopens with the new amounts.
    """
    regions.bump(FLAGS_VERSION_KEY)
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
    """candidate_flags() and _flag_day_portable() as one statement: the same checks (`judge`,
    float for float in the same order), details and amounts, inserted, updated and withdrawn
    by the same rules."""
    rate = "CAST(likes AS float8) / NULLIF(views, 0)"
    return f"""
        WITH today AS (
            SELECT id, creator_id, views, likes, comments, shares, bot_views, bot_likes
            FROM activity_videoday
            WHERE day = %(day)s AND creator_id BETWEEN %(lo)s AND %(hi)s
        ), {_baseline_ctes()},
        judged AS (
            SELECT t.*, b.median_views, b.like_rate AS usual_like_rate,
                   b.creator_id IS NOT NULL AS has_baseline,
                   -- level_ceiling()
                   b.median_views + %(level_spreads)s * GREATEST(
                       b.mad_views * %(mad_to_sigma)s, %(level_min_spread)s * b.median_views)
                       + %(z)s * sqrt(b.median_views) + %(z)s * %(z)s AS ceiling,
                   sqrt(CAST(t.likes AS float8) + 1) + %(z)s * %(half)s AS likes_root,
                   -- plausible_like_rate()
                   CASE WHEN b.creator_id IS NULL THEN %(max_likes_per_view)s
                        ELSE GREATEST(b.like_rate * %(like_rate_multiple)s,
                                      %(max_likes_per_view)s) END AS plausible_like_rate
            FROM today t LEFT JOIN baseline b ON b.creator_id = t.creator_id
        ), allowed AS (
            -- _allowed() for likes and comments, and explained_views()
            SELECT j.*,
                   views * plausible_like_rate + %(z)s * sqrt(views * plausible_like_rate)
                       + %(z)s * %(z)s AS allowed_likes,
                   CASE WHEN has_baseline AND usual_like_rate > 0 THEN
                       views * usual_like_rate + %(z)s * sqrt(views * usual_like_rate)
                           + %(z)s * %(z)s END AS allowed_usual_likes,
                   views * %(max_comments_per_view)s
                       + %(z)s * sqrt(views * %(max_comments_per_view)s)
                       + %(z)s * %(z)s AS allowed_comments,
                   -- explained_views()
                   CASE WHEN NOT has_baseline OR usual_like_rate <= 0 THEN NULL
                        WHEN likes_root * likes_root
                             < %(near_like_rate_share)s * usual_like_rate * %(near_multiple)s
                               * median_views
                        THEN GREATEST(ceiling, likes_root * likes_root
                                               / (%(near_like_rate_share)s * usual_like_rate))
                        ELSE GREATEST(ceiling, GREATEST(
                            %(near_like_rate_share)s / %(far_like_rate_share)s
                                * %(near_multiple)s * median_views,
                            likes_root * likes_root
                                / (%(far_like_rate_share)s * usual_like_rate))) END
                       AS explained
            FROM judged j
        ), excess AS (
            SELECT a.*,
                   CAST(floor(likes - allowed_likes) AS bigint) AS beyond_plausible,
                   CAST(floor(likes - COALESCE(allowed_usual_likes, allowed_likes)) AS bigint)
                       AS excess_likes,
                   CAST(floor(comments - allowed_comments) AS bigint) AS excess_comments,
                   CAST(floor(views - explained) AS bigint) AS excess_views
            FROM allowed a
        ),
        found (video_day_id, creator_id, reason, detail, excluded_views, excluded_likes,
               excluded_comments, excluded_shares) AS (
            SELECT id, creator_id, '{FlagReason.BOT_MARKED}',
                   'the platform marked ' || {_grouped("bot_views")} || ' views and '
                       || {_grouped("bot_likes")} || ' likes as coming from bot accounts',
                   bot_views, bot_likes, 0, 0
            FROM today WHERE bot_views > 0 OR bot_likes > 0
            UNION ALL
            SELECT id, creator_id, '{FlagReason.LIKE_RATIO}',
                   {_grouped("likes")} || ' likes on ' || {_grouped("views")}
                       || ' views, beyond the ' || {_percent("plausible_like_rate")}
                       || ' per view that is plausible; '
                       || CASE WHEN allowed_usual_likes IS NOT NULL
                               THEN 'at the creator''s usual ' || {_percent("usual_like_rate")}
                               ELSE 'without a usual rate to go by' END
                       || ', ' || {_grouped("likes - excess_likes")} || ' likes kept, '
                       || {_grouped("excess_likes")} || ' set aside',
                   0, excess_likes, 0, 0
            FROM excess WHERE beyond_plausible >= 1
            UNION ALL
            SELECT id, creator_id, '{FlagReason.COMMENT_RATIO}',
                   {_grouped("comments")} || ' comments on ' || {_grouped("views")} || ' views: '
                       || {_grouped("comments - excess_comments")} || ' comments kept, '
                       || {_grouped("excess_comments")} || ' set aside',
                   0, 0, excess_comments, 0
            FROM excess WHERE excess_comments >= 1
            UNION ALL
            SELECT id, creator_id, '{FlagReason.VIEW_SPIKE}',
                   {_grouped("views")} || ' views against a usual '
                       || {_grouped("CAST(floor(median_views) AS bigint)")}
                       || ' a video a day, with ' || {_grouped("likes")} || ' likes ('
                       || {_percent(rate)} || ' per view against a usual '
                       || {_percent("usual_like_rate")}
                       || '): the usual level and these likes explain '
                       || {_grouped("views - excess_views")} || ' views, '
                       || {_grouped("excess_views")} || ' set aside',
                   excess_views, 0, 0, 0
            FROM excess WHERE excess_views >= 1
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
    checked = rules()
    params = {
        **_baseline_params(day, lo, hi),
        "now": timezone.now(),
        "reopened": REOPENED,
        "mad_to_sigma": MAD_TO_SIGMA,
        "half": 0.5,
        **{
            name.lower(): float(checked[name])
            for name in (
                "CONFIDENCE_Z",
                "LEVEL_SPREADS",
                "LEVEL_MIN_SPREAD",
                "NEAR_MULTIPLE",
                "NEAR_LIKE_RATE_SHARE",
                "FAR_LIKE_RATE_SHARE",
                "LIKE_RATE_MULTIPLE",
                "MAX_LIKES_PER_VIEW",
                "MAX_COMMENTS_PER_VIEW",
            )
        },
    }
    params["z"] = params.pop("confidence_z")
    with connection.cursor() as cursor:
        cursor.execute(_flag_day_sql(), params)
        return int(cursor.fetchone()[0])
