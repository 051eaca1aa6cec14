"""Reads of payments that pages and other apps may call."""

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import User

from .models import SavedCard


def cards_of(user: User) -> QuerySet[SavedCard]:
    """The user's cards at the configured gateway that the portal still offers, newest
    first."""
    return SavedCard.objects.filter(
        customer__user=user,
        customer__gateway=settings.PAYMENTS_GATEWAY,
        forgotten_at__isnull=True,
    ).select_related("customer")
