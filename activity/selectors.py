"""Reads of the platform's data that other apps may call."""

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from accounts.models import CreatorProfile

from .models import CreatorDay, EngagementFlag, Video, VideoDay


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
