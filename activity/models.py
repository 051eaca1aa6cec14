"""The platform's data about creators, as pushed by its integrations.

Every record carries the platform's stable id (`record_id`), so delivering it again
updates the row in place instead of adding a second one.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import CreatorProfile


class Integration(models.Model):
    """A platform system allowed to push activity; only a hash of its token is kept."""

    name = models.CharField(max_length=80, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(max_length=8, editable=False, help_text="Tells tokens apart.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def issue_token(self) -> str:
        """Set a new random token and return it; it is shown once and never stored."""
        token = secrets.token_urlsafe(32)
        self.token_hash = self.hash_token(token)
        self.token_prefix = token[:8]
        return token


def _record_id_unique(model_name: str) -> models.UniqueConstraint:
    """One row per platform id: what ingestion's upserts conflict on. A constraint rather than
    unique=True, which on PostgreSQL also builds a pattern-matching index nothing uses and
    every insert would write."""
    return models.UniqueConstraint(fields=["record_id"], name=f"activity_{model_name}_record_id")


class Video(models.Model):
    record_id = models.CharField("platform id", max_length=64)
    creator = models.ForeignKey(CreatorProfile, on_delete=models.PROTECT, related_name="videos")
    title = models.CharField(max_length=200)
    published_at = models.DateTimeField(db_index=True)
    duration_s = models.PositiveIntegerField("duration (seconds)")
    is_original = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at"]
        constraints = [_record_id_unique("video")]
        indexes = [models.Index(fields=["creator", "published_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def can_earn_qualified_views(self) -> bool:
        return self.is_original and self.duration_s >= settings.QUALIFIED_VIEW_MIN_DURATION_S


class VideoDay(models.Model):
    """One video's numbers for one day. `creator` is copied from the video for set-based sums."""

    COUNTS = (
        "views",
        "views_5s",
        "likes",
        "comments",
        "shares",
        "watch_time_s",
        "bot_views",
        "bot_likes",
    )

    record_id = models.CharField(max_length=64)
    # Found by video through the (video, day) constraint's index; no second index to write.
    video = models.ForeignKey(Video, on_delete=models.PROTECT, related_name="days", db_index=False)
    # Indexed with the day below: one creator's recent days (dashboards, eligibility).
    creator = models.ForeignKey(
        CreatorProfile, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    day = models.DateField()
    views = models.PositiveBigIntegerField(default=0)
    views_5s = models.PositiveBigIntegerField("views watched at least 5 s", default=0)
    likes = models.PositiveBigIntegerField(default=0)
    comments = models.PositiveBigIntegerField(default=0)
    shares = models.PositiveBigIntegerField(default=0)
    watch_time_s = models.PositiveBigIntegerField("watch time (seconds)", default=0)
    bot_views = models.PositiveBigIntegerField("views from bot accounts", default=0)
    bot_likes = models.PositiveBigIntegerField("likes from bot accounts", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            _record_id_unique("videoday"),
            models.UniqueConstraint(fields=["video", "day"], name="activity_videoday_once_a_day"),
            models.CheckConstraint(
                condition=Q(views_5s__lte=F("views")) & Q(bot_views__lte=F("views")),
                name="activity_videoday_views_consistent",
            ),
            models.CheckConstraint(
                condition=Q(bot_likes__lte=F("likes")), name="activity_videoday_likes_consistent"
            ),
        ]
        indexes = [
            models.Index(fields=["day", "creator"], name="activity_videoday_day_creator"),
            models.Index(fields=["creator", "day"], name="activity_videoday_creator_day"),
        ]

    def __str__(self) -> str:
        return f"{self.video_id} on {self.day}"


class CreatorDay(models.Model):
    record_id = models.CharField(max_length=64)
    creator = models.ForeignKey(CreatorProfile, on_delete=models.PROTECT, related_name="days")
    day = models.DateField()
    followers = models.PositiveBigIntegerField(default=0)
    replies = models.PositiveIntegerField("comment replies to followers", default=0)
    live_minutes = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            _record_id_unique("creatorday"),
            models.UniqueConstraint(fields=["creator", "day"], name="activity_creatorday_once"),
        ]
        indexes = [models.Index(fields=["day", "creator"], name="activity_creatorday_day")]

    def __str__(self) -> str:
        return f"{self.creator_id} on {self.day}"


class LiveSession(models.Model):
    record_id = models.CharField(max_length=64)
    creator = models.ForeignKey(CreatorProfile, on_delete=models.PROTECT, related_name="lives")
    started_at = models.DateTimeField()
    minutes = models.PositiveIntegerField()
    peak_viewers = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [_record_id_unique("livesession")]

    def __str__(self) -> str:
        return f"Live by {self.creator_id} at {self.started_at:%Y-%m-%d %H:%M}"


class AudienceDimension(models.TextChoices):
    """The three ways the platform splits a creator's audience; each is a column of
    `AudienceDay`."""

    COUNTRY = "country", "Country"
    AGE_BAND = "age_band", "Age band"
    GENDER = "gender", "Gender"


