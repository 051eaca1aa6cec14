"""Retention: what the portal stops keeping once the settings' periods end. The nightly task
privacy.apply_retention runs `apply_all`:

- raw activity (per-video daily numbers and audience splits) older than
  RETENTION_RAW_ACTIVITY_DAYS, never fewer days than the rewards still read back
  (activity.retention, which also says what is kept and why);
- subscriber chat messages older than RETENTION_CHAT_DAYS (subscriptions.retention);
- notifications, shown in the portal and sent by email, older than
  RETENTION_NOTIFICATIONS_DAYS (accounts.retention);
- data exports: an archive whose link has expired is removed from the private storage and
  its export marked expired; failed and expired exports go EXPORT_ROWS_KEPT_DAYS later.

Each delete runs RETENTION_BATCH_SIZE rows at a time, each batch its own short transaction
whose rows an index finds (accounts.retention.delete_in_batches), so it holds no lock for
long and the pages writing beside it never wait. A second run finds nothing more to remove.
"""

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import retention as accounts_retention
from accounts.models import Notification
from activity import retention as activity_retention
from activity.models import AudienceDay, VideoDay
from core.clock import rewards_day_of
from subscriptions import retention as subscriptions_retention
from subscriptions.models import ChatMessage

from .models import DataExport, ExportState

logger = logging.getLogger(__name__)

# How long an export that failed or expired still shows in its owner's list (what happened
# to it), after which its row goes too.
EXPORT_ROWS_KEPT_DAYS = 30
# The count `apply_all` gives for archives removed from storage (rows are counted by model).
ARCHIVES_REMOVED = "privacy.DataExport archives"


def apply_all(now: datetime | None = None) -> dict[str, int]:
    """Apply every retention setting as of `now`; return the rows each model lost (model label
    to count: each setting's model, 0 included, and any that cascaded from them) and the
    export archives removed."""
    now = now or timezone.now()
    batch_size = settings.RETENTION_BATCH_SIZE
    each = [VideoDay, AudienceDay, ChatMessage, Notification, DataExport]
    removed: Counter[str] = Counter({model._meta.label: 0 for model in each})

    if (kept := activity_retention.raw_activity_days()) != settings.RETENTION_RAW_ACTIVITY_DAYS:
        logger.warning(
            "RETENTION_RAW_ACTIVITY_DAYS is %s, but the rewards still read back %s days of raw "
            "activity: keeping those.",
            settings.RETENTION_RAW_ACTIVITY_DAYS,
            kept,
        )
    raw_before = activity_retention.raw_activity_kept_from(rewards_day_of(now))
    removed.update(activity_retention.delete_older_than(raw_before, batch_size=batch_size))
    removed.update(
        subscriptions_retention.delete_older_than(
            now - timedelta(days=settings.RETENTION_CHAT_DAYS), batch_size=batch_size
        )
    )
    removed.update(
        accounts_retention.delete_older_than(
            now - timedelta(days=settings.RETENTION_NOTIFICATIONS_DAYS), batch_size=batch_size
        )
    )
    removed[ARCHIVES_REMOVED] = expire_exports(now, batch_size=batch_size)
    removed.update(delete_old_exports(now, batch_size=batch_size))

    counts = dict(sorted(removed.items()))
    held = activity_retention.video_days_held_for_review(raw_before)
    logger.info(
        "Retention removed %s; kept %s video-day(s) from before %s while staff review their flags.",
        ", ".join(f"{count} {label}" for label, count in counts.items()),
        held,
        raw_before.isoformat(),
    )
    return counts


def expire_exports(now: datetime, *, batch_size: int) -> int:
    """Remove the archives of ready exports whose link expired before `now` from the private
    storage, and mark them expired; returns how many. Each file goes before its row says so:
    a run stopped between the two leaves a row that the next run expires again (removing a
    file already gone is no error), never a file no row points to."""
    storage = storages["private"]
    due = DataExport.objects.filter(state=ExportState.READY, expires_at__lt=now).order_by(
        "expires_at", "pk"
    )
    expired = 0
    while batch := list(due.values_list("pk", "archive")[:batch_size]):
        for _, archive in batch:
            if archive:
                storage.delete(archive)
        with transaction.atomic():
            expired += DataExport.objects.filter(
                pk__in=[pk for pk, _ in batch], state=ExportState.READY
            ).update(state=ExportState.EXPIRED, archive="")
        if len(batch) < batch_size:
            break
    return expired


def delete_old_exports(now: datetime, *, batch_size: int) -> dict[str, int]:
    """Delete failed exports requested, and expired ones whose link ended, more than
    EXPORT_ROWS_KEPT_DAYS before `now`. A failed build may have left part of an archive:
    it goes from storage first."""
    before = now - timedelta(days=EXPORT_ROWS_KEPT_DAYS)
    due = DataExport.objects.filter(
        Q(state=ExportState.FAILED, requested_at__lt=before)
        | Q(state=ExportState.EXPIRED, expires_at__lt=before)
    ).order_by("pk")
    storage = storages["private"]
    for archive in due.exclude(archive="").values_list("archive", flat=True).iterator():
        storage.delete(archive)
    return accounts_retention.delete_in_batches(due, batch_size=batch_size)
