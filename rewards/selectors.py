"""Reads about points: every entry explained down to the activity and rule behind it.

Each selector runs a fixed number of queries whatever the length of the range, so pages
built on them stay fast with a year of history.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from accounts.models import CreatorProfile
from activity import selectors as activity_selectors
from activity.models import CreatorDay, FlagStatus, VideoDay
from core.plurals import plural

from . import points
from .models import (
    CreatorTier,
    EarningRule,
    EntryKind,
    Metric,
    PointsAccount,
    PointsEntry,
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


def describe_arithmetic(b: points.Breakdown) -> str:
    """The sum behind an amount: "12,400 qualified views × 2 per 1,000 = 24", with caps."""
    rule = b.rule
    per = "each" if rule.unit_size == 1 else f"per {rule.unit_size:,}"
    text = (
        f"{plural(b.measured, *_nouns(rule.metric))} × {rule.points_per_unit:,} {per} = {b.raw:,}"
    )
    if b.tapered_off:
        text += f"; above {rule.taper_above:,} only {rule.taper_percent}% counts, so {b.tapered:,}"
    if b.capped:
        text += f"; capped at {rule.daily_cap:,} a day"
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
class Exclusion:
    video_title: str
    reason: str
    detail: str
    status: str
    excluded_views: int
    excluded_likes: int


@dataclass
class DayActivity:
    day: date
    videos: list[VideoDay] = field(default_factory=list)
    creator_day: CreatorDay | None = None
    entries: list[ExplainedEntry] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(e.entry.amount for e in self.entries)


def explain_points(creator: CreatorProfile, first: date, last: date) -> list[DayActivity]:
    """For each day from `first` to `last` with anything on it, newest first: the entries with
    their rule and arithmetic, the videos and counts behind them, and what was excluded and why.
    Five queries, however long the range."""
    entries = list(
        PointsEntry.objects.for_creator(creator)
        .between(first, last)
        .select_related("rule")
        .order_by("activity_date", "metric", "id")
    )
    explained = points.breakdowns(
        [(e.rule, e.measured) for e in entries if e.rule is not None and e.measured is not None]
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
            sums = describe_arithmetic(b)
            if entry.kind == EntryKind.CORRECTION:
                sums += f" due now; this correction moves it by {entry.amount:+,}"
            line = ExplainedEntry(entry, describe_rule(entry.rule), sums)
        else:
            line = ExplainedEntry(entry, "", entry.memo)
        on(entry.activity_date).entries.append(line)
    for stat in activity_selectors.video_days_between(creator, first, last):
        on(stat.day).videos.append(stat)
    for creator_day in activity_selectors.creator_days_between(creator, first, last):
        on(creator_day.day).creator_day = creator_day
    for flag in activity_selectors.flags_between(creator, first, last):
        on(flag.day).exclusions.append(
            Exclusion(
                video_title=flag.video_day.video.title,
                reason=flag.get_reason_display(),
                detail=flag.detail,
                status=flag.get_status_display(),
                excluded_views=flag.excluded_views if flag.status != FlagStatus.DISMISSED else 0,
                excluded_likes=flag.excluded_likes if flag.status != FlagStatus.DISMISSED else 0,
            )
        )
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
