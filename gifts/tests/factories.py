from datetime import date, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import CreatorProfile, Standing, User
from accounts.tests.factories import CreatorFactory, FanFactory
from activity.models import LiveSession
from core.clock import rewards_today
from gifts.models import CoinPack, CoinReason, Gift
from gifts.services import credit_coins
from gifts.support import set_accepting
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
    return payments_services.save_card(user=user, card=card_details(number))


def card_details(number: str = SUCCEEDS) -> CardDetails:
    """A card as a fan types it into the form."""
    return CardDetails(number=number, exp_month=12, exp_year=timezone.now().year + 3, cvc="123")


def born_years_ago(years: int, *, today: date | None = None) -> date:
    """A birthday that makes someone `years` old on `today` (their birthday is that day)."""
    today = today or rewards_today()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def eligible_creator(**fields: object) -> CreatorProfile:
    """A creator who meets the default rules (over 18, good standing, 1,000 followers or more)
    and opted in to tips and gifts through the service."""
    fields = {
        "date_of_birth": born_years_ago(25),
        "standing": Standing.GOOD,
        "followers": 1_200,
        **fields,
    }
    creator = CreatorFactory(**fields)
    set_accepting(creator=creator, accepts=True)
    return creator


class CoinPackFactory(DjangoModelFactory):
    class Meta:
        model = CoinPack

    name = factory.Sequence(lambda n: f"Pack {n}")
    coins = 500
    price_minor = 499
    currency = "USD"
    is_active = True
    position = factory.Sequence(int)


class GiftFactory(DjangoModelFactory):
    class Meta:
        model = Gift

    name = factory.Sequence(lambda n: f"Gift {n}")
    coins = 100
    image = factory.django.ImageField(
        filename="gift.png", format="PNG", width=16, height=16, color="crimson"
    )
    is_active = True
    position = factory.Sequence(int)


class LiveSessionFactory(DjangoModelFactory):
    """A live session the platform reported: on air by default (started five minutes ago,
    30 minutes long)."""

    class Meta:
        model = LiveSession

    record_id = factory.Sequence(lambda n: f"live-{n}")
    creator = factory.SubFactory(CreatorFactory)
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5))
    minutes = 30
    peak_viewers = 120
