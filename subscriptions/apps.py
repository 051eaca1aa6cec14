from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Subscriptions"

    def ready(self) -> None:
        # The dashboard's path to subscriptions (rewards, a floor below) shows this app's rule
        # as staff set it.
        from rewards import eligibility

        from . import selectors

        eligibility.register_subscription_thresholds(selectors.offer_thresholds)
        # A card a live subscription pays with is not removed (payments, a floor below).
        from payments import services as payments_services

        payments_services.register_card_in_use(selectors.card_in_use)
