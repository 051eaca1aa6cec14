import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from accounts.tests.factories import FanFactory
from gifts.models import CoinPack, CoinReason
from gifts.services import credit_coins
from payments import services as payments_services
from payments.gateway import CardDetails
from payments.models import SavedCard

# Test cards of the sandbox gateway (and of Stripe's test mode).
SUCCEEDS = "4242424242424242"
DECLINES_CHARGES = "4000000000000341"
TIMES_OUT = "4000000000000408"


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


def card_for(user: User, number: str = SUCCEEDS) -> SavedCard:
    """A card saved through payments.services, as the portal saves one."""
    return payments_services.save_card(
        user=user,
        card=CardDetails(number=number, exp_month=12, exp_year=timezone.now().year + 3, cvc="123"),
    )


class CoinPackFactory(DjangoModelFactory):
    class Meta:
        model = CoinPack

    name = factory.Sequence(lambda n: f"Pack {n}")
    coins = 500
    price_minor = 499
    currency = "USD"
    is_active = True
    position = factory.Sequence(int)
