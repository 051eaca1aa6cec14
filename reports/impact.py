"""Program impact: how creators' activity changed once they enrolled in the loyalty program.

For each enrolled creator, the `window` whole months before their enrolment month are set
beside the `window` whole months after it (the enrolment month itself, half one and half the
other, counts for neither). A creator is counted when the platform reported them on at least
MIN_DAYS_REPORTED days of every one of those months; the others are left out, and counted
by reason. The rows, each before and after over the creators counted:

- video posts per month: videos published, over creators × months;
- engagement rate: (likes + comments + shares) ÷ views of each creator's month, averaged over
  the creators' months with views;
- follower growth per month: followers on the window's last reported day less its first,
  over the window's months;
- brand partnership requests per creator: invitations from brands received in the window.

Views and likes are the platform's, less what it marked as coming from bot accounts.

Speed: nothing here reads the raw daily activity at request time. Every night `refresh`
sums it per creator and month (CreatorMonth), notes each enrolled creator's cohort, tier,
band and whole months of history either side (EnrolledCreator), and from those sums, for
every window length, cohort month, tier and follower band, the creators counted and left out
(ImpactGroup) and their months from enrolment (ImpactCell). Every row above is a sum, so the
report adds up the few thousand cells its filters select, whatever the number of creators.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction

from accounts.selectors import creator_profile_table
from activity import retention as activity_retention
from activity import tables as activity_tables
from core.charts import Chart, stacked_bar_chart
from core.clock import rewards_today, start_of_rewards_day
from marketplace import selectors as marketplace_selectors
from rewards import selectors as rewards_selectors
from rewards.fairness import FOLLOWER_BANDS

from .models import (
    CreatorMonth,
    EnrolledCreator,
    ImpactCell,
    ImpactGroup,
    month_index,
    month_of_index,
)

DEFAULT_WINDOW = 3
MAX_WINDOW = 12  # a year on each side: what the platform's data and the precompute keep
# A month counts as history when the platform reported the creator on this many of its days.
MIN_DAYS_REPORTED = 15
# The nightly refresh rewrites the last complete months: late data for the month before
# last still lands.
REFRESH_MONTHS = 2


# --- month arithmetic, portable -----------------------------------------------------------------


def _month_index_sql(day_sql: str) -> str:
    """SQL for the month number (year × 12 + month − 1) of the date `day_sql`. Percent signs
    are doubled: every statement here has parameters."""
    if connection.vendor == "postgresql":
        return (
            f"(CAST(EXTRACT(YEAR FROM {day_sql}) AS integer) * 12"
            f" + CAST(EXTRACT(MONTH FROM {day_sql}) AS integer) - 1)"
        )
    return (
        f"(CAST(strftime('%%Y', {day_sql}) AS integer) * 12"
        f" + CAST(strftime('%%m', {day_sql}) AS integer) - 1)"
    )


def _rewards_day_sql(moment_sql: str) -> str:
    """SQL for the rewards day (in REWARDS_DAY_TZ, the parameter `tz`) of a stored moment.
    SQLite keeps moments as UTC text and has no time zones; Django's own function for
    `__date` lookups there does the conversion."""
    if connection.vendor == "postgresql":
        return f"CAST(({moment_sql} AT TIME ZONE %(tz)s) AS date)"
    return f"django_datetime_cast_date({moment_sql}, %(tz)s, 'UTC')"


def last_complete_month(today: date | None = None) -> int:
    """The number of the last month that has ended (the month before today's)."""
    return month_index(today or rewards_today()) - 1


# --- the nightly precompute ---------------------------------------------------------------------


@dataclass(frozen=True)
class Refreshed:
    first_month: date
    last_month: date
    creator_months: int
    enrolled: int


def _months_sql() -> str:
    video = activity_tables.video_table()
    video_day = activity_tables.video_day_table()
    creator_day = activity_tables.creator_day_table()
    published = _month_index_sql(_rewards_day_sql("v.published_at"))
    requested = _month_index_sql(_rewards_day_sql("r.created_at"))
    # One row per source, creator and month, then one per creator and month. The followers of
    # a month's first and last reported day are found through CreatorDay's (creator, day)
    # constraint's index. (PostgreSQL types a UNION's columns branch by branch, so the first
    # branch's NULLs say what they stand for.)
    return f"""
        INSERT INTO {CreatorMonth._meta.db_table}
            (creator_id, month_index, days_reported, posts, views, likes, comments, shares,
             followers_first, followers_last, partnership_requests)
        SELECT creator_id, month_index, SUM(days), SUM(posts), SUM(views), SUM(likes),
               SUM(comments), SUM(shares), MAX(followers_first), MAX(followers_last),
               SUM(requests)
        FROM (
            SELECT v.creator_id, {published} AS month_index, 0 AS days, COUNT(*) AS posts,
                   0 AS views, 0 AS likes, 0 AS comments, 0 AS shares,
                   CAST(NULL AS BIGINT) AS followers_first,
                   CAST(NULL AS BIGINT) AS followers_last, 0 AS requests
            FROM {video} v
            WHERE v.published_at >= %(start)s AND v.published_at < %(end)s
            GROUP BY v.creator_id, {published}
            UNION ALL
            SELECT d.creator_id, {_month_index_sql("d.day")}, 0, 0,
                   SUM(d.views - d.bot_views), SUM(d.likes - d.bot_likes), SUM(d.comments),
                   SUM(d.shares), NULL, NULL, 0
            FROM {video_day} d
            WHERE d.day BETWEEN %(first)s AND %(last)s
            GROUP BY d.creator_id, {_month_index_sql("d.day")}
            UNION ALL
            SELECT s.creator_id, s.month_index, s.days, 0, 0, 0, 0, 0,
                   f.followers, l.followers, 0
            FROM (
                SELECT creator_id, {_month_index_sql("day")} AS month_index, COUNT(*) AS days,
                       MIN(day) AS first_day, MAX(day) AS last_day
                FROM {creator_day}
                WHERE day BETWEEN %(first)s AND %(last)s
                GROUP BY creator_id, {_month_index_sql("day")}
            ) s
            JOIN {creator_day} f ON f.creator_id = s.creator_id AND f.day = s.first_day
            JOIN {creator_day} l ON l.creator_id = s.creator_id AND l.day = s.last_day
            UNION ALL
            SELECT r.creator_id, {requested}, 0, 0, 0, 0, 0, 0, NULL, NULL, COUNT(*)
            FROM ({marketplace_selectors.partnership_requests_sql()}) r
            WHERE r.created_at >= %(start)s AND r.created_at < %(end)s
            GROUP BY r.creator_id, {requested}
        ) parts
        GROUP BY creator_id, month_index
    """


def _band_sql(column: str) -> str:
    """SQL for the index in FOLLOWER_BANDS of the follower count `column`."""
    whens = " ".join(
        f"WHEN {column} <= {most} THEN {index}"
        for index, (_, _, most) in enumerate(FOLLOWER_BANDS)
        if most is not None
    )
    return f"(CASE {whens} ELSE {len(FOLLOWER_BANDS) - 1} END)"


def _enrolled_sql(enrolments_sql: str) -> str:
    return f"""
        INSERT INTO {EnrolledCreator._meta.db_table}
            (creator_id, enrolled_on, month_index, tier_id, followers, months_before,
             months_after)
        SELECT e.creator_id, e.enrolled, {_month_index_sql("e.enrolled")}, e.tier, c.followers,
               0, 0
        FROM ({enrolments_sql}) e
        JOIN {creator_profile_table()} c ON c.id = e.creator_id
    """


def _history_sql() -> str:
    """Each enrolled creator's whole months of history right before and after enrolment (the
    largest n up to MAX_WINDOW whose n months all count), and their followers at the end of
    the month before, from one pass over their creator-months."""
    ec, cm = EnrolledCreator._meta.db_table, CreatorMonth._meta.db_table

    def run(side: str) -> str:
        months = {
            "before": "m.month_index BETWEEN e.month_index - {n} AND e.month_index - 1",
            "after": "m.month_index BETWEEN e.month_index + 1 AND e.month_index + {n}",
        }[side]
        whens = " ".join(
            f"WHEN SUM(CASE WHEN {months.format(n=n)} AND m.days_reported >= {MIN_DAYS_REPORTED}"
            f" THEN 1 ELSE 0 END) = {n} THEN {n}"
            for n in range(MAX_WINDOW, 0, -1)
        )
        return f"CASE {whens} ELSE 0 END"

    return f"""
        UPDATE {ec} SET months_before = h.months_before, months_after = h.months_after,
                        followers = COALESCE(h.followers, {ec}.followers)
        FROM (
            SELECT e.creator_id, {run("before")} AS months_before, {run("after")} AS months_after,
                   MAX(CASE WHEN m.month_index = e.month_index - 1 THEN m.followers_last END)
                       AS followers
            FROM {ec} e
            JOIN {cm} m ON m.creator_id = e.creator_id
             AND m.month_index BETWEEN e.month_index - {MAX_WINDOW}
                                   AND e.month_index + {MAX_WINDOW}
            GROUP BY e.creator_id
        ) h
        WHERE {ec}.creator_id = h.creator_id
    """


def _groups_sql() -> str:
    ec = EnrolledCreator._meta.db_table
    return f"""
        INSERT INTO {ImpactGroup._meta.db_table}
            (window_months, cohort, tier_id, band, last_month, enrolled, too_recent, short_before,
             short_after, counted)
        SELECT %(w)s, e.month_index, e.tier_id, {_band_sql("e.followers")}, %(last)s, COUNT(*),
               SUM(CASE WHEN e.month_index + %(w)s > %(last)s THEN 1 ELSE 0 END),
               SUM(CASE WHEN e.month_index + %(w)s <= %(last)s AND e.months_before < %(w)s
                        THEN 1 ELSE 0 END),
               SUM(CASE WHEN e.month_index + %(w)s <= %(last)s AND e.months_before >= %(w)s
                             AND e.months_after < %(w)s THEN 1 ELSE 0 END),
               SUM(CASE WHEN e.months_before >= %(w)s AND e.months_after >= %(w)s
                        THEN 1 ELSE 0 END)
        FROM {ec} e
        GROUP BY e.month_index, e.tier_id, {_band_sql("e.followers")}
    """


def _cells_sql() -> str:
    ec, cm = EnrolledCreator._meta.db_table, CreatorMonth._meta.db_table
    return f"""
        INSERT INTO {ImpactCell._meta.db_table}
            (window_months, cohort, tier_id, band, rel, creator_months, posts, followers_first,
             followers_last, partnership_requests, rated, rate_sum)
        SELECT %(w)s, e.month_index, e.tier_id, {_band_sql("e.followers")},
               m.month_index - e.month_index, COUNT(*), SUM(m.posts),
               SUM(m.followers_first), SUM(m.followers_last), SUM(m.partnership_requests),
               SUM(CASE WHEN m.views > 0 THEN 1 ELSE 0 END),
               SUM(CASE WHEN m.views > 0
                        THEN 1.0 * (m.likes + m.comments + m.shares) / m.views ELSE 0 END)
        FROM {ec} e
        JOIN {cm} m ON m.creator_id = e.creator_id
         AND m.month_index BETWEEN e.month_index - %(w)s AND e.month_index + %(w)s
         AND m.month_index <> e.month_index
        WHERE e.months_before >= %(w)s AND e.months_after >= %(w)s
        GROUP BY e.month_index, e.tier_id, {_band_sql("e.followers")},
                 m.month_index - e.month_index
    """


class RefreshError(ValueError):
    """A refresh asked for months it can no longer compute."""


@transaction.atomic
def refresh(*, first_month: date | None = None, today: date | None = None) -> Refreshed:
    """Rewrite the creator-months from `first_month` (by default the last REFRESH_MONTHS
    complete months) through the last complete month, then every enrolment and the sums the
    report reads. Set-based: a fixed number of statements whatever the number of creators;
    running it twice writes the same rows."""
    last = last_complete_month(today)
    kept_from = activity_retention.raw_activity_kept_from(today or rewards_today())
    if first_month is not None and first_month < kept_from:
        # Those months' per-video numbers are gone (privacy.retention): rewriting them would
        # count no posts and no views where the creators had them.
        raise RefreshError(
            f"Per-video numbers of days before {kept_from} were removed after "
            f"{activity_retention.raw_activity_days()} days: months before it keep the sums "
            "computed while they were there."
        )
    first = month_index(first_month) if first_month is not None else last - (REFRESH_MONTHS - 1)
    first_day = month_of_index(first)
    end_day = month_of_index(last + 1)  # the day after the last month
    params = {
        "first": first_day,
        "last": end_day - timedelta(days=1),
        "start": start_of_rewards_day(first_day),
        "end": start_of_rewards_day(end_day),
        "tz": settings.REWARDS_DAY_TZ,
    }
    months = 0
    if first <= last:
        CreatorMonth.objects.filter(month_index__range=(first, last)).delete()
        with connection.cursor() as cursor:
            cursor.execute(_months_sql(), params)
            months = cursor.rowcount
    for model in (ImpactCell, ImpactGroup, EnrolledCreator):
        model.objects.all().delete()
    enrolments_sql, enrolment_params = (
        rewards_selectors.loyalty_enrolments().query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(_enrolled_sql(enrolments_sql), enrolment_params)
        enrolled = cursor.rowcount
        cursor.execute(_history_sql())
        for window in range(1, MAX_WINDOW + 1):
            cursor.execute(_groups_sql(), {"w": window, "last": last})
            cursor.execute(_cells_sql(), {"w": window})
    return Refreshed(first_day, end_day - timedelta(days=1), months, enrolled)


# --- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    window: int = DEFAULT_WINDOW
    # Enrolment months, first and last numbers (a month, or the three of a quarter).
    cohort: tuple[int, int] | None = None
    cohort_label: str = ""
    tier_id: int | None = None
    no_tier: bool = False  # only creators without a tier
    tier_label: str = ""
    band: int | None = None  # an index into FOLLOWER_BANDS

    @property
    def band_label(self) -> str:
        return "" if self.band is None else FOLLOWER_BANDS[self.band][0]

    @property
    def description(self) -> str:
        """The filters in words ("" for none): "enrolled May 2026, tier Gold, …"."""
        parts = []
        if self.cohort_label:
            parts.append(f"enrolled {self.cohort_label}")
        if self.tier_label:
            parts.append(f"tier {self.tier_label}")
        if self.band_label:
            parts.append(f"{self.band_label} followers at enrolment")
        return ", ".join(parts)


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str  # how to read the numbers, in words
    before: float | None
    after: float | None
    creators: int
    decimals: int
    suffix: str = ""

    @property
    def change_percent(self) -> float | None:
        """After against before, in percent; None when before is nothing (no base to compare)."""
        if self.before is None or self.after is None or not self.before:
            return None
        return (self.after - self.before) * 100 / abs(self.before)

    def shown(self, value: float | None) -> str:
        if value is None:
            return "—"
        return f"{value:,.{self.decimals}f}{self.suffix}"

    @property
    def before_shown(self) -> str:
        return self.shown(self.before)

    @property
    def after_shown(self) -> str:
        return self.shown(self.after)

    @property
    def change_shown(self) -> str:
        change = self.change_percent
        if change is None:
            return "—"
        return f"{change:+,.1f} %".replace("-", "−")

    @property
    def change_tone(self) -> str:
        change = self.change_percent
        return "" if change is None or abs(change) < 0.05 else "up" if change > 0 else "down"


@dataclass(frozen=True)
class LeftOut:
    reason: str
    creators: int


@dataclass(frozen=True)
class Impact:
    filters: Filters
    last_month: date  # the last complete month the report can read
    enrolled: int  # creators enrolled who match the filters
    counted: int
    left_out: list[LeftOut]
    metrics: list[Metric]
    charts: list[Chart] = field(default_factory=list)

    @property
    def left_out_total(self) -> int:
        return sum(item.creators for item in self.left_out)


def _where(filters: Filters) -> tuple[str, dict]:
    conditions, params = ["window_months = %(w)s"], {"w": filters.window}
    if filters.cohort is not None:
        conditions.append("cohort BETWEEN %(cohort_first)s AND %(cohort_last)s")
        params["cohort_first"], params["cohort_last"] = filters.cohort
    if filters.no_tier:
        conditions.append("tier_id IS NULL")
    elif filters.tier_id is not None:
        conditions.append("tier_id = %(tier)s")
        params["tier"] = filters.tier_id
    if filters.band is not None:
        conditions.append("band = %(band)s")
        params["band"] = filters.band
    return " AND ".join(conditions), params


# The summary's columns after `rel`, then the months' (padded with NULLs to the same width).
_SUMMARY = ("enrolled", "too_recent", "short_before", "short_after", "counted", "last_month")
_MONTH = ("creator_months", "posts", "first", "last", "requests", "rated", "rate_sum")


def _report_sql(where: str) -> str:
    """One statement: a summary row (`rel` NULL) and one row per month from enrolment."""
    padding = ", ".join(["NULL"] * (len(_MONTH) - len(_SUMMARY)))
    return f"""
        SELECT NULL AS rel, SUM(enrolled), SUM(too_recent), SUM(short_before),
               SUM(short_after), SUM(counted), MAX(last_month), {padding}
        FROM {ImpactGroup._meta.db_table} WHERE {where}
        UNION ALL
        SELECT rel, SUM(creator_months), SUM(posts), SUM(followers_first),
               SUM(followers_last), SUM(partnership_requests), SUM(rated), SUM(rate_sum)
        FROM {ImpactCell._meta.db_table} WHERE {where}
        GROUP BY rel
    """


def _number(value: object) -> float:
    return float(value) if value is not None else 0.0


def _per(total: float, count: float) -> float | None:
    return total / count if count else None


def report(filters: Filters, *, today: date | None = None) -> Impact:
    """The impact table and its charts for `filters`, from the night's sums (one query)."""
    where, params = _where(filters)
    with connection.cursor() as cursor:
        cursor.execute(_report_sql(where), params)
        rows = cursor.fetchall()
    summary: dict[str, float] = {}
    by_month: dict[int, dict[str, float]] = {}
    for rel, *values in rows:
        if rel is None:
            summary = {name: _number(v) for name, v in zip(_SUMMARY, values, strict=False)}
        else:
            by_month[int(rel)] = {name: _number(v) for name, v in zip(_MONTH, values, strict=True)}
    w = filters.window
    counted = int(summary.get("counted", 0))
    months = counted * w
    last = int(summary["last_month"]) if summary.get("last_month") else last_complete_month(today)

    def total(name: str, side: int) -> float:
        return sum(m[name] for rel, m in by_month.items() if rel * side > 0)

    def at(name: str, rel: int) -> float:
        return by_month.get(rel, {}).get(name, 0.0)

    def rate(side: int) -> float | None:
        per = _per(total("rate_sum", side), total("rated", side))
        return None if per is None else per * 100

    metrics = [
        Metric(
            "posts",
            "Video posts per month",
            "videos published per creator per month",
            _per(total("posts", -1), months),
            _per(total("posts", 1), months),
            counted,
            decimals=1,
        ),
        Metric(
            "engagement",
            "Engagement rate",
            "(likes + comments + shares) ÷ views, averaged over the creators' months",
            rate(-1),
            rate(1),
            counted,
            decimals=2,
            suffix=" %",
        ),
        Metric(
            "followers",
            "Follower growth per month",
            "followers gained per creator per month",
            _per(at("last", -1) - at("first", -w), months),
            _per(at("last", w) - at("first", 1), months),
            counted,
            decimals=0,
        ),
        Metric(
            "requests",
            "Brand partnership requests per creator",
            f"invitations from brands per creator over the {w} months",
            _per(total("requests", -1), counted),
            _per(total("requests", 1), counted),
            counted,
            decimals=2,
        ),
    ]
    months_word = "month" if w == 1 else f"{w} months"
    left_out = [
        LeftOut(
            f"enrolled too recently: fewer than {months_word} have ended since their "
            "enrolment month",
            int(summary.get("too_recent", 0)),
        ),
        LeftOut(
            f"too little history before enrolment: not reported on at least "
            f"{MIN_DAYS_REPORTED} days of each of the {months_word} before",
            int(summary.get("short_before", 0)),
        ),
        LeftOut(
            f"too little history after enrolment: not reported on at least "
            f"{MIN_DAYS_REPORTED} days of each of the {months_word} after",
            int(summary.get("short_after", 0)),
        ),
    ]
    return Impact(
        filters=filters,
        last_month=month_of_index(last),
        enrolled=int(summary.get("enrolled", 0)),
        counted=counted,
        left_out=left_out,
        metrics=metrics,
        charts=_charts(by_month, counted, w),
    )


def _charts(by_month: dict[int, dict[str, float]], counted: int, window: int) -> list[Chart]:
    """One chart per metric: its average in each month from enrolment, before and after in
    two colours (a stacked chart of two series, each bar in one of them)."""
    rels = [*range(-window, 0), *range(1, window + 1)]
    labels = [f"{rel:+d}".replace("-", "−") for rel in rels]

    def series(name: str, per: str = "creator", scale: float = 1) -> list[float]:
        values = []
        for rel in rels:
            month = by_month.get(rel, {})
            amount = (
                month.get("last", 0.0) - month.get("first", 0.0)
                if name == "growth"
                else (month.get(name, 0.0))
            )
            over = counted if per == "creator" else month.get("rated", 0)
            values.append(round(amount * scale / over, 2) if over else 0.0)
        return values

    def chart(title: str, values: Sequence[float]) -> Chart:
        before = [v if rel < 0 else 0 for rel, v in zip(rels, values, strict=True)]
        after = [v if rel > 0 else 0 for rel, v in zip(rels, values, strict=True)]
        return stacked_bar_chart(
            title, labels, [("Before enrolment", before), ("After enrolment", after)]
        )

    if not counted:
        return []
    return [
        chart("Video posts per creator, by month from enrolment", series("posts")),
        chart(
            "Engagement rate (%), by month from enrolment",
            series("rate_sum", per="rated", scale=100),
        ),
        chart("Followers gained per creator, by month from enrolment", series("growth")),
        chart(
            "Brand partnership requests per 100 creators, by month from enrolment",
            series("requests", scale=100),
        ),
    ]


# --- filter choices and CSV ---------------------------------------------------------------------


@dataclass(frozen=True)
class Cohort:
    value: str  # "2026-05" for a month, "2026-Q2" for a quarter
    label: str
    first: int
    last: int


def cohorts() -> list[Cohort]:
    """The enrolment months with creators in them, and their quarters, newest first (one
    query)."""
    indexes = list(
        EnrolledCreator.objects.order_by("-month_index")
        .values_list("month_index", flat=True)
        .distinct()
    )
    found: list[Cohort] = []
    quarters: dict[int, Cohort] = {}
    for index in indexes:
        month = month_of_index(index)
        found.append(Cohort(f"{month:%Y-%m}", f"{month:%B %Y}", index, index))
        quarter = (month.month - 1) // 3 + 1
        first = month.year * 12 + (quarter - 1) * 3
        quarters.setdefault(
            first, Cohort(f"{month.year}-Q{quarter}", f"Q{quarter} {month.year}", first, first + 2)
        )
    return [*found, *sorted(quarters.values(), key=lambda c: -c.first)]


def csv_rows(result: Impact) -> Iterator[list[str | int]]:
    """The report as CSV rows: the filters, the table, then the creators left out by reason.
    Numbers unrounded beyond four decimals, for a spreadsheet to work with."""
    f = result.filters
    yield ["Program impact", f"{f.window} months before and after enrolment"]
    yield ["Enrolment cohort", f.cohort_label or "All"]
    yield ["Tier", _text(f.tier_label) or "All"]
    yield ["Follower band", f.band_label or "All"]
    yield ["Last month counted", f"{result.last_month:%Y-%m}"]
    yield []
    yield ["Metric", "Unit", "Before", "After", "Change (%)", "Creators counted"]
    for metric in result.metrics:
        yield [
            metric.label,
            metric.unit,
            _csv_number(metric.before),
            _csv_number(metric.after),
            _csv_number(metric.change_percent),
            metric.creators,
        ]
    yield []
    yield ["Creators enrolled", "", "", "", "", result.enrolled]
    yield ["Creators counted", "", "", "", "", result.counted]
    for item in result.left_out:
        yield [f"Left out: {item.reason}", "", "", "", "", item.creators]


def _text(value: str) -> str:
    """A name staff typed (a tier's), kept from being run as a formula by a spreadsheet."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def _csv_number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")
