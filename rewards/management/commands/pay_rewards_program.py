from django.core.management.base import BaseCommand, CommandError, CommandParser

from payments.ledger import LedgerError
from rewards import program


class Command(BaseCommand):
    help = (
        "Pay the Creator Rewards Program for a month that has ended. Run again, it writes "
        "nothing unless the month's data changed; then the differences become corrections in "
        "each creator's next statement."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="the month to pay, YYYY-MM")

    def handle(self, *args: object, month: str, **options: object) -> None:
        try:
            run = program.pay_month(month=program.parse_month(month))
        except (program.ProgramError, LedgerError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{run.month:%B %Y}: {run.statements} statements paid, "
            f"{run.corrections} corrections so far."
        )
