"""Write use-cases and reads of invitations (brand to creator) and applications (creator to
brand) for a campaign: make one, answer it (accept, decline or counter the price), expire
unanswered invitations. Accepting makes the Collaboration, whose terms both sides then agree
(marketplace.collaborations).

One proposal per campaign and creator is open at a time (a database constraint); `awaiting`
says whose turn it is, and only that side may answer. An invitation, and any counter-offer
on it, waits MARKETPLACE_INVITE_DAYS for an answer; a declined application may be made again
only MARKETPLACE_REAPPLY_DAYS after it was declined. Every invitation counts as a brand
partnership request for the creator in its month."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import BrandProfile, CreatorProfile, Standing, User
from accounts.services import notify
from core import regions
from core.clock import rewards_day_of, rewards_today
from core.money import format_minor

from .campaigns import DealError
from .models import (
    OPEN_PROPOSAL_STATES,
    Campaign,
    CampaignState,
    Collaboration,
    CollabState,
    Direction,
    Listing,
    Proposal,
    ProposalState,
    Step,
)

BRAND, CREATOR = "brand", "creator"
MAX_PRICE = 99_999_999  # the payments gateway's largest charge
ACTIONS = ("accept", "decline", "counter")


def _check_price(price_minor: int) -> None:
    if not 0 < price_minor <= MAX_PRICE:
        raise DealError("Offer a price above zero and at most 999,999.99.")


def _listed(creator: CreatorProfile) -> Listing:
    listing = Listing.objects.filter(creator=creator).first()
    if listing is None:
        raise DealError(f"@{creator.handle} is not in the Marketplace.")
    if listing.is_paused:
        raise DealError(f"@{creator.handle} has paused their listing.")
    if creator.standing != Standing.GOOD:
        raise DealError(f"@{creator.handle} cannot take on collaborations now.")
    return listing


def _open(campaign: Campaign, now: datetime) -> None:
    if campaign.state != CampaignState.OPEN:
        raise DealError("The campaign is not open.")
    if campaign.deadline < rewards_day_of(now):
        raise DealError("The campaign's deadline has passed.")


def _create(**fields: object) -> Proposal:
    try:
        with transaction.atomic():
            return Proposal.objects.create(**fields)
    except IntegrityError:
        raise DealError(
            "There is already an invitation or application waiting for an answer for this "
            "campaign and creator."
        ) from None


@transaction.atomic
def invite(
    *,
    brand: BrandProfile,
    campaign: Campaign,
    creator: CreatorProfile,
    price_minor: int,
    message: str = "",
    now: datetime | None = None,
) -> Proposal:
    """The brand asks a listed creator to work on its open campaign for `price_minor`."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_related("brand").get(pk=campaign.pk)  # as it is now
    if campaign.brand_id != brand.pk:
        raise DealError("That campaign is not one of yours.")
    _open(campaign, now)
    _listed(creator)
    _check_price(price_minor)
    proposal = _create(
        campaign=campaign,
        creator=creator,
        direction=Direction.INVITE,
        price_minor=price_minor,
        message=message.strip()[:1000],
        awaiting=CREATOR,
        expires_at=now + timedelta(days=settings.MARKETPLACE_INVITE_DAYS),
        created_at=now,
    )
    regions.bump(requests_version_key(creator.pk))  # the dashboard's count of requests
    notify(
        user=creator.user,
        subject=f"{brand} invites you to “{campaign.title}”",
        body=f"{brand} offers {format_minor(price_minor, campaign.currency)}. "
        f"Answer within {settings.MARKETPLACE_INVITE_DAYS} days.",
    )
    return proposal


def reapply_from(campaign: Campaign, creator: CreatorProfile) -> datetime | None:
    """When the creator may apply to the campaign again after a declined application, or
    None if nothing holds them back."""
    declined = (
        Proposal.objects.filter(
            campaign=campaign,
            creator=creator,
            direction=Direction.APPLY,
            state=ProposalState.DECLINED,
        )
        .order_by("-answered_at")
        .values_list("answered_at", flat=True)
        .first()
    )
    if declined is None:
        return None
    return declined + timedelta(days=settings.MARKETPLACE_REAPPLY_DAYS)


