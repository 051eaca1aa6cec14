"""What the retention settings remove from activity: the raw daily numbers, per video
(VideoDay) and audience splits (AudienceDay), older than RETENTION_RAW_ACTIVITY_DAYS.
privacy.retention runs it nightly, in batches (accounts.retention.delete_in_batches).

Kept whatever their age: each creator's day totals (CreatorDay: followers, replies, minutes
live), the videos and live sessions, and all the rewards computed from the raw days (the
tallies, the points and earnings ledgers), so every balance and report still adds up. What a
creator's page for an old day can no longer show is each video's numbers behind its points.

A video-day the authenticity pass flagged goes with its flags (and their appeals), unless a
flag is still unresolved: open (staff have not reviewed it) or with an appeal waiting for an
answer. Such a day is kept until staff decide, then removed by the next night's run; every
decision made stays in the audit trail (accounts.AuditEntry), which outlives the flag.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from accounts.retention import delete_in_batches
from core import regions

from .models import AppealStatus, AudienceDay, EngagementFlag, FlagStatus, VideoDay
from .selectors import FLAGS_VERSION_KEY

# The fewest days of raw activity kept, whatever the setting says: the reach of what reads
# them back after the day. The nightly recalculation looks again at days up to 35 days back
# (rewards.recalculation.RECHECK_DAYS) and judges each against the 28 days before it
# (AUTHENTICITY["TRAILING_DAYS"]): 63 days. The Creator Rewards Program's monthly run looks
# again at the month before last, with its 30-day views window: up to 91 days. A little more
# for a night that ran late. (privacy's tests check that this still covers them.)
MIN_RAW_ACTIVITY_DAYS = 100


def raw_activity_days() -> int:
    """How many days of per-video numbers and audience splits are kept: the setting, but
    never fewer than MIN_RAW_ACTIVITY_DAYS."""
    return max(settings.RETENTION_RAW_ACTIVITY_DAYS, MIN_RAW_ACTIVITY_DAYS)


def raw_activity_kept_from(today: date) -> date:
    """The first rewards day whose per-video numbers and audience splits are still kept on
    `today`; those of earlier days were removed (or are removed tonight)."""
    return today - timedelta(days=raw_activity_days())


def _unresolved_flag() -> Exists:
    """A flag on the video-day (the outer row) that staff have yet to decide: open, or
    with an appeal waiting. Found through the flags' (video_day, reason) index and the
    appeals' flag index."""
    return Exists(
        EngagementFlag.objects.filter(video_day=OuterRef("pk")).filter(
            Q(status=FlagStatus.OPEN) | Q(appeals__status=AppealStatus.OPEN)
        )
    )


def video_days_held_for_review(before: date) -> int:
    """Video-days before `before` kept only because a flag on them is unresolved."""
    return VideoDay.objects.filter(day__lt=before).filter(_unresolved_flag()).count()


def delete_older_than(before: date, *, batch_size: int) -> dict[str, int]:
    """Remove the video-days and audience splits of days before `before` (model label to
    rows removed, the flags and appeals that went with video-days included). Each is found
    through an index that starts with the day: VideoDay's (day, creator), AudienceDay's
    (day)."""
    video_days = VideoDay.objects.filter(day__lt=before).filter(~_unresolved_flag()).order_by("day")
    audience_days = AudienceDay.objects.filter(day__lt=before).order_by("day")
    removed = delete_in_batches(video_days, batch_size=batch_size)
    removed.update(delete_in_batches(audience_days, batch_size=batch_size))
    regions.bump(FLAGS_VERSION_KEY)  # flags decided long ago may have gone with their days
    return removed
