"""Reads of the coin ledger other apps and check_ledger may call."""

from django.db import connection
from django.db.models import QuerySet

from accounts.models import User
from rewards.ledger_checks import LedgerReport

from .models import CoinAccount, CoinEntry


def coin_balance(fan: User) -> int:
    """The fan's coins (0 before their first entry); one query."""
    balance = CoinAccount.objects.filter(pk=fan.pk).values_list("balance", flat=True).first()
    return balance or 0


def coin_entries(fan: User) -> QuerySet[CoinEntry]:
    """The fan's coin movements, newest first."""
    return CoinEntry.objects.filter(account_id=fan.pk).order_by("-created_at", "-id")


# Accounts whose balance is not the sum of their entries, or is below zero.
MISMATCHES_SQL = f"""
    SELECT a.fan_id, a.balance, COALESCE(SUM(e.amount), 0) AS total
    FROM {CoinAccount._meta.db_table} a
    LEFT JOIN {CoinEntry._meta.db_table} e ON e.account_id = a.fan_id
    GROUP BY a.fan_id, a.balance
    HAVING a.balance <> COALESCE(SUM(e.amount), 0) OR a.balance < 0
    ORDER BY a.fan_id
"""


def coin_ledger_report() -> LedgerReport:
    """What check_ledger says about the coin ledger."""
    with connection.cursor() as cursor:
        cursor.execute(MISMATCHES_SQL)
        rows = cursor.fetchall()
        cursor.execute(f"SELECT COUNT(*) FROM {CoinAccount._meta.db_table}")
        accounts = cursor.fetchone()[0]
    return LedgerReport(
        noun="coin account",
        accounts=accounts,
        problems=[
            f"coin account of user {fan_id}: balance {balance:,}, entries sum to {total:,}"
            for fan_id, balance, total in rows
        ],
    )
