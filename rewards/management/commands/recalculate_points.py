from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rewards import recalculation
from rewards.models import RecalcState


class Command(BaseCommand):
    help = "Recalculate points for a day or a range of days, in this process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=date.fromisoformat, help="one day, YYYY-MM-DD")
        parser.add_argument("--from", dest="first", type=date.fromisoformat, help="first day")
        parser.add_argument("--to", dest="last", type=date.fromisoformat, help="last day")

    def handle(
        self,
        *args: object,
        date: date | None,
        first: date | None,
        last: date | None,
        **options: object,
    ) -> None:
        if date and (first or last):
            raise CommandError("Give either --date or --from/--to, not both.")
        if date:
            first = last = date
        if not (first and last):
            raise CommandError("Give --date D, or --from D1 --to D2.")
        if first > last:
            raise CommandError("--from must not be after --to.")
        day = first
        while day <= last:
            try:
                run = recalculation.recalculate_day_in_process(day=day)
            except recalculation.RecalcError as exc:
                raise CommandError(str(exc)) from exc
            if run.state == RecalcState.HELD:
                self.stdout.write(
                    self.style.WARNING(f"{day}: held for approval: {run.held_reason}")
                )
            else:
                self.stdout.write(
                    f"{day}: {run.entries_posted} entries, {run.points_delta:+,} points "
                    f"({run.shard_count} shard(s))"
                )
            day += timedelta(days=1)
