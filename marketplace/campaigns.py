"""Write use-cases and reads of a brand's campaign briefs: write and edit one, open it to
creators, close it. Matching is marketplace.matching; invitations and applications are
marketplace.proposals.

A campaign is edited only by its brand and only while it is a draft or open; closing it
withdraws the invitations and applications still waiting for an answer (the collaborations
already agreed go on)."""

import re
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import BrandProfile, Niche
from accounts.services import notify
from core.clock import rewards_today

from .models import (
    AGE_BANDS,
    OPEN_PROPOSAL_STATES,
    Campaign,
    CampaignState,
    Deliverable,
    Objective,
    Proposal,
    ProposalState,
)

MAX_NICHES = 5
MAX_COUNTRIES = 10


class DealError(Exception):
    """A campaign, proposal or collaboration step the rules refuse; the message is safe to
    show, and nothing was changed."""


@dataclass(frozen=True)
class Brief:
    """What a brand writes for a campaign (the form's cleaned data)."""

    title: str
    objective: str
    brief: str
    niches: list[Niche]
    target_countries: list[str]
    target_ages: list[str]
    deliverable: str
    deliverables: str
    budget_minor: int
    currency: str
    deadline: date
    min_followers: int


def _checked(brief: Brief, *, today: date) -> Brief:
    if not brief.title.strip():
        raise DealError("Give the campaign a title.")
    if brief.objective not in Objective.values:
        raise DealError("Choose the campaign's objective.")
    if brief.deliverable not in Deliverable.values:
        raise DealError("Choose what the creator delivers: a video, a live session or a bundle.")
    if not brief.deliverables.strip():
        raise DealError("Say what the creator delivers.")
    if not brief.niches:
        raise DealError("Choose at least one niche.")
    if len(brief.niches) > MAX_NICHES:
        raise DealError(f"Choose at most {MAX_NICHES} niches.")
    countries = sorted({code.strip().upper() for code in brief.target_countries if code.strip()})
    if len(countries) > MAX_COUNTRIES:
        raise DealError(f"Target at most {MAX_COUNTRIES} countries.")
    if any(not re.fullmatch(r"[A-Z]{2}", code) for code in countries):
        raise DealError("Countries are two-letter codes, such as GB or US.")
    ages = [band for band in AGE_BANDS if band in set(brief.target_ages)]
    if len(ages) != len(set(brief.target_ages)):
        raise DealError(f"Age bands are {', '.join(AGE_BANDS)}.")
    if brief.budget_minor <= 0:
        raise DealError("The budget per creator must be above zero.")
    currency = brief.currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise DealError("The currency is a three-letter code, such as USD.")
    if brief.deadline < today:
        raise DealError("The deadline has passed: choose a later day.")
    if brief.min_followers < 0:
        raise DealError("Minimum followers cannot be negative.")
    return Brief(
        title=brief.title.strip(),
        objective=brief.objective,
        brief=brief.brief.strip(),
        niches=list(brief.niches),
        target_countries=countries,
        target_ages=ages,
        deliverable=brief.deliverable,
        deliverables=brief.deliverables.strip(),
        budget_minor=brief.budget_minor,
        currency=currency,
        deadline=brief.deadline,
        min_followers=brief.min_followers,
    )


@transaction.atomic
def save_campaign(
    *, brand: BrandProfile, brief: Brief, campaign: Campaign | None = None
) -> Campaign:
    """Write a new campaign (a draft) or edit `campaign`, the brand's own, while it is a
    draft or open."""
    brief = _checked(brief, today=rewards_today())
    now = timezone.now()
    if campaign is None:
        campaign = Campaign(brand=brand, created_at=now)
    else:
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.brand_id != brand.pk:
            raise DealError("That campaign is not one of yours.")
        if campaign.state == CampaignState.CLOSED:
            raise DealError("A closed campaign cannot be edited.")
    for field in (
        "title",
        "objective",
        "brief",
        "target_countries",
        "target_ages",
        "deliverable",
        "deliverables",
        "budget_minor",
        "currency",
        "deadline",
        "min_followers",
    ):
        setattr(campaign, field, getattr(brief, field))
    campaign.updated_at = now
    campaign.save()
    campaign.niches.set(brief.niches)
    return campaign


@transaction.atomic
def open_campaign(*, brand: BrandProfile, campaign: Campaign) -> Campaign:
    """Let creators see and apply to the campaign, and the brand invite them."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.brand_id != brand.pk:
        raise DealError("That campaign is not one of yours.")
    if campaign.state == CampaignState.OPEN:
        return campaign
    if campaign.deadline < rewards_today():
        raise DealError("The deadline has passed: move it later before opening the campaign.")
    if not campaign.niches.exists():
        raise DealError("Choose at least one niche before opening the campaign.")
    campaign.state = CampaignState.OPEN
    campaign.updated_at = timezone.now()
    campaign.save(update_fields=["state", "updated_at"])
    return campaign


@transaction.atomic
def close_campaign(*, brand: BrandProfile, campaign: Campaign) -> Campaign:
    """Stop taking applications and invitations; those waiting for an answer are withdrawn
    and their creators told. Agreed collaborations go on."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.brand_id != brand.pk:
        raise DealError("That campaign is not one of yours.")
    if campaign.state == CampaignState.CLOSED:
        return campaign
    if campaign.state != CampaignState.OPEN:
        raise DealError("Only an open campaign can be closed.")
    now = timezone.now()
    waiting = list(
        Proposal.objects.select_for_update()
        .filter(campaign=campaign, state__in=OPEN_PROPOSAL_STATES)
        .select_related("creator__user")
    )
    for proposal in waiting:
        proposal.state = ProposalState.WITHDRAWN
        proposal.answered_at = now
        proposal.save(update_fields=["state", "answered_at"])
        notify(
            user=proposal.creator.user,
            subject=f"{campaign.brand} closed “{campaign.title}”",
            body="The campaign closed, so its invitation or your application was withdrawn.",
        )
    campaign.state = CampaignState.CLOSED
    campaign.updated_at = now
    campaign.save(update_fields=["state", "updated_at"])
    return campaign


# --- reads ------------------------------------------------------------------------------------


def campaigns_of(brand: BrandProfile) -> QuerySet[Campaign]:
    """The brand's campaigns, newest first, with how many proposals wait and how many
    collaborations were agreed."""
    return (
        Campaign.objects.filter(brand=brand)
        .annotate(
            waiting=Count(
                "proposals",
                filter=Q(proposals__state__in=OPEN_PROPOSAL_STATES),
                distinct=True,
            ),
            agreed=Count("collabs", distinct=True),
        )
        .prefetch_related("niches")
    )


def campaigns_to_match(brand: BrandProfile) -> QuerySet[Campaign]:
    """The brand's campaigns the search can sort creators by match to: drafts and open ones,
    newest first (a closed campaign hires no one)."""
    return Campaign.objects.filter(brand=brand).exclude(state=CampaignState.CLOSED)


def open_campaigns() -> QuerySet[Campaign]:
    """Campaigns creators may see and apply to: open, deadline not passed."""
    return (
        Campaign.objects.filter(state=CampaignState.OPEN, deadline__gte=rewards_today())
        .select_related("brand")
        .prefetch_related("niches")
    )
