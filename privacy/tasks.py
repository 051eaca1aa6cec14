"""The privacy app's Celery tasks: thin entries into exports, closing and retention."""

from celery import shared_task

from . import closing, exports, retention


@shared_task(name="privacy.build_export", acks_late=True)
def build_export(export_id: int) -> str:
    """Build one requested export; a second run of the same one does nothing."""
    return exports.build(export_id)


@shared_task(name="privacy.apply_retention")
def apply_retention() -> dict[str, int]:
    """Nightly: remove what the retention settings no longer let the portal keep, in batches."""
    return retention.apply_all()


@shared_task(name="privacy.erase_retained")
def erase_retained() -> int:
    """Nightly: erase closed accounts' records whose legal retention period has ended."""
    return closing.erase_due_records()