class AgeBand(models.TextChoices):
    AGE_13_17 = "13-17", "13–17"
    AGE_18_24 = "18-24", "18–24"
    AGE_25_34 = "25-34", "25–34"
    AGE_35_44 = "35-44", "35–44"
    AGE_45_54 = "45-54", "45–54"
    AGE_55_PLUS = "55+", "55 and over"


class AudienceGender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other or unknown"


# The country key for everyone outside the countries listed, and for viewers of unknown country.
OTHER_COUNTRIES = "other"


class AudienceDay(models.Model):
    """Who watched a creator on one day, split three ways. Each split maps its keys (ISO 3166-1
    alpha-2 country codes or "other", age bands, genders) to shares in basis points (10,000 is
    100 %), which ingestion has checked add up to 100 % within one point either way.

    One row per creator and day, the splits as JSON: a day is read whole (the creator's listing,
    the Marketplace's nightly copy into its own features table), never filtered on in place."""

    # Dimension to the column holding its split.
    SPLITS = {
        AudienceDimension.COUNTRY: "countries",
        AudienceDimension.AGE_BAND: "age_bands",
        AudienceDimension.GENDER: "genders",
    }

    record_id = models.CharField(max_length=64)
    # Found through the (creator, day) constraint's index, which also finds the latest day.
    creator = models.ForeignKey(
        CreatorProfile, on_delete=models.PROTECT, related_name="audience_days", db_index=False
    )
    day = models.DateField()
    countries = models.JSONField(help_text="Country code (or “other”) to basis points.")
    age_bands = models.JSONField(help_text="Age band to basis points.")
    genders = models.JSONField(help_text="Gender to basis points.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            _record_id_unique("audienceday"),
            models.UniqueConstraint(fields=["creator", "day"], name="activity_audienceday_once"),
        ]
        # What retention removes, oldest first (activity.retention).
        indexes = [models.Index(fields=["day"], name="activity_audienceday_day")]

    def __str__(self) -> str:
        return f"Audience of {self.creator_id} on {self.day}"

    def shares(self) -> dict[str, list[tuple[str, int]]]:
        """Each dimension's (key, basis points), the largest share first (ties by key)."""
        return {
            dimension.value: sorted(
                getattr(self, column).items(), key=lambda share: (-share[1], share[0])
            )
            for dimension, column in self.SPLITS.items()
        }


class FlagReason(models.TextChoices):
    VIEW_SPIKE = "view_spike", "Views far above the creator's usual level, without matching likes"
    LIKE_RATIO = "like_ratio", "Implausible likes per view"
    COMMENT_RATIO = "comment_ratio", "Implausible comments per view"
    BOT_MARKED = "bot_marked", "Engagement the platform marked as coming from bot accounts"


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open: excluded until reviewed"
    CONFIRMED = "confirmed", "Confirmed: excluded"
    DISMISSED = "dismissed", "Dismissed: counted again"


class EngagementFlag(models.Model):
    """A video-day whose engagement looks implausible. Excluded amounts count for nothing
    while the flag is open or confirmed; dismissing it pays them back at the next recalculation."""

    video_day = models.ForeignKey(VideoDay, on_delete=models.CASCADE, related_name="flags")
    creator = models.ForeignKey(CreatorProfile, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    reason = models.CharField(max_length=20, choices=FlagReason.choices)
    detail = models.CharField(max_length=300, help_text="What the check saw, in words.")
    excluded_views = models.PositiveBigIntegerField(default=0)
    excluded_likes = models.PositiveBigIntegerField(default=0)
    excluded_comments = models.PositiveBigIntegerField(default=0)
    excluded_shares = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-day", "creator"]
        constraints = [
            models.UniqueConstraint(fields=["video_day", "reason"], name="activity_flag_once"),
        ]
        indexes = [models.Index(fields=["day", "creator"], name="activity_flag_day_creator")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.day})"

    @property
    def excludes(self) -> bool:
        return self.status != FlagStatus.DISMISSED


class AppealStatus(models.TextChoices):
    OPEN = "open", "Waiting for an answer"
    ANSWERED = "answered", "Answered"


class FlagAppeal(models.Model):
    """A creator's case against a flag, and staff's answer. A flag has at most one appeal
    waiting at a time (a constraint, so two quick submissions cannot both land); once
    answered, the creator may appeal again while the flag still holds something back.

    The message is plain text as the creator wrote it (activity.services cleans it); pages
    escape it like any text."""

    MESSAGE_MAX = 1000

    flag = models.ForeignKey(EngagementFlag, on_delete=models.CASCADE, related_name="appeals")
    message = models.TextField(max_length=MESSAGE_MAX)
    status = models.CharField(
        max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The flag's status staff chose in answering (confirmed or dismissed).
    verdict = models.CharField(max_length=10, choices=FlagStatus.choices, blank=True)
    answer = models.CharField(max_length=300, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["flag"],
                condition=Q(status="open"),
                name="activity_one_open_appeal_a_flag",
            ),
            models.CheckConstraint(
                condition=Q(status="open", answered_at__isnull=True, verdict="")
                | (Q(status="answered", answered_at__isnull=False) & ~Q(verdict="")),
                name="activity_appeal_answered_consistently",
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal of {self.flag} ({self.get_status_display().lower()})"

    @property
    def is_open(self) -> bool:
        return self.status == AppealStatus.OPEN
