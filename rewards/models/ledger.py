"""The points ledger: one account per creator and its append-only entries."""

from datetime import date

from django.db import models
from django.db.models import Func, Q
from django.utils import timezone

from accounts.models import CreatorProfile

from .rules import EarningRule, Metric


class CurrentDate(Func):
    """The database's date today (in the session's zone: UTC, as Django sets it). The same
    SQL on PostgreSQL and SQLite, so it can be a column's default."""

    template = "CURRENT_DATE"
    output_field = models.DateField()


class PointsAccount(models.Model):
    """A creator's points. `balance` always equals the sum of the entries (check_ledger).

    Opening the account is the creator's enrolment in the loyalty program (the portal has no
    separate enrolment step): `enrolled_on` keeps that day. Creators who joined before the
    program count from LOYALTY_LAUNCH_DATE, applied where it is read
    (`selectors.loyalty_enrolments`), so the setting can change without a migration."""

    # The creator's id is the account's: ledger queries for a shard of creators then read
    # one index range (activity_date, account_id) with no join.
    creator = models.OneToOneField(
        CreatorProfile, on_delete=models.PROTECT, related_name="points_account", primary_key=True
    )
    balance = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    # The recalculation opens accounts in SQL with their first points (and the benchmarks
    # insert them in bulk) without naming this column: the database's default dates them.
    # `services.account_for` names the rewards day instead.
    enrolled_on = models.DateField(db_default=CurrentDate())

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


class PointsEntryQuerySet(models.QuerySet["PointsEntry"]):
    def for_creator(self, creator: CreatorProfile) -> "PointsEntryQuerySet":
        # The account's key is the creator's: no join.
        return self.filter(account_id=creator.pk)

    def earned(self) -> "PointsEntryQuerySet":
        """Points earned by activity, with the recalculation's corrections to them."""
        return self.filter(kind__in=EARNING_KINDS)

    def between(self, first: date, last: date) -> "PointsEntryQuerySet":
        """Entries for the rewards days from `first` to `last`, both included."""
        return self.filter(activity_date__range=(first, last))


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
    # What earlier days of the month carried into that amount (the part of a unit left over;
    # see DayTally), so the entry explains itself however later days change.
    carried_in = models.BigIntegerField(null=True, blank=True)
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

    objects = PointsEntryQuerySet.as_manager()

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
