import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import BrandFactory, CreatorFactory, FanFactory, StaffFactory
from marketplace import collaborations, proposals
from marketplace.models import CampaignState, Collaboration, Message, Proposal, ProposalState

from .factories_deals import (
    POST_ONLY_DEALS,
    card_for,
    collaboration,
    deal_rows,
    listed_creator,
    open_campaign,
)

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_deals_url_answers_each_role_as_its_rule_says(creator: object, brand: object) -> None:
    kwargs = deal_rows(creator, brand)
    names = [
        "marketplace:campaigns",
        "marketplace:campaign_new",
        "marketplace:open_campaigns",
        "marketplace:proposals",
        *kwargs,
    ]
    brand_only = {n for n in names if n.split(":")[1].startswith("campaign")} | {
        "marketplace:collab_pay",
        "marketplace:collab_changes",
        "marketplace:collab_approve",
    }
    creator_only = {
        "marketplace:open_campaigns",
        "marketplace:open_campaign",
        "marketplace:apply",
        "marketplace:collab_deliver",
    }
    clients = {
        "brand": client_for(brand.user),
        "creator": client_for(creator.user),
        "fan": client_for(FanFactory()),
        "staff": client_for(StaffFactory()),
        "visitor": Client(),
    }
    wrong = []
    for name in names:
        url = reverse(name, kwargs=kwargs.get(name))
        for role, client in clients.items():
            if role == "visitor":
                expected = 302
            elif (
                role in ("fan", "staff")
                or (role == "brand" and name in creator_only)
                or (role == "creator" and name in brand_only)
            ):
                expected = 403
            else:
                expected = 405 if name in POST_ONLY_DEALS else 200
            status = client.get(url).status_code
            if status != expected:
                wrong.append(f"{name} as {role}: {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_a_brand_never_sees_another_brands_campaign_or_thread() -> None:
    collab = collaboration()
    Message.objects.create(collab=collab, author=collab.brand.user, body="Secret plan")
    other = client_for(BrandFactory().user)
    campaign = collab.campaign
    for url in [
        reverse("marketplace:campaign", args=[campaign.pk]),
        reverse("marketplace:campaign_edit", args=[campaign.pk]),
        reverse("marketplace:collab", args=[collab.pk]),
        reverse("marketplace:collab_messages", args=[collab.pk]),
        reverse("marketplace:collab_pay", args=[collab.pk]),
    ]:
        assert other.get(url).status_code == 404, url
        assert other.get(url, headers=HX).status_code == 404, url
    response = other.post(
        reverse("marketplace:collab_messages", args=[collab.pk]), {"body": "Hi"}, headers=HX
    )
    assert response.status_code == 404
    for name in ("campaign_close", "campaign_invite"):
        assert other.post(reverse(f"marketplace:{name}", args=[campaign.pk])).status_code == 404
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.OPEN
    assert Message.objects.count() == 1
    page = other.get(reverse("marketplace:campaigns"))
    assert campaign.title.encode() not in page.content


def test_a_creator_sees_and_answers_only_their_own_proposals() -> None:
    campaign = open_campaign()
    mine, theirs = listed_creator(), listed_creator()
    proposals.invite(brand=campaign.brand, campaign=campaign, creator=mine, price_minor=100)
    other = proposals.invite(
        brand=campaign.brand, campaign=campaign, creator=theirs, price_minor=100
    )
    client = client_for(mine.user)
    page = client.get(reverse("marketplace:proposals"))
    assert page.status_code == 200
    assert f"@{mine.handle}".encode() in page.content
    assert f"@{theirs.handle}".encode() not in page.content
    response = client.post(reverse("marketplace:answer", args=[other.pk]), {"action": "accept"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.state == ProposalState.PENDING
    collab = collaboration(creator=theirs)
    assert client.get(reverse("marketplace:collab", args=[collab.pk])).status_code == 404


def test_fans_are_refused_every_deals_page(fan_client: Client) -> None:
    for name in ("campaigns", "open_campaigns", "proposals"):
        assert fan_client.get(reverse(f"marketplace:{name}")).status_code == 403


def test_the_campaign_page_ranks_creators_and_pages_with_htmx(brand: object) -> None:
    campaign = open_campaign(brand)
    best = listed_creator(badges=["brand-ready"], engagement_bp=1_000)
    listed_creator(engagement_bp=10)
    client = client_for(brand.user)
    url = reverse("marketplace:campaign", args=[campaign.pk])
    with CaptureQueriesContext(connection) as page_queries:
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index(f"@{best.handle}") < body.index("Creators ranked") + 5_000
    assert "Niche overlap" in body and "Brand-ready badge." in body
    assert "<html" in body
    fragment = client.get(url, headers=HX)
    assert fragment.status_code == 200
    assert b'id="ranking"' in fragment.content and b"<html" not in fragment.content
    for _ in range(5):
        listed_creator()
    with CaptureQueriesContext(connection) as more_queries:
        client.get(url)
    assert len(more_queries.captured_queries) == len(page_queries.captured_queries)


def test_inviting_with_htmx_returns_the_row_and_counts_a_request(brand: object) -> None:
    campaign = open_campaign(brand)
    creator = listed_creator()
    client = client_for(brand.user)
    url = reverse("marketplace:campaign_invite", args=[campaign.pk])
    response = client.post(
        url, {"creator": creator.pk, "price": "450.00", "message": "Hi"}, headers=HX
    )
    assert response.status_code == 200
    assert b"Invited at 450.00 USD" in response.content
    assert Proposal.objects.get().price_minor == 45_000
    assert proposals.partnership_requests(creator, 1)[0].count == 1
    again = client.post(url, {"creator": creator.pk, "price": "450.00"}, headers=HX)
    assert again.status_code == 409
    assert b"already an invitation" in again.content


def test_the_creator_applies_and_the_brand_counters_then_the_creator_accepts() -> None:
    campaign = open_campaign()
    creator = listed_creator()
    creator_client = client_for(creator.user)
    page = creator_client.get(reverse("marketplace:open_campaigns"))
    assert page.status_code == 200 and campaign.title.encode() in page.content
    detail = creator_client.get(reverse("marketplace:open_campaign", args=[campaign.pk]))
    assert b"Your match" in detail.content and b"To raise it" in detail.content
    applied = creator_client.post(
        reverse("marketplace:apply", args=[campaign.pk]), {"price": "500", "message": "Me!"}
    )
    assert applied.status_code == 302
    proposal = Proposal.objects.get()
    brand_client = client_for(campaign.brand.user)
    countered = brand_client.post(
        reverse("marketplace:answer", args=[proposal.pk]),
        {"action": "counter", "price": "400", "message": "Can you do 400?"},
        headers=HX,
    )
    assert countered.status_code == 200
    assert b"400.00 USD" in countered.content and b"<html" not in countered.content
    accepted = creator_client.post(
        reverse("marketplace:answer", args=[proposal.pk]), {"action": "accept"}
    )
    collab = Collaboration.objects.get()
    assert accepted["Location"] == reverse("marketplace:collab", args=[collab.pk])
    assert collab.price_minor == 40_000


def test_the_collaboration_page_shows_each_side_its_action_and_refuses_out_of_order() -> None:
    collab = collaboration(agreed=False)
    brand_client, creator_client = client_for(collab.brand.user), client_for(collab.creator.user)
    url = reverse("marketplace:collab", args=[collab.pk])
    assert b"Agree these terms" in brand_client.get(url).content
    refused = creator_client.post(
        reverse("marketplace:collab_deliver", args=[collab.pk]), {"links": "https://v.example/1"}
    )
    assert refused.status_code == 302
    page = creator_client.get(url).content.decode()
    assert "Delivery comes after the brand has paid" in page
    collab.refresh_from_db()
    assert collab.state == "terms" and not collab.deliveries.exists()
    brand_client.post(reverse("marketplace:collab_terms", args=[collab.pk]), {"agree": "1"})
    creator_client.post(reverse("marketplace:collab_terms", args=[collab.pk]), {"agree": "1"})
    assert b"into hold" in brand_client.get(url).content


@pytest.mark.django_db(transaction=True)
def test_pay_deliver_approve_through_the_pages() -> None:
    collab = collaboration()
    brand_client, creator_client = client_for(collab.brand.user), client_for(collab.creator.user)
    card = card_for(collab.brand.user)
    pay_url = reverse("marketplace:collab_pay", args=[collab.pk])
    assert brand_client.get(pay_url).status_code == 200
    paid = brand_client.post(pay_url, {"card": str(card.pk), "request_key": "a" * 32})
    assert paid.status_code == 302
    creator_client.post(
        reverse("marketplace:collab_deliver", args=[collab.pk]),
        {"links": "https://video.example/1"},
    )
    brand_client.post(reverse("marketplace:collab_approve", args=[collab.pk]))
    collab.refresh_from_db()
    assert collab.state == "paid"
    page = creator_client.get(reverse("marketplace:collab", args=[collab.pk])).content.decode()
    assert "382.50 USD is in your" in page


def test_messages_post_with_htmx_returns_the_thread() -> None:
    collab = collaboration()
    client = client_for(collab.creator.user)
    url = reverse("marketplace:collab_messages", args=[collab.pk])
    response = client.post(url, {"body": "When is the shoot?"}, headers=HX)
    assert response.status_code == 200
    assert b'id="thread"' in response.content and b"When is the shoot?" in response.content
    assert b"<html" not in response.content
    empty = client.post(url, {"body": ""}, headers=HX)
    assert empty.status_code == 409
    plain = client.post(url, {"body": "Plain"})
    assert plain.status_code == 302
    assert list(collab.messages.values_list("body", flat=True)) == ["When is the shoot?", "Plain"]
    assert collaborations.actions_for(collab, CreatorFactory().user) == set()


def test_a_brand_writes_and_opens_a_campaign_through_the_pages(brand: object) -> None:
    from datetime import timedelta

    from core.clock import rewards_today

    client = client_for(brand.user)
    assert client.get(reverse("marketplace:campaign_new")).status_code == 200
    from accounts.models import Niche

    response = client.post(
        reverse("marketplace:campaign_new"),
        {
            "title": "Spring",
            "objective": "awareness",
            "brief": "Bloom.",
            "niches": [Niche.objects.get(slug="beauty").pk],
            "target_countries": "gb, us",
            "target_ages": ["18-24"],
            "deliverable": "video",
            "deliverables": "One video",
            "budget": "250.00",
            "currency": "USD",
            "deadline": (rewards_today() + timedelta(days=10)).isoformat(),
            "min_followers": "10000",
        },
    )
    assert response.status_code == 302
    campaign = brand.campaigns.get()
    assert (campaign.budget_minor, campaign.target_countries) == (25_000, ["GB", "US"])
    client.post(reverse("marketplace:campaign_open", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.OPEN
    bad = client.post(reverse("marketplace:campaign_new"), {"title": ""})
    assert bad.status_code == 400
