"""Reads of the platform's data that other apps may call."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate

from accounts.models import CreatorProfile, User
from core import regions
from core.clock import start_of_rewards_day
from core.exports import plain_rows

from .models import (
    AppealStatus,
    AudienceDay,
    CreatorDay,
    EngagementFlag,
    FlagAppeal,
    LiveSession,
    Video,
    VideoDay,
)
from .tables import audience_day_table, video_day_table


def views_before_and_since(
    creator: CreatorProfile, *, first: date, split: date, last: date
) -> tuple[int, int]:
    """The creator's views from `first` to the day before `split`, and from `split` to `last`,
    in one query."""
    views = VideoDay.objects.filter(creator=creator, day__range=(first, last)).aggregate(
        before=Sum("views", filter=Q(day__lt=split)),
        since=Sum("views", filter=Q(day__gte=split)),
    )
    return views["before"] or 0, views["since"] or 0


def followers_before(creator: CreatorProfile, day: date) -> int | None:
    """The followers of the latest daily snapshot before `day`, or None without one."""
    return (
        CreatorDay.objects.filter(creator=creator, day__lt=day)
        .order_by("-day")
        .values_list("followers", flat=True)
        .first()
    )


def video_days_between(creator: CreatorProfile, first: date, last: date) -> QuerySet[VideoDay]:
    """The creator's video-days from `first` to `last` with their videos, most viewed first."""
    return (
        VideoDay.objects.filter(creator=creator, day__range=(first, last))
        .select_related("video")
        .order_by("-views")
    )


def creator_days_between(creator: CreatorProfile, first: date, last: date) -> QuerySet[CreatorDay]:
    return CreatorDay.objects.filter(creator=creator, day__range=(first, last))


def flags_between(creator: CreatorProfile, first: date, last: date) -> QuerySet[EngagementFlag]:
    """What the authenticity pass flagged on the creator's days, with the video behind each."""
    return (
        EngagementFlag.objects.filter(creator=creator, day__range=(first, last))
        .select_related("video_day__video")
        .order_by("day", "video_day_id", "pk")
    )


def days_changed_since_runs(first: date, before: date) -> dict[date, datetime]:
    """For each rewards day from `first` to the day before `before`: when its activity last
    changed (a video-day or creator-day updated, a flag reviewed, a video published or
    edited). What the nightly job compares with each day's last recalculation."""
    changed: dict[date, datetime] = {}

    def note(rows: Iterable[tuple[date | None, datetime | None]]) -> None:
        for day, moment in rows:
            if day is not None and moment is not None and first <= day < before:
                changed[day] = max(changed.get(day, moment), moment)

    in_window = {"day__gte": first, "day__lt": before}
    note(VideoDay.objects.filter(**in_window).values_list("day").annotate(m=Max("updated_at")))
    note(CreatorDay.objects.filter(**in_window).values_list("day").annotate(m=Max("updated_at")))
    note(
        EngagementFlag.objects.filter(**in_window, reviewed_at__isnull=False)
        .values_list("day")
        .annotate(m=Max("reviewed_at"))
    )
    note(
        Video.objects.filter(published_at__date__gte=first)
        .annotate(d=TruncDate("published_at", tzinfo=ZoneInfo(settings.REWARDS_DAY_TZ)))
        .values_list("d")
        .annotate(m=Max("updated_at"))
    )
    return changed


# What a creator's own activity says (the Academy's signals and insight cards) -------------
#
# Each read is one query over one creator's rows in a window of rewards days, found through
# the (creator, day), (creator, published_at) and (video, day) indexes and summed in SQL.


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.REWARDS_DAY_TZ)


def _published_between(first: date, last: date) -> Q:
    """Videos published on the rewards days `first` to `last`: a range of published_at, so
    the (creator, published_at) index finds them."""
    return Q(
        published_at__gte=start_of_rewards_day(first),
        published_at__lt=start_of_rewards_day(last + timedelta(days=1)),
    )


