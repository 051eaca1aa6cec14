"""Reads of payments that pages and other apps may call."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import CreatorProfile, User
from core.money import format_minor

from .models import EarningsEntry, PayoutRequest, PayoutState, SavedCard


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


@dataclass(frozen=True)
class Held:
    """Money of one kind in one currency: what is available and what is still pending."""

    currency: str
    available: int
    pending: int

    @property
    def available_display(self) -> str:
        return format_minor(self.available, self.currency)

    @property
    def pending_display(self) -> str:
        return format_minor(self.pending, self.currency)


def money_from(creator: CreatorProfile, *, document_prefix: str) -> list[Held]:
    """What the entries whose document starts with `document_prefix` (an app's documents,
    fee lines included) brought the creator, per currency, available and pending (one
    query)."""
    pending = Q(pending_until__isnull=False) & (
        Q(account__released_through__isnull=True)
        | Q(pending_until__gt=F("account__released_through"))
    )
    rows = (
        EarningsEntry.objects.filter(account__creator=creator, document__startswith=document_prefix)
        .values_list("account__currency")
        .annotate(
            pending=Coalesce(Sum("amount", filter=pending), 0),
            available=Coalesce(Sum("amount", filter=~pending), 0),
        )
        .order_by("account__currency")
    )
    return [Held(currency, available, held) for currency, held, available in rows]


def waiting_payouts(*, limit: int) -> tuple[list[PayoutRequest], int]:
    """Payout requests waiting for staff, oldest first (at most `limit`, each with its creator
    and method), and how many wait in all: two queries (one when fewer than `limit` wait)."""
    waiting = PayoutRequest.objects.filter(state=PayoutState.REQUESTED)
    oldest = list(waiting.select_related("creator", "method").order_by("created_at", "pk")[:limit])
    return oldest, (len(oldest) if len(oldest) < limit else waiting.count())
