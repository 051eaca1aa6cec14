"""The rewards app's models, by topic. Everything is importable from `rewards.models`."""

from .ledger import EARNING_KINDS, EntryKind, PointsAccount, PointsEntry
from .recalculation import (
    ACTIVE_STATES,
    CarryStart,
    CourseCompletion,
    DayTally,
    RecalcLimits,
    RecalcLine,
    RecalcRun,
    RecalcShard,
    RecalcState,
)
from .rules import EarningRule, Metric
from .tiers import CreatorTier, Tier

__all__ = [
    "ACTIVE_STATES",
    "EARNING_KINDS",
    "CarryStart",
    "CourseCompletion",
    "CreatorTier",
    "DayTally",
    "EarningRule",
    "EntryKind",
    "Metric",
    "PointsAccount",
    "PointsEntry",
    "RecalcLimits",
    "RecalcLine",
    "RecalcRun",
    "RecalcShard",
    "RecalcState",
    "Tier",
]
