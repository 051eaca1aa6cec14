"""A generated population of creators for the benchmarks that need behaviour, not demo data:
`bench_authenticity` (labelled purchases, viral and bot-marked days) and `rules_fairness
--generated` (the same model with nobody buying).

The model shares nothing with the authenticity pass it is used to judge: followers from 100
to 2 million (a Pareto tail), each creator's level of views per video from their followers
and their reach, heavy-tailed daily views (lognormal day-to-day, with an occasional organic
good day of 1.5-5x) and a weekly rhythm, a slow trend, like rates of 2-12 % per creator with
per-video noise, 1-3 video-days a creator-day. Labelled events on top, each on one
video-day:

- viral: 20-200x the views, likes rising with them (the like rate keeps its noise), and the
  video's next two days at about a quarter and a sixteenth of its peak, labelled viral too;
- bought_views: 10-100x the views, likes flat (the bought views watched 5 s at 30-90 %);
- bought_likes: likes brought up to 30-80 % of the views;
- subtle: 3-5x the views while the likes per view halve;
- bot_marked: bot views (0.1-5x the day's) and some bot likes, as the platform marks them.

Purchases come from one creator in four ("buyers"); viral days and bot-marked ones from
anyone.
"""

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.core.management.color import no_style
from django.db import connection

from accounts.models import CreatorProfile, User
from activity.models import Video, VideoDay
from devdata.bench_db import copy_creators, copy_rows

BUYER_SHARE = 1 / 4
PURCHASE_CHANCE = 0.06  # per video-day of a buyer
VIRAL_CHANCE = 0.003
BOT_CHANCE = 0.005


# Counts drawn from their distributions, without numpy: exact for small means, normal beyond.
def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean < 40:
        limit, k, product = math.exp(-mean), 0, rng.random()
        while product > limit:
            k += 1
            product *= rng.random()
        return k
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


def binomial(rng: random.Random, n: int, p: float) -> int:
    p = min(max(p, 0.0), 1.0)
    if n <= 50:
        return sum(rng.random() < p for _ in range(n))
    if n * p * (1 - p) < 25:
        return min(n, poisson(rng, n * p))
    return min(n, max(0, round(rng.gauss(n * p, math.sqrt(n * p * (1 - p))))))


def log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


@dataclass
class Creator:
    number: int
    followers: int
    level: float  # expected views of one video-day on an ordinary weekday
    like_rate: float
    comment_rate: float
    share_rate: float
    watched_5s: float
    weekly: list[float]
    buyer: bool
    trend: float = 0.0


@dataclass
class Day:
    """One generated video-day, its label, and the part of it that was bought."""

    video: int
    creator: int
    day: date
    views: int
    views_5s: int
    likes: int
    comments: int
    shares: int
    bot_views: int = 0
    bot_likes: int = 0
    category: str = "normal"
    measured: bool = True
    bought: tuple[int, int, int] = (0, 0, 0)  # views, views watched 5 s, likes


@dataclass
class Population:
    creators: list[Creator] = field(default_factory=list)
    videos: list[tuple[int, int, int, bool]] = field(default_factory=list)  # id, creator, s, orig
    days: list[Day] = field(default_factory=list)


def generate(
    creators: int, days: int, warmup: int, first: date, seed: int, *, purchases: bool = True
) -> Population:
    """`creators` creators over `warmup` days of ordinary history and `days` measured days
    from `first`; with `purchases` off, nobody buys views or likes (viral and bot-marked
    days still happen: the platform's reality, not fraud)."""
    rng = random.Random(seed)
    population = Population()
    for number in range(1, creators + 1):
        followers = min(2_000_000, int(100 / (1 - rng.random()) ** (1 / 0.45)))
        reach = rng.lognormvariate(math.log(0.08), 0.8)
        discovery = rng.lognormvariate(math.log(30), 0.7)
        amplitude, phase = rng.uniform(0.05, 0.3), rng.randrange(7)
        population.creators.append(
            Creator(
                number=number,
                followers=followers,
                level=followers * reach + discovery,
                like_rate=rng.uniform(0.02, 0.12),
                comment_rate=rng.uniform(0.002, 0.02),
                share_rate=rng.uniform(0.001, 0.01),
                watched_5s=rng.uniform(0.55, 0.85),
                weekly=[1 + amplitude * math.cos(2 * math.pi * (d - phase) / 7) for d in range(7)],
                buyer=purchases and rng.random() < BUYER_SHARE,
            )
        )
    later: dict[tuple[int, date], list[Day]] = defaultdict(list)  # viral videos' next days
    for offset in range(warmup + days):
        day = first + timedelta(days=offset)
        measured = offset >= warmup
        for creator in population.creators:
            creator.trend += rng.gauss(0, 0.03)
            creator.trend = max(-1.0, min(1.0, creator.trend))
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                population.days.append(_video_day(rng, population, creator, day, measured, later))
            population.days.extend(later.pop((creator.number, day), []))
    return population


def _organic(rng: random.Random, creator: Creator, views_mean: float) -> tuple[int, int, float]:
    views = poisson(rng, views_mean)
    like_rate = creator.like_rate * rng.lognormvariate(0, 0.25)
    return views, binomial(rng, views, creator.watched_5s), like_rate


