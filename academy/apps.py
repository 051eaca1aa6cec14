from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = "Creator Academy"

    def ready(self) -> None:
        from rewards.panels import register_dashboard_panel

        from .views import dashboard_panel

        register_dashboard_panel(dashboard_panel)
