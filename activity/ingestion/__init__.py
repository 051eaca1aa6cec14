"""Taking in batches of activity records, from the API and from import_activity alike.

Each record is checked on its own (`records`): good records land even when others in the
batch are bad, and each rejection names the record's index, the field and the reason. Then
each type is written set-based (`writes`): a record id seen before updates that row in place,
so re-sending a batch changes nothing. A batch is one transaction, and every record in it is
answered for: accepted, updated, unchanged or rejected.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .records import RECORD_TYPES, JSONValue, Rejected, Window, check_record, reported_id
from .writes import (
    Checked,
    Outcome,
    Outcomes,
    creators_by_handle,
    show_latest_followers,
    store_audience_days,
    store_creator_days,
    store_live_sessions,
    store_video_days,
    store_videos,
)

__all__ = ["RECORD_TYPES", "IngestReport", "JSONValue", "Rejection", "ingest_records"]

logger = logging.getLogger(__name__)


@dataclass
class Rejection:
    index: int
    record_id: str | None
    field: str
    reason: str

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "id": self.record_id,
            "field": self.field,
            "reason": self.reason,
        }


@dataclass
class IngestReport:
    accepted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [r.as_dict() for r in self.rejected],
            "summary": self.summary,
        }

    @property
    def summary(self) -> str:
        return (
            f"{len(self.accepted)} accepted, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.rejected)} rejected"
        )


@dataclass
class CheckedBatch:
    """A batch after each record's own checks: the good records by type, what became of the
    others, and every record's id as the answer may repeat it."""

    checked: dict[str, list[Checked]]
    outcomes: Outcomes
    ids: list[str | None]


def check_records(records: Iterable[JSONValue]) -> CheckedBatch:
    """Check each record on its own, without the database (so a reader may check the next
    batch while the last is written)."""
    window = Window.current()
    batch = CheckedBatch({kind: [] for kind in RECORD_TYPES}, {}, [])
    seen: set[tuple[str, str]] = set()
    for index, record in enumerate(records):
        try:
            kind, values = check_record(record, window)
        except Rejected as rejected:
            batch.ids.append(reported_id(record))
            batch.outcomes[index] = rejected
            continue
        except Exception:
            # A fault of ours must cost this record, not the batch.
            logger.exception("Checking record %d of a batch failed.", index)
            batch.ids.append(reported_id(record))
            batch.outcomes[index] = Rejected("record", "could not be read; this is our fault")
            continue
        key = (kind.name, values["id"])
        batch.ids.append(values["id"])
        if key in seen:
            batch.outcomes[index] = Rejected("id", "appears twice in this batch")
            continue
        seen.add(key)
        batch.checked[kind.name].append(Checked(index, values))
    return batch


def _store_safely(items: list[Checked], outcomes: Outcomes, store: Callable[[], None]) -> None:
    """Run `store` for one type's records in a savepoint. Should it fail for a reason of ours,
    none of them is written and each unanswered one is rejected, saying so; the rest of the
    batch goes on."""
    try:
        with transaction.atomic():
            store()
    except DatabaseError as exc:
        if connection.needs_rollback:  # the transaction itself is lost: the caller answers
            raise
        logger.exception("Storing %d records failed.", len(items))
        reason = f"could not be stored ({type(exc).__name__}); nothing of this type was"
    except Exception:
        logger.exception("Storing %d records failed.", len(items))
        reason = "could not be stored because of a fault of ours; nothing of this type was"
    else:
        return
    for item in items:
        if not isinstance(outcomes.get(item.index), Rejected):
            outcomes[item.index] = Rejected("record", reason)


def ingest_records(records: Iterable[JSONValue]) -> IngestReport:
    """Check and store a batch; say what became of each record."""
    return store_records(check_records(records))


@transaction.atomic
def store_records(batch: CheckedBatch) -> IngestReport:
    """Write a checked batch a type at a time (videos first, so days may name a video sent in
    the same batch), in one transaction, and say what became of each record."""
    checked, outcomes = batch.checked, batch.outcomes
    now = timezone.now()
    handles = [
        item.values["creator"]
        for kind in ("video", "creator_day", "live_session", "audience_day")
        for item in checked[kind]
    ]
    creators = creators_by_handle(handles) if handles else {}
    videos, video_days = checked["video"], checked["video_day"]
    creator_days, lives = checked["creator_day"], checked["live_session"]
    if videos:
        _store_safely(videos, outcomes, lambda: store_videos(videos, creators, now, outcomes))
    if video_days:
        _store_safely(video_days, outcomes, lambda: store_video_days(video_days, now, outcomes))
    if creator_days:

        def days_and_followers() -> None:
            show_latest_followers(store_creator_days(creator_days, creators, now, outcomes))

        _store_safely(creator_days, outcomes, days_and_followers)
    if lives:
        _store_safely(lives, outcomes, lambda: store_live_sessions(lives, creators, now, outcomes))
    if audiences := checked["audience_day"]:
        _store_safely(
            audiences, outcomes, lambda: store_audience_days(audiences, creators, now, outcomes)
        )

    report = IngestReport()
    lists: dict[Outcome, list[str]] = {
        "accepted": report.accepted,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }
    for index, record_id in enumerate(batch.ids):
        outcome = outcomes.get(index) or Rejected("record", "was not stored; this is our fault")
        if isinstance(outcome, Rejected):
            report.rejected.append(Rejection(index, record_id, outcome.field, outcome.reason))
        else:
            lists[outcome].append(record_id or "")
    return report
