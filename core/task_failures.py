"""Recording Celery tasks that failed for good, for the operations report.

`record_failure` is connected to Celery's `task_failure` signal in CoreConfig.ready(), so every
app's tasks are covered without each declaring anything. The signal fires once a task has
given up (a task that will retry raises Retry, which is not a failure), in the worker or,
without a broker, in the process that ran it eagerly.
"""

import logging
import traceback as tb
from datetime import datetime
from types import TracebackType
from typing import Any

from django.db import DatabaseError, transaction

from .models import TaskFailure

logger = logging.getLogger(__name__)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summarise_args(args: Any, kwargs: Any) -> str:
    """The call's arguments as one short line: ids and dates, which is what tasks take
    (STYLE.md), stay readable; anything large is cut."""
    parts = [repr(arg) for arg in args or ()]
    parts += [f"{key}={value!r}" for key, value in (kwargs or {}).items()]
    return _clip(", ".join(parts), TaskFailure.ARGS_MAX)


def record_failure(
    sender: Any = None,
    task_id: str | None = None,
    exception: BaseException | None = None,
    args: Any = None,
    kwargs: Any = None,
    traceback: TracebackType | None = None,
    **_: Any,
) -> None:
    """Keep one row per failed task. Never raises: a broken recorder must not hide the
    task's own error, and a failure of the database itself (the likeliest cause) is logged
    instead of recorded."""
    name = getattr(sender, "name", None) or str(sender)
    try:
        # A savepoint of its own: an eager task failing inside a caller's transaction
        # leaves that transaction usable whether or not the row could be written.
        with transaction.atomic():
            TaskFailure.objects.create(
                task_name=_clip(name, TaskFailure.NAME_MAX),
                task_id=(task_id or "")[:64],
                args_summary=summarise_args(args, kwargs),
                exception=_clip(
                    f"{type(exception).__name__}: {exception}" if exception else "unknown",
                    TaskFailure.EXCEPTION_MAX,
                ),
                traceback=_clip("".join(tb.format_tb(traceback)) if traceback else "", 20_000),
            )
    except DatabaseError:
        logger.exception("Could not record the failure of task %s (%s)", name, task_id)


def recent_failures(*, limit: int, since: datetime) -> tuple[list[TaskFailure], int]:
    """The latest failures (at most `limit`, newest first) and how many there were since
    `since`: two queries, through the failed_at index."""
    latest = list(TaskFailure.objects.order_by("-failed_at", "-pk")[:limit])
    return latest, TaskFailure.objects.filter(failed_at__gte=since).count()
