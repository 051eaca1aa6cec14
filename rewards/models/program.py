"""The Creator Rewards Program: staff-set rates in dated versions, who joined when, and the
monthly statements with one line per video and every factor of its amount (rewards/program.py
computes them; payments credits them)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_countries.fields import CountryField

from accounts.models import CreatorProfile
from activity.models import Video
from core.clock import rewards_today


class ProgramRates(models.Model):
    """One version of the program's rates, in force from `valid_from` (the first day of a month)
    until the next version. A month is paid with the version in force on its first day."""

    valid_from = models.DateField(help_text="The first day of the first month it pays.")
    currency = models.CharField(max_length=3, default="USD")
    default_rate_minor = models.PositiveIntegerField(
        "default rate",
        validators=[MaxValueValidator(100_000)],
        help_text="Minor units (cents) per 1,000 qualified views, for countries not listed.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = "program rates"
        verbose_name_plural = "program rates"
        constraints = [
            models.UniqueConstraint(fields=["valid_from"], name="rewards_program_rates_version"),
        ]

    def __str__(self) -> str:
        return f"Program rates from {self.valid_from}"

    @property
    def is_history(self) -> bool:
        """A version in force may have paid a month; changing it would rewrite history."""
        return self.valid_from <= rewards_today()


class CountryRate(models.Model):
    rates = models.ForeignKey(ProgramRates, on_delete=models.CASCADE, related_name="countries")
    country = CountryField()
    rate_minor = models.PositiveIntegerField(
        "rate",
        validators=[MaxValueValidator(100_000)],
        help_text="Minor units per 1,000 qualified views.",
    )

    class Meta:
        ordering = ["country"]
        constraints = [
            models.UniqueConstraint(fields=["rates", "country"], name="rewards_program_country"),
        ]

    def __str__(self) -> str:
        return f"{self.country.code}: {self.rate_minor}"


class Measure(models.TextChoices):
    ENGAGEMENT = "engagement", "Engagement rate (%)"
    WATCH = "watch", "Average watch time (s)"


class MultiplierBand(models.Model):
    """From `at_least` up, amounts are multiplied by `factor`; the highest band a video reaches
    in each measure applies, and none reached means ×1."""

    rates = models.ForeignKey(ProgramRates, on_delete=models.CASCADE, related_name="bands")
    measure = models.CharField(max_length=12, choices=Measure.choices)
    at_least = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Percent for engagement, seconds for watch time.",
    )
    factor = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(5))],
    )

    class Meta:
        ordering = ["measure", "at_least"]
        constraints = [
            models.UniqueConstraint(
                fields=["rates", "measure", "at_least"], name="rewards_program_band"
            ),
            models.CheckConstraint(condition=Q(factor__gt=0), name="rewards_program_band_factor"),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} ≥ {self.at_least}: ×{self.factor}"


class ProgramMember(models.Model):
    """When a creator joined the program: the first day of the first month at whose end they
    were eligible (the portal has no enrolment step). Videos published before it do not earn."""

    creator = models.OneToOneField(
        CreatorProfile, on_delete=models.PROTECT, related_name="program_member"
    )
    joined_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.creator} since {self.joined_on}"


class ProgramStatement(models.Model):
    """One creator's program statement for a month: that month's video lines and the
    corrections to earlier months posted with it. Closed once credited to earnings; what changes
    after goes into a later statement as a correction."""

    creator = models.ForeignKey(
        CreatorProfile, on_delete=models.PROTECT, related_name="program_statements"
    )
    month = models.DateField(help_text="The first day of the month.")
    currency = models.CharField(max_length=3)
    total_minor = models.BigIntegerField(default=0)
    credited_minor = models.BigIntegerField(default=0)
    earnings_entry_id = models.BigIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["creator", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["creator", "month"], name="rewards_statement_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="rewards_statement_month"),
        ]

    def __str__(self) -> str:
        return f"{self.creator} {self.month:%Y-%m}"

    @property
    def document(self) -> str:
        return f"rewards.programstatement:{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class LineKind(models.TextChoices):
    MONTH = "month", "Month"
    CORRECTION = "correction", "Correction"
    CARRIED = "carried", "Carried"


class ProgramLine(models.Model):
    """What one video earned in one month, with every factor; or (a correction) how much that
    changed after the month was paid; or (carried, no video) what an earlier statement's
    corrections took back beyond what it earned."""

    statement = models.ForeignKey(ProgramStatement, on_delete=models.PROTECT, related_name="lines")
    creator = models.ForeignKey(CreatorProfile, on_delete=models.PROTECT, related_name="+")
    video = models.ForeignKey(
        Video, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    activity_month = models.DateField(help_text="The month the views were watched in.")
    kind = models.CharField(max_length=10, choices=LineKind.choices, default=LineKind.MONTH)
    reason = models.CharField(max_length=300, blank=True)
    views = models.BigIntegerField(default=0)
    qualified_views = models.BigIntegerField(default=0)
    engagements = models.BigIntegerField(default=0)
    watch_time_s = models.BigIntegerField(default=0)
    rates = models.ForeignKey(ProgramRates, on_delete=models.PROTECT, related_name="+")
    country = models.CharField(max_length=2)
    base_rate_minor = models.PositiveIntegerField(default=0)
    engagement_factor = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal(1))
    engagement_band = models.CharField(max_length=120, blank=True)
    watch_factor = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal(1))
    watch_band = models.CharField(max_length=120, blank=True)
    due_minor = models.BigIntegerField(help_text="What the video earns for the month.")
    amount_minor = models.BigIntegerField(help_text="What this line adds to the statement.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["activity_month", "kind", "-amount_minor", "pk"]
        constraints = [
            # Idempotent per creator, video and month: one month line; later changes are
            # corrections.
            models.UniqueConstraint(
                fields=["creator", "video", "activity_month"],
                condition=Q(kind="month"),
                name="rewards_program_line_once",
            ),
            # Every line but a carried amount is about one video.
            models.CheckConstraint(
                condition=Q(kind="carried") | Q(video__isnull=False),
                name="rewards_program_line_video",
            ),
        ]
        indexes = [models.Index(fields=["creator", "activity_month"])]

    def __str__(self) -> str:
        return f"{self.video_id} {self.activity_month:%Y-%m} {self.kind}"

    @property
    def engagement_rate_pct(self) -> Decimal:
        """(likes + comments + shares) / views, in percent."""
        if not self.views:
            return Decimal(0)
        return (Decimal(self.engagements * 100) / self.views).quantize(Decimal("0.01"))

    @property
    def average_watch_s(self) -> Decimal:
        if not self.views:
            return Decimal(0)
        return (Decimal(self.watch_time_s) / self.views).quantize(Decimal("0.1"))

    @property
    def is_correction(self) -> bool:
        return self.kind == LineKind.CORRECTION

    @property
    def is_carried(self) -> bool:
        return self.kind == LineKind.CARRIED


class ProgramRun(models.Model):
    """A month's payment run. Once finished, what a rerun finds changed is a correction."""

    month = models.DateField(unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    statements = models.PositiveIntegerField(default=0)
    corrections = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"Program run {self.month:%Y-%m}"
