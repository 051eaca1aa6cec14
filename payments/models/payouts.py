"""Payouts: a creator's payout method (bank details, masked) and their requests to be paid
what is available in the earnings ledger.

Only the sandbox "bank" exists until a payout processor is chosen: a payout method is the
sandbox's reference, the kind of account, the holder's name and the last four digits; the
full number is never stored. A request takes its money out of the ledger when it is made
(`entry`, a payout debit) and keeps it reserved until staff decide: paid, or rejected with the
money given back (`refund_entry`, the reversal of the debit). Written only by
payments.payouts.
"""

from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import CreatorProfile, User
from core.money import format_minor

from .ledger import EarningsEntry


class AccountKind(models.TextChoices):
    IBAN = "iban", "IBAN"
    UK = "uk", "UK account (sort code)"
    US = "us", "US account (routing number)"


class PayoutMethod(models.Model):
    """Where a creator's payouts go. Adding another replaces this one (`replaced_at`); the
    old row stays, since past requests name it."""

    creator = models.ForeignKey(
        CreatorProfile, on_delete=models.PROTECT, related_name="payout_methods"
    )
    kind = models.CharField(max_length=4, choices=AccountKind.choices)
    holder_name = models.CharField(max_length=100)
    reference = models.CharField(
        max_length=60, unique=True, help_text="The sandbox bank's id for the account."
    )
    last4 = models.CharField(max_length=4)
    created_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["creator"],
                condition=Q(replaced_at__isnull=True),
                name="payments_one_current_payout_method",
            ),
            models.CheckConstraint(
                condition=Q(last4__regex=r"^[0-9A-Z]{4}$"), name="payments_payout_last4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} •••• {self.last4}"

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None

    def payouts_locked_until(self, lock_days: int) -> datetime:
        """Adding a method holds payouts for `lock_days`: time to notice a hijacked account."""
        return self.created_at + timedelta(days=lock_days)


class PayoutState(models.TextChoices):
    REQUESTED = "requested", "Requested"
    PAID = "paid", "Paid"
    REJECTED = "rejected", "Rejected"


class PayoutRequest(models.Model):
    creator = models.ForeignKey(
        CreatorProfile, on_delete=models.PROTECT, related_name="payout_requests"
    )
    method = models.ForeignKey(PayoutMethod, on_delete=models.PROTECT, related_name="requests")
    amount = models.BigIntegerField(help_text="Minor units, above zero.")
    currency = models.CharField(max_length=3)
    state = models.CharField(
        max_length=10, choices=PayoutState.choices, default=PayoutState.REQUESTED
    )
    # The rewards day it was asked on: one request a day, by the constraint below.
    requested_on = models.DateField()
    request_key = models.CharField(max_length=64)
    entry = models.OneToOneField(
        EarningsEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund_entry = models.OneToOneField(
        EarningsEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transfer_reference = models.CharField(max_length=60, blank=True)
    reason = models.CharField(max_length=300, blank=True, help_text="Staff's note or reason.")
    # The creator's last payout, asked for by the portal when they closed their account: one
    # per currency, on the day they closed, so outside the one-a-day rule below.
    final = models.BooleanField(
        default=False, help_text="Requested when the creator closed their account."
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "request_key"], name="payments_payout_request_key"
            ),
            # A rejected request gives its day back; a closed account's final payouts take none.
            models.UniqueConstraint(
                fields=["creator", "requested_on"],
                condition=~Q(state="rejected") & Q(final=False),
                name="payments_one_payout_a_day",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_payout_amount"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="payments_payout_currency"
            ),
            models.CheckConstraint(
                condition=~Q(state="paid") | ~Q(transfer_reference=""),
                name="payments_paid_payout_has_transfer",
            ),
            models.CheckConstraint(
                condition=~Q(state="rejected") | Q(refund_entry__isnull=False),
                name="payments_rejected_payout_refunded",
            ),
        ]

    def __str__(self) -> str:
        return f"Payout {self.pk}: {self.amount_display} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("payments:payout", kwargs={"pk": self.pk})

    @property
    def amount_display(self) -> str:
        return format_minor(self.amount, self.currency)

    @property
    def is_requested(self) -> bool:
        return self.state == PayoutState.REQUESTED


class PayoutEvent(models.Model):
    """One step of a request's history, as the creator reads it."""

    request = models.ForeignKey(PayoutRequest, on_delete=models.CASCADE, related_name="events")
    state = models.CharField(max_length=10, choices=PayoutState.choices)
    note = models.CharField(max_length=300, blank=True)
    by_staff = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_state_display()} at {self.at:%Y-%m-%d %H:%M}"
