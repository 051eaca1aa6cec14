"""Reads of the Marketplace other apps may call: what a brand's home shows."""

from dataclasses import dataclass

from django.db.models import Count, Q

from accounts.models import BrandProfile

from .campaigns import campaigns_of
from .models import (
    OPEN_PROPOSAL_STATES,
    Campaign,
    CampaignState,
    Collaboration,
    CollabState,
    Direction,
    Proposal,
)


@dataclass(frozen=True)
class BrandSummary:
    open_campaigns: int
    draft_campaigns: int
    awaiting_you: int  # invitations and applications whose next answer is the brand's
    in_progress: int  # collaborations agreed or under way, not yet paid or cancelled
    to_review: int  # deliveries waiting for the brand's decision
    campaigns: list[Campaign]  # the latest few, with their counts


def brand_summary(brand: BrandProfile, *, latest: int = 5) -> BrandSummary:
    """What needs the brand's attention in the Marketplace (four queries)."""
    counts = Campaign.objects.filter(brand=brand).aggregate(
        open=Count("pk", filter=Q(state=CampaignState.OPEN)),
        draft=Count("pk", filter=Q(state=CampaignState.DRAFT)),
    )
    deals = Collaboration.objects.filter(brand=brand).aggregate(
        in_progress=Count("pk", filter=~Q(state__in=[CollabState.PAID, CollabState.CANCELLED])),
        to_review=Count("pk", filter=Q(state=CollabState.DELIVERED)),
    )
    awaiting = Proposal.objects.filter(
        campaign__brand=brand, state__in=OPEN_PROPOSAL_STATES, awaiting="brand"
    ).count()
    return BrandSummary(
        open_campaigns=counts["open"],
        draft_campaigns=counts["draft"],
        awaiting_you=awaiting,
        in_progress=deals["in_progress"],
        to_review=deals["to_review"],
        campaigns=list(campaigns_of(brand).prefetch_related(None)[:latest]),
    )


def partnership_requests_sql() -> str:
    """SQL for every brand partnership request a creator received (an invitation from a brand,
    whatever became of it; see proposals.py), as rows of `creator_id` and `created_at`: for
    another app's set-based SQL (the staff reports' monthly precompute), so it names no table
    of ours. A function, so nothing reads the models' options while apps load."""
    return (
        f"SELECT creator_id, created_at FROM {Proposal._meta.db_table} "
        f"WHERE direction = '{Direction.INVITE.value}'"
    )
