"""Reads of the Marketplace other apps may call: what a brand's home shows."""

from dataclasses import dataclass

from django.db.models import Count, F, Q

from accounts.models import BrandProfile, User
from core.exports import plain_rows

from .campaigns import campaigns_of
from .models import (
    OPEN_PROPOSAL_STATES,
    Campaign,
    CampaignState,
    Collaboration,
    CollabState,
    Delivery,
    Direction,
    Listing,
    Message,
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


def export_rows(user: User) -> dict[str, list[dict]]:
    """The Marketplace dealings of `user`, for their data export (privacy.exports): a
    creator's listing, a brand's campaigns, the proposals and collaborations on either side
    with their deliveries, and the collaboration messages they wrote. Six queries."""
    theirs = Q(creator__user=user) | Q(brand__user=user)
    return {
        "listing": plain_rows(
            Listing.objects.filter(creator__user=user).values(
                "headline",
                "about",
                "language",
                "currency",
                "price_video_minor",
                "price_live_minor",
                "price_bundle_minor",
                "bundle_note",
                "availability",
                "availability_note",
                "paused_at",
                "joined_at",
            )
        ),
        "campaigns": plain_rows(
            Campaign.objects.filter(brand__user=user)
            .order_by("created_at", "pk")
            .values(
                "id",
                "title",
                "objective",
                "brief",
                "deliverable",
                "deliverables",
                "budget_minor",
                "currency",
                "deadline",
                "min_followers",
                "target_countries",
                "target_ages",
                "state",
                "created_at",
            )
        ),
        "proposals": plain_rows(
            Proposal.objects.filter(Q(creator__user=user) | Q(campaign__brand__user=user))
            .order_by("created_at", "pk")
            .values(
                "id",
                "campaign_id",
                "direction",
                "state",
                "price_minor",
                "message",
                "answer",
                "expires_at",
                "created_at",
                "answered_at",
                campaign_title=F("campaign__title"),
                currency=F("campaign__currency"),
                creator_handle=F("creator__handle"),
                brand_name=F("campaign__brand__company_name"),
            )
        ),
        "collaborations": plain_rows(
            Collaboration.objects.filter(theirs)
            .order_by("created_at", "pk")
            .values(
                "id",
                "price_minor",
                "currency",
                "fee_pct",
                "deliverables",
                "due_on",
                "usage_rights",
                "state",
                "brand_agreed_at",
                "creator_agreed_at",
                "delivered_at",
                "approved_at",
                "cancelled_at",
                "created_at",
                campaign_title=F("campaign__title"),
                creator_handle=F("creator__handle"),
                brand_name=F("brand__company_name"),
            )
        ),
        "deliveries": plain_rows(
            Delivery.objects.filter(Q(collab__creator__user=user) | Q(collab__brand__user=user))
            .order_by("created_at", "pk")
            .values("collab_id", "links", "note", "created_at")
        ),
        "collaboration_messages": plain_rows(
            Message.objects.filter(author=user)
            .order_by("created_at", "pk")
            .values("collab_id", "body", "created_at")
        ),
    }
