from datetime import date, datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import CreatorProfile
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
    # Unique index only: migration 0009 drops the LIKE-prefix index Django adds on PostgreSQL
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


class ItemKind(models.TextChoices):
    TOOL = "tool", "Creation tool"
    PROMOTION = "promotion", "Promotional placement"
    CASH = "cash", "Cash"


class StoreItem(models.Model):
    """Something creators buy with points. What a creator may redeem now, and why not, is
    rewards.store.availability; the price a creator pays after their tier discount is
    rewards.store.price_for."""

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
    # Cash: what the creator is paid, in minor units.
    cash_amount_minor = models.PositiveIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "price_points", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(price_points__gte=1), name="rewards_item_price"),
            models.CheckConstraint(
                condition=Q(limit_period_days__gte=1), name="rewards_item_limit_period"
            ),
            models.CheckConstraint(
                condition=~Q(kind="tool") | Q(entitlement_days__gte=1),
                name="rewards_item_tool_has_duration",
            ),
            models.CheckConstraint(
                condition=~Q(kind="promotion")
                | Q(slot_starts_on__isnull=False, slot_ends_on__gte=F("slot_starts_on")),
                name="rewards_item_promotion_has_slot",
            ),
            models.CheckConstraint(
                condition=~Q(kind="cash") | (Q(cash_amount_minor__gte=1) & ~Q(currency="")),
                name="rewards_item_cash_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True)
                | Q(available_until__isnull=True)
                | Q(available_until__gt=F("available_from")),
                name="rewards_item_window",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "kind"], name="rewards_item_active_kind")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("rewards:store_item", args=[self.slug])

    @property
    def cash_display(self) -> str:
        """The cash amount in major units, e.g. "25.00 GBP" (two-decimal currencies)."""
        major, minor = divmod(self.cash_amount_minor or 0, 100)
        return f"{major:,}.{minor:02d} {self.currency}"

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
    Only rewards.store changes one."""

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
                fields=["creator", "request_key"], name="rewards_redemption_once"
            ),
            models.CheckConstraint(
                condition=Q(points_paid__gte=1) & Q(points_paid__lte=F("list_price")),
                name="rewards_redemption_price",
            ),
            # A refund exists exactly when the redemption is cancelled.
            models.CheckConstraint(
                condition=Q(state="cancelled", refund_entry__isnull=False)
                | (~Q(state="cancelled") & Q(refund_entry__isnull=True)),
                name="rewards_redemption_refund_iff_cancelled",
            ),
            models.CheckConstraint(
                condition=Q(state="pending", decided_at__isnull=True)
                | (~Q(state="pending") & Q(decided_at__isnull=False)),
                name="rewards_redemption_decided",
            ),
        ]
        indexes = [
            models.Index(fields=["creator", "item", "created_at"], name="rewards_redemption_limit"),
            models.Index(
                fields=["created_at"],
                condition=Q(state="pending"),
                name="rewards_redemption_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} for {self.creator} ({self.get_state_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("rewards:redemption", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.state == RedemptionState.PENDING

    @property
    def waits_for_payouts(self) -> bool:
        """Cash is handed to the earnings ledger once the payments app has one; until then a
        cash redemption waits, and the nightly clean-up leaves it alone."""
        return self.is_pending and self.item.kind == ItemKind.CASH


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
                condition=Q(ends_at__gt=F("starts_at")), name="rewards_entitlement_period"
            )
        ]
        indexes = [models.Index(fields=["creator", "ends_at"], name="rewards_entitlement_mine")]

    def __str__(self) -> str:
        return f"{self.item} for {self.creator} until {self.ends_at:%Y-%m-%d}"

    def is_active_at(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at
