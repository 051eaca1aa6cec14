"""How fairly the earning rules share points out (rewards.fairness), as one JSON document.

    python manage.py rules_fairness --from 2026-10-01 --to 2026-10-31
    python manage.py rules_fairness --generated 1000 [--days 60] [--seed 5]

The first form measures the real ledger and activity of the configured database. The
second builds a generated heavy-tailed population (followers from 100 to 2 million, the
model of devdata.population, nobody buying engagement) in a throwaway database, runs the
real nightly recalculation over its days (authenticity pass included) under the newest
version of each rule (those in force, or dated to come into force), and measures that.

Both print the share of points taken by the top 1 % and the top 10 % of creators, the Gini
coefficient and engagement points per 1,000 views by follower band, for the rules in force
and for a linear rule on the same activity, and whether the rules keep the two promises:
the top 1 % takes at most half the share a linear rule would give it, and creators under
10,000 followers earn at least as many engagement points per 1,000 views as creators over
100,000. It exits with status 1 when either promise is broken (so CI or staff can act on it).
"""

import json
import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser

from activity import authenticity
from core.clock import FIRST_DAY, rewards_today
from devdata.bench_db import throwaway_database
from devdata.population import generate, load
from rewards import fairness, recalculation
from rewards.models import EarningRule, RecalcState

MOST_GENERATED = 20_000
MOST_DAYS = 366


class Command(BaseCommand):
    help = "Measure how fairly the earning rules share points out; prints one JSON document."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", type=date.fromisoformat)
        parser.add_argument("--to", dest="last", type=date.fromisoformat)
        parser.add_argument("--generated", type=int, help="creators in a generated population")
        parser.add_argument("--days", type=int, default=60, help="days of the generated run")
        parser.add_argument("--seed", type=int, default=5)

    def handle(
        self,
        *args: object,
        first: date | None,
        last: date | None,
        generated: int | None,
        days: int,
        seed: int,
        **options: object,
    ) -> None:
        if generated is not None:
            if first or last:
                raise CommandError("Give either --generated or --from and --to, not both.")
            if not 10 <= generated <= MOST_GENERATED:
                raise CommandError(f"--generated must be from 10 to {MOST_GENERATED:,} creators.")
            if not 7 <= days <= MOST_DAYS:
                raise CommandError(f"--days must be from 7 to {MOST_DAYS}.")
            with throwaway_database("fairness_bench"):
                result = self._generated(generated, days, seed)
        else:
            if first is None or last is None:
                raise CommandError("Give --from and --to (YYYY-MM-DD), or --generated N.")
            if not FIRST_DAY <= first <= last <= rewards_today():
                raise CommandError(
                    f"The period must run forwards, from {FIRST_DAY} at the earliest, and end "
                    "by today."
                )
            result = fairness.measure(first, last).as_dict()
            if result["days_measured"] < result["days_in_period"]:
                self.stderr.write(
                    f"Only {result['days_measured']} of the {result['days_in_period']} days "
                    "were tallied by the recalculation (days paid before tallies existed, or "
                    "whose run did not finish); the figures cover those days only."
                )
        self.stdout.write(json.dumps(result, indent=2))
        if result["creators"] and not (
            (result["top_1_percent_vs_linear"] or 0) <= 0.5
            and result["small_earn_at_least_as_much"]
        ):
            raise SystemExit(1)

    def _generated(self, creators: int, days: int, seed: int) -> dict:
        started = time.monotonic()
        warmup = authenticity.rules()["TRAILING_DAYS"]
        first_history = rewards_today() - timedelta(days=warmup + days)
        first = first_history + timedelta(days=warmup)
        last = first + timedelta(days=days - 1)
        # An organic population: no purchases, so the rules, not the fraud checks, are measured.
        population = generate(creators, days, warmup, first_history, seed, purchases=False)
        load(population, first_history)
        versions = _newest_rules_from(first_history)
        for offset in range(days):
            run = recalculation.recalculate_day_in_process(day=first + timedelta(days=offset))
            if run.state != RecalcState.DONE:  # a held or failed day would drop out silently
                raise CommandError(f"The recalculation of {run.day} ended {run.state}.")
        result = fairness.measure(first, last).as_dict()
        result["generated"] = {
            "creators": creators,
            "days": days,
            "seed": seed,
            "seconds": round(time.monotonic() - started, 1),
        }
        result["rules_measured"] = versions
        return result


def _newest_rules_from(day: date) -> dict[str, str]:
    """In the throwaway database only: keep each metric's newest rule version, in force from
    `day`, so the generated days are judged by the rules that are (or are about to be) in
    force, whatever their dates. Returns the version measured for each metric."""
    newest: dict[str, EarningRule] = {}
    for rule in EarningRule.objects.order_by("metric", "-valid_from"):
        newest.setdefault(rule.metric, rule)
    EarningRule.objects.exclude(pk__in=[rule.pk for rule in newest.values()]).delete()
    EarningRule.objects.update(valid_from=day)
    return {metric: rule.valid_from.isoformat() for metric, rule in sorted(newest.items())}