@dataclass(frozen=True)
class WatchTotals:
    """How long the views of a creator's videos lasted, summed over some days."""

    views: int
    views_past_5s: int
    watch_time_s: int
    # What the views would have watched had each seen its video to the end.
    full_length_s: int


def watch_totals(creator: CreatorProfile, first: date, last: date) -> WatchTotals:
    """The creator's views, views that lasted 5 seconds, watch time and full length (views ×
    their video's duration) from `first` to `last`, 0 without days: one query."""
    sums = VideoDay.objects.filter(creator=creator, day__range=(first, last)).aggregate(
        seen=Sum("views"),
        past_5s=Sum("views_5s"),
        watched=Sum("watch_time_s"),
        length=Sum(F("views") * F("video__duration_s")),
    )
    return WatchTotals(
        views=sums["seen"] or 0,
        views_past_5s=sums["past_5s"] or 0,
        watch_time_s=sums["watched"] or 0,
        full_length_s=sums["length"] or 0,
    )


def posting_days(creator: CreatorProfile, first: date, last: date) -> list[date]:
    """The rewards days (in REWARDS_DAY_TZ) from `first` to `last` on which the creator
    published a video, earliest first, each once: one query of at most `last - first + 1`
    rows, whatever the creator's output."""
    return list(
        Video.objects.filter(_published_between(first, last), creator=creator)
        .annotate(on=TruncDate("published_at", tzinfo=_zone()))
        .order_by("on")
        .values_list("on", flat=True)
        .distinct()
    )


def live_minutes_between(creator: CreatorProfile, first: date, last: date) -> int:
    """The minutes the creator was live from `first` to `last`: one query."""
    return (
        CreatorDay.objects.filter(creator=creator, day__range=(first, last)).aggregate(
            minutes=Sum("live_minutes")
        )["minutes"]
        or 0
    )


@dataclass(frozen=True)
class PostingSlot:
    """The creator's videos published on one ISO weekday (1 is Monday) in one hour, in
    REWARDS_DAY_TZ, and the views they drew in their first days."""

    weekday: int
    hour: int
    videos: int
    first_week_views: int


def first_week_views_by_slot(
    creator: CreatorProfile, first: date, last: date, *, first_week_days: int
) -> list[PostingSlot]:
    """The creator's videos published on the rewards days `first` to `last`, grouped by the
    weekday and hour they came out, each slot with its videos and the views they drew on the
    day they came out and the `first_week_days - 1` after: one query, the videos through the
    (creator, published_at) index, each joined to its days through the (video, day) index;
    at most 7 × 24 rows, in no particular order."""
    zone = _zone()
    # `lte` a date plus a duration: SQLite compares the sum as the text "YYYY-MM-DD 00:00:00",
    # after every day up to that date and before the next, as PostgreSQL compares the
    # timestamp.
    first_week = Q(
        days__day__gte=F("published_on"),
        days__day__lte=F("published_on") + timedelta(days=first_week_days - 1),
    )
    slots = (
        Video.objects.filter(_published_between(first, last), creator=creator)
        .alias(published_on=TruncDate("published_at", tzinfo=zone))
        .values(
            weekday=ExtractIsoWeekDay("published_at", tzinfo=zone),
            hour=ExtractHour("published_at", tzinfo=zone),
        )
        .annotate(videos=Count("pk", distinct=True), views=Sum("days__views", filter=first_week))
        .order_by()
    )
    return [
        PostingSlot(
            weekday=slot["weekday"],
            hour=slot["hour"],
            videos=slot["videos"],
            first_week_views=slot["views"] or 0,
        )
        for slot in slots
    ]


@dataclass(frozen=True)
class VideoWatch:
    """One video's views and watch time, summed over some days."""

    video_id: int
    title: str
    duration_s: int
    views: int
    watch_time_s: int


