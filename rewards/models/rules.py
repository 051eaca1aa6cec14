"""Earning rules: what each metric is worth, in dated versions."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.clock import rewards_today


class Metric(models.TextChoices):
    """What an earning rule counts, for one creator on one day."""

    UPLOADS = "uploads", "Original videos uploaded"
    QUALIFIED_VIEWS = "qualified_views", "Qualified views"
    LIKES = "likes", "Likes received"
    COMMENTS = "comments", "Comments received"
    SHARES = "shares", "Shares received"
    REPLIES = "replies", "Replies to followers"
    LIVE_MINUTES = "live_minutes", "Minutes live"
    STREAK = "streak", "Weekly posting streak"
    COURSES = "courses", "Academy courses finished"


class EarningRule(models.Model):
    """One version of the rule for a metric, in force from `valid_from` until the next version.

    Points for an amount: whole units of `unit_size` times `points_per_unit`; above
    `taper_above` points only `taper_percent` of the excess counts; never more than
    `daily_cap` points a day. rewards/points.py holds the arithmetic, once.
    """

    metric = models.CharField(max_length=20, choices=Metric.choices)
    valid_from = models.DateField(help_text="First rewards day this version applies to.")
    is_active = models.BooleanField(
        default=True, help_text="Off: the metric earns nothing from this date."
    )
    unit_size = models.PositiveIntegerField(default=1, help_text="e.g. 1000 for 'per 1,000 views'")
    points_per_unit = models.PositiveIntegerField(validators=[MaxValueValidator(10_000)])
    daily_cap = models.PositiveIntegerField(
        null=True, blank=True, help_text="Points a day, at most."
    )
    taper_above = models.PositiveIntegerField(
        null=True, blank=True, help_text="Diminishing returns start above this many points a day."
    )
    taper_percent = models.PositiveSmallIntegerField(
        default=100, help_text="Share of the points above the threshold that counts, in percent."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["metric", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "valid_from"], name="rewards_rule_version"),
            models.CheckConstraint(condition=Q(unit_size__gte=1), name="rewards_rule_unit_size"),
            models.CheckConstraint(
                condition=Q(taper_percent__lte=100), name="rewards_rule_taper_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} from {self.valid_from}"

    @property
    def is_history(self) -> bool:
        """A version already in force has paid points; changing it would rewrite history."""
        return self.valid_from <= rewards_today()
