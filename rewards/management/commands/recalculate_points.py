from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rewards import recalculation
from rewards.models import RecalcRun, RecalcState


class Command(BaseCommand):
    help = (
        "Recalculate points for a day or a range of days, in this process. A day whose run is "
        "under way elsewhere is reported and skipped (exit 1 at the end); a run gone silent "
        "is taken over."
    )

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
        running: list[date] = []
        day = first
        while day <= last:
            try:
                run = recalculation.recalculate_day_in_process(day=day)
            except recalculation.RunUnderWay as exc:
                # That run posts what is due; the other days need not wait for it.
                self.stdout.write(self.style.WARNING(f"{day}: skipped: {exc}"))
                running.append(day)
            except recalculation.RecalcError as exc:
                raise CommandError(str(exc)) from exc
            else:
                self._report(day, run)
            day += timedelta(days=1)
        if running:
            days = ", ".join(d.isoformat() for d in running)
            raise CommandError(
                f"Not recalculated because a run of each was under way: {days}. Run them again "
                "once those runs finish; a run gone silent is taken over."
            )

    def _report(self, day: date, run: RecalcRun) -> None:
        if run.state == RecalcState.HELD:
            self.stdout.write(self.style.WARNING(f"{day}: held for approval: {run.held_reason}"))
        else:
            self.stdout.write(
                f"{day}: {run.entries_posted} entries, {run.points_delta:+,} points "
                f"({run.shard_count} shard(s))"
            )
