"""The creator earnings ledger: money owed to creators, per creator and currency, in integer
minor units (cents), append-only like the points ledger.

An account's `available` and `pending` always equal its entries: an entry with a
`pending_until` date after the account's `released_through` counts as pending, every other
entry as available. The daily release (`payments.ledger.release_pending`) moves matured
pending entries to available by advancing `released_through`, so it moves each entry once
however often it runs. `check_ledger` verifies both sums; constraints keep both at zero or
above.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import CreatorProfile


class Source(models.TextChoices):
    """Where money in the ledger came from (or went)."""

    REWARDS_PROGRAM = "rewards_program", "Creator Rewards Program"
    CASH_REDEMPTION = "cash_redemption", "Cash redeemed from points"
    MILESTONE_BONUS = "milestone_bonus", "Milestone bonus"
    SUBSCRIPTION = "subscription", "Subscriptions"
    PLATFORM_FEE = "platform_fee", "Platform fee"
    GIFT = "gift", "Gifts"
    TIP = "tip", "Tips"
    BRAND_DEAL = "brand_deal", "Brand deals"
    PAYOUT = "payout", "Payout"
    CORRECTION = "correction", "Correction"


class EarningsAccount(models.Model):
    creator = models.ForeignKey(
        CreatorProfile, on_delete=models.PROTECT, related_name="earnings_accounts"
    )
    currency = models.CharField(max_length=3, help_text="ISO 4217 code, e.g. USD.")
    available = models.BigIntegerField(default=0, help_text="Minor units the creator may pay out.")
    pending = models.BigIntegerField(default=0, help_text="Minor units not yet released.")
    # Pending entries dated up to this day have been released into `available`.
    released_through = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["creator", "currency"], name="payments_account_once"),
            models.CheckConstraint(
                condition=Q(available__gte=0), name="payments_available_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(pending__gte=0), name="payments_pending_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="payments_currency_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.creator} {self.currency}"


class EarningsEntry(models.Model):
    """One movement of money. Append-only: never updated or deleted (a PostgreSQL trigger
    refuses both); a mistake is mended by a reversing entry."""

    account = models.ForeignKey(EarningsAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(help_text="Minor units; negative takes money out.")
    source = models.CharField(max_length=20, choices=Source.choices)
    # Pending until this rewards day (then available); empty: available at once.
    pending_until = models.DateField(null=True, blank=True)
    # What the money came from, as "<app>.<model>:<id>" (a redemption, a statement, a payout).
    document = models.CharField(max_length=120, blank=True)
    memo = models.CharField(max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "earnings entries"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="payments_entry_not_zero"),
        ]
        indexes = [
            models.Index(fields=["account", "pending_until"], name="payments_entry_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+,} {self.account.currency} ({self.get_source_display()})"
