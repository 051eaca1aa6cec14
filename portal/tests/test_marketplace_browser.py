"""The Marketplace in a real browser (issue 17's point 6): a brand signs in, filters creators,
writes and opens a campaign and invites its top match; the creator accepts, both agree the
terms, the brand pays into hold, the creator delivers a link, the brand asks for one change
and then approves; the creator sees the money, less the platform's fee, in their earnings."""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import CreatorProfile
from accounts.tests.factories import BrandFactory
from conftest import SHOTS
from core.clock import rewards_today
from marketplace.models import Campaign, CampaignState, Collaboration, CollabState
from marketplace.tests.factories_deals import niches
from marketplace.tests.factories_listings import listed_creator, set_features
from payments.models import EarningsEntry, Source
from portal.tests.test_subscriptions_browser import pay_with_new_card, sign_in, watch_csp

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FIRST_CUT = "https://www.tiktok.com/@lenaglow/video/7301"
SECOND_CUT = "https://www.tiktok.com/@lenaglow/video/7302"


def creator_in_marketplace(
    *,
    name: str,
    handle: str,
    followers: int,
    niche_slugs: tuple[str, ...],
    price_minor: int,
    **features: object,
) -> CreatorProfile:
    """A creator who joined through the service, with the features a night's refresh left."""
    creator = listed_creator(
        display_name=name,
        handle=handle,
        followers=followers,
        niches=niches(*niche_slugs),
        user__email=f"{handle}@example.com",
        listing={
            "headline": f"{name}: short videos people finish",
            "price_video_minor": price_minor,
        },
    )
    defaults = {
        "avg_views": followers // 4,
        "engagement_bp": 500,
        "authenticity": 85,
        "posts_30d": 6,
        "last_post_at": timezone.now() - timedelta(days=2),
        "audience_countries": {"GB": 5_000, "US": 5_000},
        "audience_ages": {"18-24": 4_000, "25-34": 6_000},
        "badges": [],
    }
    set_features(creator, followers=followers, **{**defaults, **features})
    return creator


