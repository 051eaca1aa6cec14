"""The coin ledger: one account per fan and its append-only entries.

Fans buy coins (a purchase) and spend them on gifts. A fan's `balance` always equals the sum
of their entries (`check_ledger` verifies it) and a constraint keeps it at zero or above.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User
from core.money import format_minor
from payments.models import SavedCard


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


class CoinPack(models.Model):
    """Coins fans can buy, at a price staff set per currency."""

    name = models.CharField(max_length=80)
    coins = models.PositiveIntegerField()
    price_minor = models.PositiveIntegerField("price", help_text="In minor units (cents).")
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217 code, e.g. USD.")
    is_active = models.BooleanField("offered", default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["currency", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(coins__gt=0), name="gifts_pack_coins"),
            models.CheckConstraint(condition=Q(price_minor__gt=0), name="gifts_pack_price"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="gifts_pack_currency"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.name} ({self.coins:,} coins, {format_minor(self.price_minor, self.currency)})"
        )


class PurchaseState(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"


class CoinPurchase(models.Model):
    """A fan buying a pack: recorded before the card is charged, with the pack's coins and
    price as they were then, and the coin entry it credited once paid."""

    fan = models.ForeignKey(User, on_delete=models.PROTECT, related_name="coin_purchases")
    pack = models.ForeignKey(CoinPack, on_delete=models.PROTECT, related_name="purchases")
    coins = models.PositiveIntegerField()
    price_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    card = models.ForeignKey(SavedCard, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=10, choices=PurchaseState.choices, default=PurchaseState.PENDING
    )
    request_key = models.CharField(max_length=120, unique=True)
    failure = models.CharField(max_length=300, blank=True)
    coin_entry = models.ForeignKey(
        CoinEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(coins__gt=0), name="gifts_purchase_coins"),
            models.CheckConstraint(condition=Q(price_minor__gt=0), name="gifts_purchase_price"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="gifts_purchase_currency"
            ),
            models.CheckConstraint(
                condition=Q(state="paid", coin_entry__isnull=False)
                | (~Q(state="paid") & Q(coin_entry__isnull=True)),
                name="gifts_purchase_credited_when_paid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fan}: {self.coins:,} coins for {self.price_display} ({self.state})"

    @property
    def price_display(self) -> str:
        return format_minor(self.price_minor, self.currency)
