from accounts.models import User
from accounts.tests.factories import FanFactory
from gifts.models import CoinReason
from gifts.services import credit_coins


def fan_with_coins(coins: int) -> User:
    """A fan who bought `coins` coins, through the service as a purchase would."""
    fan = FanFactory()
    credit_coins(
        fan=fan,
        amount=coins,
        reason=CoinReason.PURCHASE,
        idempotency_key=f"test-fund:{fan.pk}",
        document="test.fund:1",
    )
    return fan
