"""Demo history for the staff reports' program impact: seed_demo's creators enrolled in the
loyalty program some months ago, with the months before their enrolment behind them.

demo_activity gives every demo creator three months of activity, and their points accounts
open when those days are recalculated, so on its own every creator would enrol today with no
history on either side. Here most of them enrol three to five months before the last
complete month instead, and get the platform's data back to three months before that: a
little quieter before enrolment (fewer uploads, fewer views and likes, slower growth, fewer
brand invitations) than after. The others show the report's exclusions: some enrolled at
the same time but have no older history, some enrolled last month.

Deterministic (a generator seeded per creator); written once (the older days' record ids are
stable and their presence is the marker); the report's precompute runs on every seed, so a
demo seeded weeks ago still shows numbers. Plain ORM writes: SQLite and PostgreSQL alike.
"""

import io
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.management import call_command
from django.db.models import Min

from accounts.models import BrandProfile
from activity.models import CreatorDay, Video, VideoDay
from marketplace.models import (
    Campaign,
    CampaignState,
    Direction,
    Objective,
    Proposal,
    ProposalState,
)
from rewards.models import PointsAccount

MARKER = "demo-old-"  # the record ids of the history written here
BEFORE_MONTHS = 3  # history before the enrolment month, the report's default window
CAMPAIGN_TITLE = "Spring glow (ended)"
# Before enrolment, against after: uploads, views, likes per view, follower growth, invitations.
QUIETER = 0.75
UPLOAD_CHANCE = 0.45
STATS_DAYS = 3
INVITE_CHANCE_PER_MONTH = 0.5  # for creators with more than 10,000 followers, after enrolment


@dataclass(frozen=True)
class Seeded:
    creators: int  # given older history


