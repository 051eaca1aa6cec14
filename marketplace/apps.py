from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Marketplace"

    def ready(self) -> None:
        # The creator's dashboard (rewards, a floor below) shows the brand partnership requests.
        from rewards.panels import register_dashboard_panel

        from .panel import dashboard_panel

        register_dashboard_panel(dashboard_panel)
