"""Measure the authenticity pass on a labelled, generated population.

    python manage.py bench_authenticity [--creators 500] [--days 90] [--seed 11]

Builds its own labelled population (`devdata.population`: a model of creator behaviour
that shares nothing with the detector, with bought views, bought likes, the subtle pattern,
viral and bot-marked days) and measures the pass on it. The population gets TRAILING_DAYS
of ordinary history before the measured days (a real creator has a past), loads into a
throwaway database (`devdata.bench_db`), and the real pass
(`activity.authenticity.flag_day`) runs day by day in order. Then, with the rules in force
today (`rewards.points`):

- points at stake on a labelled video-day: what the creator's day earns with the bought part
  minus what it earns without it (so a purchase too small to move a point has none at stake);
- points excluded: what the day earns with every count minus what it earns after the flags'
  exclusions (as the nightly run subtracts them).

One JSON line per category, then a summary with the targets: recall at least 95 % for bought
views, bought likes and bot-marked video-days with at least one point at stake, at least 50 %
for the subtle pattern; false flags at most 0.1 % of normal and 1 % of viral video-days.
"""

import json
import time
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from activity import authenticity
from activity.models import EngagementFlag, FlagStatus
from core.clock import rewards_today
from devdata.bench_db import throwaway_database
from devdata.population import Day, Population, generate, load
from rewards import points
from rewards.models import Metric

CATEGORIES = ("normal", "viral", "bought_views", "bought_likes", "subtle", "bot_marked")
GENUINE = ("normal", "viral")
TARGETS = {  # category: (measure, bound); recall at least, false-flag rate at most
    "normal": ("false_flag_rate", 0.001),
    "viral": ("false_flag_rate", 0.01),
    "bought_views": ("recall", 0.95),
    "bought_likes": ("recall", 0.95),
    "subtle": ("recall", 0.50),
    "bot_marked": ("recall", 0.95),
}
METRICS = (Metric.QUALIFIED_VIEWS, Metric.LIKES, Metric.COMMENTS, Metric.SHARES)


Counts = tuple[int, int, int, int]  # qualified views, likes, comments, shares


def _points_of(totals: list[Counts], rules: dict) -> list[int]:
    """Points of each creator-day's counts under `rules`, by rewards.points' own SQL."""
    asked = [
        (rules[metric], count)
        for counts in totals
        for metric, count in zip(METRICS, counts, strict=True)
        if metric in rules
    ]
    found: dict[tuple[int, int], int] = {}
    unique = list(dict.fromkeys((rule.pk, count) for rule, count in asked))
    by_pk = {rule.pk: rule for rule, _ in asked}
    for start in range(0, len(unique), 4_000):
        chunk = [(by_pk[pk], count) for pk, count in unique[start : start + 4_000]]
        for b in points.breakdowns(chunk):
            found[(b.rule.pk, b.measured)] = b.points
    result = []
    for counts in totals:
        result.append(
            sum(
                found[(rules[metric].pk, count)]
                for metric, count in zip(METRICS, counts, strict=True)
                if metric in rules
            )
        )
    return result


