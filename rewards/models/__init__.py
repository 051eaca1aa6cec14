"""The rewards app's models, by topic. Everything is importable from `rewards.models`."""

from .fairness import CreatorFairnessMonth, FairnessMonth
from .ledger import EARNING_KINDS, EntryKind, PointsAccount, PointsEntry
from .program import (
    CountryRate,
    LineKind,
    Measure,
    MultiplierBand,
    ProgramLine,
    ProgramMember,
    ProgramRates,
    ProgramRun,
    ProgramStatement,
)
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
    "CountryRate",
    "CourseCompletion",
    "CreatorFairnessMonth",
    "CreatorTier",
    "DayTally",
    "EarningRule",
    "EntryKind",
    "FairnessMonth",
    "LineKind",
    "Measure",
    "Metric",
    "MultiplierBand",
    "PointsAccount",
    "PointsEntry",
    "ProgramLine",
    "ProgramMember",
    "ProgramRates",
    "ProgramRun",
    "ProgramStatement",
    "RecalcLimits",
    "RecalcLine",
    "RecalcRun",
    "RecalcShard",
    "RecalcState",
    "Tier",
]
