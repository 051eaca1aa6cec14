"""Reads about points: every entry explained down to the activity and rule behind it.

Each selector runs a fixed number of queries whatever the length of the range, so pages
built on them stay fast with a year of history.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import DateField, F, Q, QuerySet, Value
from django.db.models.functions import Greatest

from accounts import selectors as accounts_selectors
from accounts.models import CreatorProfile, User
from activity import selectors as activity_selectors
from activity.models import CreatorDay, FlagStatus, VideoDay
from core.clock import start_of_rewards_day
from core.exports import plain_rows
from core.plurals import plural

from . import points
from .models import (
    CreatorTier,
    DayTally,
    EarningRule,
    EntryKind,
    LineKind,
    Metric,
    PointsAccount,
    PointsEntry,
    ProgramLine,
    ProgramStatement,
    Tier,
)

# How each metric reads in a sentence: (one, many).
METRIC_NOUNS: dict[str, tuple[str, str]] = {
    Metric.UPLOADS: ("original video uploaded", "original videos uploaded"),
    Metric.QUALIFIED_VIEWS: ("qualified view", "qualified views"),
    Metric.LIKES: ("like received", "likes received"),
    Metric.COMMENTS: ("comment received", "comments received"),
    Metric.SHARES: ("share received", "shares received"),
    Metric.REPLIES: ("reply to a follower", "replies to followers"),
    Metric.LIVE_MINUTES: ("minute live", "minutes live"),
    Metric.STREAK: (
        "week with uploads on {days} different days",
        "weeks with uploads on {days} days",
    ),
    Metric.COURSES: ("Academy course finished", "Academy courses finished"),
}


def _nouns(metric: str) -> tuple[str, str]:
    one, many = METRIC_NOUNS[metric]
    days = settings.REWARDS_STREAK_DAYS
    return one.format(days=days), many.format(days=days)


def describe_rule(rule: EarningRule) -> str:
    """The rule in words, e.g. "2 points per 1,000 qualified views, at most 500 a day"."""
    one, many = _nouns(rule.metric)
    per = f"per {one}" if rule.unit_size == 1 else f"per {rule.unit_size:,} {many}"
    text = f"{plural(rule.points_per_unit, 'point')} {per}"
    if rule.taper_above is not None and rule.taper_percent < 100:
        text += (
            f"; above {plural(rule.taper_above, 'point')} a day, {rule.taper_percent}% of the rest"
        )
    if rule.daily_cap is not None:
        text += f", at most {rule.daily_cap:,} a day"
    return text


def describe_arithmetic(b: points.Breakdown, *, carries_on: bool = True) -> str:
    """The sum behind an amount: "12,400 qualified views × 2 per 1,000 = 24", with what earlier
    days carried in ("300 qualified views + 700 carried from earlier days = 1,000 × 2 per 1,000
    = 2"), caps, and what is carried to the next day (`carries_on`: not past a month's end)."""
    rule = b.rule
    per = "each" if rule.unit_size == 1 else f"per {rule.unit_size:,}"
    counted = plural(b.measured, *_nouns(rule.metric))
    if b.carried_in:
        counted += f" + {b.carried_in:,} carried from earlier days = {b.total:,}"
    text = f"{counted} × {rule.points_per_unit:,} {per} = {b.raw:,}"
    if b.tapered_off:
        text += f"; above {rule.taper_above:,} only {rule.taper_percent}% counts, so {b.tapered:,}"
    if b.capped:
        text += f"; capped at {rule.daily_cap:,} a day"
    if b.carried_out and not carries_on:
        text += f"; {b.carried_out:,} left over, and a new month starts from zero"
    elif b.carried_out:
        text += f"; {b.carried_out:,} carried to the next day"
    elif b.carried_in:
        text += "; nothing carried to the next day"
    return text


@dataclass(frozen=True)
class RuleInWords:
    metric: str
    label: str
    text: str
    rule: EarningRule


def rules_in_words(day: date) -> list[RuleInWords]:
    """The rules in force on `day`, in words, in the order the product lists them."""
    in_force = points.rules_in_force(day)
    return [
        RuleInWords(rule.metric, rule.get_metric_display(), describe_rule(rule), rule)
        for metric in Metric
        if (rule := in_force.get(metric)) is not None
    ]


@dataclass(frozen=True)
class ExplainedEntry:
    entry: PointsEntry
    rule_text: str
    arithmetic: str


@dataclass(frozen=True)
class RuleChange:
    """A rule's version dated to come into force after today, in words."""

    valid_from: date
    metric: str
    label: str
    text: str
    was: str  # the version it replaces, in words ("" when the metric earned nothing before)


def upcoming_rule_changes(today: date) -> list[RuleChange]:
    """Versions staff have dated after `today`, soonest first, each beside the version it
    replaces: creators see a change before it applies (its history never changes). One
    query: every version, read in date order per metric."""
    changes = []
    previous: dict[str, EarningRule] = {}
    for rule in EarningRule.objects.order_by("metric", "valid_from"):
        before = previous.get(rule.metric)
        previous[rule.metric] = rule
        if rule.valid_from <= today:
            continue
        changes.append(
            RuleChange(
                rule.valid_from,
                rule.metric,
                rule.get_metric_display(),
                describe_rule(rule) if rule.is_active else "earns nothing any more",
                describe_rule(before) if before and before.is_active else "",
            )
        )
    order = {metric: index for index, metric in enumerate(Metric)}  # the product's order
    return sorted(changes, key=lambda change: (change.valid_from, order[change.metric]))


@dataclass(frozen=True)
class Exclusion:
    """One flag on a video-day: why, in words, and where its review stands."""

    reason: str
    detail: str
    status: str


@dataclass
class VideoExclusions:
    """What the authenticity pass set aside of one video-day, and what it kept. Several flags
    on one video-day overlap: the recalculation sets aside the largest amount of each kind
    any standing flag names (not their sum), and so does this."""

    video_title: str
    views: int
    likes: int
    comments: int
    views_5s: int = 0
    flags: list[Exclusion] = field(default_factory=list)
    excluded_views: int = 0
    excluded_likes: int = 0
    excluded_comments: int = 0

    @property
    def kept_views(self) -> int:
        return max(self.views - self.excluded_views, 0)

    @property
    def kept_views_5s(self) -> int:
        """Of the views watched 5 s (those that can qualify), what still counts: views set
        aside come off these in full, as the recalculation takes them (so what was bought
        earns nothing, even when bought views were watched less)."""
        return max(self.views_5s - self.excluded_views, 0)

    @property
    def kept_likes(self) -> int:
        return max(self.likes - self.excluded_likes, 0)

    @property
    def kept_comments(self) -> int:
        return max(self.comments - self.excluded_comments, 0)


@dataclass(frozen=True)
class CarriedOn:
    label: str
    rule_text: str
    arithmetic: str


@dataclass
class DayActivity:
    day: date
    videos: list[VideoDay] = field(default_factory=list)
    creator_day: CreatorDay | None = None
    entries: list[ExplainedEntry] = field(default_factory=list)
    exclusions: list[VideoExclusions] = field(default_factory=list)
    # Metrics that counted less than a whole unit with what earlier days carried: no entry,
    # and the remainder carried on.
    carried: list[CarriedOn] = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(e.entry.amount for e in self.entries)


def explain_points(creator: CreatorProfile, first: date, last: date) -> list[DayActivity]:
    """For each day from `first` to `last` with anything on it, newest first: the entries with
    their rule and arithmetic, what counted but made no whole unit and was carried on, the
    videos and counts behind them, and what was excluded and why. Six queries, however long
    the range."""
    entries = list(
        PointsEntry.objects.for_creator(creator)
        .between(first, last)
        .select_related("rule")
        .order_by("activity_date", "metric", "id")
    )
    with_entry = {(e.activity_date, e.metric) for e in entries}
    # One index lookup per day (the tally's key starts with the day).
    span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    carried = [
        t
        for t in DayTally.objects.filter(creator=creator, day__in=span, rule__isnull=False)
        .filter(Q(carried_in__gt=0) | Q(carried_out__gt=0))
        .select_related("rule")
        .order_by("day", "metric")
        if (t.day, t.metric) not in with_entry
    ]
    explained = points.breakdowns(
        [
            (e.rule, e.measured, e.carried_in or 0)
            for e in entries
            if e.rule is not None and e.measured is not None
        ]
        + [(t.rule, t.measured, t.carried_in) for t in carried]
    )
    arithmetic = iter(explained)
    days: dict[date, DayActivity] = defaultdict(lambda: DayActivity(date.min))

    def on(day: date) -> DayActivity:
        activity = days[day]
        activity.day = day
        return activity

    for entry in entries:
        if entry.rule is not None and entry.measured is not None:
            b = next(arithmetic)
            day = entry.activity_date
            sums = describe_arithmetic(b, carries_on=day is None or points.carries_on(day))
            if entry.kind == EntryKind.CORRECTION:
                sums += f" due now; this correction moves it by {entry.amount:+,}"
            line = ExplainedEntry(entry, describe_rule(entry.rule), sums)
        else:
            line = ExplainedEntry(entry, "", entry.memo)
        on(entry.activity_date).entries.append(line)
    for t in carried:
        sums = describe_arithmetic(next(arithmetic), carries_on=points.carries_on(t.day))
        on(t.day).carried.append(
            CarriedOn(t.rule.get_metric_display(), describe_rule(t.rule), sums)
        )
    for stat in activity_selectors.video_days_between(creator, first, last):
        on(stat.day).videos.append(stat)
    for creator_day in activity_selectors.creator_days_between(creator, first, last):
        on(creator_day.day).creator_day = creator_day
    by_video_day: dict[int, VideoExclusions] = {}
    for flag in activity_selectors.flags_between(creator, first, last):
        stat = flag.video_day
        if (shown := by_video_day.get(stat.pk)) is None:
            shown = by_video_day[stat.pk] = VideoExclusions(
                stat.video.title, stat.views, stat.likes, stat.comments, stat.views_5s
            )
            on(flag.day).exclusions.append(shown)
        shown.flags.append(
            Exclusion(flag.get_reason_display(), flag.detail, flag.get_status_display())
        )
        if flag.status != FlagStatus.DISMISSED:  # a dismissed flag sets nothing aside
            shown.excluded_views = max(shown.excluded_views, flag.excluded_views)
            shown.excluded_likes = max(shown.excluded_likes, flag.excluded_likes)
            shown.excluded_comments = max(shown.excluded_comments, flag.excluded_comments)
    return sorted(days.values(), key=lambda d: d.day, reverse=True)


def balance_of(creator: CreatorProfile) -> int:
    return (
        PointsAccount.objects.filter(creator=creator).values_list("balance", flat=True).first() or 0
    )


@dataclass(frozen=True)
class AccountSnapshot:
    balance: int
    # Changes whenever the creator's points move (see `ledger_version`).
    version: str


def account_snapshot(creator: CreatorProfile) -> AccountSnapshot:
    """The balance and the ledger's version, in one query."""
    row = PointsAccount.objects.filter(pk=creator.pk).values_list("balance", "updated_at").first()
    if row is None:
        return AccountSnapshot(0, "none")
    return AccountSnapshot(row[0], row[1].isoformat())


def ledger_version(creator: CreatorProfile) -> str:
    """Changes whenever the creator's points move: every movement (an entry posted through
    rewards.services, the nightly run, expiry) stamps the account's updated_at in the same
    transaction. Pages cache what they render from the ledger under it."""
    stamp = PointsAccount.objects.filter(pk=creator.pk).values_list("updated_at", flat=True).first()
    return stamp.isoformat() if stamp else "none"


def tier_of(creator: CreatorProfile) -> Tier | None:
    """The creator's tier as the nightly job (or staff's floor) last set it."""
    status = CreatorTier.objects.filter(creator=creator).select_related("tier").first()
    return status.tier if status else None


def loyalty_enrolments() -> QuerySet:
    """Every creator enrolled in the loyalty program, as rows of `creator_id`, `enrolled` (the
    day their points account opened, or LOYALTY_LAUNCH_DATE for a creator from before the
    launch) and `tier` (the id of their tier now; None without one).

    A values queryset: read it, or put its `.query` into set-based SQL (the staff reports'
    nightly precompute does), so the launch rule lives here only."""
    launch = Value(settings.LOYALTY_LAUNCH_DATE, output_field=DateField())
    return (
        PointsAccount.objects.order_by()
        .annotate(enrolled=Greatest("enrolled_on", launch), tier=F("creator__tier_status__tier"))
        .values("creator_id", "enrolled", "tier")
    )


def tiers() -> list[Tier]:
    """The loyalty tiers, lowest first."""
    return list(Tier.objects.order_by("min_points_90d"))


# What makes two versions of a rule pay differently (`valid_from` and `created_at` do not).
RULE_TERMS = (
    "is_active",
    "unit_size",
    "points_per_unit",
    "daily_cap",
    "taper_above",
    "taper_percent",
)


def same_terms(draft: EarningRule, version: EarningRule | None) -> bool:
    """Whether `draft` pays as `version` does (None: no version yet, which pays nothing)."""
    if version is None or not version.is_active:
        return not draft.is_active  # switched off, or never on: only switching on changes it
    return all(getattr(draft, term) == getattr(version, term) for term in RULE_TERMS)


def rule_versions_on(day: date) -> dict[str, EarningRule | None]:
    """Every metric's rule version that applies to `day`, switched off or not (None where no
    version has started yet), in the product's order (one query): the staff what-if starts
    its draft from these."""
    versions: dict[str, EarningRule | None] = dict.fromkeys(Metric.values)
    for rule in EarningRule.objects.filter(valid_from__lte=day).order_by("metric", "valid_from"):
        versions[rule.metric] = rule
    return versions


@dataclass(frozen=True)
class CreatorCash:
    """What the Creator Rewards Program credited one creator in one currency in a period,
    beside a flat rate's amount for the same videos (their qualified views at the country's
    base rate, no engagement or watch-time multiplier)."""

    creator_id: int
    followers: int
    tier_id: int | None
    currency: str
    paid_minor: int
    flat_minor: float


def program_cash(first: date, last: date) -> list[CreatorCash]:
    """Cash the Creator Rewards Program paid in rewards days `first`..`last`: the statements
    closed then (each closing credits its total to the earnings ledger once), per creator and
    currency, with followers and tier (one set-based query). Creators with a statement closed
    in the period count, those credited nothing included."""
    adapt = connection.ops.adapt_datetimefield_value
    params = {
        "start": adapt(start_of_rewards_day(first)),
        "end": adapt(start_of_rewards_day(last + timedelta(days=1))),
        "month": LineKind.MONTH,
    }
    statement, line = ProgramStatement._meta.db_table, ProgramLine._meta.db_table
    sql = f"""
        WITH closed AS (
            SELECT id, creator_id, currency, credited_minor FROM {statement}
            WHERE closed_at >= %(start)s AND closed_at < %(end)s
        ),
        flat AS MATERIALIZED (
            SELECT s.creator_id, s.currency,
                   SUM(CAST(l.qualified_views AS DOUBLE PRECISION) * l.base_rate_minor / 1000)
                       AS flat
            FROM closed s JOIN {line} l ON l.statement_id = s.id AND l.kind = %(month)s
            GROUP BY s.creator_id, s.currency
        ),
        paid AS MATERIALIZED (
            SELECT creator_id, currency, SUM(credited_minor) AS paid FROM closed
            GROUP BY creator_id, currency
        )
        SELECT p.creator_id, c.followers, ct.tier_id, p.currency, p.paid, COALESCE(f.flat, 0)
        FROM paid p
        JOIN {accounts_selectors.creator_profile_table()} c ON c.id = p.creator_id
        LEFT JOIN {CreatorTier._meta.db_table} ct ON ct.creator_id = p.creator_id
        LEFT JOIN flat f ON f.creator_id = p.creator_id AND f.currency = p.currency
        ORDER BY p.currency, p.creator_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            CreatorCash(creator_id, followers, tier_id, currency, int(paid), float(flat))
            for creator_id, followers, tier_id, currency, paid, flat in cursor.fetchall()
        ]


def export_rows(user: User) -> dict[str, list[dict]]:
    """The points of `user` (a creator; nothing for others), for their data export
    (privacy.exports): the account, every entry with the rule version and rewards day behind
    it, the tier, and the Creator Rewards Program's monthly statements. Four queries."""
    return {
        "points_account": plain_rows(
            PointsAccount.objects.filter(creator__user=user).values("balance", "enrolled_on")
        ),
        "points_entries": plain_rows(
            PointsEntry.objects.filter(account__creator__user=user)
            .order_by("created_at", "pk")
            .values(
                "id",
                "amount",
                "kind",
                "metric",
                "activity_date",
                "measured",
                "carried_in",
                "memo",
                "created_at",
                rule_valid_from=F("rule__valid_from"),
                rule_unit_size=F("rule__unit_size"),
                rule_points_per_unit=F("rule__points_per_unit"),
                rule_daily_cap=F("rule__daily_cap"),
            )
        ),
        "tier": plain_rows(
            CreatorTier.objects.filter(creator__user=user).values(
                "earned_90d",
                "computed_on",
                "changed_on",
                "floor_until",
                "floor_reason",
                tier_name=F("tier__name"),
                floor_tier_name=F("floor_tier__name"),
            )
        ),
        "rewards_program_statements": plain_rows(
            ProgramStatement.objects.filter(creator__user=user)
            .order_by("month", "currency")
            .values("month", "currency", "total_minor", "credited_minor", "closed_at")
        ),
    }
