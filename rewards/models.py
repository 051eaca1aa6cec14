from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import CreatorProfile
from activity.models import rewards_today


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
        return self.valid_from <= rewards_day_today()


class PointsAccount(models.Model):
    """A creator's points. `balance` always equals the sum of the entries (check_ledger)."""

    # The creator's id is the account's: ledger queries for a shard of creators then read
    # one index range (activity_date, account_id) with no join.
    creator = models.OneToOneField(
        CreatorProfile, on_delete=models.PROTECT, related_name="points_account", primary_key=True
    )
    balance = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="rewards_balance_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.creator}: {self.balance:,} points"


class EntryKind(models.TextChoices):
    EARNED = "earned", "Earned"
    CORRECTION = "correction", "Correction"
    REDEEMED = "redeemed", "Redeemed"
    REFUNDED = "refunded", "Refunded"
    EXPIRED = "expired", "Expired"
    ADJUSTED = "adjusted", "Adjusted by staff"


EARNING_KINDS = (EntryKind.EARNED, EntryKind.CORRECTION)


class PointsEntry(models.Model):
    """One movement of points. Append-only: never updated or deleted (a PostgreSQL trigger
    refuses both); a mistake is mended by a reversing entry."""

    # Indexed through the composite indexes below; a third single-column index would only
    # slow the nightly bulk insert.
    account = models.ForeignKey(
        PointsAccount, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    amount = models.BigIntegerField()
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    metric = models.CharField(max_length=20, choices=Metric.choices, blank=True)
    rule = models.ForeignKey(
        EarningRule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
    )
    activity_date = models.DateField(null=True, blank=True)
    # The amount the rule counted (e.g. qualified views) when this entry was posted.
    measured = models.BigIntegerField(null=True, blank=True)
    # Unique index only: migration 0008 drops the LIKE-prefix index Django adds on PostgreSQL
    # (nothing searches by prefix); an AlterField that rebuilds its indexes may bring it back.
    idempotency_key = models.CharField(max_length=120, unique=True)
    memo = models.CharField(max_length=300, blank=True)
    run = models.ForeignKey(
        "RecalcRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "points entries"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="rewards_entry_not_zero"),
        ]
        indexes = [
            # One creator's history (dashboards, drill-down).
            models.Index(fields=["account", "activity_date"], name="rewards_entry_account_day"),
            # One day for a range of creators (the recalculation's shards).
            models.Index(
                fields=["activity_date", "account", "metric"], name="rewards_entry_day_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+,} {self.get_kind_display().lower()}"


class CourseCompletion(models.Model):
    """A finished Academy course, reported through rewards.services.record_course_completion."""

    creator = models.ForeignKey(CreatorProfile, on_delete=models.PROTECT, related_name="+")
    course_key = models.CharField(max_length=80)
    title = models.CharField(max_length=200)
    completed_on = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["creator", "course_key"], name="rewards_course_once"),
        ]
        indexes = [models.Index(fields=["completed_on", "creator"], name="rewards_course_day")]

    def __str__(self) -> str:
        return f"{self.title} ({self.completed_on})"


class RecalcState(models.TextChoices):
    PLANNING = "planning", "Planning"
    HELD = "held", "Held for approval"
    POSTING = "posting", "Posting"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    SUPERSEDED = "superseded", "Superseded"


ACTIVE_STATES = (RecalcState.PLANNING, RecalcState.POSTING)


class RecalcRun(models.Model):
    """One recalculation of one rewards day, split into shards of creators."""

    day = models.DateField()
    state = models.CharField(
        max_length=12, choices=RecalcState.choices, default=RecalcState.PLANNING
    )
    shard_count = models.PositiveIntegerField(default=0)
    shards_planned = models.PositiveIntegerField(default=0)
    shards_posted = models.PositiveIntegerField(default=0)
    entries_posted = models.PositiveIntegerField(default=0)
    points_delta = models.BigIntegerField(default=0, help_text="Net points the run posts.")
    day_total_due = models.BigIntegerField(default=0)
    previous_day_total = models.BigIntegerField(default=0)
    max_creator_change = models.BigIntegerField(default=0)
    held_reason = models.CharField(max_length=300, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The held run whose figures staff approved; this run may move no more than that one.
    approves = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="approved_as"
    )
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        permissions = [("approve_recalcrun", "Can approve a held recalculation")]
        constraints = [
            # Only one run for a day at a time, whichever machine starts it.
            models.UniqueConstraint(
                fields=["day"],
                condition=Q(state__in=["planning", "posting"]),
                name="rewards_one_active_run_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"Recalculation of {self.day} ({self.get_state_display().lower()})"


class RecalcShard(models.Model):
    run = models.ForeignKey(RecalcRun, on_delete=models.CASCADE, related_name="shards")
    index = models.PositiveIntegerField()
    first_creator_id = models.BigIntegerField()
    last_creator_id = models.BigIntegerField()
    planned_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    due_total = models.BigIntegerField(default=0)
    max_creator_change = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["run", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="rewards_shard_once"),
        ]

    def __str__(self) -> str:
        return f"Shard {self.index} (creators {self.first_creator_id}–{self.last_creator_id})"


class RecalcLine(models.Model):
    """A difference the run found: what a (creator, day, metric) is due against what is posted.

    A run writes one line per difference, half a million on a large night, so the lines carry
    no database constraints: a foreign key is one trigger call per row at commit, which cost
    the run as much as writing the lines. Lines are derived, never the record (the entries
    are), and the ORM still cascades and protects as declared. The run's lines are found
    through the (run, creator) index."""

    run = models.ForeignKey(
        RecalcRun,
        on_delete=models.CASCADE,
        related_name="lines",
        db_index=False,
        db_constraint=False,
    )
    creator = models.ForeignKey(
        CreatorProfile,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    metric = models.CharField(max_length=20, choices=Metric.choices)
    rule = models.ForeignKey(
        EarningRule,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    measured = models.BigIntegerField(default=0)
    due = models.BigIntegerField()
    posted = models.BigIntegerField()
    delta = models.BigIntegerField()
    # A negative difference the balance cannot cover yet (points already spent): not posted.
    deferred = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["run", "creator"], name="rewards_line_run_creator")]

    def __str__(self) -> str:
        return f"{self.metric}: {self.posted:,} → {self.due:,}"


class RecalcLimits(models.Model):
    """Staff-set limits of the safety valve: a run that moves points more than this compared
    with the previous day is held, fully computed, until staff approve it."""

    max_creator_change = models.PositiveIntegerField(
        default=5_000, help_text="Points one creator's day may differ from their previous day."
    )
    max_total_change_percent = models.PositiveIntegerField(
        default=50, help_text="How far the day's total may differ from the previous day's."
    )
    min_total_for_percent = models.PositiveIntegerField(
        default=10_000,
        help_text="Below this many points a day, the percentage limit is not applied.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "recalculation limits"

    def __str__(self) -> str:
        return "Recalculation limits"

    @classmethod
    def current(cls) -> "RecalcLimits":
        return cls.objects.order_by("pk").first() or cls()

    def holds(self, *, total_due: int, previous_total: int, max_creator_change: int) -> str:
        """Why a run with these figures must wait for approval, or "" when it may post."""
        if max_creator_change > self.max_creator_change:
            return (
                f"one creator's points would change by {max_creator_change:,} from the previous "
                f"day (limit {self.max_creator_change:,})"
            )
        if max(total_due, previous_total) >= self.min_total_for_percent and previous_total:
            change = abs(total_due - previous_total) * 100 / previous_total
            if change > self.max_total_change_percent:
                return (
                    f"the day's total would be {total_due:,} points against {previous_total:,} "
                    f"the day before ({change:.0f}% change, limit {self.max_total_change_percent}%)"
                )
        return ""


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


def rewards_day_today() -> date:
    """Today's date in REWARDS_DAY_TZ, the calendar that rewards days follow."""
    return rewards_today()
