"""Fill a dedicated PostgreSQL database for the web benchmark (devdata/bench_data.py).

    DATABASE_URL=postgres://…/portal_web_bench python manage.py seed_bench_web --creators 10000

Skipped when the database already holds the same seed; `--reseed` rebuilds it anyway.
"""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from devdata import bench_data


class Command(BaseCommand):
    help = (
        "Fill a dedicated PostgreSQL database with creators and a year of history, and fans "
        "subscribing to some of them, for make bench-web; nothing to do when it already holds "
        "the same seed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--creators", type=int, default=10_000)
        parser.add_argument("--days", type=int, default=365, help="days of history to yesterday")
        parser.add_argument(
            "--fans",
            type=int,
            default=None,
            help=f"fan accounts with subscriptions (default: one per creator, at least "
            f"{bench_data.MIN_FANS})",
        )
        parser.add_argument("--seed", type=int, default=7, help="fixes every generated number")
        parser.add_argument("--password", default=bench_data.DEFAULT_PASSWORD)
        parser.add_argument("--reseed", action="store_true", help="rebuild even the same seed")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print the summary as JSON"
        )

    def handle(
        self,
        *args: object,
        creators: int,
        days: int,
        fans: int | None,
        seed: int,
        password: str,
        reseed: bool,
        as_json: bool,
        **options: object,
    ) -> None:
        plan = bench_data.Plan(
            creators=creators, days=days, seed=seed, password=password, fans=fans
        )
        try:
            seeded, summary = bench_data.seed(plan, reseed=reseed, progress=self._progress)
        except bench_data.BenchSeedError as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(json.dumps({"seeded": seeded, **summary}))
        elif seeded:
            self.stdout.write(
                f"Seeded {summary['creators']:,} creators × {summary['days']} days "
                f"({summary['first_day']} to {summary['last_day']}): {summary['videos']:,} "
                f"videos, {summary['video_days']:,} video-days, {summary['creator_days']:,} "
                f"creator-days, {summary['entries']:,} points entries, {summary['fans']:,} fans "
                f"with {summary['subscriptions']:,} subscriptions in {summary['seconds']} s."
            )
        else:
            self.stdout.write(
                f"Bench data already present ({summary['creators']:,} creators × "
                f"{summary['days']} days to {summary['last_day']}); nothing changed. "
                "--reseed rebuilds it."
            )

    def _progress(self, message: str) -> None:
        # Progress goes to stderr, so --json leaves stdout one parsable line.
        self.stderr.write(f"  seed_bench_web: {message}", style_func=str)
