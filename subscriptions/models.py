"""Subscriptions: a creator's packages and their perks, fans' subscriptions with every charge,
exclusive posts, the subscriber-only chat room and its custom emojis.

Money moves only through subscriptions.services, which charges through payments.services and
credits the creator through payments.ledger; each SubscriptionCharge keeps the payment attempt
and the earnings entries it caused, so every cent a fan paid can be traced to the creator's
statement.
"""

from datetime import datetime

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import CreatorProfile
from core.money import format_minor
from payments.models import PaymentAttempt, SavedCard

# Up to three packages a creator may offer.
MAX_PACKAGES = 3
TRIAL_DAYS = 7


class Invitation(models.Model):
    """Staff invited this creator to offer subscriptions (while SUBSCRIPTIONS_INVITE_ONLY)."""

    creator = models.OneToOneField(
        CreatorProfile, on_delete=models.CASCADE, related_name="subscriptions_invitation"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.creator} invited"


class Package(models.Model):
    """One subscription package: its prices and the perks it gives. Fans keep the price they
    joined at (Subscription.price_minor); a change here applies to new subscribers."""

    creator = models.ForeignKey(CreatorProfile, on_delete=models.PROTECT, related_name="packages")
    name = models.CharField(max_length=60)
    description = models.TextField(max_length=1000, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    monthly_price_minor = models.PositiveIntegerField(
        "monthly price",
        validators=[MinValueValidator(100), MaxValueValidator(100_000)],
        help_text="Minor units (cents) a month.",
    )
    annual_price_minor = models.PositiveIntegerField(
        "annual price",
        null=True,
        blank=True,
        validators=[MinValueValidator(100), MaxValueValidator(1_000_000)],
        help_text="Minor units a year; empty: monthly only.",
    )
    has_trial = models.BooleanField(
        "7-day free trial", default=False, help_text="New subscribers try it free for 7 days."
    )
    member_cap = models.PositiveIntegerField(
        null=True, blank=True, help_text="The most subscribers at once; empty: no limit."
    )
    includes_chat = models.BooleanField("subscriber-only chat", default=True)
    includes_emojis = models.BooleanField("custom emojis in chat", default=True)
    position = models.PositiveSmallIntegerField(default=1)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["creator", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["creator", "name"], name="subscriptions_package_name"),
            models.CheckConstraint(
                condition=Q(monthly_price_minor__gt=0), name="subscriptions_package_monthly"
            ),
            models.CheckConstraint(
                condition=Q(annual_price_minor__isnull=True) | Q(annual_price_minor__gt=0),
                name="subscriptions_package_annual",
            ),
            models.CheckConstraint(
                condition=Q(member_cap__isnull=True) | Q(member_cap__gt=0),
                name="subscriptions_package_cap",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.creator} · {self.name}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def price(self, billing: str) -> int | None:
        return self.annual_price_minor if billing == Billing.ANNUAL else self.monthly_price_minor

    @property
    def monthly_display(self) -> str:
        return format_minor(self.monthly_price_minor, self.currency)

    @property
    def annual_display(self) -> str:
        if self.annual_price_minor is None:
            return ""
        return format_minor(self.annual_price_minor, self.currency)


class PerkCadence(models.TextChoices):
    MONTHLY = "monthly", "Every month"
    ONCE = "once", "Once"


class CustomPerk(models.Model):
    """A perk the creator delivers by hand (a monthly shout-out, a sticker pack): each
    subscriber's due deliveries are PerkDelivery rows the creator marks delivered."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="custom_perks")
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=200, blank=True)
    cadence = models.CharField(max_length=10, choices=PerkCadence.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["package", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_cadence_display().lower()})"


class Billing(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    ANNUAL = "annual", "Annual"


class State(models.TextChoices):
    INCOMPLETE = "incomplete", "Waiting for the first payment"
    REFUSED = "refused", "First payment refused"
    TRIALING = "trialing", "Free trial"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Payment failed, retrying"
    CANCELLED = "cancelled", "Cancelled"
    LAPSED = "lapsed", "Lapsed"


# States in which the fan has the package's perks.
LIVE_STATES = (State.TRIALING, State.ACTIVE, State.PAST_DUE)


class Subscription(models.Model):
    """A fan's subscription to one creator's package. At most one live subscription per fan
    and creator; an ended one stays as history (and means no second free trial)."""

    fan = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subscriptions"
    )
    creator = models.ForeignKey(
        CreatorProfile, on_delete=models.PROTECT, related_name="subscriptions"
    )
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="subscriptions")
    billing = models.CharField(max_length=8, choices=Billing.choices, default=Billing.MONTHLY)
    price_minor = models.PositiveIntegerField(
        help_text="What the fan pays a period: the price when they joined or last changed package."
    )
    currency = models.CharField(max_length=3)
    card = models.ForeignKey(SavedCard, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices)
    started_at = models.DateTimeField(default=timezone.now)
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    cancel_at_period_end = models.BooleanField(default=False)
    # A move to a cheaper package (or to monthly billing) waits for the period's end.
    next_package = models.ForeignKey(
        Package, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    next_billing = models.CharField(max_length=8, choices=Billing.choices, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    founder_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1 to 10 for a creator's first ten subscribers."
    )
    months_paid = models.PositiveSmallIntegerField(default=0)
    request_key = models.CharField(
        max_length=120, blank=True, help_text="The subscribe request that made it."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fan", "creator"],
                # A subscription waiting for its first payment counts: a second click or tab
                # cannot start a second one.
                condition=Q(state__in=["incomplete", "trialing", "active", "past_due"]),
                name="subscriptions_one_live_per_creator",
            ),
            models.UniqueConstraint(
                fields=["creator", "founder_number"],
                condition=Q(founder_number__isnull=False),
                name="subscriptions_founder_once",
            ),
            models.CheckConstraint(
                condition=Q(current_period_end__gt=models.F("current_period_start")),
                name="subscriptions_period",
            ),
            models.UniqueConstraint(
                fields=["request_key"],
                condition=~Q(request_key=""),
                name="subscriptions_request_once",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "current_period_end"], name="subscriptions_due"),
            models.Index(fields=["creator", "state"], name="subscriptions_creator_state"),
        ]

    def __str__(self) -> str:
        return f"{self.fan} → {self.package}"

    def get_absolute_url(self) -> str:
        return reverse("subscriptions:mine")

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES

    @property
    def price_display(self) -> str:
        return format_minor(self.price_minor, self.currency)


class ChargeKind(models.TextChoices):
    SIGNUP = "signup", "First payment"
    TRIAL_END = "trial_end", "First payment after the free trial"
    RENEWAL = "renewal", "Renewal"
    SWITCH = "switch", "Package change (prorated)"


class ChargeState(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Paid"
    FAILED = "failed", "Failed"


class SubscriptionCharge(models.Model):
    """One charge of a subscription, keyed so it happens once: the period it pays, the payment
    attempt, and how it was split between the creator and the platform."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="charges")
    kind = models.CharField(max_length=10, choices=ChargeKind.choices)
    idempotency_key = models.CharField(max_length=120, unique=True)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    state = models.CharField(
        max_length=10, choices=ChargeState.choices, default=ChargeState.PENDING
    )
    attempt = models.ForeignKey(
        PaymentAttempt, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    failure = models.CharField(max_length=300, blank=True)
    share_pct = models.PositiveSmallIntegerField(default=0)
    creator_share_minor = models.PositiveIntegerField(default=0)
    platform_fee_minor = models.PositiveIntegerField(default=0)
    earnings_entry_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="subscriptions_charge_amount"
            ),
            models.CheckConstraint(
                condition=Q(state="succeeded")
                | (Q(creator_share_minor=0) & Q(platform_fee_minor=0)),
                name="subscriptions_charge_split_when_paid",
            ),
            models.CheckConstraint(
                condition=~Q(state="succeeded")
                | Q(creator_share_minor=models.F("amount_minor") - models.F("platform_fee_minor")),
                name="subscriptions_charge_split_adds_up",
            ),
        ]
        indexes = [models.Index(fields=["subscription", "state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_display}"

    @property
    def amount_display(self) -> str:
        return format_minor(self.amount_minor, self.currency)


class PerkDelivery(models.Model):
    """A custom perk due to one subscriber (once, or for one month) and whether it was
    delivered."""

    perk = models.ForeignKey(CustomPerk, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="perk_deliveries"
    )
    due_on = models.DateField(help_text="The first day of the period it is due for.")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["perk", "subscription", "due_on"], name="subscriptions_perk_due_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.perk} for {self.subscription.fan} ({self.due_on})"

    @property
    def is_delivered(self) -> bool:
        return self.delivered_at is not None


def private_storage() -> Storage:
    """Where exclusive posts' pictures live: served only through a view that checks the
    reader (settings.STORAGES["private"])."""
    return storages["private"]


class Post(models.Model):
    """An exclusive post: only subscribers of the chosen packages read it; others see its title
    and a locked preview. The body is Markdown, rendered and sanitised on save."""

    creator = models.ForeignKey(CreatorProfile, on_delete=models.PROTECT, related_name="posts")
    title = models.CharField(max_length=120)
    body = models.TextField(max_length=20_000, help_text="Markdown.")
    body_html = models.TextField(editable=False, default="")
    # What a reader without access sees, kept with the body so no page parses Markdown for it.
    teaser = models.CharField(max_length=160, editable=False, db_default="")
    image = models.ImageField(upload_to="posts/", blank=True, storage=private_storage)
    video_url = models.URLField(blank=True, help_text="A link to a video, shown as a link.")
    packages = models.ManyToManyField(Package, related_name="posts")
    published_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["creator", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "subscriptions:post", kwargs={"handle": self.creator.handle, "post_id": self.pk}
        )


validate_emoji_code = RegexValidator(
    r"^[a-z0-9_]{2,24}$", "2 to 24 lowercase letters, digits or underscores."
)


class Emoji(models.Model):
    """A creator's custom emoji, used in their chat as :code: by subscribers whose package
    includes emojis."""

    creator = models.ForeignKey(CreatorProfile, on_delete=models.CASCADE, related_name="emojis")
    code = models.CharField(max_length=24, validators=[validate_emoji_code])
    image = models.ImageField(upload_to="emojis/")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["creator", "code"], name="subscriptions_emoji_code"),
        ]

    def __str__(self) -> str:
        return f":{self.code}:"


class ChatMessage(models.Model):
    """A message in a creator's subscriber-only room. Ids order the room: a reader's cursor is
    the last id it has shown."""

    creator = models.ForeignKey(
        CreatorProfile, on_delete=models.CASCADE, related_name="chat_messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["creator", "id"], name="subscriptions_chat_room"),
            # What retention removes, oldest first (subscriptions.retention).
            models.Index(fields=["created_at"], name="subscriptions_chat_created"),
        ]

    def __str__(self) -> str:
        return self.body[:40]


class ChatMute(models.Model):
    """A fan the creator muted in their room, until a time or for good."""

    creator = models.ForeignKey(CreatorProfile, on_delete=models.CASCADE, related_name="mutes")
    fan = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField(null=True, blank=True, help_text="Empty: until unmuted.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["creator", "fan"], name="subscriptions_mute_once"),
        ]

    def __str__(self) -> str:
        return f"{self.fan} muted in {self.creator}"

    def is_active(self, now: datetime | None = None) -> bool:
        return self.until is None or self.until > (now or timezone.now())


class Rules(models.Model):
    """Who may offer subscriptions and how revenue is shared: one row, edited by staff in admin
    (subscriptions.selectors.rules reads it, with the settings as defaults)."""

    invite_only = models.BooleanField(
        default=True, help_text="On: only creators staff invited may publish packages."
    )
    min_age = models.PositiveSmallIntegerField(default=18)
    min_followers = models.PositiveIntegerField(default=1_000)
    creator_share_pct = models.PositiveSmallIntegerField(
        "creator's share (%)",
        default=70,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Of each subscription charge; the rest is the platform fee.",
    )
    raised_share_pct = models.PositiveSmallIntegerField(
        "raised share (%)",
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="For creators who meet the bar below.",
    )
    raised_min_followers = models.PositiveIntegerField(default=10_000)
    raised_min_views_30d = models.PositiveIntegerField("raised: views in 30 days", default=100_000)
    raised_min_posts_30d = models.PositiveSmallIntegerField(
        "raised: subscriber-only posts in 30 days", default=3
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "subscription rules"
        verbose_name_plural = "subscription rules"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="subscriptions_rules_single_row"),
        ]

    def __str__(self) -> str:
        return "Subscription rules"