@transaction.atomic
def apply(
    *,
    creator: CreatorProfile,
    campaign: Campaign,
    price_minor: int,
    message: str = "",
    now: datetime | None = None,
) -> Proposal:
    """The creator offers to work on an open campaign for `price_minor`."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_related("brand__user").get(pk=campaign.pk)
    _open(campaign, now)
    _listed(creator)
    _check_price(price_minor)
    if creator.followers < campaign.min_followers:
        raise DealError(f"The brand asks for at least {campaign.min_followers:,} followers.")
    again = reapply_from(campaign, creator)
    if again is not None and again > now:
        raise DealError(
            "Your application was declined; you may apply again from "
            f"{rewards_day_of(again):%-d %B %Y}."
        )
    proposal = _create(
        campaign=campaign,
        creator=creator,
        direction=Direction.APPLY,
        price_minor=price_minor,
        message=message.strip()[:1000],
        awaiting=BRAND,
        created_at=now,
    )
    notify(
        user=campaign.brand.user,
        subject=f"@{creator.handle} applied to “{campaign.title}”",
        body=f"They ask {format_minor(price_minor, campaign.currency)}.",
    )
    return proposal


def side_of(proposal: Proposal, user: User) -> str | None:
    """Which side of the proposal `user` is on, if any."""
    if proposal.campaign.brand.user_id == user.pk:
        return BRAND
    if proposal.creator.user_id == user.pk:
        return CREATOR
    return None


@transaction.atomic
def answer(
    *,
    proposal: Proposal,
    by: User,
    action: str,
    message: str = "",
    price_minor: int | None = None,
    now: datetime | None = None,
) -> Proposal:
    """Accept, decline or counter the price, by the side whose turn it is. Accepting makes
    the collaboration (its terms to agree); countering passes the turn to the other side."""
    now = now or timezone.now()
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("campaign__brand", "creator__user")
        .get(pk=proposal.pk)
    )
    side = side_of(proposal, by)
    if side is None:
        raise DealError("That invitation or application is not yours.")
    if action not in ACTIONS:
        raise DealError("Accept, decline or make a counter-offer.")
    if proposal.state not in OPEN_PROPOSAL_STATES:
        raise DealError(f"It has been answered already: {proposal.get_state_display().lower()}.")
    if proposal.expires_at is not None and proposal.expires_at <= now:
        raise DealError("It has expired: it went unanswered too long.")
    if proposal.awaiting != side:
        raise DealError("It is the other side's turn to answer.")
    other = proposal.creator.user if side == BRAND else proposal.campaign.brand.user
    who = str(proposal.campaign.brand) if side == BRAND else f"@{proposal.creator.handle}"
    title = proposal.campaign.title
    proposal.answer = message.strip()[:1000]
    if action == "counter":
        if price_minor is None:
            raise DealError("Say the price you counter with.")
        _check_price(price_minor)
        if price_minor == proposal.price_minor:
            raise DealError("A counter-offer changes the price: to take it as it is, accept.")
        proposal.price_minor = price_minor
        proposal.state = ProposalState.COUNTERED
        proposal.awaiting = CREATOR if side == BRAND else BRAND
        if proposal.expires_at is not None:
            proposal.expires_at = now + timedelta(days=settings.MARKETPLACE_INVITE_DAYS)
        proposal.save()
        notify(
            user=other,
            subject=f"{who} countered on “{title}”",
            body=f"They offer {proposal.price_display}. {proposal.answer}".strip(),
        )
        return proposal
    proposal.answered_at = now
    if action == "decline":
        proposal.state = ProposalState.DECLINED
        proposal.save()
        notify(user=other, subject=f"{who} declined “{title}”", body=proposal.answer)
        return proposal
    proposal.state = ProposalState.ACCEPTED
    proposal.save()
    campaign = proposal.campaign
    collab = Collaboration.objects.create(
        proposal=proposal,
        campaign=campaign,
        brand=campaign.brand,
        creator=proposal.creator,
        price_minor=proposal.price_minor,
        currency=campaign.currency,
        fee_pct=settings.MARKETPLACE_FEE_PCT,
        deliverables=campaign.deliverables,
        due_on=campaign.deadline,
        created_at=now,
        updated_at=now,
    )
    Step.objects.create(
        collab=collab,
        by=by,
        state=CollabState.TERMS,
        note=f"{who} accepted at {proposal.price_display}. Next, both sides agree the terms.",
        created_at=now,
    )
    notify(
        user=other,
        subject=f"{who} accepted “{title}”",
        body=f"At {proposal.price_display}. Agree the terms to start.",
    )
    return proposal


def expire_invitations(*, now: datetime | None = None) -> int:
    """Mark expired every proposal whose answer is overdue; tell the side that waited.
    Running it twice expires nothing more."""
    now = now or timezone.now()
    expired = 0
    due = Proposal.objects.filter(state__in=OPEN_PROPOSAL_STATES, expires_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            proposal = (
                Proposal.objects.select_for_update(of=("self",))
                .select_related("campaign__brand__user", "creator__user")
                .filter(pk=pk, state__in=OPEN_PROPOSAL_STATES, expires_at__lte=now)
                .first()
            )
            if proposal is None:
                continue
            proposal.state = ProposalState.EXPIRED
            proposal.answered_at = now
            proposal.save(update_fields=["state", "answered_at"])
            waited = (
                proposal.campaign.brand.user
                if proposal.awaiting == CREATOR
                else proposal.creator.user
            )
            notify(
                user=waited,
                subject=f"No answer on “{proposal.campaign.title}”",
                body="The offer went unanswered and has expired.",
            )
            expired += 1
    return expired


# --- reads ------------------------------------------------------------------------------------


def for_creator(creator: CreatorProfile) -> QuerySet[Proposal]:
    """The creator's own invitations and applications, newest first."""
    return Proposal.objects.filter(creator=creator).select_related(
        "campaign__brand", "creator", "collab"
    )


def for_brand(brand: BrandProfile) -> QuerySet[Proposal]:
    """Invitations and applications on the brand's own campaigns, newest first."""
    return Proposal.objects.filter(campaign__brand=brand).select_related(
        "campaign__brand", "creator", "collab"
    )


@dataclass(frozen=True)
class MonthCount:
    month: date
    count: int


def requests_version_key(creator_id: int) -> str:
    return f"marketplace:requests-version:{creator_id}"


def partnership_requests(creator: CreatorProfile, months: int = 6) -> list[MonthCount]:
    """Brand partnership requests (invitations) the creator received each month, the last
    `months` months oldest first, months without any included (one query)."""
    today = rewards_today()
    first = today.replace(day=1)
    starts = []
    for _ in range(months):
        starts.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    starts.reverse()
    since = timezone.make_aware(datetime.combine(starts[0], datetime.min.time()))
    counts = {
        (row["month"].date() if isinstance(row["month"], datetime) else row["month"]): row["n"]
        for row in Proposal.objects.filter(
            creator=creator, direction=Direction.INVITE, created_at__gte=since
        )
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [MonthCount(start, counts.get(start, 0)) for start in starts]
