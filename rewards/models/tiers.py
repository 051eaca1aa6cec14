"""Loyalty tiers and each creator's place in them."""

from datetime import date

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import CreatorProfile


class Tier(models.Model):
    """A loyalty tier, reached by points *earned* over the rolling 90 days (not the balance,
    so spending never costs a creator their tier). Staff edit thresholds and perks."""

    name = models.CharField(max_length=40, unique=True)
    min_points_90d = models.PositiveIntegerField(
        unique=True, help_text="Points earned over the last 90 days needed to reach this tier."
    )
    perks = models.TextField(blank=True, help_text="One perk per line, as creators will read it.")
    store_discount_percent = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(90)],
        help_text="Discount on store prices for creators in this tier.",
    )

    class Meta:
        ordering = ["min_points_90d"]
        constraints = [
            models.CheckConstraint(
                condition=Q(store_discount_percent__lte=90), name="rewards_tier_discount_at_most_90"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def perk_list(self) -> list[str]:
        return [line.strip() for line in self.perks.splitlines() if line.strip()]


class CreatorTier(models.Model):
    """A creator's tier as the nightly job last computed it, and the floor staff may set."""

    creator = models.OneToOneField(
        CreatorProfile, on_delete=models.CASCADE, related_name="tier_status", primary_key=True
    )
    tier = models.ForeignKey(Tier, null=True, on_delete=models.PROTECT, related_name="+")
    earned_90d = models.BigIntegerField(default=0)
    computed_on = models.DateField(null=True)
    changed_on = models.DateField(null=True, help_text="When the tier last changed.")
    floor_tier = models.ForeignKey(
        Tier,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Set by staff: the creator is at least in this tier until the end date.",
    )
    floor_until = models.DateField(null=True, blank=True)
    floor_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "creator tier"
        constraints = [
            models.CheckConstraint(
                condition=Q(floor_tier__isnull=True) | Q(floor_until__isnull=False),
                name="rewards_tier_floor_has_end",
            )
        ]

    def __str__(self) -> str:
        return f"{self.creator}: {self.tier or 'no tier'}"

    def floor_applies_on(self, day: date) -> bool:
        return (
            self.floor_tier_id is not None
            and self.floor_until is not None
            and day <= self.floor_until
        )
