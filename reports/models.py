"""What the staff reports precompute at night, so a report over 100,000 creators and a year of
activity aggregates a few hundred thousand small rows instead of the raw daily data.

Both tables are derived: `reports.impact.refresh` rebuilds them from the activity, the
Marketplace's invitations and the loyalty ledger, and nothing else writes them.
"""

from datetime import date

from django.db import models

from accounts.models import CreatorProfile


def month_of_index(index: int) -> date:
    """The first day of the month numbered `index` (year × 12 + month − 1)."""
    return date(index // 12, index % 12 + 1, 1)


def month_index(day: date) -> int:
    """The number of `day`'s month: year × 12 + month − 1, so months subtract like integers
    in SQL on PostgreSQL and SQLite alike."""
    return day.year * 12 + day.month - 1


class CreatorMonth(models.Model):
    """One creator's activity in one calendar month of rewards days (REWARDS_DAY_TZ), for the
    months that have ended. Counts are the platform's, less what it marked as bot accounts."""

    # Found through the (creator, month) constraint's index; no second index to write.
    creator = models.ForeignKey(
        CreatorProfile, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month_index = models.IntegerField(help_text="Year × 12 + month − 1.")
    days_reported = models.PositiveSmallIntegerField(
        default=0, help_text="Days of the month the platform reported the creator's followers."
    )
    posts = models.PositiveIntegerField(default=0, help_text="Videos published in the month.")
    views = models.PositiveBigIntegerField(default=0)
    likes = models.PositiveBigIntegerField(default=0)
    comments = models.PositiveBigIntegerField(default=0)
    shares = models.PositiveBigIntegerField(default=0)
    # On the first and last day of the month the platform reported (None: no day reported).
    followers_first = models.PositiveBigIntegerField(null=True, blank=True)
    followers_last = models.PositiveBigIntegerField(null=True, blank=True)
    partnership_requests = models.PositiveIntegerField(
        default=0, help_text="Invitations from brands received in the month."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "month_index"], name="reports_creatormonth_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.creator_id} in {self.month:%B %Y}"

    @property
    def month(self) -> date:
        return month_of_index(self.month_index)


class EnrolledCreator(models.Model):
    """A creator enrolled in the loyalty program, with what the impact report filters on:
    their enrolment (cohort) month, tier and followers when they enrolled."""

    creator = models.OneToOneField(
        CreatorProfile, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    enrolled_on = models.DateField(help_text="From the launch date for earlier creators.")
    month_index = models.IntegerField(help_text="The enrolment month: year × 12 + month − 1.")
    tier = models.ForeignKey(
        "rewards.Tier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # At the end of the month before enrolment (the current count where that month is
    # unknown): a creator's follower band is where they started, not where the program took
    # them.
    followers = models.PositiveBigIntegerField(default=0)
    # Whole months of history right before and right after the enrolment month (each with
    # at least MIN_DAYS_REPORTED days reported), up to MAX_WINDOW: counted for a window of
    # n months when both are at least n.
    months_before = models.PositiveSmallIntegerField(default=0)
    months_after = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month_index"], name="reports_enrolled_month")]

    def __str__(self) -> str:
        return f"{self.creator_id} enrolled on {self.enrolled_on}"


class ImpactGroup(models.Model):
    """For one window length, the enrolled creators of one cohort month, tier and follower
    band: how many are counted and how many are left out, by reason. With ImpactCell, what
    the report sums: a few thousand rows whatever the number of creators."""

    window_months = models.PositiveSmallIntegerField()
    cohort = models.IntegerField(help_text="Enrolment month: year × 12 + month − 1.")
    tier_id = models.IntegerField(null=True, blank=True)  # rebuilt nightly; no key to keep
    band = models.PositiveSmallIntegerField(help_text="Index into FOLLOWER_BANDS.")
    last_month = models.IntegerField(help_text="The last complete month when computed.")
    enrolled = models.PositiveIntegerField(default=0)
    too_recent = models.PositiveIntegerField(default=0)
    short_before = models.PositiveIntegerField(default=0)
    short_after = models.PositiveIntegerField(default=0)
    counted = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["window_months", "cohort"], name="reports_impactgroup_window")
        ]

    def __str__(self) -> str:
        return (
            f"{self.window_months} months, cohort {self.cohort}: {self.counted} of {self.enrolled}"
        )


class ImpactCell(models.Model):
    """For one window length, the creators counted of one cohort month, tier and follower
    band, in one month relative to their enrolment (`rel`, −window … +window, never 0): the
    sums of their creator-months."""

    window_months = models.PositiveSmallIntegerField()
    cohort = models.IntegerField()
    tier_id = models.IntegerField(null=True, blank=True)
    band = models.PositiveSmallIntegerField()
    rel = models.SmallIntegerField()
    creator_months = models.PositiveIntegerField(default=0)
    posts = models.PositiveBigIntegerField(default=0)
    followers_first = models.PositiveBigIntegerField(default=0)
    followers_last = models.PositiveBigIntegerField(default=0)
    partnership_requests = models.PositiveBigIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0, help_text="Creator-months with views.")
    # A sum of engagement rates, a statistic for an average: a float is the right type here.
    rate_sum = models.FloatField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["window_months", "cohort"], name="reports_impactcell_window")
        ]

    def __str__(self) -> str:
        return f"{self.window_months} months, cohort {self.cohort}, month {self.rel:+d}"
