from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: what every app may use and that knows no app (see DESIGN.md)."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from celery.signals import task_failure

        from .task_failures import record_failure

        # Every app's tasks, recorded once they fail for good (the operations report). A
        # strong reference with a uid, so a reload of the app registry connects it once.
        task_failure.connect(record_failure, weak=False, dispatch_uid="core.record_task_failure")
