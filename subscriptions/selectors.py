"""Reads of subscriptions: who has which perks, badges, the rules, eligibility to offer
packages. Pages and other apps read subscriptions only through here."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.models import CreatorProfile, User
from activity import selectors as activity_selectors
from core import regions
from core.exports import plain_rows
from core.plurals import plural
from payments.models import SavedCard

from .models import (
    LIVE_STATES,
    MAX_PACKAGES,
    ChatMessage,
    Invitation,
    Package,
    Post,
    Rules,
    State,
    Subscription,
    SubscriptionCharge,
)

# Tenure badges: a subscriber's badge shows the highest step reached, then every 12 months.
TENURE_STEPS = (1, 2, 3, 6, 9, 12)
FOUNDERS = 10


RULES_CACHE_KEY = "subscriptions:rules"


def page_version_key(creator_id: int) -> str:
    return f"subscriptions:page-version:{creator_id}"


def page_version(creator_id: int) -> int:
    """The version of what a creator's public page shows to everyone (packages, perks, counts,
    post previews), bumped by services.page_changed: the page is cached under it. A version
    lost from the cache comes back as the current time, never as a value used before."""
    return regions.version(page_version_key(creator_id))


RULES_CACHE_SECONDS = 60


def rules() -> Rules:
    """The one row of staff-set rules (made from the settings on first use), cached for a
    minute: every creator's dashboard reads it (admin forgets it when staff save)."""
    if (row := cache.get(RULES_CACHE_KEY)) is not None:
        return row
    row, _ = Rules.objects.get_or_create(
        pk=1,
        defaults={
            "invite_only": settings.SUBSCRIPTIONS_INVITE_ONLY,
            "min_age": settings.SUBSCRIPTIONS_MIN_AGE,
            "min_followers": settings.SUBSCRIPTIONS_MIN_FOLLOWERS,
            "creator_share_pct": settings.SUBSCRIPTIONS_CREATOR_SHARE_PCT,
            "raised_share_pct": settings.SUBSCRIPTIONS_RAISED_SHARE_PCT,
        },
    )
    cache.set(RULES_CACHE_KEY, row, RULES_CACHE_SECONDS)
    return row


def offer_thresholds() -> tuple[int, int]:
    """(minimum age, minimum followers) to offer packages, as staff set them."""
    current = rules()
    return current.min_age, current.min_followers


@dataclass(frozen=True)
class RevenueShare:
    """The creator's share of each subscription charge, and the bar for the raised share with
    what they lack."""

    pct: int
    base_pct: int
    raised_pct: int
    conditions: list["Condition"]

    @property
    def fee_pct(self) -> int:
        return 100 - self.pct

    @property
    def is_raised(self) -> bool:
        return self.pct == self.raised_pct and self.raised_pct != self.base_pct


def revenue_share(creator: CreatorProfile, today: date | None = None) -> RevenueShare:
    """70 % by default; the raised share (90 %) for creators who meet every part of the bar
    staff set: followers, views in the last 30 days, subscriber-only posts in the last 30."""
    today = today or timezone.localdate()
    current = rules()
    first = today - timedelta(days=29)
    _, views = activity_selectors.views_before_and_since(
        creator, first=first, split=first, last=today
    )
    posts = Post.objects.filter(
        creator=creator, published_at__date__gte=first, published_at__date__lte=today
    ).count()

    def condition(label: str, have: int, need: int, noun: str) -> Condition:
        short = max(0, need - have)
        return Condition(label, not short, plural(short, f"more {noun}") if short else "")

    conditions = [
        condition(
            f"{current.raised_min_followers:,} followers",
            creator.followers,
            current.raised_min_followers,
            "follower",
        ),
        condition(
            f"{current.raised_min_views_30d:,} views in the last 30 days",
            views,
            current.raised_min_views_30d,
            "view",
        ),
        condition(
            f"{current.raised_min_posts_30d} subscriber-only posts in the last 30 days",
            posts,
            current.raised_min_posts_30d,
            "post",
        ),
    ]
    raised = all(c.met for c in conditions)
    return RevenueShare(
        current.raised_share_pct if raised else current.creator_share_pct,
        current.creator_share_pct,
        current.raised_share_pct,
        conditions,
    )


