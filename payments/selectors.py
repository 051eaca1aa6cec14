"""Reads of payments that pages and other apps may call."""

from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import CreatorProfile, User

from .models import EarningsEntry, SavedCard


def cards_of(user: User) -> QuerySet[SavedCard]:
    """The user's cards at the configured gateway that the portal still offers, newest
    first."""
    return SavedCard.objects.filter(
        customer__user=user,
        customer__gateway=settings.PAYMENTS_GATEWAY,
        forgotten_at__isnull=True,
    ).select_related("customer")


def has_earned_from(creator: CreatorProfile, *, source: str, since: datetime) -> bool:
    """Whether the creator was credited money from `source` (a Source) since then: one
    query through the creator's accounts."""
    return EarningsEntry.objects.filter(
        account__creator=creator, source=source, amount__gt=0, created_at__gte=since
    ).exists()
