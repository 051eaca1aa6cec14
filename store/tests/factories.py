from datetime import date

import factory
from factory.django import DjangoModelFactory

from store.models import ItemKind, StoreItem


class ToolFactory(DjangoModelFactory):
    class Meta:
        model = StoreItem

    name = factory.Sequence(lambda n: f"Colour grading pack {n}")
    slug = factory.Sequence(lambda n: f"tool-{n}")
    kind = ItemKind.TOOL
    summary = "Film looks for your edits."
    price_points = 100
    entitlement_days = 30


class PromotionFactory(ToolFactory):
    name = factory.Sequence(lambda n: f"Featured list slot {n}")
    slug = factory.Sequence(lambda n: f"promotion-{n}")
    kind = ItemKind.PROMOTION
    entitlement_days = None
    slot_starts_on = date(2026, 12, 1)
    slot_ends_on = date(2026, 12, 7)
    price_points = 500


class CashFactory(ToolFactory):
    name = factory.Sequence(lambda n: f"Cash payout {n}")
    slug = factory.Sequence(lambda n: f"cash-{n}")
    kind = ItemKind.CASH
    entitlement_days = None
    cash_amount_minor = 2_500
    currency = "GBP"
    price_points = 2_000
