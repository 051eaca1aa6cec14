from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import BrandFactory, CreatorFactory
from marketplace import proposals, tasks_deals
from marketplace.campaigns import DealError
from marketplace.models import Collaboration, CollabState, Direction, ProposalState

from .factories_deals import listed_creator, open_campaign

pytestmark = pytest.mark.django_db


def test_an_invitation_waits_for_the_creator_and_is_accepted_into_a_collaboration() -> None:
    campaign = open_campaign()
    creator = listed_creator()
    invitation = proposals.invite(
        brand=campaign.brand, campaign=campaign, creator=creator, price_minor=30_000, message="Hi"
    )
    assert (invitation.awaiting, invitation.direction) == ("creator", Direction.INVITE)
    assert invitation.expires_at == invitation.created_at + timedelta(days=7)
    assert creator.user.notifications.filter(subject__contains="invites you").exists()
    with pytest.raises(DealError, match="other side's turn"):
        proposals.answer(proposal=invitation, by=campaign.brand.user, action="accept")
    proposals.answer(proposal=invitation, by=creator.user, action="accept", message="Gladly")
    invitation.refresh_from_db()
    assert invitation.state == ProposalState.ACCEPTED
    collab = Collaboration.objects.get(proposal=invitation)
    assert (collab.state, collab.price_minor, collab.fee_pct) == (CollabState.TERMS, 30_000, 15)
    assert collab.steps.get().state == CollabState.TERMS
    assert campaign.brand.user.notifications.filter(subject__contains="accepted").exists()


def test_a_counter_passes_the_turn_until_the_other_side_accepts() -> None:
    campaign = open_campaign()
    creator = listed_creator()
    offer = proposals.invite(
        brand=campaign.brand, campaign=campaign, creator=creator, price_minor=30_000
    )
    proposals.answer(
        proposal=offer, by=creator.user, action="counter", price_minor=40_000, message="More?"
    )
    offer.refresh_from_db()
    assert (offer.state, offer.awaiting, offer.price_minor, offer.answer) == (
        ProposalState.COUNTERED,
        "brand",
        40_000,
        "More?",
    )
    with pytest.raises(DealError, match="other side's turn"):
        proposals.answer(proposal=offer, by=creator.user, action="accept")
    with pytest.raises(DealError, match="changes the price"):
        proposals.answer(
            proposal=offer, by=campaign.brand.user, action="counter", price_minor=40_000
        )
    proposals.answer(proposal=offer, by=campaign.brand.user, action="counter", price_minor=35_000)
    proposals.answer(proposal=offer, by=creator.user, action="accept")
    assert Collaboration.objects.get(proposal=offer).price_minor == 35_000


def test_a_stranger_cannot_answer() -> None:
    campaign = open_campaign()
    offer = proposals.invite(
        brand=campaign.brand, campaign=campaign, creator=listed_creator(), price_minor=30_000
    )
    for stranger in (CreatorFactory().user, BrandFactory().user):
        with pytest.raises(DealError, match="not yours"):
            proposals.answer(proposal=offer, by=stranger, action="decline")
    offer.refresh_from_db()
    assert offer.state == ProposalState.PENDING


def test_one_open_proposal_per_campaign_and_creator() -> None:
    campaign = open_campaign()
    creator = listed_creator()
    proposals.invite(brand=campaign.brand, campaign=campaign, creator=creator, price_minor=100)
    with pytest.raises(DealError, match="already an invitation or application"):
        proposals.apply(creator=creator, campaign=campaign, price_minor=200)


def test_unanswered_invitations_expire_nightly_and_once() -> None:
    campaign = open_campaign()
    creator = listed_creator()
    sent = timezone.now() - timedelta(days=8)
    old = proposals.invite(
        brand=campaign.brand, campaign=campaign, creator=creator, price_minor=100, now=sent
    )
    fresh = proposals.invite(
        brand=campaign.brand, campaign=campaign, creator=listed_creator(), price_minor=100
    )
    with pytest.raises(DealError, match="expired"):
        proposals.answer(proposal=old, by=creator.user, action="accept")
    assert tasks_deals.expire_invitations() == 1
    assert tasks_deals.expire_invitations() == 0
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.state, fresh.state) == (ProposalState.EXPIRED, ProposalState.PENDING)
    assert campaign.brand.user.notifications.filter(subject__contains="No answer").count() == 1
    # Expired, the pair is free for a new invitation.
    proposals.invite(brand=campaign.brand, campaign=campaign, creator=creator, price_minor=100)


def test_a_declined_application_may_apply_again_only_after_thirty_days() -> None:
    campaign = open_campaign()
    creator = listed_creator()
    applied = proposals.apply(creator=creator, campaign=campaign, price_minor=20_000)
    assert applied.awaiting == "brand" and applied.expires_at is None
    proposals.answer(proposal=applied, by=campaign.brand.user, action="decline", message="No")
    with pytest.raises(DealError, match="you may apply again from"):
        proposals.apply(creator=creator, campaign=campaign, price_minor=15_000)
    later = timezone.now() + timedelta(days=30, minutes=1)
    again = proposals.apply(creator=creator, campaign=campaign, price_minor=15_000, now=later)
    assert again.state == ProposalState.PENDING


def test_only_listed_creators_on_open_campaigns() -> None:
    campaign = open_campaign()
    with pytest.raises(DealError, match="not in the Marketplace"):
        proposals.invite(
            brand=campaign.brand, campaign=campaign, creator=CreatorFactory(), price_minor=100
        )
    with pytest.raises(DealError, match="paused"):
        proposals.apply(creator=listed_creator(paused=True), campaign=campaign, price_minor=100)
    with pytest.raises(DealError, match="not one of yours"):
        proposals.invite(
            brand=BrandFactory(), campaign=campaign, creator=listed_creator(), price_minor=100
        )
    with pytest.raises(DealError, match="at least 10,000 followers"):
        proposals.apply(creator=listed_creator(followers=9_000), campaign=campaign, price_minor=100)


def test_partnership_requests_count_invitations_by_month() -> None:
    creator = listed_creator()
    for _ in range(2):
        campaign = open_campaign()
        proposals.invite(brand=campaign.brand, campaign=campaign, creator=creator, price_minor=1)
    proposals.apply(creator=creator, campaign=open_campaign(), price_minor=1)  # not a request
    months = proposals.partnership_requests(creator, months=3)
    assert len(months) == 3
    assert months[-1].month == timezone.localdate().replace(day=1)
    assert [m.count for m in months] == [0, 0, 2]
