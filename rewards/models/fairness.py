"""The fairness measure's monthly sums: what the staff report reads for periods of whole
months, computed nightly (rewards.fairness.refresh_months) because summing a month of every
creator's tallies and ledger entries is seconds of work over 100,000 creators."""

from django.db import models

from accounts.models import CreatorProfile


class FairnessMonth(models.Model):
    """One calendar month of rewards days as the nightly refresh last summed it. The month's
    sums are stale once a recalculation run for one of its days finishes after
    `computed_at` (only runs post earned points and write tallies)."""

    month = models.DateField(unique=True, help_text="The month's first day.")
    days_tallied = models.PositiveSmallIntegerField(
        default=0, help_text="Days of the month the recalculation had tallied."
    )
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.month:%B %Y}"


class CreatorFairnessMonth(models.Model):
    """One creator's month in the fairness measure (rewards.fairness.per_creator's sums over
    the month's tallied days), for every creator with a tally in it. Followers and tier are
    not kept: the report reads today's, as it does for a live period."""

    # Found through the (month, creator) constraint's index; no second index to write.
    month = models.ForeignKey(FairnessMonth, on_delete=models.CASCADE, related_name="+")
    creator = models.ForeignKey(
        CreatorProfile,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    points = models.BigIntegerField(default=0)
    engagement_points = models.BigIntegerField(default=0)
    linear_points = models.FloatField(default=0)
    linear_engagement_points = models.FloatField(default=0)
    qualified_views = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "creator"], name="rewards_fairness_month_once")
        ]

    def __str__(self) -> str:
        return f"{self.creator_id} in {self.month_id}"