def best_watched_videos(
    creator: CreatorProfile, first: date, last: date, *, min_views: int, limit: int
) -> list[VideoWatch]:
    """Up to `limit` of the creator's videos (of some length) with `min_views` views or more
    from `first` to `last`, the greatest share watched first (watch time over views ×
    duration), then the most viewed, then the earliest id: one query, the creator's days
    through the (creator, day) index summed per video."""
    top = (
        VideoDay.objects.filter(creator=creator, day__range=(first, last), video__duration_s__gt=0)
        .values("video_id", "video__title", "video__duration_s")
        .annotate(seen=Sum("views"), watched=Sum("watch_time_s"))
        .filter(seen__gte=min_views)
        # Parts per million: the order only; a share shown comes from the sums.
        .alias(completion=F("watched") * 1_000_000 / (F("seen") * F("video__duration_s")))
        .order_by("-completion", "-seen", "video_id")[:limit]
    )
    return [
        VideoWatch(
            video_id=video["video_id"],
            title=video["video__title"],
            duration_s=video["video__duration_s"],
            views=video["seen"],
            watch_time_s=video["watched"],
        )
        for video in top
    ]


@dataclass(frozen=True)
class EngagementTotals:
    """A creator's likes, comments, shares and views over some days, bots' likes and views
    left out."""

    genuine_likes: int
    comments: int
    shares: int
    genuine_views: int


def engagement_totals(creator: CreatorProfile, first: date, last: date) -> EngagementTotals:
    """The creator's genuine likes, comments, shares and genuine views from `first` to
    `last`, 0 without days: one query. The same sums as `engagement_by_creator_sql`."""
    sums = VideoDay.objects.filter(creator=creator, day__range=(first, last)).aggregate(
        genuine_likes=Sum(F("likes") - F("bot_likes")),
        all_comments=Sum("comments"),
        all_shares=Sum("shares"),
        genuine_views=Sum(F("views") - F("bot_views")),
    )
    return EngagementTotals(
        genuine_likes=sums["genuine_likes"] or 0,
        comments=sums["all_comments"] or 0,
        shares=sums["all_shares"] or 0,
        genuine_views=sums["genuine_views"] or 0,
    )


def engagement_by_creator_sql(first: date, last: date) -> tuple[str, dict[str, date]]:
    """For another app's set-based SQL (a subquery or a WITH): a SELECT of one row for each
    creator with video-days from `first` to `last`, with `creator_id`, `engaged` (genuine
    likes, comments and shares) and `genuine_views`, both BIGINT; and its parameters, named
    (pyformat) with an `activity_` prefix so they join the caller's. It reads the days
    through the (day, creator) index; the same sums as `engagement_totals`."""
    sql = f"""
            SELECT v.creator_id,
                   CAST(SUM(v.likes - v.bot_likes + v.comments + v.shares) AS BIGINT) AS engaged,
                   CAST(SUM(v.views - v.bot_views) AS BIGINT) AS genuine_views
            FROM {video_day_table()} v
            WHERE v.day BETWEEN %(activity_first)s AND %(activity_last)s
            GROUP BY v.creator_id
    """
    return sql, {"activity_first": first, "activity_last": last}


# A live session's longest reported length (ingestion refuses more): only sessions that started
# within it can still be on air.
LONGEST_LIVE = timedelta(minutes=24 * 60)


def live_on_air(creator: CreatorProfile, *, now: datetime, grace: timedelta) -> LiveSession | None:
    """The creator's live session on air at `now` (from its start to its reported end plus
    `grace`: the platform reports a session's length a little behind), the latest if two.
    The end is worked out here, not in SQL: date arithmetic differs between databases."""
    recent = LiveSession.objects.filter(
        creator=creator, started_at__lte=now, started_at__gte=now - LONGEST_LIVE - grace
    ).order_by("-started_at")
    return next(
        (
            live
            for live in recent
            if live.started_at + timedelta(minutes=live.minutes) >= now - grace
        ),
        None,
    )


def latest_videos(creator: CreatorProfile, *, limit: int) -> QuerySet[Video]:
    return Video.objects.filter(creator=creator).order_by("-published_at")[:limit]


def video_of(creator: CreatorProfile, video_id: int) -> Video | None:
    return Video.objects.filter(creator=creator, pk=video_id).first()


def live_of(creator: CreatorProfile, live_id: int) -> LiveSession | None:
    return LiveSession.objects.filter(creator=creator, pk=live_id).first()


