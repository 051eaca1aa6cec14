"""Believable demo activity for seed_demo: creators who grow, hold steady or get bot bursts.

Deterministic (one seeded random generator), written in bulk, then recalculated day by day
so every demo creator has a real points history to explore. Every creator also gets a weekly
audience split (country, age band, gender) from their home country and niches, sent through
ingestion as the platform would send it.
"""

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from accounts import services as accounts_services
from accounts.models import CreatorProfile, Niche, Role, User
from activity.ingestion import JSONValue, ingest_records
from activity.models import AgeBand, CreatorDay, Video, VideoDay
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
    seed_audiences(today=today)
    return len(days)


# Audiences -----------------------------------------------------------------------------------

AUDIENCE_WEEKS = 13  # a split a week, over the demo's three months
# Where a creator's viewers come from besides home: neighbours and shared languages first.
ABROAD = {
    "BR": ("PT", "US", "AR", "MX"),
    "DE": ("AT", "CH", "NL", "PL"),
    "ES": ("MX", "AR", "CO", "US"),
    "FR": ("BE", "CH", "CA", "MA"),
    "GB": ("US", "IE", "AU", "CA"),
    "GH": ("NG", "GB", "US", "CA"),
    "IN": ("US", "GB", "AE", "BD"),
    "JP": ("US", "TW", "KR", "PH"),
    "KE": ("NG", "UG", "TZ", "US"),
    "MX": ("US", "CO", "ES", "AR"),
    "NG": ("GH", "GB", "US", "KE"),
    "NO": ("SE", "DK", "GB", "DE"),
    "PL": ("DE", "GB", "UA", "IE"),
    "PT": ("BR", "FR", "ES", "GB"),
    "US": ("CA", "GB", "MX", "AU"),
}
ELSEWHERE = ("US", "GB", "IN", "BR")
# Weights of the age bands, youngest first, by the kind of niche.
YOUNG_NICHES = {"beauty", "comedy", "dance", "fashion", "gaming", "music"}
GROWN_NICHES = {"cooking", "diy-crafts", "finance", "parenting", "travel"}
AGES_YOUNG = (14, 38, 26, 12, 6, 4)
AGES_GROWN = (3, 17, 33, 24, 14, 9)
AGES_MIXED = (7, 28, 32, 18, 9, 6)
# Women's share of a niche's viewers, in percent; 50 for a niche not named.
FEMALE_SHARE = {
    "beauty": 85,
    "parenting": 80,
    "fashion": 78,
    "diy-crafts": 70,
    "cooking": 64,
    "pets": 62,
    "dance": 60,
    "travel": 55,
    "music": 52,
    "fitness": 48,
    "comedy": 45,
    "finance": 32,
    "science-tech": 30,
    "sports": 28,
    "gaming": 25,
}


def _basis_points(weights: Mapping[str, float]) -> dict[str, int]:
    """Weights as basis points adding up to exactly 10,000 (largest remainders)."""
    total = sum(weights.values())
    exact = {key: weight * 10_000 / total for key, weight in weights.items()}
    shares = {key: int(value) for key, value in exact.items()}
    short = 10_000 - sum(shares.values())
    for key in sorted(exact, key=lambda k: shares[k] - exact[k])[:short]:
        shares[key] += 1
    return shares


def _usual_audience(
    rng: random.Random, country: str, niches: Sequence[str]
) -> dict[str, dict[str, float]]:
    """A creator's usual split, as weights: mostly home, then the neighbours; ages and genders
    from their niches."""
    home = rng.uniform(40, 72)
    abroad = [code for code in ABROAD.get(country, ELSEWHERE) if code != country]
    abroad = abroad[: rng.randint(2, 4)]
    # The neighbours take 55-75 % of the rest, each about half of what the one before left;
    # the rest of the world, at most 27 %, never outweighs home.
    left = (100 - home) * rng.uniform(0.55, 0.75)
    countries = {country: home, "other": 100 - home - left}
    for position, code in enumerate(abroad, start=1):
        countries[code] = left if position == len(abroad) else left * rng.uniform(0.45, 0.6)
        left -= countries[code]
    ages = [0.0] * len(AgeBand.values)
    for niche in niches or ["?"]:
        kind = (
            AGES_YOUNG
            if niche in YOUNG_NICHES
            else AGES_GROWN
            if niche in GROWN_NICHES
            else AGES_MIXED
        )
        ages = [total + weight for total, weight in zip(ages, kind, strict=True)]
    female = sum(FEMALE_SHARE.get(niche, 50) for niche in niches or ["?"]) / max(len(niches), 1)
    other = rng.uniform(1.5, 4)
    female = min(max(female + rng.uniform(-8, 8), 5), 95) * (100 - other) / 100
    return {
        "countries": countries,
        "age_bands": {
            band: weight * rng.uniform(0.8, 1.25)
            for band, weight in zip(AgeBand.values, ages, strict=True)
        },
        "genders": {"female": female, "male": 100 - other - female, "other": other},
    }


def _audience_records(
    creator: CreatorProfile, niches: Sequence[str], days: Iterable[date]
) -> list[dict[str, JSONValue]]:
    """One record a day: the creator's usual split, wobbling a little from week to week."""
    rng = random.Random(f"audience:{creator.handle}")  # the same split on every seed
    usual = _usual_audience(rng, creator.country.code or ELSEWHERE[0], niches)
    records: list[dict[str, JSONValue]] = []
    for day in days:
        record: dict[str, JSONValue] = {
            "type": "audience_day",
            "id": f"demo-aud-{creator.pk}-{day}",
            "creator": creator.handle,
            "date": day.isoformat(),
        }
        for name, weights in usual.items():
            wobbled = {key: weight * rng.uniform(0.93, 1.07) for key, weight in weights.items()}
            # Percent with two decimals, as the platform sends them.
            record[name] = {key: bp / 100 for key, bp in _basis_points(wobbled).items()}
        records.append(record)
    return records


def seed_audiences(*, today: date) -> int:
    """Give every creator without an audience one a week for the last AUDIENCE_WEEKS weeks,
    through ingestion; a second run finds none without and writes nothing. Returns the
    records written."""
    creators = (
        CreatorProfile.objects.filter(audience_days__isnull=True)
        .prefetch_related("niches")
        .order_by("pk")
    )
    days = [today - timedelta(days=1 + 7 * week) for week in range(AUDIENCE_WEEKS)]
    records = [
        record
        for creator in creators
        for record in _audience_records(
            creator, sorted(niche.slug for niche in creator.niches.all()), days
        )
    ]
    if not records:
        return 0
    report = ingest_records(records)
    if report.rejected:
        raise ValueError(f"Demo audiences were rejected: {report.rejected[:3]}")
    return len(report.accepted)