def creator_share_pct(creator: CreatorProfile) -> int:
    return revenue_share(creator).pct


@dataclass(frozen=True)
class Condition:
    label: str
    met: bool
    detail: str = ""


def offer_conditions(creator: CreatorProfile, today: date | None = None) -> list[Condition]:
    """What a creator needs to publish packages, each met or not, with what they lack."""
    today = today or timezone.localdate()
    current = rules()
    conditions = []
    if current.invite_only:
        invited = Invitation.objects.filter(creator=creator).exists()
        conditions.append(
            Condition(
                "Invited by the portal's team",
                invited,
                ""
                if invited
                else "Subscriptions are invite-only for now; the team invites "
                "creators who meet the conditions below.",
            )
        )
    age = creator.age_on(today)
    conditions.append(
        Condition(
            f"{current.min_age} or older",
            age >= current.min_age,
            "" if age >= current.min_age else plural(current.min_age - age, "more year"),
        )
    )
    short = max(0, current.min_followers - creator.followers)
    conditions.append(
        Condition(
            f"{current.min_followers:,} followers",
            not short,
            plural(short, "more follower") if short else "",
        )
    )
    conditions.append(
        Condition(
            "Account in good standing",
            creator.is_in_good_standing,
            "" if creator.is_in_good_standing else creator.get_standing_display(),
        )
    )
    return conditions


def may_publish(creator: CreatorProfile) -> bool:
    return all(c.met for c in offer_conditions(creator))


def packages_of(creator: CreatorProfile, *, published_only: bool = True) -> QuerySet[Package]:
    packages = creator.packages.prefetch_related("custom_perks").annotate(
        # distinct: callers annotate other counts (posts) whose join would multiply this one
        members=Count("subscriptions", filter=_live_filter(), distinct=True)
    )
    if published_only:
        packages = packages.filter(published_at__isnull=False)
    return packages.order_by("position", "pk")[:MAX_PACKAGES] if published_only else packages


def _live_filter() -> Q:
    return Q(subscriptions__state__in=LIVE_STATES)


def live_subscription(fan: User, creator: CreatorProfile) -> Subscription | None:
    """The fan's live subscription to the creator (trialing, active or past due), if any."""
    if not fan.is_authenticated:
        return None
    return (
        Subscription.objects.select_related("package")
        .filter(fan=fan, creator=creator, state__in=LIVE_STATES)
        .first()
    )


def has_chat(fan: User, creator: CreatorProfile) -> bool:
    subscription = live_subscription(fan, creator)
    return subscription is not None and subscription.package.includes_chat


def subscribed_package_ids(fan: User, creator_ids: list[int] | None = None) -> set[int]:
    """Ids of the packages the fan has live subscriptions to."""
    if not fan.is_authenticated:
        return set()
    found = Subscription.objects.filter(fan=fan, state__in=LIVE_STATES)
    if creator_ids is not None:
        found = found.filter(creator_id__in=creator_ids)
    return set(found.values_list("package_id", flat=True))


@dataclass(frozen=True)
class Badge:
    months: int
    label: str  # "3 months", "1 month", "2 years"
    founder: bool

    @property
    def text(self) -> str:
        return f"Founder · {self.label}" if self.founder else self.label


def tenure_months(subscription: Subscription, today: date | None = None) -> int:
    """Whole months since the subscription started, at least 1 for a live one."""
    today = today or timezone.localdate()
    start = timezone.localtime(subscription.started_at).date()
    months = (today.year - start.year) * 12 + today.month - start.month
    if today.day < start.day:
        months -= 1
    return max(1, months + 1) if subscription.is_live else max(0, months)


