from .ledger import EarningsAccount, EarningsEntry, Source

__all__ = ["EarningsAccount", "EarningsEntry", "Source"]
