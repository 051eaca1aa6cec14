"""What the nightly task does, by hand: `manage.py refresh_creator_months [--from 2026-01]`.
With --from, every month from then is rewritten (after a backfill, or on a new database).
The fairness measure's monthly sums that are missing or that a run changed follow."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports import impact
from rewards import fairness


class Command(BaseCommand):
    help = "Recompute the program impact report's monthly sums (what beat runs nightly)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from",
            dest="first_month",
            metavar="YYYY-MM",
            help="rewrite every month from this one (default: the last complete months)",
        )

    def handle(self, *args: object, first_month: str | None, **options: object) -> None:
        first = None
        if first_month:
            try:
                first = date.fromisoformat(f"{first_month}-01")
            except ValueError as error:
                raise CommandError(
                    f"--from takes a month as YYYY-MM, not {first_month!r}."
                ) from error
        try:
            done = impact.refresh(first_month=first)
        except impact.RefreshError as error:
            raise CommandError(str(error)) from error
        summed = fairness.refresh_months()
        self.stdout.write(
            f"Wrote {done.creator_months:,} creator-months from {done.first_month:%B %Y} to "
            f"{done.last_month:%B %Y}; {done.enrolled:,} creators enrolled; the fairness "
            f"measure's sums of {len(summed)} month{'s' if len(summed) != 1 else ''}."
        )
