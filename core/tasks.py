"""What every app's Celery tasks share."""

from django.db import InterfaceError, OperationalError

# The retry policy of tasks that are safe to run twice: database hiccups and PostgreSQL
# serialization failures (OperationalError) are retried with backoff, and a task is
# acknowledged only once it finished, so a worker that dies mid-task hands it to another.
RETRY_ON_DATABASE_ERRORS = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "max_retries": 6,
    "acks_late": True,
}
