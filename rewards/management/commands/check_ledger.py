from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.plurals import plural
from payments import ledger as earnings
from rewards.ledger_checks import run_ledger_checks

# Accounts whose balance is not the sum of their entries.
MISMATCHES_SQL = """
    SELECT a.creator_id, a.balance, COALESCE(SUM(e.amount), 0) AS total
    FROM rewards_pointsaccount a
    LEFT JOIN rewards_pointsentry e ON e.account_id = a.creator_id
    GROUP BY a.creator_id, a.balance
    HAVING a.balance <> COALESCE(SUM(e.amount), 0)
    ORDER BY a.creator_id
"""


class Command(BaseCommand):
    help = (
        "Check that every points balance, every earnings balance (available and pending) and "
        "every balance of the ledgers apps register (coins) equals the sum of its entries; "
        "exit 1 if not."
    )

    def handle(self, *args: object, **options: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute(MISMATCHES_SQL)
            mismatches = cursor.fetchall()
            cursor.execute("SELECT COUNT(*) FROM rewards_pointsaccount")
            accounts = cursor.fetchone()[0]
        earnings_accounts, earnings_problems = earnings.ledger_mismatches()
        others = run_ledger_checks()
        for creator_id, balance, total in mismatches:
            self.stderr.write(
                f"creator {creator_id}: balance {balance:,}, entries sum to {total:,}"
            )
        for problem in earnings_problems:
            self.stderr.write(problem)
        for report in others:
            for problem in report.problems:
                self.stderr.write(problem)
        if mismatches or earnings_problems or any(report.problems for report in others):
            counts = [f"{len(mismatches)} of {plural(accounts, 'points account')}"] + [
                f"{len(report.problems)} of {plural(report.accounts, report.noun)}"
                for report in others
            ]
            raise CommandError(
                f"{', '.join(counts)} and "
                f"{len(earnings_problems)} of {plural(earnings_accounts, 'earnings account')} "
                "do not balance."
            )
        self.stdout.write(
            f"Ledger balances: {plural(accounts, 'account')}, every balance equals its entries."
        )
        self.stdout.write(
            f"Earnings balances: {plural(earnings_accounts, 'account')}, available and pending "
            "equal their entries."
        )
        for report in others:
            self.stdout.write(
                f"{report.noun.capitalize()} balances: {plural(report.accounts, 'account')}, "
                "every balance equals its entries and none is negative."
            )