def shoot_tab(tab: Page, name: str) -> None:
    """What conftest's `shoot` does, for the creator's own browser."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.evaluate("window.scrollTo(0, 0)")
    for width in (1280, 390):
        tab.set_viewport_size({"width": width, "height": 900})
        tab.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)
    tab.set_viewport_size({"width": 1280, "height": 900})


def test_a_brand_hires_its_top_match_and_the_creator_is_paid(
    shoot: Callable[[str], None],
    page: Page,
    live_server: object,
    request: pytest.FixtureRequest,
) -> None:
    base = live_server.url
    lena = creator_in_marketplace(
        name="Lena Glow",
        handle="lenaglow",
        followers=120_000,
        niche_slugs=("beauty",),
        price_minor=45_000,
        engagement_bp=1_100,
        authenticity=97,
        posts_30d=10,
        last_post_at=timezone.now() - timedelta(days=1),
        audience_countries={"GB": 8_000, "US": 2_000},
        audience_ages={"18-24": 7_000, "25-34": 3_000},
        badges=["brand-ready"],
    )
    creator_in_marketplace(
        name="Priya Skin",
        handle="priyaskin",
        followers=64_000,
        niche_slugs=("beauty", "fashion"),
        price_minor=70_000,
        engagement_bp=420,
        audience_countries={"US": 9_000, "GB": 1_000},
    )
    creator_in_marketplace(
        name="Mia Blush",
        handle="miablush",
        followers=15_000,
        niche_slugs=("beauty",),
        price_minor=20_000,
    )
    creator_in_marketplace(
        name="Tom Lifts",
        handle="tomlifts",
        followers=80_000,
        niche_slugs=("fitness",),
        price_minor=40_000,
    )
    glowco = BrandFactory(company_name="GlowCo", user__email="team@glowco.example")
    deadline = rewards_today() + timedelta(days=30)

    # The brand finds creators: four listed; beauty leaves three, 50,000 followers two.
    sign_in(page, base, glowco.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find creators").click()
    expect(page.get_by_role("heading", name="Find creators", level=1)).to_be_visible()
    results = page.locator("#results")
    names = results.locator(".result-name > a")
    expect(results.get_by_text(re.compile(r"^4 creators\."))).to_be_visible()
    page.wait_for_load_state()  # htmx (a deferred script) listens from the load on
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Niche").select_option(label="Beauty")
    expect(results.get_by_text(re.compile(r"^3 creators\."))).to_be_visible()
    expect(names).to_have_text(["Lena Glow", "Priya Skin", "Mia Blush"])  # by followers
    page.get_by_label("Followers from").fill("50000")
    expect(results.get_by_text(re.compile(r"^2 creators\."))).to_be_visible()
    expect(names).to_have_text(["Lena Glow", "Priya Skin"])
    expect(page).to_have_url(re.compile(r"niche=beauty.*followers_min=50000"))
    assert page.evaluate("window.stillTheSamePage") is True
    shoot("marketplace-search")

    # A campaign: the brief, saved as a draft, then opened to creators.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").click()
    expect(page.get_by_role("heading", name="New campaign", level=1)).to_be_visible()
    page.get_by_label("Title").fill("Morning glow serum")
    page.get_by_label("Objective").select_option(label="Product launch")
    page.get_by_label(re.compile(r"^Brief:?$")).fill(
        "Show our new vitamin C serum in your morning routine, with a before and after."
    )
    page.get_by_label("Beauty", exact=True).check()
    page.get_by_label("Target countries").fill("GB")
    page.get_by_label("18-24", exact=True).check()
    page.get_by_label("Kind of deliverable").select_option(label="Video")
    page.get_by_label("What is delivered").fill(
        "One 45 to 60-second video, posted by the deadline."
    )
    page.get_by_label("Budget per creator").fill("500")
    page.get_by_label("Deadline").fill(deadline.isoformat())
    page.get_by_label("Minimum followers").fill("20000")
    shoot("marketplace-campaign-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Campaign saved as a draft.")
    campaign = Campaign.objects.get(brand=glowco)
    expect(page).to_have_url(f"{base}/marketplace/campaigns/{campaign.pk}/")
    page.get_by_role("button", name="Open to creators").click()
    expect(page.get_by_role("status")).to_contain_text("Open: creators can apply")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Open")
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.OPEN

    # The ranking: Mia has too few followers; Lena leads, each part of her score in words.
    ranked = page.get_by_test_id("ranked-creator")
    expect(ranked).to_have_count(3)
    expect(ranked.locator("h3 a")).to_have_text(["Lena Glow", "Priya Skin", "Tom Lifts"])
    top = ranked.first
    scores = [int(card.locator(".match-score .num").inner_text()) for card in ranked.all()]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[1], scores
    expect(top.locator(".match-score")).to_have_attribute(
        "aria-label", f"Match score {scores[0]} of 100"
    )
    expect(top.locator(".match-part-label")).to_have_text(
        [
            "Niche overlap",
            "Audience fit",
            "Engagement",
            "Authenticity",
            "Price against budget",
            "Recent activity",
            "Academy badges",
        ]
    )
    shoot("marketplace-ranking")

    # She is invited at her rate, with a line about the campaign; htmx swaps her invite box.
    page.evaluate("window.stillTheSamePage = true")
    top.get_by_label("Price (USD)").fill("450")
    top.get_by_label("Message").fill("We love your morning routines. Would you try our serum?")
    top.get_by_role("button", name="Invite").click()
    expect(top.get_by_test_id("invited")).to_have_text(
        "Invited at 450.00 USD: waiting for an answer."
    )
    assert page.evaluate("window.stillTheSamePage") is True

    # Lena, in a browser of her own, finds the invitation from the Marketplace and accepts.
    creator_context = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    request.addfinalizer(creator_context.close)
    tab = creator_context.new_page()
    refused = watch_csp(tab)
    sign_in(tab, base, lena.user.email)
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Marketplace").click()
    expect(tab.get_by_role("heading", name="Your listing", level=1)).to_be_visible()
    tab.get_by_role("link", name="Invitations and applications").click()
    invitation = tab.get_by_test_id("proposal").filter(has_text="Morning glow serum")
    expect(invitation).to_contain_text("GlowCo")
    expect(invitation).to_contain_text("450.00 USD")
    expect(invitation).to_contain_text("We love your morning routines.")
    shoot_tab(tab, "marketplace-proposals")
    tab.wait_for_load_state()
    invitation.get_by_label("Message").fill("Happy to! Filming on Monday.")
    invitation.get_by_role("button", name="Accept 450.00 USD").click()
    expect(invitation.locator(".badge")).to_have_text("Accepted")
    invitation.get_by_role("link", name="Go to the collaboration").click()
    collab = Collaboration.objects.get(creator=lena)
    expect(tab).to_have_url(f"{base}/marketplace/collaborations/{collab.pk}/")
    expect(tab.get_by_test_id("collab-state")).to_have_text("Agreeing the terms")
    expect(tab.get_by_text("382.50 USD after the 15 % platform fee")).to_be_visible()
    tab.get_by_role("button", name="Agree these terms").click()
    expect(tab.get_by_role("status")).to_have_text("You agreed the terms; the other side is told.")

    # The brand agrees too, and pays into hold with a new card.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Proposals").click()
    page.get_by_role("region", name="Collaborations").get_by_role(
        "link", name="Morning glow serum"
    ).click()
    expect(page.get_by_test_id("collab-state")).to_have_text("Agreeing the terms")
    page.get_by_role("button", name="Agree these terms").click()
    expect(page.get_by_role("status")).to_have_text("Both sides agree the terms.")
    page.get_by_role("link", name="Pay 450.00 USD into hold").click()
    expect(page.get_by_role("heading", name="Pay 450.00 USD into hold", level=1)).to_be_visible()
    pay_with_new_card(page, "4242 4242 4242 4242")
    page.get_by_role("button", name="Pay 450.00 USD").click()
    expect(page).to_have_url(f"{base}/marketplace/collaborations/{collab.pk}/")
    expect(page.get_by_role("status")).to_have_text(
        "Paid into hold. The creator can start the work."
    )
    expect(page.get_by_test_id("collab-state")).to_have_text("In progress")
    collab.refresh_from_db()
    assert collab.charge_id is not None and collab.earnings_entry_id is None

    # Lena delivers a link.
    tab.reload()
    expect(tab.get_by_test_id("collab-state")).to_have_text("In progress")
    tab.get_by_label("Links").fill(FIRST_CUT)
    tab.get_by_label("Note").fill("First cut, posted this morning.")
    tab.get_by_role("button", name="Deliver").click()
    expect(tab.get_by_role("status")).to_have_text("Delivered. The brand is told.")
    expect(tab.get_by_test_id("collab-state")).to_have_text("Delivered")

    # The brand sees the delivery and asks for one change.
    page.reload()
    expect(page.get_by_test_id("collab-state")).to_have_text("Delivered")
    deliveries = page.get_by_role("region", name="Deliveries")
    expect(deliveries.get_by_role("link", name=FIRST_CUT)).to_be_visible()
    shoot("marketplace-collab-brand")
    page.get_by_text("Ask for changes (2 rounds left)").click()
    page.get_by_label("Note").fill("Please show the bottle's label for two seconds at the end.")
    page.get_by_role("button", name="Ask for changes").click()
    expect(page.get_by_role("status")).to_have_text("Changes asked. The creator is told.")
    expect(page.get_by_test_id("collab-state")).to_have_text("Changes requested")

    # Lena reads the note and delivers again.
    tab.reload()
    expect(tab.get_by_test_id("collab-state")).to_have_text("Changes requested")
    expect(tab.get_by_test_id("steps")).to_contain_text("show the bottle's label")
    tab.get_by_label("Links").fill(SECOND_CUT)
    tab.get_by_role("button", name="Deliver").click()
    expect(tab.get_by_test_id("collab-state")).to_have_text("Delivered")

    # The brand approves: the money leaves the hold for Lena's earnings.
    page.reload()
    expect(page.get_by_role("region", name="Deliveries").get_by_role("link")).to_have_text(
        [SECOND_CUT, FIRST_CUT]  # newest first
    )
    expect(page.get_by_text(re.compile(r"Ask for changes \(1 round left\)"))).to_be_visible()
    page.get_by_role("button", name="Approve and release 450.00 USD").click()
    expect(page.get_by_role("status")).to_have_text("Approved: the creator is paid.")
    expect(page.get_by_test_id("collab-state")).to_have_text("Paid")
    collab.refresh_from_db()
    assert (collab.state, collab.change_rounds) == (CollabState.PAID, 1)

    # Lena sees the money on the collaboration, then in her earnings: available at once.
    tab.reload()
    expect(tab.get_by_test_id("collab-state")).to_have_text("Paid")
    expect(tab.get_by_test_id("actions")).to_contain_text("382.50 USD is in your earnings")
    shoot_tab(tab, "marketplace-collab-creator")
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Earnings").click()
    expect(tab.get_by_test_id("available")).to_have_text("382.50 USD")
    expect(tab.get_by_test_id("pending")).to_have_text("0.00 USD")
    lines = tab.get_by_role("region", name="Every line").locator("tbody tr")
    deal = lines.filter(has_text="Brand deals")
    expect(deal).to_contain_text("Morning glow serum for GlowCo")
    expect(deal).to_contain_text("450.00 USD")
    expect(deal).to_contain_text("Available")
    expect(lines.filter(has_text="Marketplace fee (15 %)")).to_contain_text("-67.50 USD")
    shoot_tab(tab, "marketplace-earnings")
    entries = EarningsEntry.objects.filter(account__creator=lena).order_by("pk")
    assert [(e.source, e.amount, e.pending_until) for e in entries] == [
        (Source.BRAND_DEAL, 45_000, None),
        (Source.PLATFORM_FEE, -6_750, None),
    ]
    assert not refused, "Content-Security-Policy violations:\n" + "\n".join(refused)
    creator_context.close()
