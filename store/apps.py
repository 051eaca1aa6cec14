from django.apps import AppConfig


class StoreConfig(AppConfig):
    """The points store: catalog, redemptions, entitlements and the fulfilment queue."""

    name = "store"
    verbose_name = "Points store"
