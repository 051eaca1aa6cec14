from .gateway import (
    AttemptKind,
    AttemptState,
    Gateway,
    PaymentAttempt,
    PaymentCustomer,
    SandboxPayment,
    SavedCard,
)
from .ledger import EarningsAccount, EarningsEntry, Source

__all__ = [
    "AttemptKind",
    "AttemptState",
    "EarningsAccount",
    "EarningsEntry",
    "Gateway",
    "PaymentAttempt",
    "PaymentCustomer",
    "SandboxPayment",
    "SavedCard",
    "Source",
]
