"""The Marketplace: creators' listings and the features they are matched on, brands' saved
lists and campaigns, invitations and applications, and the collaborations they become.

Money moves only through payments: a collaboration's price is charged to the brand when both
sides have agreed the terms (held by the platform), and credited to the creator's earnings
ledger, less the platform's fee, when the brand approves the delivery; cancelled before
delivery, the brand is refunded.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import BrandProfile, CreatorProfile, Niche, User
from activity.models import Video
from core.money import format_minor
from payments.models import EarningsEntry, PaymentAttempt, SavedCard

MAX_FEATURED_VIDEOS = 6

LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("de", "German"),
    ("it", "Italian"),
    ("pt", "Portuguese"),
    ("nl", "Dutch"),
    ("pl", "Polish"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
    ("hi", "Hindi"),
    ("ar", "Arabic"),
]

AGE_BANDS = ["13-17", "18-24", "25-34", "35-44", "45-54", "55+"]


class Availability(models.TextChoices):
    OPEN = "open", "Taking on work"
    LIMITED = "limited", "Limited availability"
    BOOKED = "booked", "Fully booked"


class Listing(models.Model):
    """A creator's page in the Marketplace: what they offer brands and at what price."""

    creator = models.OneToOneField(
        CreatorProfile, on_delete=models.CASCADE, primary_key=True, related_name="listing"
    )
    headline = models.CharField(max_length=120, help_text="One line brands read first.")
    about = models.TextField(max_length=1500, blank=True)
    language = models.CharField(max_length=2, choices=LANGUAGES, default="en")
    currency = models.CharField(max_length=3, default="USD")
    price_video_minor = models.PositiveIntegerField("price per video", null=True, blank=True)
    price_live_minor = models.PositiveIntegerField("price per live", null=True, blank=True)
    price_bundle_minor = models.PositiveIntegerField("price per bundle", null=True, blank=True)
    bundle_note = models.CharField(max_length=120, blank=True, help_text="What a bundle holds.")
    availability = models.CharField(
        max_length=10, choices=Availability.choices, default=Availability.OPEN
    )
    availability_note = models.CharField(max_length=120, blank=True)
    featured_videos = models.ManyToManyField(Video, through="FeaturedVideo", related_name="+")
    paused_at = models.DateTimeField(null=True, blank=True, help_text="Hidden from brands.")
    joined_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(price_video_minor__isnull=False)
                | Q(price_live_minor__isnull=False)
                | Q(price_bundle_minor__isnull=False),
                name="marketplace_listing_has_a_price",
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="marketplace_listing_currency"
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.creator.handle}: {self.headline}"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def lowest_price_minor(self) -> int | None:
        prices = [
            p
            for p in (self.price_video_minor, self.price_live_minor, self.price_bundle_minor)
            if p is not None
        ]
        return min(prices) if prices else None

    def money(self, amount: int | None) -> str:
        return "" if amount is None else format_minor(amount, self.currency)


class FeaturedVideo(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="featured")
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "video"], name="marketplace_featured_once")
        ]

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.video_id}"