# The audience the platform reports --------------------------------------------------------


@dataclass(frozen=True)
class AudienceSplit:
    """A creator's audience on the latest day the platform reported it: for each dimension
    ("country", "age_band", "gender"; see `AudienceDimension`), (key, basis points) pairs, the
    largest share first. Keys are ISO 3166-1 alpha-2 codes or "other", `AgeBand` values and
    `AudienceGender` values; 10,000 basis points are 100 %."""

    day: date
    shares: dict[str, list[tuple[str, int]]]

    def share_bp(self, dimension: str, key: str) -> int:
        """The share of one key, 0 when the split does not name it."""
        return dict(self.shares.get(dimension, ())).get(key, 0)


def latest_audience(creator: CreatorProfile) -> AudienceSplit | None:
    """The creator's latest reported audience, or None without one: one query, through the
    (creator, day) index."""
    latest = AudienceDay.objects.filter(creator=creator).order_by("-day").first()
    if latest is None:
        return None
    return AudienceSplit(day=latest.day, shares=latest.shares())


def latest_audience_sql(creators: str | None = None) -> str:
    """For another app's set-based SQL (a subquery or a WITH): a SELECT of one row for each
    creator with a reported audience, from its latest day: `creator_id`, `day`, and the splits
    `countries`, `age_bands` and `genders`, each a JSON object of key to basis points, as
    `AudienceSplit` reads them (jsonb on PostgreSQL, so it copies into a JSONField as it is;
    Django's cursor hands it back as JSON text on either database).

    `creators` is a SELECT of the creators to read, each once, in one column named
    `creator_id` (say, the Marketplace's listed creators); every creator profile by default.
    The fragment takes no parameters of its own, so the caller's, in either style, pass
    through. Each creator costs one probe of the (creator, day) index, whatever the length of
    their history: on PostgreSQL about 0.6 s for 100,000 creators with 30 days each."""
    table = audience_day_table()
    if creators is None:
        profiles = CreatorProfile._meta
        creators = f"SELECT {profiles.pk.column} AS creator_id FROM {profiles.db_table}"
    if connection.vendor == "postgresql":
        return f"""
            SELECT c.creator_id, a.day, a.countries, a.age_bands, a.genders
            FROM ({creators}) AS c
            CROSS JOIN LATERAL (
                SELECT s.day, s.countries, s.age_bands, s.genders
                FROM {table} s
                WHERE s.creator_id = c.creator_id
                ORDER BY s.day DESC
                LIMIT 1
            ) AS a
        """
    return f"""
            SELECT a.creator_id, a.day, a.countries, a.age_bands, a.genders
            FROM ({creators}) AS c
            JOIN {table} a ON a.creator_id = c.creator_id AND a.day = (
                SELECT MAX(s.day) FROM {table} s WHERE s.creator_id = c.creator_id
            )
    """


# Flags under review, and creators' appeals ------------------------------------------------


class AppealFilter:
    """The fraud review queue's appeal filter."""

    ANY = ""
    WAITING = "waiting"
    ANSWERED = "answered"
    NONE = "none"


def flags_for_review(
    *,
    statuses: Collection[str] = (),
    reasons: Collection[str] = (),
    handle: str = "",
    first: date | None = None,
    last: date | None = None,
    appeal: str = AppealFilter.ANY,
) -> QuerySet[EngagementFlag]:
    """The flags staff review, filtered (an empty filter keeps everything): by status and
    reason, the creator's handle (part of it, any case), the day range and whether an appeal
    waits, was answered or was never made. Unordered: the caller orders and pages it."""
    flags = EngagementFlag.objects.order_by()
    if statuses:
        flags = flags.filter(status__in=statuses)
    if reasons:
        flags = flags.filter(reason__in=reasons)
    if handle:
        flags = flags.filter(creator__handle__icontains=handle)
    if first is not None:
        flags = flags.filter(day__gte=first)
    if last is not None:
        flags = flags.filter(day__lte=last)
    appeals = FlagAppeal.objects.filter(flag=OuterRef("pk"))
    if appeal == AppealFilter.WAITING:
        flags = flags.filter(Exists(appeals.filter(status=AppealStatus.OPEN)))
    elif appeal == AppealFilter.ANSWERED:
        flags = flags.filter(Exists(appeals.filter(status=AppealStatus.ANSWERED)))
    elif appeal == AppealFilter.NONE:
        flags = flags.filter(~Exists(appeals))
    return flags


