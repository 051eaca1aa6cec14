from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: what every app may use and that knows no app (see DESIGN.md)."""

    name = "core"
    verbose_name = "Core"
