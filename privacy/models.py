"""A person's data export, their closed account, and the records kept after it by law.

The privacy app sits above every app whose data it gathers or erases (pyproject's layers):
it reads them through their selectors and changes them through their services.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ExportState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    BUILDING = "building", "Being built"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired and removed"


class DataExport(models.Model):
    """One archive of everything the portal holds about a user, built by a Celery task
    (privacy.build_export), downloadable by its owner until `expires_at`, then removed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    state = models.CharField(max_length=10, choices=ExportState.choices, default=ExportState.QUEUED)
    # Percent done and the part being gathered, shown while it builds.
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=100, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # In the private storage (settings.STORAGES["private"]): never under a public URL.
    archive = models.CharField(max_length=200, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # A second click while one builds does not build twice.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(state__in=["queued", "building"]),
                name="privacy_one_export_building",
            ),
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} of user {self.user_id} ({self.state})"


class ClosedAccount(models.Model):
    """A user who closed their account (or whose account staff closed): their personal data
    is erased or replaced, their ledgers stay whole under the same, now pseudonymous, user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="closure"
    )
    closed_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Staff who closed it; empty when the user closed it themselves.",
    )
    role = models.CharField(max_length=10)
    # What closing did with money and subscriptions, in sentences the user was sent.
    outcome = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-closed_at"]

    def __str__(self) -> str:
        return f"Closed account {self.user_id}"


class RetainedRecord(models.Model):
    """Records of a closed account the law makes the portal keep for a while (payments,
    payouts), with the reason, until `erase_after`, when a nightly task erases their personal
    parts (privacy.erase_retained)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="retained_records"
    )
    kind = models.CharField(max_length=30, help_text="payments, payouts, ...")
    description = models.CharField(max_length=300, help_text="What is kept, in words.")
    reason = models.CharField(max_length=300, help_text="Why it must be kept.")
    erase_after = models.DateField()
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["erase_after", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="privacy_retained_once"),
        ]
        indexes = [
            models.Index(
                fields=["erase_after"],
                condition=Q(erased_at__isnull=True),
                name="privacy_retained_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of user {self.user_id} until {self.erase_after}"
