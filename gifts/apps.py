from django.apps import AppConfig


class GiftsConfig(AppConfig):
    name = "gifts"
    verbose_name = "Fan support"

    def ready(self) -> None:
        # check_ledger (rewards, a floor below) checks the coin ledger beside its own.
        from rewards.ledger_checks import register_ledger_check

        from .selectors import coin_ledger_report

        register_ledger_check(coin_ledger_report)
