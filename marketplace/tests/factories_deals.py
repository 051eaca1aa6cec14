"""Factories for the Marketplace's deals: listed creators with their features, brands'
campaigns, and collaborations taken through the services."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import BrandProfile, CreatorProfile, Niche, User
from accounts.tests.factories import BrandFactory, CreatorFactory
from core.clock import rewards_today
from marketplace import campaigns, collaborations, proposals
from marketplace.campaigns import Brief
from marketplace.models import Campaign, Collaboration, Listing, MatchFeatures
from payments import services as payments_services
from payments.gateway import CardDetails
from payments.models import SavedCard

SUCCEEDS = "4242424242424242"
DECLINES_CHARGES = "4000000000000341"


def niches(*slugs: str) -> list[Niche]:
    found = list(Niche.objects.filter(slug__in=slugs))
    assert len(found) == len(slugs), f"no such niches among {slugs}"
    return found


def listed_creator(
    *,
    niche_slugs: tuple[str, ...] = ("beauty",),
    price_video_minor: int | None = 40_000,
    price_live_minor: int | None = None,
    price_bundle_minor: int | None = None,
    currency: str = "USD",
    paused: bool = False,
    **features: object,
) -> CreatorProfile:
    """A creator in the Marketplace with a listing and the features it is matched on."""
    followers = features.setdefault("followers", 50_000)
    creator = CreatorFactory(followers=followers, niches=niches(*niche_slugs))
    Listing.objects.create(
        creator=creator,
        headline="Short videos people finish",
        currency=currency,
        price_video_minor=price_video_minor,
        price_live_minor=price_live_minor,
        price_bundle_minor=price_bundle_minor,
        paused_at=timezone.now() if paused else None,
    )
    defaults = {
        "engagement_bp": 500,
        "authenticity": 90,
        "posts_30d": 8,
        "last_post_at": timezone.now() - timedelta(days=1),
        "audience_countries": {"GB": 6_000, "US": 3_000},
        "audience_ages": {"18-24": 5_000, "25-34": 3_000},
        "badges": [],
    }
    MatchFeatures.objects.create(creator=creator, **{**defaults, **features})
    return creator


def brief(**fields: object) -> Brief:
    values = {
        "title": "Autumn launch",
        "objective": "launch",
        "brief": "Show our new serum in a morning routine.",
        "niches": niches("beauty"),
        "target_countries": ["GB"],
        "target_ages": ["18-24"],
        "deliverable": "video",
        "deliverables": "One 60-second video.",
        "budget_minor": 50_000,
        "currency": "USD",
        "deadline": rewards_today() + timedelta(days=30),
        "min_followers": 10_000,
    }
    return Brief(**{**values, **fields})


def open_campaign(brand: BrandProfile | None = None, **fields: object) -> Campaign:
    brand = brand or BrandFactory()
    campaign = campaigns.save_campaign(brand=brand, brief=brief(**fields))
    return campaigns.open_campaign(brand=brand, campaign=campaign)


def collaboration(
    creator: CreatorProfile | None = None,
    brand: BrandProfile | None = None,
    *,
    price_minor: int = 45_000,
    agreed: bool = True,
) -> Collaboration:
    """An invitation accepted: a collaboration agreeing its terms (both agreed by default)."""
    creator = creator or listed_creator()
    campaign = open_campaign(brand)
    proposal = proposals.invite(
        brand=campaign.brand, campaign=campaign, creator=creator, price_minor=price_minor
    )
    proposals.answer(proposal=proposal, by=creator.user, action="accept")
    collab = Collaboration.objects.get(proposal=proposal)
    if agreed:
        collaborations.agree_terms(collab=collab, by=campaign.brand.user)
        collab = collaborations.agree_terms(collab=collab, by=creator.user)
    return collab


# Views that only take a POST (a form's target): a plain GET from a role allowed in is a 405.
POST_ONLY_DEALS: set[str] = {
    "marketplace:campaign_open",
    "marketplace:campaign_close",
    "marketplace:campaign_invite",
    "marketplace:apply",
    "marketplace:answer",
    "marketplace:collab_terms",
    "marketplace:collab_deliver",
    "marketplace:collab_changes",
    "marketplace:collab_approve",
    "marketplace:collab_cancel",
}


def deal_rows(creator: CreatorProfile, brand: BrandProfile) -> dict[str, dict]:
    """The brand's open campaign, the creator listed and invited, the invitation accepted
    and a message in the thread: URL kwargs by URL name (the access walk's rows)."""
    Listing.objects.get_or_create(
        creator=creator, defaults={"headline": "Walked", "price_video_minor": 10_000}
    )
    MatchFeatures.objects.get_or_create(
        creator=creator,
        defaults={"followers": 50_000, "posts_30d": 3, "last_post_at": timezone.now()},
    )
    campaign = campaigns.save_campaign(
        brand=brand,
        brief=Brief(
            title="Walk campaign",
            objective="awareness",
            brief="Walked.",
            niches=niches("beauty"),
            target_countries=["GB"],
            target_ages=["18-24"],
            deliverable="video",
            deliverables="One video.",
            budget_minor=20_000,
            currency="USD",
            deadline=rewards_today() + timedelta(days=30),
            min_followers=0,
        ),
    )
    campaign = campaigns.open_campaign(brand=brand, campaign=campaign)
    proposal = proposals.invite(
        brand=brand, campaign=campaign, creator=creator, price_minor=15_000, message="Walk?"
    )
    proposals.answer(proposal=proposal, by=creator.user, action="accept")
    proposal.refresh_from_db()
    collab = proposal.collab
    collaborations.post_message(collab=collab, by=brand.user, body="Walked.")
    campaign_pk = {"pk": campaign.pk}
    collab_pk = {"pk": collab.pk}
    return {
        "marketplace:campaign": campaign_pk,
        "marketplace:campaign_edit": campaign_pk,
        "marketplace:campaign_open": campaign_pk,
        "marketplace:campaign_close": campaign_pk,
        "marketplace:campaign_invite": campaign_pk,
        "marketplace:open_campaign": campaign_pk,
        "marketplace:apply": campaign_pk,
        "marketplace:answer": {"pk": proposal.pk},
        "marketplace:collab": collab_pk,
        "marketplace:collab_terms": collab_pk,
        "marketplace:collab_pay": collab_pk,
        "marketplace:collab_deliver": collab_pk,
        "marketplace:collab_changes": collab_pk,
        "marketplace:collab_approve": collab_pk,
        "marketplace:collab_cancel": collab_pk,
        "marketplace:collab_messages": collab_pk,
    }


def card_details(number: str = SUCCEEDS) -> CardDetails:
    """A card as a brand types it (the sandbox's test numbers)."""
    return CardDetails(number=number, exp_month=12, exp_year=timezone.now().year + 3, cvc="123")


def card_for(user: User, number: str = SUCCEEDS) -> SavedCard:
    """A card saved through payments.services, as the portal saves one."""
    return payments_services.save_card(user=user, card=card_details(number))
