"""Ledgers that apps above rewards keep (the gifts app's coins), checked by `check_ledger`
beside the points and earnings ledgers. Each app registers its check in its AppConfig.ready():
the command runs them without importing those apps (DESIGN.md: a lower app learns from a
higher one by a hook).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LedgerReport:
    noun: str  # what one account is, for the command's words ("coin account")
    accounts: int  # how many accounts were checked
    problems: list[str]  # one line per account that does not add up


LedgerCheck = Callable[[], LedgerReport]

_checks: list[LedgerCheck] = []


def register_ledger_check(check: LedgerCheck) -> None:
    if check not in _checks:
        _checks.append(check)


def run_ledger_checks() -> list[LedgerReport]:
    return [check() for check in _checks]
