from datetime import timedelta

import pytest

from accounts.tests.factories import BrandFactory
from core.clock import rewards_today
from marketplace import campaigns, proposals
from marketplace.campaigns import DealError
from marketplace.models import CampaignState, ProposalState

from .factories_deals import brief, listed_creator, niches, open_campaign

pytestmark = pytest.mark.django_db


def test_a_brand_writes_a_draft_edits_it_and_opens_it() -> None:
    brand = BrandFactory()
    campaign = campaigns.save_campaign(
        brand=brand, brief=brief(target_countries=["gb", "us", "GB"], currency="usd")
    )
    assert campaign.state == CampaignState.DRAFT
    assert campaign.target_countries == ["GB", "US"]
    assert campaign.currency == "USD"
    assert list(campaign.niches.all()) == niches("beauty")
    campaigns.save_campaign(
        brand=brand, campaign=campaign, brief=brief(title="Winter", niches=niches("fashion"))
    )
    campaign.refresh_from_db()
    assert campaign.title == "Winter"
    assert list(campaign.niches.all()) == niches("fashion")
    campaigns.open_campaign(brand=brand, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.OPEN
    assert campaign in campaigns.open_campaigns()


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"niches": []}, "at least one niche"),
        ({"target_countries": ["Britain"]}, "two-letter codes"),
        ({"target_ages": ["18-99"]}, "Age bands are"),
        ({"budget_minor": 0}, "above zero"),
        ({"deadline": rewards_today() - timedelta(days=1)}, "deadline has passed"),
        ({"title": "  "}, "title"),
    ],
)
def test_a_brief_of_the_wrong_shape_is_refused(fields: dict, words: str) -> None:
    with pytest.raises(DealError, match=words):
        campaigns.save_campaign(brand=BrandFactory(), brief=brief(**fields))


def test_another_brand_cannot_edit_open_or_close_a_campaign() -> None:
    campaign = open_campaign()
    other = BrandFactory()
    with pytest.raises(DealError, match="not one of yours"):
        campaigns.save_campaign(brand=other, campaign=campaign, brief=brief(title="Mine"))
    with pytest.raises(DealError, match="not one of yours"):
        campaigns.close_campaign(brand=other, campaign=campaign)
    campaign.refresh_from_db()
    assert (campaign.title, campaign.state) == ("Autumn launch", CampaignState.OPEN)


def test_closing_withdraws_waiting_proposals_and_refuses_edits() -> None:
    campaign = open_campaign()
    creator = listed_creator()
    proposal = proposals.invite(
        brand=campaign.brand, campaign=campaign, creator=creator, price_minor=10_000
    )
    campaigns.close_campaign(brand=campaign.brand, campaign=campaign)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.WITHDRAWN
    assert creator.user.notifications.filter(subject__contains="closed").exists()
    with pytest.raises(DealError, match="closed campaign"):
        campaigns.save_campaign(brand=campaign.brand, campaign=campaign, brief=brief())


def test_campaigns_of_counts_waiting_proposals() -> None:
    campaign = open_campaign()
    proposals.invite(
        brand=campaign.brand, campaign=campaign, creator=listed_creator(), price_minor=10_000
    )
    row = campaigns.campaigns_of(campaign.brand).get()
    assert (row.waiting, row.agreed) == (1, 0)
    assert not campaigns.campaigns_of(BrandFactory()).exists()
