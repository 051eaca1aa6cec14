"""Believable demo activity for seed_demo: creators who grow, hold steady or get bot bursts.

Deterministic (one seeded random generator), written in bulk, then recalculated day by day
so every demo creator has a real points history to explore.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from accounts import services as accounts_services
from accounts.models import CreatorProfile, Niche, Role, User
from activity.models import CreatorDay, Video, VideoDay
from rewards import expiry, recalculation, tiers
from rewards import services as rewards_services
from rewards.models import EntryKind

DAYS = 90
EXTRA_CREATORS = 300
CARRIED_OVER_POINTS = 3_000
STATS_DAYS_PER_VIDEO = 7
FIRST_NAMES = [
    "Ava",
    "Ben",
    "Chloé",
    "Dev",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ivo",
    "Jia",
    "Kemi",
    "Luca",
    "Maya",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sami",
    "Tariq",
    "Uma",
    "Vik",
    "Wen",
    "Xavi",
    "Yara",
    "Zoe",
]
TOPICS = [
    "bakes",
    "lifts",
    "laughs",
    "plays",
    "paints",
    "travels",
    "codes",
    "cooks",
    "dances",
    "sings",
    "styles",
    "builds",
]
COUNTRIES = ["GB", "US", "BR", "IN", "DE", "FR", "NG", "JP", "MX", "ES", "PL", "KE"]


@dataclass(frozen=True)
class Style:
    """How a demo creator's numbers move over the three months."""

    name: str
    growth_per_day: float
    bursts: int


STYLES = [Style("growing", 0.02, 0), Style("steady", 0.0, 0), Style("bursty", 0.005, 2)]


def _creators(rng: random.Random, extra: int) -> list[tuple[CreatorProfile, Style, int]]:
    """The demo creators with a style and a base level of views per new video."""
    niches = list(Niche.objects.all())
    made = []
    for i in range(extra):
        handle = f"{rng.choice(FIRST_NAMES).lower()}{rng.choice(TOPICS)}{i}"
        user = User.objects.create_user(
            email=f"demo-creator-{i}@example.com", password=None, role=Role.CREATOR
        )
        creator = accounts_services.create_creator_profile(
            user=user,
            handle=handle,
            display_name=handle.capitalize(),
            date_of_birth=date(
                1985 + rng.randrange(20), rng.randrange(1, 13), rng.randrange(1, 28)
            ),
            country=rng.choice(COUNTRIES),
            niches=rng.sample(niches, k=rng.randint(1, 3)),
        )
        style = STYLES[0] if i % 5 == 0 else STYLES[2] if i % 17 == 0 else STYLES[1]
        made.append((creator, style, int(rng.lognormvariate(7.5, 1.0))))
    return made


def seed_activity(
    *, today: date, demo_creator: CreatorProfile, approver: User, extra: int = EXTRA_CREATORS
) -> int:
    """Write ~3 months of activity and recalculate each day; returns the video-day rows written."""
    rng = random.Random(2026)
    creators = [(demo_creator, Style("growing", 0.015, 1), 2_500), *_creators(rng, extra)]
    first_day = today - timedelta(days=DAYS)
    videos: list[Video] = []
    days: list[VideoDay] = []
    creator_days: list[CreatorDay] = []
    for creator, style, level in creators:
        # A bursty creator's first upload after day 10 (and after day 50) gets a bot burst.
        burst_from = [10, 50][: style.bursts]
        followers = max(creator.followers, level * 4)
        for offset in range(DAYS):
            day = first_day + timedelta(days=offset)
            growth = (1 + style.growth_per_day) ** offset
            followers = int(followers * (1 + style.growth_per_day / 3) + rng.randint(-5, 20))
            creator_days.append(
                CreatorDay(
                    record_id=f"demo-cd-{creator.pk}-{day}",
                    creator=creator,
                    day=day,
                    followers=followers,
                    replies=rng.randint(0, 25),
                    live_minutes=rng.choice((0, 0, 0, 0, 30, 45, 90)),
                )
            )
            if rng.random() > 0.45:
                continue  # no upload that day
            video = Video(
                record_id=f"demo-v-{creator.pk}-{day}",
                creator=creator,
                title=f"{rng.choice(['How I', 'Trying', 'Day in', 'Quick', 'Why'])} "
                f"{rng.choice(TOPICS)} #{offset}",
                published_at=datetime.combine(day, time(rng.randrange(7, 22)), UTC),
                duration_s=rng.choice((25, 45, 62, 75, 95, 140, 210)),
                is_original=rng.random() > 0.08,
            )
            videos.append(video)
            first_views = level * growth * rng.uniform(0.5, 1.6)
            burst = bool(burst_from) and offset >= burst_from[0]
            if burst:
                burst_from.pop(0)
            for age in range(min(STATS_DAYS_PER_VIDEO, DAYS - offset)):
                views = int(first_views * 0.55**age)
                stat_day = day + timedelta(days=age)
                bot_views = bot_likes = 0
                likes = int(views * rng.uniform(0.04, 0.09))
                if age == 1 and burst:
                    # A bot burst: a flood of views with hardly any likes, some marked as bots.
                    bot_views = int(level * 12)
                    views += int(level * 40)
                    bot_likes = likes // 10
                days.append(
                    VideoDay(
                        record_id=f"demo-vd-{creator.pk}-{day}-{age}",
                        video=video,
                        creator=creator,
                        day=stat_day,
                        views=views,
                        views_5s=int(views * rng.uniform(0.6, 0.85)),
                        likes=likes,
                        comments=int(views * rng.uniform(0.004, 0.012)),
                        shares=int(views * rng.uniform(0.002, 0.008)),
                        watch_time_s=views * rng.randint(8, 30),
                        bot_views=bot_views,
                        bot_likes=bot_likes,
                    )
                )
        CreatorProfile.objects.filter(pk=creator.pk).update(followers=followers)
    Video.objects.bulk_create(videos, batch_size=2_000)
    VideoDay.objects.bulk_create(days, batch_size=2_000)
    CreatorDay.objects.bulk_create(creator_days, batch_size=2_000)
    for offset in range(DAYS):
        # Demo history starts from nothing, so early days jump: the seed approves its own runs.
        recalculation.recalculate_day_in_process(
            day=first_day + timedelta(days=offset), approved_by=approver
        )
    # Points from before the demo's three months, so the dashboard's expiry warning has
    # something to warn about: they reach their 12 months in a couple of weeks.
    rewards_services.post_entry(
        creator=demo_creator,
        amount=CARRIED_OVER_POINTS,
        kind=EntryKind.ADJUSTED,
        idempotency_key=f"demo-carried-over:{demo_creator.pk}",
        memo="Points carried over from the loyalty pilot",
        activity_date=today - timedelta(days=350),
    )
    expiry.expire(today)
    tiers.recompute(today - timedelta(days=1))
    return len(days)