class MatchFeatures(models.Model):
    """What the Marketplace matches and filters a listed creator on, refreshed every night
    from the platform's data (marketplace.features), never at request time from raw activity.
    Rates are basis points (10,000 = 100 %); audience shares are basis points by key."""

    creator = models.OneToOneField(
        CreatorProfile, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    followers = models.PositiveBigIntegerField(default=0)
    avg_views = models.PositiveBigIntegerField("average views per video, 30 days", default=0)
    engagement_bp = models.PositiveIntegerField("engagement rate (bp)", default=0)
    authenticity = models.PositiveSmallIntegerField("authenticity score (0–100)", default=100)
    posts_30d = models.PositiveIntegerField(default=0)
    last_post_at = models.DateTimeField(null=True, blank=True)
    audience_countries = models.JSONField(default=dict, blank=True)
    audience_ages = models.JSONField(default=dict, blank=True)
    audience_genders = models.JSONField(default=dict, blank=True)
    badges = models.JSONField(default=list, blank=True, help_text="Academy badge slugs.")
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "match features"
        indexes = [
            models.Index(fields=["-followers"], name="marketplace_feat_followers"),
            models.Index(fields=["-engagement_bp"], name="marketplace_feat_engagement"),
        ]

    def __str__(self) -> str:
        return f"Features of {self.creator_id}"


class SavedList(models.Model):
    """A brand's own list of creators (a shortlist, "autumn launch")."""

    brand = models.ForeignKey(BrandProfile, on_delete=models.CASCADE, related_name="lists")
    name = models.CharField(max_length=60)
    creators = models.ManyToManyField(CreatorProfile, through="SavedCreator", related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="marketplace_list_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class SavedCreator(models.Model):
    saved_list = models.ForeignKey(SavedList, on_delete=models.CASCADE, related_name="entries")
    creator = models.ForeignKey(CreatorProfile, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-added_at"]
        constraints = [
            models.UniqueConstraint(fields=["saved_list", "creator"], name="marketplace_saved_once")
        ]

    def __str__(self) -> str:
        return f"{self.saved_list_id}: {self.creator_id}"


class Objective(models.TextChoices):
    AWARENESS = "awareness", "Awareness"
    CONSIDERATION = "consideration", "Consideration"
    CONVERSION = "conversion", "Sales"
    LAUNCH = "launch", "Product launch"


class Deliverable(models.TextChoices):
    VIDEO = "video", "Video"
    LIVE = "live", "Live session"
    BUNDLE = "bundle", "Bundle"


class CampaignState(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Campaign(models.Model):
    """A brand's brief: what they want, from whom, for how much and by when."""

    brand = models.ForeignKey(BrandProfile, on_delete=models.CASCADE, related_name="campaigns")
    title = models.CharField(max_length=100)
    objective = models.CharField(max_length=15, choices=Objective.choices)
    brief = models.TextField(max_length=3000)
    niches = models.ManyToManyField(Niche, related_name="+")
    target_countries = models.JSONField(default=list, blank=True, help_text="ISO codes.")
    target_ages = models.JSONField(default=list, blank=True, help_text="Age bands.")
    deliverable = models.CharField(
        max_length=10, choices=Deliverable.choices, default=Deliverable.VIDEO
    )
    deliverables = models.TextField(max_length=1000, help_text="What the creator delivers.")
    budget_minor = models.PositiveIntegerField("budget per creator")
    currency = models.CharField(max_length=3, default="USD")
    deadline = models.DateField()
    min_followers = models.PositiveIntegerField(default=0)
    state = models.CharField(
        max_length=10, choices=CampaignState.choices, default=CampaignState.DRAFT
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(budget_minor__gt=0), name="marketplace_budget"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="marketplace_campaign_currency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand}: {self.title}"

    @property
    def budget_display(self) -> str:
        return format_minor(self.budget_minor, self.currency)


class Direction(models.TextChoices):
    INVITE = "invite", "Invitation from the brand"
    APPLY = "apply", "Application from the creator"


class ProposalState(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    COUNTERED = "countered", "Counter-offer made"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_PROPOSAL_STATES = [ProposalState.PENDING, ProposalState.COUNTERED]


class Proposal(models.Model):
    """An invitation (brand to creator) or an application (creator to brand) for a campaign,
    with the price on the table and the messages of each answer. One open at a time per
    campaign and creator."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="proposals")
    creator = models.ForeignKey(CreatorProfile, on_delete=models.CASCADE, related_name="proposals")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    state = models.CharField(
        max_length=10, choices=ProposalState.choices, default=ProposalState.PENDING
    )
    price_minor = models.PositiveIntegerField()
    message = models.CharField(max_length=1000, blank=True)
    # Who must answer next: the other side of the last offer.
    awaiting = models.CharField(max_length=10, choices=[("brand", "Brand"), ("creator", "Creator")])
    answer = models.CharField(max_length=1000, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "creator"],
                condition=Q(state__in=["pending", "countered"]),
                name="marketplace_one_open_proposal",
            ),
            models.CheckConstraint(condition=Q(price_minor__gt=0), name="marketplace_price"),
        ]
        indexes = [
            models.Index(fields=["creator", "-created_at"], name="marketplace_prop_creator"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.campaign} / @{self.creator.handle}"

    @property
    def price_display(self) -> str:
        return format_minor(self.price_minor, self.campaign.currency)


class UsageRights(models.TextChoices):
    ORGANIC = "organic", "On the brand's own channels"
    ADS_30 = "ads_30", "In paid ads for 30 days"
    ADS_365 = "ads_365", "In paid ads for a year"


class CollabState(models.TextChoices):
    TERMS = "terms", "Agreeing the terms"
    ACCEPTED = "accepted", "In progress"
    DELIVERED = "delivered", "Delivered"
    CHANGES = "changes", "Changes requested"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"


class Collaboration(models.Model):
    """An accepted proposal: the terms both sides agree, then the work, through delivery and
    approval to payment (or cancellation)."""

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="collab")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="collabs")
    brand = models.ForeignKey(BrandProfile, on_delete=models.PROTECT, related_name="collabs")
    creator = models.ForeignKey(CreatorProfile, on_delete=models.PROTECT, related_name="collabs")
    price_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    fee_pct = models.PositiveSmallIntegerField()
    deliverables = models.TextField(max_length=1000)
    due_on = models.DateField()
    usage_rights = models.CharField(
        max_length=10, choices=UsageRights.choices, default=UsageRights.ORGANIC
    )
    brand_agreed_at = models.DateTimeField(null=True, blank=True)
    creator_agreed_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=CollabState.choices, default=CollabState.TERMS)
    change_rounds = models.PositiveSmallIntegerField(default=0)
    card = models.ForeignKey(
        SavedCard, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    charge = models.ForeignKey(
        PaymentAttempt, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund = models.ForeignKey(
        PaymentAttempt, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    earnings_entry = models.ForeignKey(
        EarningsEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    auto_approved = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(price_minor__gt=0), name="marketplace_collab_price"),
            models.CheckConstraint(
                condition=Q(change_rounds__lte=2), name="marketplace_at_most_two_rounds"
            ),
            # Work starts only once the brand has paid into hold.
            models.CheckConstraint(
                condition=Q(state__in=["terms", "cancelled"]) | Q(charge__isnull=False),
                name="marketplace_paid_before_work",
            ),
            models.CheckConstraint(
                condition=~Q(state="paid") | Q(earnings_entry__isnull=False),
                name="marketplace_paid_is_credited",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.title} with @{self.creator.handle} ({self.state})"

    def money(self, amount: int) -> str:
        return format_minor(amount, self.currency)

    @property
    def fee_minor(self) -> int:
        return self.price_minor * self.fee_pct // 100

    @property
    def creator_share_minor(self) -> int:
        return self.price_minor - self.fee_minor


class Delivery(models.Model):
    """What the creator delivered: links to the videos or the live session, with a note."""

    collab = models.ForeignKey(Collaboration, on_delete=models.CASCADE, related_name="deliveries")
    links = models.TextField(help_text="One link a line.")
    note = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"Delivery for {self.collab_id}"

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class Step(models.Model):
    """One step of a collaboration and who took it: its history, in order."""

    collab = models.ForeignKey(Collaboration, on_delete=models.CASCADE, related_name="steps")
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=10, choices=CollabState.choices)
    note = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.collab_id}: {self.state}"


class Message(models.Model):
    """The one thread per collaboration between the brand and the creator."""

    collab = models.ForeignKey(Collaboration, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.collab_id}: {self.body[:40]}"