def badge_for(subscription: Subscription, today: date | None = None) -> Badge:
    """The badge a subscriber shows: the highest tenure step reached (1, 2, 3, 6, 9, 12 months,
    then each further year), and Founder for one of the creator's first ten."""
    months = tenure_months(subscription, today)
    if months >= 12:
        step = months - months % 12
    else:
        step = max([s for s in TENURE_STEPS if s <= months] or [1])
    label = plural(step // 12, "year") if step >= 12 else plural(step, "month")
    return Badge(step, label, subscription.founder_number is not None)


def badges_in_room(creator: CreatorProfile, user_ids: set[int]) -> dict[int, Badge]:
    """Each live subscriber's badge, by user id, for a page of chat (one query)."""
    subscriptions = Subscription.objects.filter(
        creator=creator, fan_id__in=user_ids, state__in=LIVE_STATES
    )
    today = timezone.localdate()
    return {s.fan_id: badge_for(s, today) for s in subscriptions}


def card_in_use(card: SavedCard) -> str | None:
    """Why the card cannot be removed: the live subscriptions that pay with it."""
    handles = list(
        Subscription.objects.filter(card=card, state__in=LIVE_STATES).values_list(
            "creator__handle", flat=True
        )
    )
    if not handles:
        return None
    names = ", ".join(f"@{handle}" for handle in handles)
    return (
        f"Your subscription to {names} pays with this card: give it another card in "
        "My subscriptions first."
    )


def subscriber_count(creator: CreatorProfile) -> int:
    return Subscription.objects.filter(creator=creator, state__in=LIVE_STATES).count()


def founder_slots_left(creator: CreatorProfile) -> int:
    taken = Subscription.objects.filter(creator=creator, founder_number__isnull=False).count()
    return max(0, FOUNDERS - taken)


def had_subscription(fan: User, creator: CreatorProfile) -> bool:
    """Whether the fan ever subscribed to the creator (a trial included): no second trial."""
    return (
        Subscription.objects.filter(fan=fan, creator=creator)
        .exclude(state__in=[State.INCOMPLETE, State.REFUSED])
        .exists()
    )


def export_rows(user: User) -> dict[str, list[dict]]:
    """What `user` did in subscriptions, for their data export (privacy.exports): as a fan,
    their subscriptions and each charge; as a creator, their packages and the posts they
    wrote; and the chat messages they wrote in any creator's room. Five queries. Other
    people's subscriptions to a creator are theirs, not the creator's, and stay out."""
    return {
        "subscriptions": plain_rows(
            Subscription.objects.filter(fan=user)
            .order_by("started_at", "pk")
            .values(
                "id",
                "billing",
                "price_minor",
                "currency",
                "state",
                "started_at",
                "current_period_start",
                "current_period_end",
                "cancel_at_period_end",
                "ended_at",
                "months_paid",
                creator_handle=F("creator__handle"),
                package_name=F("package__name"),
                card_last4=F("card__last4"),
            )
        ),
        "subscription_charges": plain_rows(
            SubscriptionCharge.objects.filter(subscription__fan=user)
            .order_by("created_at", "pk")
            .values(
                "subscription_id",
                "kind",
                "period_start",
                "period_end",
                "amount_minor",
                "currency",
                "state",
                "failure",
                "created_at",
            )
        ),
        "packages": plain_rows(
            Package.objects.filter(creator__user=user)
            .order_by("position", "pk")
            .values(
                "id",
                "name",
                "description",
                "currency",
                "monthly_price_minor",
                "annual_price_minor",
                "has_trial",
                "member_cap",
                "includes_chat",
                "includes_emojis",
                "published_at",
                "created_at",
            )
        ),
        "posts": plain_rows(
            Post.objects.filter(creator__user=user)
            .order_by("published_at", "pk")
            .values("id", "title", "body", "video_url", "published_at", "created_at")
        ),
        "chat_messages": plain_rows(
            ChatMessage.objects.filter(author=user)
            .order_by("created_at", "pk")
            .values("id", "body", "created_at", "deleted_at", room=F("creator__handle"))
        ),
    }
