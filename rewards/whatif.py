"""The what-if calculator: the points today's rules would give one hypothetical video.

The amounts are turned into points by `points.breakdowns`, the nightly job's own SQL, so the
calculator can never disagree with what the recalculation would post for the same amounts.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings

from core.plurals import plural

from . import points
from .models import Metric
from .selectors import describe_arithmetic, describe_rule

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


def estimate(video: Video, day: date) -> Estimate:
    """Points for `video` alone on `day` under the rules in force then. Daily caps apply to
    all of a day's videos together, so a second video on the same day may add less."""
    measured = {
        Metric.UPLOADS: 1 if video.is_original else 0,
        Metric.QUALIFIED_VIEWS: video.qualified_views,
        Metric.LIKES: video.likes,
        Metric.COMMENTS: video.comments,
        Metric.SHARES: video.shares,
    }
    in_force = points.rules_in_force(day)
    asked = [(in_force[m], measured[m]) for m in VIDEO_METRICS if m in in_force]
    lines = [
        Line(
            b.rule.metric,
            b.rule.get_metric_display(),
            describe_rule(b.rule),
            describe_arithmetic(b),
            b.points,
        )
        for b in points.breakdowns(asked)
    ]
    return Estimate(lines, _notes(video))
