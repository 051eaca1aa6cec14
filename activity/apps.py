from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "activity"
    verbose_name = "Activity data"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the settings checks)
