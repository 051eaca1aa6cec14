"""What a creator's own activity says, for the Academy: the signals that choose the courses
to recommend, and the figures the insight-card lessons show.

Every read of activity goes through `activity.selectors` and is bounded: one creator's rows
over a fixed window, found through the (creator, day) and (creator, published_at) indexes and
summed in SQL. Other creators are seen only through PeerBand, which `refresh_peer_bands`
computes nightly (academy.tasks) in one set-based statement. Ratios are worked out in
integers and shown rounded half up; nothing is stored as a float.
"""

from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from itertools import chain, pairwise, zip_longest

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from accounts import selectors as accounts_selectors
from accounts.models import CreatorProfile
from activity import selectors as activity_selectors
from core.clock import start_of_rewards_day
from core.plurals import plural
from payments import selectors as payments_selectors
from payments.models import Source
from rewards import eligibility

from .models import Course, InsightKey, Level, PeerBand, Signal

# Four whole weeks: every weekday counts alike in a 28-day figure.
WINDOW_DAYS = 28

# Below this many views a ratio of them is noise: no watch-time signal, no top video, no
# engagement rate, and a creator below it is left out of the peer bands.
MIN_VIEWS = 100

# LOW_WATCH_TIME. Under 40 % of a video's length watched on average, most viewers leave
# before the point lands; under half of the views lasting 5 seconds, the opening loses them.
MIN_WATCHED_PERCENT = 40
MIN_PAST_5S_PERCENT = 50

# IRREGULAR_POSTING. Posting on 8 days in 28 is twice a week; a break of more than a week is
# one the audience notices.
MIN_POSTING_DAYS = 8
MAX_BREAK_DAYS = 7

# FEW_LIVES. Half an hour in four weeks is one short session: too little for lives to build
# the regulars who later subscribe.
MIN_LIVE_MINUTES = 30

# NOT_BRAND_READY. The badge the Marketplace shows brands; the follower threshold is the
# Marketplace's own (settings.MARKETPLACE_MIN_FOLLOWERS, "more than").
BRAND_READY_BADGE = "brand-ready"

# NO_SUBSCRIBERS. A month of renewals: a creator with any paying subscriber was credited in it.
SUBSCRIPTION_INCOME_DAYS = 30

MAX_RECOMMENDATIONS = 3

# Best posting time: videos of the 90 days that end a week ago, each with its whole first week
# of views (a newer video has not had its week yet, and would pull its slot down).
BEST_TIME_DAYS = 90
FIRST_WEEK_DAYS = 7
MIN_VIDEOS_FOR_BEST_TIME = 5

TOP_VIDEOS = 3

# The peer bands' lower bounds: each band runs up to the next one (the last has no top).
FOLLOWER_BANDS = (0, 1_000, 10_000, 50_000, 100_000, 500_000, 1_000_000)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Reason:
    """A signal the creator's data shows, and why, in words with their figures."""

    signal: Signal
    text: str


@dataclass(frozen=True)
class Recommendation:
    course: Course
    reason_text: str


@dataclass(frozen=True)
class CardRow:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class InsightCard:
    key: InsightKey
    title: str
    headline: str  # the figure in large type: "Tuesdays, 18:00", "62.5 %"
    text: str
    rows: tuple[CardRow, ...] = ()
    enough_data: bool = True


@dataclass(frozen=True)
class InsightCards:
    best_time: InsightCard
    top_videos: InsightCard
    engagement: InsightCard

    def __iter__(self) -> Iterator[InsightCard]:
        return iter((self.best_time, self.top_videos, self.engagement))


def window(today: date, days: int = WINDOW_DAYS) -> tuple[date, date]:
    """The `days` rewards days that end on `today` (today is day 1, `today - days` is out)."""
    return today - timedelta(days=days - 1), today


def _scaled(part: int, whole: int, scale: int) -> int:
    """part / whole × scale, rounded half up, in integers (whole > 0)."""
    return (2 * part * scale + whole) // (2 * whole)


def _tenths(tenths: int, unit: str) -> str:
    """A count of tenths with one decimal: 31 → "3.1 s"."""
    return f"{tenths // 10:,}.{tenths % 10} {unit}"


def _percent(part: int, whole: int) -> str:
    return _tenths(_scaled(part, whole, 1_000), "%")


