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

from .models import EngagementFlag, FlagReason, FlagStatus, VideoDay

MAD_TO_SIGMA = 1.4826  # makes the MAD comparable to a standard deviation for normal data
MIN_BASELINE_DAYS = 7


@dataclass(frozen=True)
class Baseline:
    median_views: float
    mad_views: float
    like_rate: float


def _baselines_postgresql(day: date, lo: int, hi: int) -> dict[int, Baseline]:
    window = settings.AUTHENTICITY["TRAILING_DAYS"]
    sql = """
        WITH daily AS (
            SELECT creator_id, day, SUM(views) AS views, SUM(likes) AS likes
            FROM activity_videoday
            WHERE day >= %(start)s AND day < %(day)s AND creator_id BETWEEN %(lo)s AND %(hi)s
            GROUP BY creator_id, day
        ), med AS (
            SELECT creator_id, COUNT(*) AS n,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY views) AS median_views,
                   SUM(likes)::float / NULLIF(SUM(views), 0) AS like_rate
            FROM daily GROUP BY creator_id
        )
        SELECT m.creator_id, m.median_views,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(d.views - m.median_views)),
               COALESCE(m.like_rate, 0)
        FROM med m JOIN daily d USING (creator_id)
        WHERE m.n >= %(min_days)s
        GROUP BY m.creator_id, m.median_views, m.like_rate
    """
    params = {
        "start": day - timedelta(days=window),
        "day": day,
        "lo": lo,
        "hi": hi,
        "min_days": MIN_BASELINE_DAYS,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
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
                old.review_note = "Reopened: more engagement excluded than when it was reviewed."
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
