"""The points store's data: items, redemptions with their history, and unlocked tools.

Points move only through rewards.services; a redemption keeps the ledger entries it caused
(`entry`, `refund_entry`), so every point spent in the store can be traced."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import CreatorProfile
from core.money import format_minor
from rewards.models import PointsEntry, Tier


class ItemKind(models.TextChoices):
    TOOL = "tool", "Creation tool"
    PROMOTION = "promotion", "Promotional placement"
    CASH = "cash", "Cash"


class StoreItem(models.Model):
    """Something creators buy with points. What a creator may redeem now, and why not, is
    store.selectors.availability; the price a creator pays after their tier discount is
    store.selectors.price_for."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    summary = models.CharField(max_length=200, help_text="One line on the store's list.")
    description = models.TextField(blank=True)
    image = models.ImageField(upload_to="store/", blank=True)
    price_points = models.PositiveIntegerField(help_text="List price, before tier discounts.")
    stock = models.PositiveIntegerField(
        null=True, blank=True, help_text="Left to redeem; empty means unlimited."
    )
    limit_per_creator = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Redemptions one creator may make per period; empty: any."
    )
    limit_period_days = models.PositiveSmallIntegerField(
        default=30, help_text="The period of the per-creator limit, in days."
    )
    cooldown_days = models.PositiveSmallIntegerField(
        default=0,
        help_text="Days a creator waits between two redemptions (a cancelled one counts too).",
    )
    min_tier = models.ForeignKey(
        Tier,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Only creators in this tier or above may redeem it.",
    )
    is_active = models.BooleanField(default=True, help_text="Off: hidden from the store.")
    available_from = models.DateTimeField(null=True, blank=True)
    available_until = models.DateTimeField(null=True, blank=True)
    # Creation tools: how long the unlocked tool lasts.
    entitlement_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Creation tools: days the tool stays unlocked."
    )
    # Promotional placement: the slot the creator gets.
    slot_starts_on = models.DateField(null=True, blank=True)
    slot_ends_on = models.DateField(null=True, blank=True)
    # Cash: what the creator is paid, in minor units, and how their earnings label it.
    cash_amount_minor = models.PositiveIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="")
    is_milestone_bonus = models.BooleanField(
        default=False,
        help_text="Cash items: labelled a milestone bonus in the creator's earnings, not cash "
        "redeemed from points.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "price_points", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(price_points__gte=1), name="store_item_price"),
            models.CheckConstraint(
                condition=Q(limit_period_days__gte=1), name="store_item_limit_period"
            ),
            models.CheckConstraint(
                condition=~Q(kind="tool") | Q(entitlement_days__gte=1),
                name="store_item_tool_has_duration",
            ),
            models.CheckConstraint(
                condition=~Q(kind="promotion")
                | Q(slot_starts_on__isnull=False, slot_ends_on__gte=F("slot_starts_on")),
                name="store_item_promotion_has_slot",
            ),
            models.CheckConstraint(
                condition=~Q(kind="cash") | (Q(cash_amount_minor__gte=1) & ~Q(currency="")),
                name="store_item_cash_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True)
                | Q(available_until__isnull=True)
                | Q(available_until__gt=F("available_from")),
                name="store_item_window",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "kind"], name="store_item_active_kind")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("store:item", args=[self.slug])

    @property
    def cash_display(self) -> str:
        """The cash amount in major units, e.g. "25.00 GBP"."""
        return format_minor(self.cash_amount_minor or 0, self.currency)

    @property
    def is_sold_out(self) -> bool:
        return self.stock is not None and self.stock <= 0

    def is_open_at(self, moment: datetime) -> bool:
        return (
            self.is_active
            and (self.available_from is None or self.available_from <= moment)
            and (self.available_until is None or moment < self.available_until)
        )


class RedemptionState(models.TextChoices):
    PENDING = "pending", "Pending"
    FULFILLED = "fulfilled", "Fulfilled"
    CANCELLED = "cancelled", "Cancelled"


