"""Retention's deletes: how every app removes rows the retention settings no longer let the
portal keep (privacy.retention runs them nightly), and what accounts removes itself.

`delete_in_batches` is the one way those deletes run, shared by the retention modules of the
apps above (activity, subscriptions): a few thousand rows at a time, each batch its own short
transaction, so no delete holds its locks for long or blocks the pages writing beside it.
"""

from collections import Counter
from datetime import datetime

from django.db import models, transaction

from .models import Notification


def delete_in_batches(due: models.QuerySet, *, batch_size: int) -> dict[str, int]:
    """Delete every row of `due`, `batch_size` at a time, and return how many rows of each
    model went (model label to count), rows that cascaded from them included.

    Each batch is one transaction: the ids of the next `batch_size` rows of `due` in its own
    order (which an index should give, so that finding the last few rows of a large table
    is an index probe, not a scan), then one DELETE of those ids that `due` still holds (a
    row another transaction changed since it was picked stays). Runs until a batch comes
    back short; a second run finds nothing.
    """
    if batch_size < 1:
        raise ValueError("A retention batch holds at least one row.")
    removed: Counter[str] = Counter()
    while True:
        with transaction.atomic():
            ids = list(due.values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            _, per_model = due.filter(pk__in=ids).delete()
        removed.update(per_model)
        if len(ids) < batch_size:  # the last batch
            break
    return {label: count for label, count in removed.items() if count}


def delete_older_than(cutoff: datetime, *, batch_size: int) -> dict[str, int]:
    """Remove notifications (shown in the portal and sent by email) created before `cutoff`,
    read or not: by then the email went long ago. Found through their created_at index."""
    due = Notification.objects.filter(created_at__lt=cutoff).order_by("created_at")
    return delete_in_batches(due, batch_size=batch_size)
