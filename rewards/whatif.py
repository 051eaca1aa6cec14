"""The what-if calculator: the points today's rules would give one hypothetical video, on one
day or on several days like it in a row.

The amounts are turned into points by `points.days_in_a_row`, the nightly job's own SQL
(its carry and stages) folded over the days, so the calculator can never disagree with what
the recalculation would post for the same amounts: what a day leaves short of a whole unit
carries into the next, and caps and diminishing returns apply to each day.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from core.plurals import plural

from . import points
from .models import Metric
from .selectors import METRIC_NOUNS, describe_arithmetic, describe_rule

# The metrics a single video moves, in the order the page lists them.
VIDEO_METRICS = (
    Metric.UPLOADS,
    Metric.QUALIFIED_VIEWS,
    Metric.LIKES,
    Metric.COMMENTS,
    Metric.SHARES,
)
# A qualified view is watched for at least this long (DESIGN.md; the platform's 5 s count).
QUALIFIED_VIEW_MIN_WATCH_S = 5


@dataclass(frozen=True)
class Video:
    length_s: int
    views: int
    likes: int
    comments: int
    shares: int
    watch_time_minutes: int
    is_original: bool = True
    # Days like this one in a row, within one calendar month (from its 1st).
    days: int = 1

    @property
    def qualifies(self) -> bool:
        return self.is_original and self.length_s >= settings.QUALIFIED_VIEW_MIN_DURATION_S

    @property
    def qualified_views(self) -> int:
        """At most every view, and no more than the watch time allows at 5 s a view."""
        if not self.qualifies:
            return 0
        return min(self.views, self.watch_time_minutes * 60 // QUALIFIED_VIEW_MIN_WATCH_S)


@dataclass(frozen=True)
class Line:
    metric: str
    label: str
    rule_text: str
    arithmetic: str
    points: int
    note: str = ""
    # Over several days: each day's arithmetic, in order.
    by_day: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Estimate:
    lines: list[Line]
    notes: list[str]

    @property
    def total(self) -> int:
        return sum(line.points for line in self.lines)


def _notes(video: Video) -> list[str]:
    notes = []
    if not video.is_original:
        notes.append("Only original videos earn the upload points and qualified views.")
    elif video.length_s < settings.QUALIFIED_VIEW_MIN_DURATION_S:
        notes.append(
            f"Videos shorter than {settings.QUALIFIED_VIEW_MIN_DURATION_S} seconds earn no "
            "qualified views."
        )
    elif video.qualified_views < video.views:
        minutes = video.watch_time_minutes
        covers = "covers" if minutes == 1 else "cover"
        notes.append(
            f"{plural(minutes, 'minute')} of watch time {covers} at most "
            f"{plural(video.qualified_views, 'view')} of {QUALIFIED_VIEW_MIN_WATCH_S} seconds "
            "or more, so no more views than that can qualify."
        )
    return notes


def _over_days(walk: list[points.Breakdown]) -> str:
    """Several days of one amount in words: the total, the days that paid, what bit, and
    what is left over at the end."""
    first, last = walk[0], walk[-1]
    days = len(walk)
    earned = sum(b.points for b in walk)
    text = (
        f"{plural(first.measured, *METRIC_NOUNS[first.rule.metric])} a day for {days} days: "
        f"{plural(earned, 'point')} in all"
    )
    paid = sum(1 for b in walk if b.points)
    if first.measured and first.rule.unit_size > 1:
        text += f", paid on {paid} of the {days} days"
    tapered = sum(1 for b in walk if b.tapered_off)
    if tapered:
        text += f"; diminishing returns on {plural(tapered, 'day')}"
    capped = sum(1 for b in walk if b.capped)
    if capped:
        text += f"; the daily cap on {plural(capped, 'day')}"
    if last.carried_out:
        text += f"; {last.carried_out:,} left over after the last day"
    return text


def estimate(video: Video, day: date) -> Estimate:
    """Points for `video` alone on `day` under the rules in force then, or for `video.days`
    days like it in a row from the 1st of a month (each day the same numbers, one upload
    included). Daily caps apply to all of a day's videos together, so a second video on the
    same day may add less."""
    measured = {
        Metric.UPLOADS: 1 if video.is_original else 0,
        Metric.QUALIFIED_VIEWS: video.qualified_views,
        Metric.LIKES: video.likes,
        Metric.COMMENTS: video.comments,
        Metric.SHARES: video.shares,
    }
    in_force = points.rules_in_force(day)
    rules = [in_force[m] for m in VIDEO_METRICS if m in in_force]
    walks = points.days_in_a_row([(rule, [measured[rule.metric]] * video.days) for rule in rules])
    lines = []
    for rule, walk in zip(rules, walks, strict=True):
        if video.days == 1:
            arithmetic, by_day = describe_arithmetic(walk[0]), ()
        else:
            arithmetic = _over_days(walk)
            by_day = tuple(describe_arithmetic(b) for b in walk)
        lines.append(
            Line(
                rule.metric,
                rule.get_metric_display(),
                describe_rule(rule),
                arithmetic,
                sum(b.points for b in walk),
                by_day=by_day,
            )
        )
    notes = _notes(video)
    if video.days > 1:
        notes.append(
            f"{video.days} days in a row, each with these numbers, within one calendar month: "
            "what a day leaves short of a whole unit carries over to the next, as in the "
            "nightly calculation, while caps and diminishing returns apply to each day."
        )
    return Estimate(lines, notes)
