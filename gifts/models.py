"""The coin ledger: one account per fan and its append-only entries.

Fans buy coins (a purchase) and spend them on gifts. A fan's `balance` always equals the sum
of their entries (`check_ledger` verifies it) and a constraint keeps it at zero or above.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User


class CoinAccount(models.Model):
    """A fan's coins, kept in step with their entries by `gifts.services`."""

    # The fan's id is the account's: a fan's entries are read with no join.
    fan = models.OneToOneField(
        User,
        on_delete=models.PROTECT,
        related_name="coin_account",
        primary_key=True,
        limit_choices_to={"role": Role.FAN},
    )
    balance = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="gifts_balance_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.fan}: {self.balance:,} coins"


class CoinReason(models.TextChoices):
    PURCHASE = "purchase", "Coin pack bought"
    GIFT_SENT = "gift_sent", "Gift sent"
    PURCHASE_REVERSED = "purchase_reversed", "Coin pack refunded or charge failed"
    ADJUSTED = "adjusted", "Adjusted by staff"


# Which way each reason may move coins (an adjustment goes either way).
CREDIT_REASONS = (CoinReason.PURCHASE, CoinReason.ADJUSTED)
DEBIT_REASONS = (CoinReason.GIFT_SENT, CoinReason.PURCHASE_REVERSED, CoinReason.ADJUSTED)


class CoinEntry(models.Model):
    """One movement of coins. Append-only: never updated or deleted (a PostgreSQL trigger
    refuses both); a mistake is mended by a reversing entry."""

    account = models.ForeignKey(CoinAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(help_text="Coins; negative takes coins out.")
    reason = models.CharField(max_length=20, choices=CoinReason.choices)
    # What the coins came from or went to, as "<app>.<model>:<id>" (a purchase, a gift sent).
    document = models.CharField(max_length=120, blank=True)
    memo = models.CharField(max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "coin entries"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="gifts_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+,} coins ({self.get_reason_display().lower()})"
