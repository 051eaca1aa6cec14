"""The nightly recalculation's records: runs, their shards and the differences they found,
the safety valve's limits, and the course completions it counts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import CreatorProfile

from .rules import EarningRule, Metric


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
    # Started by the nightly job (or by a run it started), which goes on through the later
    # days of the month to yesterday, one after the other (each carries into the next).
    nightly = models.BooleanField(default=False, db_default=False)
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
    # What earlier days of the month carried into the amount (DayTally.carried_in).
    carried_in = models.BigIntegerField(default=0, db_default=0)
    due = models.BigIntegerField()
    posted = models.BigIntegerField()
    delta = models.BigIntegerField()
    # A negative difference the balance cannot cover yet (points already spent): not posted.
    deferred = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["run", "creator"], name="rewards_line_run_creator")]

    def __str__(self) -> str:
        return f"{self.metric}: {self.posted:,} → {self.due:,}"


class DayTally(models.Model):
    """What one creator's metric counted on one day, with the part of a unit that earlier
    days of the month carried into it and the part this day carries on to the next.

    Points are paid for whole units of (carried_in + measured); what is left over,
    carried_out, is added to the next day's amount, until the month ends (remainders start
    from zero on the 1st). The nightly recalculation writes a shard's rows as it plans the
    day, in the same transaction, and plans the day's points from them; the next day reads
    carried_out. The remainder is in the metric's own units (views), so a rule's new version
    simply divides it by its own unit size. Like the recalculation's lines, the rows are
    derived and carry no foreign-key constraints (one trigger call per row at commit)."""

    pk = models.CompositePrimaryKey("day", "creator", "metric")
    day = models.DateField()
    creator = models.ForeignKey(
        CreatorProfile,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    metric = models.CharField(max_length=20, choices=Metric.choices)
    # The rule version in force that day; None when the metric earned nothing then.
    rule = models.ForeignKey(
        EarningRule,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    measured = models.BigIntegerField(default=0)
    carried_in = models.BigIntegerField(default=0)
    carried_out = models.BigIntegerField(default=0)
    # What the rule gives for carried_in + measured, after the day's taper and cap: the
    # points the day is due for the metric.
    points = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "day's tally"
        verbose_name_plural = "days' tallies"

    def __str__(self) -> str:
        return (
            f"{self.day} {self.metric}: {self.carried_in:,} carried in + {self.measured:,} "
            f"→ {self.carried_out:,} carried out"
        )


class CarryStart(models.Model):
    """The first rewards day whose remainders carry over (one row, written by migration
    0014): on an installation that paid days before carrying existed, the day after the last
    one paid, so recalculating an old day later (late data) never pays it, or everyone else
    that day, by arithmetic it was not paid with. No row: carrying from the beginning."""

    day = models.DateField()

    class Meta:
        verbose_name = "start of carried remainders"

    def __str__(self) -> str:
        return f"Remainders carry over from {self.day}"


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