def _video_day(
    rng: random.Random,
    population: Population,
    creator: Creator,
    day: date,
    measured: bool,
    later: dict[tuple[int, date], list[Day]],
) -> Day:
    video = len(population.videos) + 1
    population.videos.append(
        (video, creator.number, 75 if rng.random() < 0.8 else 40, rng.random() < 0.92)
    )
    mean = creator.level * math.exp(creator.trend) * creator.weekly[day.weekday()]
    mean *= rng.lognormvariate(0, 0.45)
    if rng.random() < 0.03:  # an organic good day
        mean *= rng.uniform(1.5, 5)
    draw = rng.random()
    category = "normal"
    if measured and draw < VIRAL_CHANCE:
        category = "viral"
    elif measured and draw < VIRAL_CHANCE + BOT_CHANCE:
        category = "bot_marked"
    elif measured and creator.buyer and rng.random() < PURCHASE_CHANCE:
        category = rng.choice(("bought_views", "bought_likes", "subtle"))
    if category == "viral":
        mean *= log_uniform(rng, 20, 200)
    views, views_5s, like_rate = _organic(rng, creator, mean)
    likes = binomial(rng, views, like_rate)
    stat = Day(
        video,
        creator.number,
        day,
        views,
        views_5s,
        likes,
        binomial(rng, views, creator.comment_rate * rng.lognormvariate(0, 0.3)),
        binomial(rng, views, creator.share_rate * rng.lognormvariate(0, 0.3)),
        category=category,
        measured=measured,
    )
    if category == "viral":
        for after, share in ((1, 0.25), (2, 0.06)):
            views, views_5s, like_rate = _organic(rng, creator, mean * share)
            later[(creator.number, day + timedelta(days=after))].append(
                Day(
                    video,
                    creator.number,
                    day + timedelta(days=after),
                    views,
                    views_5s,
                    binomial(rng, views, like_rate),
                    binomial(rng, views, creator.comment_rate),
                    binomial(rng, views, creator.share_rate),
                    category="viral",
                )
            )
    elif category == "bought_views":
        extra = poisson(rng, mean * log_uniform(rng, 10, 100))
        _buy(stat, extra, binomial(rng, extra, rng.uniform(0.3, 0.9)), 0)
    elif category == "subtle":
        extra = round(stat.views * (rng.uniform(3, 5) - 1))
        # The likes per view halve: the whole day's likes are half the organic rate's.
        total_likes = binomial(rng, stat.views + extra, like_rate / 2)
        _buy(stat, extra, binomial(rng, extra, creator.watched_5s), total_likes - stat.likes)
    elif category == "bought_likes":
        _buy(stat, 0, 0, max(0, round(stat.views * rng.uniform(0.3, 0.8)) - stat.likes))
    elif category == "bot_marked":
        bots = poisson(rng, max(stat.views, 1) * log_uniform(rng, 0.1, 5))
        bot_likes = binomial(rng, bots, rng.uniform(0, 0.2))
        _buy(stat, bots, binomial(rng, bots, 0.5), bot_likes)
        stat.bot_views, stat.bot_likes = bots, bot_likes
    return stat


def _buy(stat: Day, views: int, views_5s: int, likes: int) -> None:
    """Add a bought part to a video-day (likes may be negative: the subtle pattern's total)."""
    likes = max(likes, -stat.likes)
    stat.views += views
    stat.views_5s += views_5s
    stat.likes += likes
    stat.bought = (views, views_5s, max(likes, 0))


VIDEO_COLUMNS = [
    "id", "record_id", "creator_id", "title", "published_at", "duration_s", "is_original",
    "updated_at",
]  # fmt: skip
VIDEO_DAY_COLUMNS = [
    "id", "record_id", "video_id", "creator_id", "day", "views", "views_5s", "likes", "comments",
    "shares", "watch_time_s", "bot_views", "bot_likes", "updated_at",
]  # fmt: skip


def load(population: Population, first: date) -> None:
    """COPY the population into the current (throwaway) database."""
    now = datetime.now(UTC)
    with connection.cursor() as cursor:
        raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
        by_number = {c.number: c for c in population.creators}
        copy_creators(
            raw,
            len(population.creators),
            prefix="authbench",
            followers=lambda n: by_number[n].followers,
        )
        published = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
        copy_rows(
            raw,
            "activity_video",
            VIDEO_COLUMNS,
            (
                (v, f"v{v}", c, f"Video {v}", published, s, original, now)
                for v, c, s, original in population.videos
            ),
        )
        copy_rows(
            raw,
            "activity_videoday",
            VIDEO_DAY_COLUMNS,
            (
                (
                    i,
                    f"d{i}",
                    d.video,
                    d.creator,
                    d.day,
                    d.views,
                    d.views_5s,
                    d.likes,
                    d.comments,
                    d.shares,
                    d.views_5s * 20,
                    d.bot_views,
                    d.bot_likes,
                    now,
                )
                for i, d in enumerate(population.days, start=1)
            ),
        )
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [User, CreatorProfile, Video, VideoDay]
        ):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
