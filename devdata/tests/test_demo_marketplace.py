"""The demo's Marketplace (devdata.demo_marketplace): what the demo creator and the demo brand
find, all made through the services, and a second seed that writes nothing."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django import Settings

from accounts.models import BrandProfile, CreatorProfile, Niche, Standing
from accounts.tests.factories import BrandFactory, CreatorFactory
from activity.tests.factories import AudienceDayFactory, VideoDayFactory, VideoFactory
from core.clock import rewards_today
from devdata import demo_marketplace
from marketplace import collaborations, proposals, selectors
from marketplace.models import (
    Campaign,
    Collaboration,
    Delivery,
    FeaturedVideo,
    Listing,
    MatchFeatures,
    Message,
    Proposal,
    SavedCreator,
    SavedList,
    Step,
)
from payments import ledger
from payments.models import EarningsEntry, PaymentAttempt, Source

pytestmark = pytest.mark.django_db


def niches(*slugs: str) -> list[Niche]:
    return list(Niche.objects.filter(slug__in=slugs))


@pytest.fixture
def maya() -> CreatorProfile:
    """The demo creator as seed_demo leaves them before the Marketplace: an adult in good
    standing with ~29k followers, eight videos with views and an audience."""
    creator = CreatorFactory(
        handle="mayamakes",
        display_name="Maya Makes",
        date_of_birth=date(1998, 4, 12),
        followers=28_900,
        niches=niches("cooking", "diy-crafts"),
    )
    yesterday = rewards_today() - timedelta(days=1)
    for n in range(8):
        video = VideoFactory(creator=creator, published_at=timezone.now() - timedelta(days=3 * n))
        VideoDayFactory(video=video, day=yesterday - timedelta(days=n), views=1_000 * (n + 1))
    AudienceDayFactory(creator=creator, day=yesterday)
    return creator


@pytest.fixture
def brand() -> BrandProfile:
    return BrandFactory(company_name="Glow Cosmetics")


@pytest.fixture
def others() -> dict[str, CreatorProfile]:
    """Other seeded creators: three eligible, and three the Marketplace must leave out."""
    made = {
        handle: CreatorFactory(handle=handle, followers=followers, country=country, niches=n)
        for handle, followers, country, n in [
            ("nora_travels", 33_100, "NO", niches("travel")),
            ("leo.dances", 412_000, "BR", niches("dance", "music")),
            ("milameows", 71_000, "PL", niches("pets", "comedy")),
            ("ines.paints", 8_200, "PT", niches("diy-crafts")),  # too few followers
            ("zedfollows", 220_000, "US", niches("comedy")),
            ("young.one", 50_000, "DE", niches("gaming")),
        ]
    }
    made["zedfollows"].standing = Standing.SUSPENDED
    made["zedfollows"].save(update_fields=["standing"])
    made["young.one"].date_of_birth = rewards_today() - timedelta(days=365 * 16)
    made["young.one"].save(update_fields=["date_of_birth"])
    return made


def state() -> dict[str, list]:
    """Every row the demo Marketplace writes, to compare a re-seed with."""
    models = (
        Listing,
        FeaturedVideo,
        SavedList,
        SavedCreator,
        Campaign,
        Proposal,
        Collaboration,
        Step,
        Delivery,
        Message,
        PaymentAttempt,
        EarningsEntry,
    )
    return {
        "rows": [list(model.objects.order_by("pk").values()) for model in models],
        "features": list(MatchFeatures.objects.order_by("pk").values_list("pk", "refreshed_at")),
    }


def test_the_demo_gives_the_creator_and_the_brand_something_to_do_then_a_reseed_writes_nothing(
    maya: CreatorProfile,
    brand: BrandProfile,
    others: dict[str, CreatorProfile],
    settings: Settings,
) -> None:
    settings.PAYMENTS_GATEWAY = "sandbox"
    first = demo_marketplace.seed_marketplace(creator=maya, brand=brand)
    assert first.listed == 4 and first.deals > 0

    # Listings: every eligible creator, with features brands search on; never the others.
    listed = set(Listing.objects.values_list("creator__handle", flat=True))
    assert listed == {"mayamakes", "nora_travels", "leo.dances", "milameows"}
    assert MatchFeatures.objects.count() == 4
    features = MatchFeatures.objects.get(creator=maya)
    assert features.followers == 28_900 and features.avg_views > 0
    assert features.audience_countries  # the activity's audience split
    listing = maya.listing
    assert listing.headline and listing.about and listing.currency == "USD"
    assert (listing.price_video_minor, listing.price_live_minor, listing.price_bundle_minor) == (
        45_000,
        30_000,
        110_000,
    )
    featured = list(listing.featured.values_list("video__creator", "video__days__views"))
    assert len(featured) == 6 and {c for c, _ in featured} == {maya.pk}
    assert [views for _, views in featured] == [8_000, 7_000, 6_000, 5_000, 4_000, 3_000]
    assert Listing.objects.get(creator=others["leo.dances"]).language == "pt"

    # The brand: a shortlist, two open campaigns, a closed one, a draft; two answers due
    # (an application and a counter-offer) and a delivery to approve.
    shortlist = brand.lists.get(name=demo_marketplace.SHORTLIST)
    assert shortlist.entries.count() == 4
    assert dict(brand.campaigns.values_list("title", "state")) == {
        "Autumn glow launch": "open",
        "Everyday glow series": "open",
        "Summer skincare routine": "closed",
        "Holiday gift sets": "draft",
    }
    autumn = brand.campaigns.get(title="Autumn glow launch")
    assert set(autumn.niches.values_list("slug", flat=True)) == {"beauty", "diy-crafts"}
    assert (autumn.budget_minor, autumn.currency, autumn.deliverable) == (50_000, "USD", "video")
    assert (autumn.target_countries, autumn.target_ages) == (["GB", "US"], ["18-24", "25-34"])
    assert autumn.deadline == rewards_today() + timedelta(days=30)
    summary = selectors.brand_summary(brand)
    assert (summary.open_campaigns, summary.draft_campaigns) == (2, 1)
    assert (summary.awaiting_you, summary.to_review, summary.in_progress) == (2, 1, 1)
    applied = Proposal.objects.get(creator=others["nora_travels"])
    assert (applied.direction, applied.state, applied.awaiting) == ("apply", "pending", "brand")
    countered = Proposal.objects.get(creator=others["leo.dances"])
    assert (countered.direction, countered.state, countered.price_minor) == (
        "invite",
        "countered",
        90_000,
    )
    assert countered.awaiting == "brand"

    # The creator: an invitation to answer, a delivery waiting for the brand, a paid deal.
    [invitation] = proposals.for_creator(maya).filter(state="pending")
    assert (invitation.campaign, invitation.awaiting, invitation.price_minor) == (
        autumn,
        "creator",
        50_000,
    )
    assert invitation.expires_at > timezone.now()
    waiting = Collaboration.objects.get(campaign__title="Everyday glow series")
    assert (waiting.creator, waiting.state, waiting.change_rounds) == (maya, "delivered", 1)
    assert waiting.deliveries.count() == 2 and waiting.charge.state == "succeeded"
    assert waiting.card.last4 == "4242" and waiting.earnings_entry is None
    assert "approve" in collaborations.actions_for(waiting, brand.user)
    paid = Collaboration.objects.get(campaign__title="Summer skincare routine")
    assert (paid.creator, paid.state) == (maya, "paid")
    assert paid.messages.count() == len(demo_marketplace.SUMMER_THREAD)
    [deal] = EarningsEntry.objects.filter(account__creator=maya, source=Source.BRAND_DEAL)
    assert deal.amount == 40_000
    usd = {b.currency: b for b in ledger.balances(maya)}["USD"]
    assert usd.available == paid.creator_share_minor == 34_000
    call_command("check_ledger")

    before = state()
    again = demo_marketplace.seed_marketplace(creator=maya, brand=brand)
    assert not again.made
    assert state() == before

    # The demo's next step works: the brand approves, and the creator is paid.
    collaborations.approve(collab=waiting, by=brand.user)
    waiting.refresh_from_db()
    assert waiting.state == "paid"
    call_command("check_ledger")


def test_without_the_sandbox_the_demo_lists_and_proposes_but_charges_nothing(
    maya: CreatorProfile,
    brand: BrandProfile,
    others: dict[str, CreatorProfile],
    settings: Settings,
) -> None:
    settings.PAYMENTS_GATEWAY = "stripe"  # a real gateway takes no typed card numbers
    seeded = demo_marketplace.seed_marketplace(creator=maya, brand=brand)
    assert seeded.listed == 4
    assert not Collaboration.objects.exists() and not PaymentAttempt.objects.exists()
    assert proposals.for_creator(maya).get().state == "pending"
