"""Reads of payments that pages and other apps may call."""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import F, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import CreatorProfile, User
from core.exports import plain_rows
from core.money import format_minor

from .models import (
    EarningsAccount,
    EarningsEntry,
    PaymentAttempt,
    PaymentCustomer,
    PayoutEvent,
    PayoutMethod,
    PayoutRequest,
    PayoutState,
    SavedCard,
)


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


def export_rows(user: User) -> dict[str, list[dict]]:
    """The money of `user`, for their data export (privacy.exports): earnings entries,
    payout methods (last four digits only: the full number is never stored), payouts with
    their history, charges and refunds, and saved cards' brand and last four digits. Six
    queries."""
    return {
        "earnings_entries": plain_rows(
            EarningsEntry.objects.filter(account__creator__user=user)
            .order_by("created_at", "pk")
            .values(
                "id",
                "amount",
                "source",
                "pending_until",
                "document",
                "memo",
                "created_at",
                "reverses_id",
                currency=F("account__currency"),
            )
        ),
        "payout_methods": plain_rows(
            PayoutMethod.objects.filter(creator__user=user)
            .order_by("created_at", "pk")
            .values("id", "kind", "holder_name", "last4", "created_at", "replaced_at")
        ),
        "payouts": plain_rows(
            PayoutRequest.objects.filter(creator__user=user)
            .order_by("created_at", "pk")
            .values(
                "id",
                "amount",
                "currency",
                "state",
                "requested_on",
                "transfer_reference",
                "reason",
                "created_at",
                "decided_at",
                payout_method_id=F("method_id"),
                method_last4=F("method__last4"),
            )
        ),
        "payout_events": plain_rows(
            PayoutEvent.objects.filter(request__creator__user=user)
            .order_by("at", "pk")
            .values("state", "note", "by_staff", "at", payout_id=F("request_id"))
        ),
        "payments": plain_rows(
            PaymentAttempt.objects.filter(customer__user=user)
            .order_by("created_at", "pk")
            .values(
                "id",
                "kind",
                "amount",
                "currency",
                "description",
                "state",
                "error_message",
                "created_at",
                "refund_of_id",
                card_brand=F("card__brand"),
                card_last4=F("card__last4"),
            )
        ),
        "saved_cards": plain_rows(
            SavedCard.objects.filter(customer__user=user)
            .order_by("created_at", "pk")
            .values(
                "brand",
                "last4",
                "exp_month",
                "exp_year",
                "created_at",
                "forgotten_at",
                gateway=F("customer__gateway"),
            )
        ),
    }


# --- closing an account (privacy.closing) -----------------------------------------------------


@dataclass(frozen=True)
class EarningsToSettle:
    """A creator's money as closing their account finds it: per currency what is available
    and pending (with the last day pending money matures), payouts staff have yet to decide,
    the payout method the money would go to, and whether any payout records exist (kept by
    law after closing)."""

    balances: list[Held]
    pending_through: dict[str, date]
    waiting: list[PayoutRequest]
    method: PayoutMethod | None
    has_payout_records: bool


def earnings_to_settle(creator: CreatorProfile) -> EarningsToSettle:
    """What closing the creator's account has to settle (four queries)."""
    accounts = list(
        EarningsAccount.objects.filter(creator=creator)
        .annotate(last_pending=Max("entries__pending_until"))
        .order_by("currency")
    )
    methods = list(creator.payout_methods.all())
    return EarningsToSettle(
        balances=[Held(a.currency, a.available, a.pending) for a in accounts],
        pending_through={a.currency: a.last_pending for a in accounts if a.pending},
        waiting=list(
            creator.payout_requests.filter(state=PayoutState.REQUESTED)
            .select_related("method")
            .order_by("created_at", "pk")
        ),
        method=next((m for m in methods if m.is_current), None),
        has_payout_records=bool(methods) or creator.payout_requests.exists(),
    )


def has_payment_records(user: User) -> bool:
    """Whether the user ever became a customer of a payment gateway (cards, charges)."""
    return PaymentCustomer.objects.filter(user=user).exists()
