from datetime import date, datetime

from django.apps import apps
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django_countries.fields import CountryField


class Role(models.TextChoices):
    CREATOR = "creator", "Creator"
    FAN = "fan", "Fan"
    BRAND = "brand", "Brand"
    STAFF = "staff", "Staff"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.update(is_staff=True, is_superuser=True, role=Role.STAFF)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with an email address; `role` says which portal they see."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.FAN, db_index=True)
    # A fan's name for creators and other subscribers (creators and brands show their
    # profile's name). db_default: the benchmarks' bulk inserts name no such column.
    name = models.CharField(max_length=60, blank=True, db_default="")

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name the portal shows others: a creator's display name, a brand's company, a
        fan's chosen name or "Fan" and their number. Never the email: fans' names appear to
        creators and in subscriber chats."""
        if self.role == Role.CREATOR and hasattr(self, "creator"):
            return self.creator.display_name
        if self.role == Role.BRAND and hasattr(self, "brand"):
            return self.brand.company_name
        if self.name.strip():
            return self.name.strip()
        if self.role == Role.FAN:
            return f"Fan {self.pk}"
        return self.email

    @property
    def is_creator(self) -> bool:
        return self.role == Role.CREATOR

    @property
    def is_fan(self) -> bool:
        return self.role == Role.FAN

    @property
    def is_brand(self) -> bool:
        return self.role == Role.BRAND


def age_on(born: date, day: date) -> int:
    """Whole years of age on `day` for someone born on `born`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Niche(models.Model):
    """A content category creators pick at signup; brands will filter the Marketplace by it."""

    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Handles that would read as the portal speaking, or clash with its own pages.
RESERVED_HANDLES = frozenset(
    {"admin", "administrator", "staff", "support", "help", "portal", "creator", "official"}
)


def validate_handle_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_HANDLES:
        raise ValidationError("@%(handle)s is reserved; choose another.", params={"handle": value})


validate_handle_format = RegexValidator(
    r"^[A-Za-z0-9_](?:[A-Za-z0-9_.]{1,22}[A-Za-z0-9_])$",
    "Use 3 to 24 letters, digits, underscores or dots, not starting or ending with a dot.",
)


class Standing(models.TextChoices):
    GOOD = "good", "Good standing"
    WARNED = "warned", "Warned"
    SUSPENDED = "suspended", "Suspended"


class CreatorProfileQuerySet(models.QuerySet):
    def with_handle(self, handle: str) -> "CreatorProfileQuerySet":
        """The creator whose @handle is `handle` in any case, through the index on
        lower(handle) (`handle__iexact` compiles to UPPER(…) and scans every creator)."""
        return self.alias(handle_lower=Lower("handle")).filter(handle_lower=handle.lower())


class CreatorProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="creator")
    handle = models.CharField(
        max_length=24,
        unique=True,
        validators=[validate_handle_format, validate_handle_not_reserved],
        help_text="Shown as @handle; unique ignoring case.",
    )
    display_name = models.CharField(max_length=60)
    # db_default: the benchmarks' bulk inserts (COPY, INSERT … SELECT) name no bio.
    bio = models.TextField(
        max_length=500, blank=True, db_default="", help_text="Shown on your public page."
    )
    date_of_birth = models.DateField()
    country = CountryField()
    niches = models.ManyToManyField(Niche, related_name="creators")
    # Kept current by the platform's activity data (the activity app).
    followers = models.PositiveIntegerField(default=0)
    standing = models.CharField(
        max_length=10, choices=Standing.choices, default=Standing.GOOD, db_index=True
    )

    standing_reason = models.CharField(max_length=300, blank=True)
    standing_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CreatorProfileQuerySet.as_manager()

    class Meta:
        ordering = ["handle"]
        constraints = [
            models.UniqueConstraint(Lower("handle"), name="accounts_creator_handle_ci_unique"),
        ]
        indexes = [models.Index(fields=["-followers"], name="accounts_creator_followers")]

    def __str__(self) -> str:
        return f"@{self.handle}"

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)

    def followers_short_of(self, threshold: int) -> int:
        """Followers still needed to have *more than* `threshold` (how the programs put it)."""
        return max(0, threshold + 1 - self.followers)

    @property
    def is_in_good_standing(self) -> bool:
        return self.standing == Standing.GOOD

    @property
    def standing_tone(self) -> str:
        """The badge colour pages use for this standing."""
        return {Standing.GOOD: "good", Standing.WARNED: "warn"}.get(self.standing, "bad")


class Industry(models.TextChoices):
    BEAUTY = "beauty", "Beauty & personal care"
    FASHION = "fashion", "Fashion & apparel"
    FOOD = "food", "Food & drink"
    GAMING = "gaming", "Games & apps"
    TECH = "tech", "Technology & electronics"
    TRAVEL = "travel", "Travel & hospitality"
    FINANCE = "finance", "Financial services"
    HEALTH = "health", "Health & fitness"
    HOME = "home", "Home & living"
    ENTERTAINMENT = "entertainment", "Media & entertainment"
    RETAIL = "retail", "Retail & e-commerce"
    OTHER = "other", "Other"


class BrandProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="brand")
    company_name = models.CharField(max_length=120)
    website = models.URLField()
    industry = models.CharField(max_length=20, choices=Industry.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["company_name"]

    def __str__(self) -> str:
        return self.company_name


class Notification(models.Model):
    """Something that happened to a user's things, shown in the portal and sent by email.
    Created only through accounts.services.notify."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # A path inside the portal where the user reads more.
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="accounts_notification_user"),
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="accounts_notification_unread",
            ),
            # What retention removes, oldest first (accounts.retention).
            models.Index(fields=["created_at"], name="accounts_notification_created"),
        ]

    def __str__(self) -> str:
        return self.subject


class Badge(models.Model):
    """A distinction a creator earns ("Brand-ready"), shown on their page and read by the
    Marketplace. Kept here, below the apps that grant badges (the Academy) and those that
    weigh them (the Marketplace), so neither has to import the other."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=200, help_text="What holding it tells a brand.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CreatorBadge(models.Model):
    """A badge a creator holds, with what earned it. Granted only through
    accounts.services.grant_badge; a badge is held once."""

    creator = models.ForeignKey(CreatorProfile, on_delete=models.CASCADE, related_name="badges")
    badge = models.ForeignKey(Badge, on_delete=models.PROTECT, related_name="holders")
    # What earned it, in words a reader understands ("Finished the course Working with brands")
    # and as a path to it, if it has one.
    reason = models.CharField(max_length=200)
    link = models.CharField(max_length=300, blank=True)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["granted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["creator", "badge"], name="accounts_badge_once"),
        ]

    def __str__(self) -> str:
        return f"{self.badge} ({self.creator})"


class AuditEntryQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> "AuditEntryQuerySet":
        """Entries about one row, of any model, newest first."""
        opts = obj._meta
        return self.filter(
            app_label=opts.app_label, model=opts.model_name, object_id=str(obj.pk)
        ).order_by("-at", "-pk")


class AuditEntry(models.Model):
    """One change staff made to something that governs points, money or a person's standing:
    who, when, what (each field before and after) and the reason they gave. Written only
    through accounts.audit.record, in the transaction of the change it describes.

    Append-only: on PostgreSQL a trigger refuses UPDATE and DELETE (migration 0007), and
    nothing in the portal offers to edit or remove an entry. It lives on this floor, below
    every app whose rows staff change, so each of them can record here; "who" is a User.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # PROTECT: an account that acted is kept (closed accounts are made pseudonymous, never
    # deleted), so "who" always resolves. Null only for a change no person made.
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The row changed, named loosely (no content type, no foreign key): an entry outlives
    # the row it describes, and the floors below may not point at the models above them.
    app_label = models.CharField(max_length=100)
    model = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    # "added", "changed", "deleted", or what an admin action did ("cancelled and refunded").
    action = models.CharField(max_length=60)
    # {field: [before, after]}; a field staff may not read back (a password) says "changed".
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(blank=True)
    # The creator whose points, money or standing the change touched, if one; with
    # `shown_to_creator` they read the entry (and its reason) on their own pages.
    creator = models.ForeignKey(
        CreatorProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shown_to_creator = models.BooleanField(default=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        # Only reading is a permission: no one may be granted adding, changing or deleting.
        default_permissions = ()
        permissions = [("view_audit_trail", "Can read the audit trail")]
        indexes = [
            models.Index(
                fields=["app_label", "model", "object_id", "-at"], name="accounts_audit_object"
            ),
            models.Index(
                fields=["creator", "-at"],
                condition=models.Q(shown_to_creator=True),
                name="accounts_audit_shown",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.object_repr}: {self.action}"

    @property
    def model_label(self) -> str:
        """The changed row's kind in words ("earning rule"), or its name if the model is gone."""
        model = self._model_class()
        return str(model._meta.verbose_name) if model else self.model

    def change_rows(self) -> list[tuple[str, str, str]]:
        """Each change as (field, before, after) in words: field names as the model labels
        them, choices by their labels."""
        model = self._model_class()
        rows = []
        for name, pair in self.changes.items():
            before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            field = _field_or_none(model, name)
            label = str(field.verbose_name) if field is not None else name
            rows.append((label, _shown(field, before), _shown(field, after)))
        return rows

    def _model_class(self) -> type[models.Model] | None:
        try:
            return apps.get_model(self.app_label, self.model)
        except LookupError:
            return None


def _field_or_none(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _shown(field: models.Field | None, value: object) -> str:
    """A value of an audit entry as text: choices by label, nothing as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_shown(None, v)}" for k, v in value.items())
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        # Kept as ISO text in the JSON; read as the portal shows times.
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return date_format(timezone.localtime(moment), "j M Y, H:i")
    choices = dict(field.flatchoices) if field is not None and field.choices else {}
    return str(choices.get(value, value))
