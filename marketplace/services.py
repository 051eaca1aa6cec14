"""Marketplace writes other apps call: what closing an account (privacy.closing) needs of the
Marketplace. The Marketplace's own use-cases live in campaigns, proposals, collaborations and
listings; these compose them."""

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.services import notify

from . import collaborations
from .campaigns import close_campaign
from .collaborations import BRAND, side_of
from .models import (
    OPEN_PROPOSAL_STATES,
    Campaign,
    CampaignState,
    Collaboration,
    CollabState,
    Delivery,
    Direction,
    FeaturedVideo,
    Listing,
    Message,
    Proposal,
    ProposalState,
    SavedList,
    Step,
)

REMOVED = "[removed]"
# Before delivery either side may call a collaboration off, the brand's payment refunded.
CANCELLABLE = (CollabState.TERMS, CollabState.ACCEPTED)
# Delivered work the brand has yet to decide on, or is being changed at the brand's request.
UNDER_REVIEW = (CollabState.DELIVERED, CollabState.CHANGES)


def _of(user: User) -> QuerySet[Collaboration]:
    return Collaboration.objects.filter(Q(brand__user=user) | Q(creator__user=user))


def collaborations_to_settle(user: User) -> dict[str, list[Collaboration]]:
    """The user's collaborations closing must deal with: "paying" (the brand's payment is
    under way, its outcome not known yet: nothing may be cancelled or refunded until it is),
    "cancel" (before delivery: called off, a payment refunded to the brand), "review"
    (delivered or being changed)."""
    rows = list(
        _of(user)
        .filter(state__in=[*CANCELLABLE, *UNDER_REVIEW])
        .select_related("campaign", "brand", "creator")
        .order_by("pk")
    )
    paying = [c for c in rows if collaborations.payment_under_way(c)]
    return {
        "paying": paying,
        "cancel": [c for c in rows if c.state in CANCELLABLE and c not in paying],
        "review": [c for c in rows if c.state in UNDER_REVIEW],
    }


def settle_collaborations_on_closing(*, user: User) -> list[Collaboration]:
    """Settle the collaborations of a user who closes their account, each through the
    collaboration's own use-cases (so each is a step the other side reads and is told of):
    before delivery it is cancelled and a payment made into hold is refunded to the brand in
    full; a brand that closes approves work delivered to it (the money held is released to the
    creator, as the nightly auto-approval would). Not inside a transaction: refunds call the
    gateway (collaborations.cancel commits before it). A second call finds nothing left to do
    and retries a refund that failed. Raises PaymentPending, before settling any, while a
    payment is under way: closing must not stop halfway, some deals called off and others
    not."""
    if paying := collaborations_to_settle(user)["paying"]:
        raise collaborations.PaymentPending(
            f"A payment for “{paying[0].campaign.title}” is under way: wait for its outcome, "
            "then close the account."
        )
    reason = "The account on this side was closed."
    settled = []
    for collab in _of(user).filter(
        Q(state__in=CANCELLABLE) | Q(state=CollabState.CANCELLED, charge__isnull=False)
    ):
        if collab.state == CollabState.CANCELLED and collab.refund_id is not None:
            continue
        settled.append(collaborations.cancel(collab=collab, by=user, reason=reason))
    for collab in _of(user).filter(state=CollabState.DELIVERED).select_related("brand"):
        if side_of(collab, user) == BRAND:
            settled.append(collaborations.approve(collab=collab, by=user))
    return settled


@transaction.atomic
def withdraw_on_closing(*, user: User) -> dict[str, int]:
    """Take a closing user out of the Marketplace: their open invitations, applications and
    counter-offers are withdrawn (the other side told), a creator's listing is paused and
    its words and featured videos removed, a brand's campaigns closed and saved lists
    deleted. Running it twice changes nothing more. Returns how many of each changed."""
    now = timezone.now()
    done = {"proposals": 0, "campaigns": 0, "listing": 0}
    creator = getattr(user, "creator", None)
    brand = getattr(user, "brand", None)
    if creator is not None:
        waiting = (
            Proposal.objects.select_for_update(of=("self",))
            .filter(creator=creator, state__in=OPEN_PROPOSAL_STATES)
            .select_related("campaign__brand__user")
        )
        for proposal in waiting:
            proposal.state = ProposalState.WITHDRAWN
            proposal.answered_at = now
            proposal.save(update_fields=["state", "answered_at"])
            notify(
                user=proposal.campaign.brand.user,
                subject=f"@{creator.handle} left the Marketplace",
                body=f"Their account was closed, so the "
                f"{proposal.get_direction_display().lower()} on “{proposal.campaign.title}” "
                "was withdrawn.",
            )
            done["proposals"] += 1
        done["listing"] = (
            Listing.objects.filter(creator=creator)
            .exclude(about=REMOVED)
            .update(
                headline=REMOVED,
                about=REMOVED,
                bundle_note="",
                availability_note="",
                paused_at=now,
                updated_at=now,
            )
        )
        FeaturedVideo.objects.filter(listing__creator=creator).delete()
    if brand is not None:
        for campaign in Campaign.objects.filter(brand=brand, state=CampaignState.OPEN):
            close_campaign(brand=brand, campaign=campaign)
            done["campaigns"] += 1
        done["campaigns"] += Campaign.objects.filter(brand=brand, state=CampaignState.DRAFT).update(
            state=CampaignState.CLOSED, updated_at=now
        )
        SavedList.objects.filter(brand=brand).delete()
    return done


@transaction.atomic
def erase_texts_of(*, user: User) -> int:
    """Replace what a closing user wrote in the Marketplace with "[removed]": their messages
    in collaboration threads, the notes of the collaboration steps they took (which quote
    cancel reasons and change requests), their words on invitations and applications, and a
    creator's delivery links and notes. Amounts, states and dates stay. Returns how many
    rows changed."""
    changed = Message.objects.filter(author=user).exclude(body=REMOVED).update(body=REMOVED)
    # A step's note may quote what its taker typed (a cancel reason, the changes asked for).
    changed += Step.objects.filter(by=user).exclude(note=REMOVED).update(note=REMOVED)
    creator = getattr(user, "creator", None)
    brand = getattr(user, "brand", None)
    # Who wrote a proposal's message and answer follows its direction: the side that
    # opened it wrote the message, the other side the answer.
    if creator is not None:
        mine = Proposal.objects.filter(creator=creator)
        changed += mine.filter(direction=Direction.APPLY).exclude(message="").update(message="")
        changed += mine.filter(direction=Direction.INVITE).exclude(answer="").update(answer="")
        changed += (
            Delivery.objects.filter(collab__creator=creator)
            .exclude(links=REMOVED)
            .update(links=REMOVED, note="")
        )
    if brand is not None:
        mine = Proposal.objects.filter(campaign__brand=brand)
        changed += mine.filter(direction=Direction.INVITE).exclude(message="").update(message="")
        changed += mine.filter(direction=Direction.APPLY).exclude(answer="").update(answer="")
    return changed
