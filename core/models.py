"""The few records every app shares."""

from django.db import models
from django.utils import timezone


class TaskFailure(models.Model):
    """A Celery task that failed for good (after its retries), as the `task_failure` signal
    reported it (core.apps connects the recorder). Staff read them on the operations report;
    nothing acts on them automatically, and nothing but the recorder writes them."""

    NAME_MAX = 200
    ARGS_MAX = 500
    EXCEPTION_MAX = 2000

    task_name = models.CharField(max_length=NAME_MAX)
    task_id = models.CharField(max_length=64, blank=True)
    # A short repr of the arguments: enough to rerun the task by hand, never a whole payload.
    args_summary = models.CharField(max_length=ARGS_MAX, blank=True)
    exception = models.TextField(help_text="The exception's type and message.")
    traceback = models.TextField(blank=True)
    failed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-failed_at", "-pk"]
        indexes = [models.Index(fields=["failed_at"], name="core_taskfailure_failed_at")]

    def __str__(self) -> str:
        return f"{self.task_name} failed at {self.failed_at:%Y-%m-%d %H:%M}"