def measure(population: Population, rules: dict) -> list[dict]:
    """Per category: video-days, flagged, recall or false-flag rate, points at stake and
    points excluded, from the flags the pass left in the database."""
    minimum = settings.QUALIFIED_VIEW_MIN_DURATION_S
    qualifies = {v: s >= minimum and original for v, _, s, original in population.videos}
    excluded: dict[int, tuple[int, int, int, int]] = {}
    for video_day_id, *amounts in EngagementFlag.objects.exclude(
        status=FlagStatus.DISMISSED
    ).values_list("video_day_id", *authenticity.EXCLUDED):
        # As the nightly run: the largest exclusion of each count among a video-day's flags.
        before = excluded.get(video_day_id, (0, 0, 0, 0))
        excluded[video_day_id] = tuple(map(max, before, amounts))  # type: ignore[assignment]

    def counted(
        d: Day,
        x: tuple[int, int, int, int] = (0, 0, 0, 0),
        without: tuple[int, int, int] = (0, 0, 0),
    ) -> Counts:
        """What the nightly run counts of a video-day after exclusions `x`, `without` a part."""
        q = d.views_5s - without[1] if qualifies[d.video] else 0
        likes = d.likes - without[2]
        return (
            q - min(x[0], q),
            likes - min(x[1], likes),
            d.comments - min(x[2], d.comments),
            d.shares - min(x[3], d.shares),
        )

    def add(rows: list[Counts]) -> Counts:
        return tuple(sum(r[i] for r in rows) for i in range(4))  # type: ignore[return-value]

    # The creator-days with a labelled or flagged video-day: their counts as sent, as counted
    # after the exclusions, and, per labelled video-day, as sent without its bought part.
    by_creator_day: dict[tuple[int, date], list[tuple[int, Day]]] = defaultdict(list)
    for number, d in enumerate(population.days, start=1):
        by_creator_day[(d.creator, d.day)].append((number, d))
    sent: list[Counts] = []
    kept: list[Counts] = []
    without: list[Counts] = []
    without_of: list[tuple[int, Day, int]] = []  # video-day number, its day, creator-day index
    day_index: dict[tuple[int, date], int] = {}
    for key, rows in by_creator_day.items():
        if not any(d.measured and (d.category != "normal" or n in excluded) for n, d in rows):
            continue
        index = day_index[key] = len(sent)
        as_sent = [counted(d) for _, d in rows]
        sent.append(add(as_sent))
        kept.append(add([counted(d, excluded.get(n, (0, 0, 0, 0))) for n, d in rows]))
        for position, (n, d) in enumerate(rows):
            if d.measured and d.category not in GENUINE:
                alone = counted(d, without=d.bought)
                without.append(add([*as_sent[:position], alone, *as_sent[position + 1 :]]))
                without_of.append((n, d, index))
    sent_points = _points_of(sent, rules)
    kept_points = _points_of(kept, rules)
    without_points = _points_of(without, rules)

    stats: dict[str, dict[str, int]] = {c: defaultdict(int) for c in CATEGORIES}
    charged: set[int] = set()  # creator-days whose excluded points are counted already
    for number, d in enumerate(population.days, start=1):
        if not d.measured:
            continue
        s = stats[d.category]
        s["video_days"] += 1
        if number in excluded:
            s["flagged"] += 1
            index = day_index[(d.creator, d.day)]
            if index not in charged:  # on the creator-day's first flagged video-day
                charged.add(index)
                s["points_excluded"] += sent_points[index] - kept_points[index]
    for (number, d, index), points_without in zip(without_of, without_points, strict=True):
        s = stats[d.category]
        at_stake = sent_points[index] - points_without
        s["points_at_stake"] += at_stake
        if at_stake >= 1:
            s["at_stake_video_days"] += 1
            s["flagged_at_stake"] += number in excluded

    lines = []
    for category in CATEGORIES:
        s = stats[category]
        line: dict = {"category": category, "video_days": s["video_days"], "flagged": s["flagged"]}
        if category in GENUINE:
            line["false_flag_rate"] = round(s["flagged"] / max(s["video_days"], 1), 5)
        else:
            line["at_stake_video_days"] = s["at_stake_video_days"]
            line["flagged_at_stake"] = s["flagged_at_stake"]
            line["recall"] = (
                round(s["flagged_at_stake"] / s["at_stake_video_days"], 4)
                if s["at_stake_video_days"]
                else None
            )
            line["recall_all"] = round(s["flagged"] / max(s["video_days"], 1), 4)
            line["points_at_stake"] = s["points_at_stake"]
        line["points_excluded"] = s["points_excluded"]
        name, bound = TARGETS[category]
        value = line[name]
        line["target"] = f"{name} {'>=' if name == 'recall' else '<='} {bound}"
        line["met"] = value is None or (value >= bound if name == "recall" else value <= bound)
        lines.append(line)
    return lines


def run_bench(creators: int, days: int, seed: int) -> list[dict]:
    """Generate, load into the current database, run the pass day by day and measure."""
    started = time.monotonic()
    warmup = authenticity.rules()["TRAILING_DAYS"]
    first = rewards_today() - timedelta(days=warmup + days)
    population = generate(creators, days, warmup, first, seed)
    load(population, first)
    generated = time.monotonic()
    for offset in range(warmup + days):
        authenticity.flag_day(day=first + timedelta(days=offset), lo=1, hi=creators)
    flagged = time.monotonic()
    lines = measure(population, points.rules_in_force(rewards_today()))
    lines.append(
        {
            "summary": True,
            "creators": creators,
            "days": days,
            "history_days": warmup,
            "seed": seed,
            "video_days": sum(line["video_days"] for line in lines),
            "targets_met": all(line["met"] for line in lines),
            "generate_and_load_s": round(generated - started, 1),
            "pass_s": round(flagged - generated, 1),
            "seconds": round(time.monotonic() - started, 1),
        }
    )
    return lines


class Command(BaseCommand):
    help = "Measure the authenticity pass on a labelled generated population."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--creators", type=int, default=500)
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--seed", type=int, default=11)

    def handle(self, *args: object, creators: int, days: int, seed: int, **options: object) -> None:
        if not 1 <= creators <= 100_000:
            raise CommandError("--creators must be from 1 to 100,000.")
        if not 1 <= days <= 730:
            raise CommandError("--days must be from 1 to 730.")
        with throwaway_database("authenticity_bench"):
            lines = run_bench(creators, days, seed)
        for line in lines:
            self.stdout.write(json.dumps(line))