# Months as numbers (year × 12 + month − 1), as the report counts them.
def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_of_index(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def _plan(today: date) -> dict[int, tuple[int, bool]]:
    """Creator id to (enrolment month, given older history), for the creators demo_activity
    wrote three months for: most enrol 3 to 5 months before the last complete month with
    history; every tenth at the same time without it; every tenth after it last month."""
    last = month_index(today) - 1
    creator_ids = (
        CreatorDay.objects.values_list("creator_id", flat=True).order_by("creator_id").distinct()
    )
    plan = {}
    for n, creator_id in enumerate(creator_ids):
        if n % 10 == 3:
            plan[creator_id] = (last - 3, False)
        elif n % 10 == 7:
            plan[creator_id] = (last - 1, False)
        else:
            plan[creator_id] = (last - 3 - n % 3, True)
    return plan


def seed_impact_history(*, today: date, brand: BrandProfile) -> Seeded:
    """Enrol the demo creators in the past and write the history before demo_activity's
    first day (once), then run the impact report's precompute over every month written."""
    first_seeded = CreatorDay.objects.aggregate(first=Min("day"))["first"]
    if first_seeded is None:
        return Seeded(0)
    given = 0
    if not CreatorDay.objects.filter(record_id__startswith=MARKER).exists():
        plan = _plan(today)
        campaign = _campaign(brand, month_of_index(month_index(today) - 10))
        for creator_id, (enrolled_month, with_history) in plan.items():
            enrolled_on = month_of_index(enrolled_month) + timedelta(days=creator_id % 20)
            PointsAccount.objects.filter(creator_id=creator_id).update(enrolled_on=enrolled_on)
            if with_history:
                _history(creator_id, enrolled_month, first_seeded, campaign, month_index(today))
                given += 1
    # What beat runs nightly, over every month seeded. By the command's name: reports is on
    # devdata's floor, which it may not import.
    earliest = CreatorDay.objects.aggregate(first=Min("day"))["first"]
    call_command("refresh_creator_months", first_month=f"{earliest:%Y-%m}", stdout=io.StringIO())
    return Seeded(given)


def _campaign(brand: BrandProfile, created: date) -> Campaign:
    """An ended campaign of the demo brand that the older invitations came from."""
    campaign, _ = Campaign.objects.get_or_create(
        brand=brand,
        title=CAMPAIGN_TITLE,
        defaults={
            "objective": Objective.AWARENESS,
            "brief": "Our spring range in everyday routines.",
            "deliverables": "One video.",
            "budget_minor": 30_000,
            "currency": "USD",
            "deadline": created + timedelta(days=180),
            "min_followers": 10_000,
            "state": CampaignState.CLOSED,
            "created_at": _moment(created, 9),
            "updated_at": _moment(created, 9),
        },
    )
    return campaign


def _history(
    creator_id: int, enrolled_month: int, until: date, campaign: Campaign, this_month: int
) -> None:
    """The creator's days from three months before their enrolment month up to `until`
    (demo_activity's first day), joining up with its numbers there: followers walk back from
    its first count, views from its first videos. Invitations from the ended campaign run
    through last month (demo_marketplace's are all recent)."""
    rng = random.Random(f"impact:{creator_id}")
    start = month_of_index(enrolled_month - BEFORE_MONTHS)
    enrolled_from = month_of_index(enrolled_month)
    first = CreatorDay.objects.filter(creator_id=creator_id, day=until).first()
    followers = first.followers if first else 1_000
    level = (
        VideoDay.objects.filter(creator_id=creator_id, day__lt=until + timedelta(days=14))
        .order_by("-views")
        .values_list("views", flat=True)
        .first()
        or 500
    )
    days = [start + timedelta(days=n) for n in range((until - start).days)]
    creator_days, videos, stats = [], [], []
    # Walk back from the first day demo_activity wrote: growth per day is 0.4 % after
    # enrolment and QUIETER of that before.
    counts = {}
    for day in reversed(days):
        growth = 0.004 * (QUIETER if day < enrolled_from else 1)
        followers = max(int(followers / (1 + growth)) - rng.randint(0, 3), 0)
        counts[day] = followers
    for day in days:
        before = day < enrolled_from
        scale = QUIETER if before else 1
        creator_days.append(
            CreatorDay(
                record_id=f"{MARKER}cd-{creator_id}-{day}",
                creator_id=creator_id,
                day=day,
                followers=counts[day],
                replies=rng.randint(0, 20),
                live_minutes=rng.choice((0, 0, 0, 0, 30, 45)),
            )
        )
        if rng.random() > UPLOAD_CHANCE * scale:
            continue
        video = Video(
            record_id=f"{MARKER}v-{creator_id}-{day}",
            creator_id=creator_id,
            title=f"Throwback #{(day - start).days}",
            published_at=_moment(day, rng.randrange(7, 22)),
            duration_s=rng.choice((25, 45, 62, 75, 95, 140)),
            is_original=rng.random() > 0.08,
        )
        videos.append(video)
        first_views = level * scale * rng.uniform(0.4, 1.2)
        for age in range(min(STATS_DAYS, (until - day).days)):
            views = int(first_views * 0.55**age)
            stats.append(
                VideoDay(
                    record_id=f"{MARKER}vd-{creator_id}-{day}-{age}",
                    video=video,
                    creator_id=creator_id,
                    day=day + timedelta(days=age),
                    views=views,
                    views_5s=int(views * rng.uniform(0.6, 0.85)),
                    likes=int(views * rng.uniform(0.04, 0.09) * scale),
                    comments=int(views * rng.uniform(0.004, 0.012) * scale),
                    shares=int(views * rng.uniform(0.002, 0.008) * scale),
                    watch_time_s=views * rng.randint(8, 30),
                )
            )
    CreatorDay.objects.bulk_create(creator_days, batch_size=2_000)
    Video.objects.bulk_create(videos, batch_size=2_000)
    VideoDay.objects.bulk_create(stats, batch_size=2_000)
    if followers <= 10_000:
        return  # under the Marketplace's threshold: no brand could have invited them
    invitations = []
    for index in range(enrolled_month - BEFORE_MONTHS, this_month):
        chance = INVITE_CHANCE_PER_MONTH * (QUIETER / 2 if index < enrolled_month else 1)
        if rng.random() < chance:
            sent = month_of_index(index) + timedelta(days=rng.randrange(0, 27))
            invitations.append(
                Proposal(
                    campaign=campaign,
                    creator_id=creator_id,
                    direction=Direction.INVITE,
                    state=rng.choice((ProposalState.DECLINED, ProposalState.EXPIRED)),
                    price_minor=rng.choice((20_000, 30_000, 45_000)),
                    awaiting="creator",
                    created_at=_moment(sent, 10),
                    answered_at=_moment(sent + timedelta(days=3), 10),
                )
            )
    Proposal.objects.bulk_create(invitations)
