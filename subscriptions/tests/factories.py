"""Packages and subscriptions for tests, made the way the portal makes them where it matters
(a card saved through payments.services on the sandbox gateway)."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from accounts.tests.factories import CreatorFactory, FanFactory
from payments import services as payments_services
from payments.gateway import CardDetails
from payments.models import SavedCard
from subscriptions.models import Billing, Package, State, Subscription

SUCCEEDS = "4242424242424242"
DECLINES_CHARGES = "4000000000000341"


def card_for(user: User, number: str = SUCCEEDS) -> SavedCard:
    return payments_services.save_card(
        user=user,
        card=CardDetails(number=number, exp_month=12, exp_year=timezone.now().year + 3, cvc="123"),
    )


class PackageFactory(DjangoModelFactory):
    class Meta:
        model = Package

    creator = factory.SubFactory(CreatorFactory, followers=5_000)
    name = factory.Sequence(lambda n: f"Package {n}")
    description = "Behind the scenes and a monthly live Q&A."
    currency = "USD"
    monthly_price_minor = 500
    annual_price_minor = 5_000
    published_at = factory.LazyFunction(timezone.now)


class SubscriptionFactory(DjangoModelFactory):
    """A live, paid-up monthly subscription (no charge rows: use the services for money)."""

    class Meta:
        model = Subscription

    fan = factory.SubFactory(FanFactory)
    package = factory.SubFactory(PackageFactory)
    creator = factory.SelfAttribute("package.creator")
    billing = Billing.MONTHLY
    price_minor = factory.SelfAttribute("package.monthly_price_minor")
    currency = factory.SelfAttribute("package.currency")
    card = factory.LazyAttribute(lambda o: card_for(o.fan))
    state = State.ACTIVE
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=3))
    current_period_start = factory.SelfAttribute("started_at")
    current_period_end = factory.LazyAttribute(lambda o: o.started_at + timedelta(days=30))
    months_paid = 1
