"""Demo data for fraud review: recent flags on the demo creator, one appeal waiting and one
answered, so the staff queue and the creator's drill-down show each state.

The flags come the way real ones do: the platform re-delivers a day of the demo creator's
numbers with views and likes it marked as bots (through ingestion, as its integration would),
and the day's recalculation runs the authenticity pass, which flags and excludes them.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse

from accounts.models import CreatorProfile, User
from activity import services as activity_services
from activity.ingestion import ingest_records
from activity.models import EngagementFlag, FlagAppeal, FlagStatus, VideoDay
from rewards import recalculation

# The demo creator's busiest video-days this many days back get bot-marked engagement.
DAYS_BACK = (3, 6)
APPEAL = (
    "That video was shared by a cooking account with two million followers that afternoon, "
    "so the jump in views is real people. I have never bought views or likes."
)
ANSWERED_APPEAL = "These were my friends watching on repeat, not bots."
ANSWER = (
    "The platform marked these views as coming from automated accounts; repeated views from "
    "a few accounts look the same to it. The flag stands."
)


@dataclass(frozen=True)
class DemoFraud:
    flags: int
    appeals: int


def _bot_mark(stat: VideoDay) -> dict:
    """The video-day's record as the platform would re-deliver it, with a third of its views
    (and a tenth of its likes) marked as coming from bot accounts."""
    return {
        "type": "video_day",
        "id": stat.record_id,
        "video": stat.video.record_id,
        "date": stat.day.isoformat(),
        **{name: getattr(stat, name) for name in VideoDay.COUNTS},
        "bot_views": stat.views // 3,
        "bot_likes": stat.likes // 10,
    }


def _drill_down(flag: EngagementFlag) -> str:
    return reverse("rewards:day", args=[flag.day.isoformat()]) + f"#flag-{flag.pk}"


def seed_fraud(*, creator: CreatorProfile, staff: User, today: date) -> DemoFraud:
    """Bot-marked days, their flags, an appeal waiting and an appeal answered. Does nothing
    once the demo creator has an appeal (safe to run again)."""
    if FlagAppeal.objects.filter(flag__creator=creator).exists():
        return DemoFraud(0, 0)
    days = [today - timedelta(days=back) for back in DAYS_BACK]
    busiest = [
        # A video that earns qualified views, so what the flag holds back is worth seeing.
        VideoDay.objects.filter(
            creator=creator,
            day=day,
            bot_views=0,
            video__is_original=True,
            video__duration_s__gte=settings.QUALIFIED_VIEW_MIN_DURATION_S,
        )
        .select_related("video")
        .order_by("-views")
        .first()
        for day in days
    ]
    chosen = [stat for stat in busiest if stat is not None and stat.views >= 30]
    if not chosen:
        return DemoFraud(0, 0)
    report = ingest_records([_bot_mark(stat) for stat in chosen])
    if report.rejected:
        raise ValueError(f"Demo bot-marked days were refused: {report.as_dict()}")
    for stat in chosen:
        # What the nightly job does for a day whose data changed: the authenticity pass
        # flags the bot-marked engagement and the day's points leave it out.
        recalculation.recalculate_day_in_process(day=stat.day, approved_by=staff)
    flags = list(
        EngagementFlag.objects.filter(video_day__in=chosen, status=FlagStatus.OPEN).order_by("-day")
    )
    appeals = 0
    if flags:
        activity_services.appeal_flag(creator=creator, flag=flags[0], message=APPEAL)
        appeals += 1
    if len(flags) > 1:
        activity_services.appeal_flag(creator=creator, flag=flags[1], message=ANSWERED_APPEAL)
        activity_services.review_flags(
            flag_ids=[flags[1].pk],
            verdict=FlagStatus.CONFIRMED,
            reviewer=staff,
            note=ANSWER,
            answer_link=_drill_down,
        )
        appeals += 1
    return DemoFraud(len(flags), appeals)