def _basis_points(part: int, whole: int) -> int:
    """part / whole in basis points, rounded down: the same integer division as the peer
    bands' SQL, so a creator and their band are measured alike."""
    return part * 10_000 // whole


def _bp_percent(bp: int) -> str:
    return _tenths((bp + 5) // 10, "%")


# Signals ---------------------------------------------------------------------------------


def signals(creator: CreatorProfile, *, today: date) -> list[Reason]:
    """The signals the creator's data shows on `today`, in the order of Signal, each with its
    reason. Three reads of the creator's last 28 days; the subscription rule (cached for a
    minute); their badges only above the Marketplace's threshold and their subscription
    income only when they may offer subscriptions: at most 6 queries, 3 with a warm cache
    for a small creator."""
    found = (
        _watch_time(creator, today),
        _posting(creator, today),
        _lives(creator, today),
        _brand_ready(creator),
        _subscribers(creator, today),
    )
    return [reason for reason in found if reason is not None]


def _watch_time(creator: CreatorProfile, today: date) -> Reason | None:
    totals = activity_selectors.watch_totals(creator, *window(today))
    views = totals.views
    if views < MIN_VIEWS or not totals.full_length_s:
        return None
    watched, length, past_5s = totals.watch_time_s, totals.full_length_s, totals.views_past_5s
    if (
        watched * 100 >= MIN_WATCHED_PERCENT * length
        and past_5s * 100 >= MIN_PAST_5S_PERCENT * views
    ):
        return None
    return Reason(
        Signal.LOW_WATCH_TIME,
        f"Over the last {WINDOW_DAYS} days viewers watched "
        f"{_tenths(_scaled(watched, views, 10), 's')} of your videos on average, "
        f"{_percent(watched, length)} of a video's {_tenths(_scaled(length, views, 10), 's')}, "
        f"and {_percent(past_5s, views)} of views lasted past the first 5 seconds: what holds "
        "viewers is decided in the first three seconds.",
    )


def _posting(creator: CreatorProfile, today: date) -> Reason | None:
    first, last = window(today)
    # The distinct days with a post: at most 28 rows, whatever the creator's output.
    days = activity_selectors.posting_days(creator, first, last)
    if not days:
        return Reason(
            Signal.IRREGULAR_POSTING,
            f"No videos in the last {WINDOW_DAYS} days: an audience comes back to a creator "
            "who posts on a rhythm it can count on.",
        )
    # The breaks between posting days, and the one since the last post.
    longest = max((b - a).days for a, b in pairwise([*days, last]))
    if len(days) >= MIN_POSTING_DAYS and longest <= MAX_BREAK_DAYS:
        return None
    return Reason(
        Signal.IRREGULAR_POSTING,
        f"You posted on {plural(len(days), 'day')} of the last {WINDOW_DAYS}, and your "
        f"longest break from posting was {plural(longest, 'day')}; posting at least twice a "
        "week, with no break longer than a week, keeps your audience coming back.",
    )


def _lives(creator: CreatorProfile, today: date) -> Reason | None:
    minutes = activity_selectors.live_minutes_between(creator, *window(today))
    if minutes >= MIN_LIVE_MINUTES:
        return None
    if minutes == 0:
        said = f"You have not gone live in the last {WINDOW_DAYS} days"
    else:
        said = f"You were live for {plural(minutes, 'minute')} in the last {WINDOW_DAYS} days"
    return Reason(
        Signal.FEW_LIVES,
        f"{said}; lives are where viewers become regulars who comment, gift and subscribe.",
    )


def _brand_ready(creator: CreatorProfile) -> Reason | None:
    threshold = settings.MARKETPLACE_MIN_FOLLOWERS
    if creator.followers <= threshold:
        return None
    if any(held.badge.slug == BRAND_READY_BADGE for held in accounts_selectors.badges_of(creator)):
        return None
    return Reason(
        Signal.NOT_BRAND_READY,
        f"You have {creator.followers:,} followers, more than the {threshold:,} brands look "
        "for in the Marketplace, but not yet the Brand-ready badge that tells them you know "
        "how to work with them.",
    )


def _subscribers(creator: CreatorProfile, today: date) -> Reason | None:
    # The staff-set rule of who may offer subscriptions, through the hook subscriptions
    # registers with rewards (the Academy may not import subscriptions).
    min_age, min_followers = eligibility.subscription_thresholds()
    if creator.followers < min_followers or creator.age_on(today) < min_age:
        return None
    since = start_of_rewards_day(today - timedelta(days=SUBSCRIPTION_INCOME_DAYS - 1))
    if payments_selectors.has_earned_from(creator, source=Source.SUBSCRIPTION, since=since):
        return None
    return Reason(
        Signal.NO_SUBSCRIBERS,
        f"You have {creator.followers:,} followers, enough to offer subscriptions "
        f"({min_followers:,} or more), and no subscription income in the last "
        f"{SUBSCRIPTION_INCOME_DAYS} days.",
    )


# Recommendations --------------------------------------------------------------------------

FALLBACK_REASON = "A good place to start: a beginner's course you have not taken yet."


def recommendations(
    creator: CreatorProfile,
    *,
    today: date,
    courses: Iterable[Course],
    completed_course_ids: Collection[int],
) -> list[Recommendation]:
    """Up to 3 published courses of `courses` (in their order), not in
    `completed_course_ids`, that address a signal the creator's data shows, each with that
    signal's reason: every signal's first course before any signal's second. When none does,
    beginner courses of `courses` instead. The queries of `signals`, and one to list
    `courses` if it is an unevaluated QuerySet."""
    open_courses = [
        course
        for course in courses
        if course.is_published and course.pk not in completed_course_ids
    ]
    per_signal = [
        [
            Recommendation(course, reason.text)
            for course in open_courses
            if course.addresses == reason.signal
        ]
        for reason in signals(creator, today=today)
    ]
    matched = [each for each in chain(*zip_longest(*per_signal)) if each is not None]
    if matched:
        return matched[:MAX_RECOMMENDATIONS]
    return [
        Recommendation(course, FALLBACK_REASON)
        for course in open_courses
        if course.level == Level.BEGINNER
    ][:MAX_RECOMMENDATIONS]


# Insight cards -----------------------------------------------------------------------------


def best_time_card(creator: CreatorProfile, *, today: date) -> InsightCard:
    """The weekday and the hour (in REWARDS_DAY_TZ) whose videos drew the most views in their
    first week, over the creator's videos of the 90 days that end a week before `today`. One
    query: the videos through the (creator, published_at) index, each joined to its first
    week of days through the (video, day) index, grouped by weekday and hour in SQL."""
    title = InsightKey.BEST_TIME.label
    last = today - timedelta(days=FIRST_WEEK_DAYS)
    first = last - timedelta(days=BEST_TIME_DAYS - 1)
    # A video's first week is the day it came out and the 6 after.
    slots = activity_selectors.first_week_views_by_slot(
        creator, first, last, first_week_days=FIRST_WEEK_DAYS
    )
    # Folded by weekday and by hour in Python: at most 7 × 24 rows, already summed.
    by_weekday: dict[int, tuple[int, int]] = {}
    by_hour: dict[int, tuple[int, int]] = {}
    for slot in slots:
        for totals, key in ((by_weekday, slot.weekday), (by_hour, slot.hour)):
            videos, views = totals.get(key, (0, 0))
            totals[key] = (videos + slot.videos, views + slot.first_week_views)
    videos = sum(videos for videos, _ in by_weekday.values())
    period = f"the {BEST_TIME_DAYS} days to {last:%-d %b %Y}"
    if videos < MIN_VIDEOS_FOR_BEST_TIME:
        return InsightCard(
            InsightKey.BEST_TIME,
            title,
            "Not enough data yet",
            f"Your best time to post shows once you have {MIN_VIDEOS_FOR_BEST_TIME} videos "
            f"with a whole first week behind them, from {period}; you have "
            f"{plural(videos, 'video')}.",
            enough_data=False,
        )
    weekday = _best(by_weekday)
    hour = _best(by_hour)
    views = sum(views for _, views in by_weekday.values())
    return InsightCard(
        InsightKey.BEST_TIME,
        title,
        f"{WEEKDAYS[weekday - 1]}s, {hour:02d}:00",
        f"Over {period}, your videos posted on a {WEEKDAYS[weekday - 1]} drew "
        f"{_average(by_weekday[weekday]):,} views in their first week on average, and those "
        f"posted between {hour:02d}:00 and {(hour + 1) % 24:02d}:00 ({settings.REWARDS_DAY_TZ}) "
        f"drew {_average(by_hour[hour]):,}; across all {videos:,} videos the average was "
        f"{_average((videos, views)):,}.",
        rows=tuple(
            CardRow(
                WEEKDAYS[day - 1],
                f"{_average(totals):,} views",
                f"first week, average of {plural(totals[0], 'video')}",
            )
            for day, totals in sorted(by_weekday.items())
        ),
    )


def _best(totals: dict[int, tuple[int, int]]) -> int:
    """The key whose videos averaged the most views: on a tie, the one with more videos,
    then the earliest."""
    return max(
        totals,
        key=lambda key: (Fraction(totals[key][1], totals[key][0]), totals[key][0], -key),
    )


def _average(totals: tuple[int, int]) -> int:
    videos, views = totals
    return _scaled(views, videos, 1)


def top_videos_card(creator: CreatorProfile, *, today: date) -> InsightCard:
    """The creator's 3 videos viewers watched the greatest share of over the last 28 days
    (watch time over views × length), among those with at least 100 views in them. One
    query: the creator's days through the (creator, day) index, summed per video in SQL."""
    title = InsightKey.TOP_VIDEOS.label
    top = activity_selectors.best_watched_videos(
        creator, *window(today), min_views=MIN_VIEWS, limit=TOP_VIDEOS
    )
    if not top:
        return InsightCard(
            InsightKey.TOP_VIDEOS,
            title,
            "Not enough data yet",
            f"No video of yours reached {MIN_VIEWS:,} views in the last {WINDOW_DAYS} days; "
            "your best-watched videos show here once one does.",
            enough_data=False,
        )
    shares = [_percent(v.watch_time_s, v.views * v.duration_s) for v in top]
    best = top[0]
    return InsightCard(
        InsightKey.TOP_VIDEOS,
        title,
        shares[0],
        f"Over the last {WINDOW_DAYS} days, viewers watched {shares[0]} of “"
        f"{best.title}” on average across its {plural(best.views, 'view')}: "
        f"of your videos with {MIN_VIEWS:,} views or more, the one they kept watching longest.",
        rows=tuple(
            CardRow(video.title, share, plural(video.views, "view"))
            for video, share in zip(top, shares, strict=True)
        ),
    )


def engagement_card(creator: CreatorProfile, *, today: date) -> InsightCard:
    """Likes, comments and shares per view over the last 28 days (bots' likes and views left
    out), against the median of creators in the same follower band (PeerBand, computed
    nightly). Two queries: the creator's sums, and their band's row."""
    title = InsightKey.ENGAGEMENT.label
    totals = activity_selectors.engagement_totals(creator, *window(today))
    likes, comments, shares = totals.genuine_likes, totals.comments, totals.shares
    views = totals.genuine_views
    if views < MIN_VIEWS:
        return InsightCard(
            InsightKey.ENGAGEMENT,
            title,
            "Not enough data yet",
            f"Your engagement rate shows once your videos have {MIN_VIEWS:,} views in "
            f"{WINDOW_DAYS} days; they have {plural(views, 'view')}.",
            enough_data=False,
        )
    rate = _basis_points(likes + comments + shares, views)
    rows = [
        CardRow("Likes", f"{likes:,}", "bot likes left out"),
        CardRow("Comments", f"{comments:,}"),
        CardRow("Shares", f"{shares:,}"),
        CardRow("Views", f"{views:,}", "bot views left out"),
    ]
    said = (
        f"Likes, comments and shares came to {_bp_percent(rate)} of your views over the last "
        f"{WINDOW_DAYS} days"
    )
    lower = band_of(creator.followers)
    peers = PeerBand.objects.filter(min_followers=lower).first()
    who = f"creators with {band_label(lower)}"
    if peers is None or peers.creators == 0:
        said += f"; the comparison with {who} shows after the next nightly update."
    else:
        median = peers.median_engagement_bp
        where = "above" if rate > median else "below" if rate < median else "level with"
        said += (
            f": {where} the {_bp_percent(median)} of {who} (the median of "
            f"{plural(peers.creators, 'creator')})."
        )
        rows.append(
            CardRow(who[0].upper() + who[1:], _bp_percent(median), f"median of {peers.creators:,}")
        )
    return InsightCard(InsightKey.ENGAGEMENT, title, _bp_percent(rate), said, rows=tuple(rows))


CARDS: dict[InsightKey, Callable[..., InsightCard]] = {
    InsightKey.BEST_TIME: best_time_card,
    InsightKey.TOP_VIDEOS: top_videos_card,
    InsightKey.ENGAGEMENT: engagement_card,
}


def insight_for(key: InsightKey, creator: CreatorProfile, *, today: date) -> InsightCard:
    """The card an insight lesson of `key` shows the creator."""
    return CARDS[InsightKey(key)](creator, today=today)


def insight_cards(creator: CreatorProfile, *, today: date) -> InsightCards:
    """Every card: 4 queries."""
    return InsightCards(
        best_time=best_time_card(creator, today=today),
        top_videos=top_videos_card(creator, today=today),
        engagement=engagement_card(creator, today=today),
    )


# Peer bands -------------------------------------------------------------------------------


def band_of(followers: int) -> int:
    """The lower bound of the follower band `followers` is in."""
    return max(lower for lower in FOLLOWER_BANDS if lower <= followers)


def _short(count: int) -> str:
    if count % 1_000_000 == 0:
        return f"{count // 1_000_000:,}M"
    if count % 1_000 == 0:
        return f"{count // 1_000:,}k"
    return f"{count:,}"


def band_label(lower: int) -> str:
    """ "10k–50k followers", "fewer than 1k followers", "1M followers or more"."""
    upper = next((bound for bound in FOLLOWER_BANDS if bound > lower), None)
    if upper is None:
        return f"{_short(lower)} followers or more"
    if lower == 0:
        return f"fewer than {_short(upper)} followers"
    return f"{_short(lower)}–{_short(upper)} followers"


# The median of a band's engagement rates, rounded half up. SQLite has no percentile_cont:
# for `make run` its bands show the mean, computed in SQL too.
_MEDIAN_BP = {
    "postgresql": "ROUND(CAST(percentile_cont(0.5) WITHIN GROUP (ORDER BY r.bp) AS numeric))",
    "sqlite": "CAST(AVG(r.bp) + 0.5 AS INTEGER)",
}


def refresh_peer_bands(day: date) -> int:
    """Every follower band's creators and median engagement rate over the 28 days that end
    on `day`, from every creator with at least 100 genuine views in them: one statement that
    reads the days through the (day, creator) index and upserts a row per band, an empty band
    included (0 creators), so running it again changes nothing. Returns the bands written."""
    if connection.vendor not in _MEDIAN_BP:
        raise ImproperlyConfigured(
            f"Peer bands are computed on PostgreSQL or SQLite, not {connection.vendor}."
        )
    first, last = window(day)
    bounds = list(zip(FOLLOWER_BANDS, [*FOLLOWER_BANDS[1:], None], strict=True))
    bands = ", ".join(
        f"(CAST(%(lower{i})s AS BIGINT), CAST(%(upper{i})s AS BIGINT))" for i in range(len(bounds))
    )
    sums, sums_params = activity_selectors.engagement_by_creator_sql(first, last)
    params: dict[str, object] = {**sums_params, "day": day, "min_views": MIN_VIEWS}
    for i, (lower, upper) in enumerate(bounds):
        params[f"lower{i}"], params[f"upper{i}"] = lower, upper
    # The rate is the same integer division as `_basis_points`. INSERT first, then WITH: so
    # SQLite's driver reports the rows written. `WHERE 1 = 1`: SQLite parses an INSERT …
    # SELECT … ON CONFLICT only when the SELECT has a WHERE.
    sql = f"""
        INSERT INTO {PeerBand._meta.db_table}
            (min_followers, day, creators, median_engagement_bp)
        WITH bands (lower_bound, upper_bound) AS (VALUES {bands}),
        sums AS ({sums}),
        rates AS (
            SELECT c.followers, s.engaged * 10000 / s.genuine_views AS bp
            FROM sums s JOIN {accounts_selectors.creator_profile_table()} c ON c.id = s.creator_id
            WHERE s.genuine_views >= %(min_views)s
        )
        SELECT b.lower_bound, %(day)s, COUNT(r.bp), COALESCE({_MEDIAN_BP[connection.vendor]}, 0)
        FROM bands b
        LEFT JOIN rates r
            ON r.followers >= b.lower_bound
           AND (b.upper_bound IS NULL OR r.followers < b.upper_bound)
        WHERE 1 = 1
        GROUP BY b.lower_bound
        ON CONFLICT (min_followers) DO UPDATE SET
            day = excluded.day,
            creators = excluded.creators,
            median_engagement_bp = excluded.median_engagement_bp
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
