"""What the portal keeps about payments made through the gateway (payments.gateway).

No card number ever reaches these tables: a saved card is the gateway's reference, its brand,
last four digits and expiry. Every charge and refund is a `PaymentAttempt`, written before
the gateway is called and again after, keyed by the portal's own idempotency key, so a
repeated request or a crash between the call and the commit never charges twice.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import User


class Gateway(models.TextChoices):
    SANDBOX = "sandbox", "Sandbox"
    STRIPE = "stripe", "Stripe"


class PaymentCustomer(models.Model):
    """A user as a customer of one gateway."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="payment_customers")
    gateway = models.CharField(max_length=10, choices=Gateway.choices)
    reference = models.CharField(max_length=100, help_text="The gateway's customer id.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "gateway"], name="payments_customer_once"),
            models.UniqueConstraint(
                fields=["gateway", "reference"], name="payments_customer_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.get_gateway_display()}"


class SavedCard(models.Model):
    """A card saved at the gateway for off-session charges; only what may be shown is kept."""

    customer = models.ForeignKey(PaymentCustomer, on_delete=models.PROTECT, related_name="cards")
    reference = models.CharField(max_length=100, help_text="The gateway's payment method id.")
    brand = models.CharField(max_length=20)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the portal stops offering the card (its first charge was declined): kept, as
    # the attempts made with it point at it, but never listed again.
    forgotten_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "reference"], name="payments_card_reference"
            ),
            models.CheckConstraint(condition=Q(last4__regex=r"^[0-9]{4}$"), name="payments_last4"),
            models.CheckConstraint(
                condition=Q(exp_month__gte=1, exp_month__lte=12), name="payments_exp_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand.title()} •••• {self.last4}"

    @property
    def expiry(self) -> str:
        return f"{self.exp_month:02d}/{self.exp_year}"


class AttemptKind(models.TextChoices):
    CHARGE = "charge", "Charge"
    REFUND = "refund", "Refund"


class AttemptState(models.TextChoices):
    STARTED = "started", "Started"  # recorded, gateway called or about to be
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"  # the gateway refused: no money moved
    UNKNOWN = "unknown", "Unknown"  # no answer: reconciled before anything is tried again


class PaymentAttempt(models.Model):
    """One charge or refund, recorded before the gateway is called and after it answers.

    Written only by payments.services."""

    idempotency_key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=10, choices=AttemptKind.choices)
    gateway = models.CharField(max_length=10, choices=Gateway.choices)
    customer = models.ForeignKey(PaymentCustomer, on_delete=models.PROTECT, related_name="attempts")
    card = models.ForeignKey(
        SavedCard, null=True, blank=True, on_delete=models.PROTECT, related_name="attempts"
    )
    refund_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.BigIntegerField(help_text="Minor units, above zero.")
    currency = models.CharField(max_length=3, help_text="ISO 4217 code, e.g. USD.")
    description = models.CharField(max_length=200, blank=True)
    state = models.CharField(
        max_length=10, choices=AttemptState.choices, default=AttemptState.STARTED
    )
    reference = models.CharField(
        max_length=100, blank=True, help_text="The gateway's charge or refund id."
    )
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "created_at"], name="payments_attempt_state")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_attempt_amount"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="payments_attempt_currency"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=AttemptKind.CHARGE, card__isnull=False, refund_of__isnull=True)
                    | Q(kind=AttemptKind.REFUND, refund_of__isnull=False)
                ),
                name="payments_attempt_kind",
            ),
            models.CheckConstraint(
                condition=~Q(state=AttemptState.SUCCEEDED) | ~Q(reference=""),
                name="payments_attempt_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:,} {self.currency} ({self.state})"

    @property
    def is_settled(self) -> bool:
        """Whether the gateway's answer is known (succeeded or failed)."""
        return self.state in {AttemptState.SUCCEEDED, AttemptState.FAILED}


class SandboxPayment(models.Model):
    """The sandbox gateway's own books: the charges and refunds it made, as a real gateway
    would keep them on its side. Only payments.gateway.sandbox reads or writes these."""

    reference = models.CharField(max_length=60, unique=True)
    kind = models.CharField(max_length=10, choices=AttemptKind.choices)
    idempotency_key = models.CharField(max_length=120, db_index=True)
    customer = models.CharField(max_length=60)
    charge = models.CharField(max_length=60, blank=True, help_text="For a refund: its charge.")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.reference