def flags_with_appeals(ids: Collection[int]) -> dict[int, EngagementFlag]:
    """The flags `ids` by id, each with its creator, video, reviewer and its appeals (newest
    first, with who answered) in `appeals_newest_first`: two queries."""
    flags = EngagementFlag.objects.filter(pk__in=ids).select_related(
        "creator", "video_day__video", "reviewed_by"
    )
    newest = FlagAppeal.objects.select_related("answered_by").order_by("-created_at", "-pk")
    flags = flags.prefetch_related(
        Prefetch("appeals", queryset=newest, to_attr="appeals_newest_first")
    )
    return {flag.pk: flag for flag in flags}


def open_appeals_count() -> int:
    return FlagAppeal.objects.filter(status=AppealStatus.OPEN).count()


def flag_of(creator: CreatorProfile, flag_id: int) -> EngagementFlag | None:
    """The creator's own flag `flag_id`, or None (someone else's flag is not theirs to see)."""
    return EngagementFlag.objects.filter(creator=creator, pk=flag_id).first()


@dataclass(frozen=True)
class AppealableFlag:
    """One of a creator's flags as their drill-down shows it: its appeals (newest first) and
    whether they may appeal it now (it still holds something back, and no appeal of it is
    waiting: see services.appeal_flag)."""

    flag: EngagementFlag
    appeals: list[FlagAppeal]

    @property
    def can_appeal(self) -> bool:
        return self.flag.excludes and not any(appeal.is_open for appeal in self.appeals)


def day_flags_with_appeals(creator: CreatorProfile, day: date) -> list[AppealableFlag]:
    """The creator's flags on `day` with their videos and appeals, in the drill-down's
    order: two queries (one when the day has no flag)."""
    newest = FlagAppeal.objects.order_by("-created_at", "-pk")
    flags = (
        EngagementFlag.objects.filter(creator=creator, day=day)
        .select_related("video_day__video")
        .prefetch_related(Prefetch("appeals", queryset=newest, to_attr="appeals_newest_first"))
        .order_by("video_day_id", "pk")
    )
    return [AppealableFlag(flag, flag.appeals_newest_first) for flag in flags]


def export_rows(user: User) -> dict[str, list[dict]]:
    """What the platform reported of `user` (a creator; nothing for others), for their data
    export (privacy.exports): their videos, the authenticity flags raised on them, and the
    appeals they wrote with staff's answers. Three queries."""
    return {
        "videos": plain_rows(
            Video.objects.filter(creator__user=user)
            .order_by("published_at", "pk")
            .values("record_id", "title", "published_at", "duration_s", "is_original")
        ),
        "flags": plain_rows(
            EngagementFlag.objects.filter(creator__user=user)
            .order_by("day", "pk")
            .values(
                "id",
                "day",
                "reason",
                "detail",
                "excluded_views",
                "excluded_likes",
                "excluded_comments",
                "excluded_shares",
                "status",
                "created_at",
                "reviewed_at",
                "review_note",
                video_title=F("video_day__video__title"),
            )
        ),
        "flag_appeals": plain_rows(
            FlagAppeal.objects.filter(flag__creator__user=user)
            .order_by("created_at", "pk")
            .values(
                "flag_id", "message", "status", "verdict", "answer", "created_at", "answered_at"
            )
        ),
    }


# Bumped (core.regions) whenever a flag is made, reviewed, reopened, appealed or answered:
# the staff fraud queue keeps its pages under this version (reports.fraud).
FLAGS_VERSION_KEY = "activity:flags-version"


def flags_version() -> int:
    return regions.version(FLAGS_VERSION_KEY)