class Redemption(models.Model):
    """Points spent on an item: pending, then fulfilled or cancelled, and nothing else.
    Only store.services changes one."""

    creator = models.ForeignKey(
        CreatorProfile, on_delete=models.PROTECT, related_name="redemptions"
    )
    item = models.ForeignKey(StoreItem, on_delete=models.PROTECT, related_name="redemptions")
    # Sent by the form, derived from what the creator saw: the same submission twice
    # (double click, retry, two tabs) carries the same key and makes one redemption.
    request_key = models.CharField(max_length=64)
    list_price = models.PositiveIntegerField()
    discount_percent = models.PositiveSmallIntegerField(default=0)
    points_paid = models.PositiveIntegerField()
    # Cash items: what the creator is owed, as the item said when they redeemed it (staff may
    # change the item later; a redemption keeps its price).
    cash_amount_minor = models.PositiveIntegerField(null=True, blank=True)
    cash_currency = models.CharField(max_length=3, blank=True, default="")
    state = models.CharField(
        max_length=10, choices=RedemptionState.choices, default=RedemptionState.PENDING
    )
    reason = models.CharField(
        max_length=300, blank=True, help_text="Why it was cancelled, or a note on fulfilment."
    )
    entry = models.OneToOneField(
        PointsEntry, on_delete=models.PROTECT, related_name="redemption", null=True
    )
    refund_entry = models.OneToOneField(
        PointsEntry, on_delete=models.PROTECT, related_name="refunded_redemption", null=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "request_key"], name="store_redemption_once"
            ),
            models.CheckConstraint(
                condition=Q(points_paid__gte=1) & Q(points_paid__lte=F("list_price")),
                name="store_redemption_price",
            ),
            # A refund exists exactly when the redemption is cancelled.
            models.CheckConstraint(
                condition=Q(state="cancelled", refund_entry__isnull=False)
                | (~Q(state="cancelled") & Q(refund_entry__isnull=True)),
                name="store_redemption_refund_iff_cancelled",
            ),
            models.CheckConstraint(
                condition=Q(state="pending", decided_at__isnull=True)
                | (~Q(state="pending") & Q(decided_at__isnull=False)),
                name="store_redemption_decided",
            ),
        ]
        indexes = [
            models.Index(fields=["creator", "item", "created_at"], name="store_redemption_limit"),
            models.Index(
                fields=["created_at"],
                condition=Q(state="pending"),
                name="store_redemption_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} for {self.creator} ({self.get_state_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("store:redemption", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.state == RedemptionState.PENDING

    @property
    def cash_display(self) -> str:
        """What a cash redemption pays, as it was when redeemed, e.g. "25.00 GBP"."""
        return format_minor(self.cash_amount_minor or 0, self.cash_currency)


class RedemptionEvent(models.Model):
    """One step of a redemption's history, as the creator reads it."""

    redemption = models.ForeignKey(Redemption, on_delete=models.CASCADE, related_name="events")
    state = models.CharField(max_length=10, choices=RedemptionState.choices)
    note = models.CharField(max_length=300, blank=True)
    by_staff = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_state_display()} at {self.at:%Y-%m-%d %H:%M}"


class Entitlement(models.Model):
    """A creation tool a creator unlocked, from `starts_at` until `ends_at`."""

    creator = models.ForeignKey(
        CreatorProfile, on_delete=models.PROTECT, related_name="entitlements"
    )
    item = models.ForeignKey(StoreItem, on_delete=models.PROTECT, related_name="+")
    redemption = models.OneToOneField(
        Redemption, on_delete=models.PROTECT, related_name="entitlement"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["-ends_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="store_entitlement_period"
            )
        ]
        indexes = [models.Index(fields=["creator", "ends_at"], name="store_entitlement_mine")]

    def __str__(self) -> str:
        return f"{self.item} for {self.creator} until {self.ends_at:%Y-%m-%d}"

    def is_active_at(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at
