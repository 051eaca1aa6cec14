"""What the retention settings remove from subscriptions: subscriber chat messages older than
RETENTION_CHAT_DAYS (privacy.retention runs it nightly, in batches)."""

from datetime import datetime

from accounts.retention import delete_in_batches

from .models import ChatMessage


def delete_older_than(cutoff: datetime, *, batch_size: int) -> dict[str, int]:
    """Remove every room's messages posted before `cutoff`, removed by the creator or not
    (a removed one keeps its text until then). Found through the created_at index. A reader
    still holding one in an open page keeps it until the page reloads: it is long off the
    top of any room by then."""
    due = ChatMessage.objects.filter(created_at__lt=cutoff).order_by("created_at")
    return delete_in_batches(due, batch_size=batch_size)
