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
from .payouts import AccountKind, PayoutEvent, PayoutMethod, PayoutRequest, PayoutState

__all__ = [
    "AccountKind",
    "AttemptKind",
    "AttemptState",
    "EarningsAccount",
    "EarningsEntry",
    "Gateway",
    "PaymentAttempt",
    "PaymentCustomer",
    "PayoutEvent",
    "PayoutMethod",
    "PayoutRequest",
    "PayoutState",
    "SandboxPayment",
    "SavedCard",
    "Source",
]
