"""A creator's listing in the Marketplace: joining (for those the Marketplace path of
rewards.eligibility admits), the listing's words, rate card and availability, up to six
featured videos chosen from the creator's own, and pausing.

Every write to a listing goes through here. Joining, and resuming a paused listing, check
the Marketplace path again; a refusal names each condition the creator lacks.
"""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import CreatorProfile
from activity import selectors as activity_selectors
from core.clock import rewards_today
from rewards.eligibility import Condition, ProgramPath, program_paths

from . import features
from .models import LANGUAGES, MAX_FEATURED_VIDEOS, Availability, FeaturedVideo, Listing

# A rate above this is a typing mistake, not a price (a million in major units).
MAX_PRICE_MINOR = 100_000_000
# Currencies a rate card may use: those brands pay in through the payments gateway.
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY")


class ListingError(Exception):
    """A listing change the rules refuse; the message is safe to show."""


def marketplace_path(creator: CreatorProfile, today: date | None = None) -> ProgramPath:
    """The creator's conditions for the Marketplace, each with what they lack."""
    paths = program_paths(creator, today or rewards_today())
    return next(path for path in paths if path.key == "marketplace")


def _refuse_unless_eligible(creator: CreatorProfile, today: date | None) -> None:
    path = marketplace_path(creator, today)
    if path.eligible:
        return
    lacking = [c for c in path.conditions if not c.met]
    raise ListingError("Not yet: " + "; ".join(_lack_text(c) for c in lacking) + ".")


def _lack_text(condition: Condition) -> str:
    return f"{condition.label} (you have {condition.status}, {condition.shortfall} needed)"


@dataclass(frozen=True)
class ListingTerms:
    """What a creator writes on their listing; the form's cleaned data."""

    headline: str
    about: str = ""
    language: str = "en"
    currency: str = "USD"
    price_video_minor: int | None = None
    price_live_minor: int | None = None
    price_bundle_minor: int | None = None
    bundle_note: str = ""
    availability: str = Availability.OPEN
    availability_note: str = ""

    def check(self) -> None:
        if not self.headline.strip():
            raise ListingError("Write a headline: it is the first line brands read.")
        if self.language not in dict(LANGUAGES):
            raise ListingError("Choose a language from the list.")
        if self.currency not in CURRENCIES:
            raise ListingError(f"Choose a currency brands can pay in: {', '.join(CURRENCIES)}.")
        if self.availability not in Availability.values:
            raise ListingError("Choose your availability from the list.")
        prices = (self.price_video_minor, self.price_live_minor, self.price_bundle_minor)
        if all(p is None for p in prices):
            raise ListingError("Give at least one price: per video, per live or per bundle.")
        if any(p is not None and not 0 < p <= MAX_PRICE_MINOR for p in prices):
            raise ListingError("Each price must be more than zero and at most a million.")
        if self.price_bundle_minor is not None and not self.bundle_note.strip():
            raise ListingError("Say what a bundle holds, for example “3 videos and a live”.")


def _apply(listing: Listing, terms: ListingTerms) -> None:
    listing.headline = terms.headline.strip()
    listing.about = terms.about.strip()
    listing.language = terms.language
    listing.currency = terms.currency
    listing.price_video_minor = terms.price_video_minor
    listing.price_live_minor = terms.price_live_minor
    listing.price_bundle_minor = terms.price_bundle_minor
    listing.bundle_note = terms.bundle_note.strip()
    listing.availability = terms.availability
    listing.availability_note = terms.availability_note.strip()
    listing.updated_at = timezone.now()


@transaction.atomic
def join_marketplace(
    *, creator: CreatorProfile, terms: ListingTerms, today: date | None = None
) -> Listing:
    """List the creator, if the Marketplace path admits them, with their first terms; their
    match features are computed at once so brands find them before the nightly refresh."""
    terms.check()
    if Listing.objects.filter(creator=creator).exists():
        raise ListingError("You are already in the Marketplace: edit your listing instead.")
    _refuse_unless_eligible(creator, today)
    listing = Listing(creator=creator)
    _apply(listing, terms)
    try:
        with transaction.atomic():
            listing.save(force_insert=True)
    except IntegrityError as error:  # a twin request listed them first
        raise ListingError("You are already in the Marketplace.") from error
    features.refresh(creator=creator)
    return listing


@transaction.atomic
def save_listing(*, listing: Listing, terms: ListingTerms) -> Listing:
    """Change the listing's words, rate card and availability."""
    terms.check()
    _apply(listing, terms)
    listing.save()
    return listing


@transaction.atomic
def set_featured_videos(*, listing: Listing, video_ids: list[int]) -> list[FeaturedVideo]:
    """Feature up to six of the creator's own videos, in the order given (the first is shown
    first); an empty list features none."""
    ids = list(dict.fromkeys(video_ids))  # a repeated id counts once, where it first appears
    if len(ids) > MAX_FEATURED_VIDEOS:
        raise ListingError(f"Feature at most {MAX_FEATURED_VIDEOS} videos.")
    videos = [activity_selectors.video_of(listing.creator, pk) for pk in ids]
    if any(video is None for video in videos):
        raise ListingError("Choose among your own videos.")
    FeaturedVideo.objects.filter(listing=listing).delete()
    featured = FeaturedVideo.objects.bulk_create(
        FeaturedVideo(listing=listing, video=video, position=position)
        for position, video in enumerate(videos)
    )
    Listing.objects.filter(pk=listing.pk).update(updated_at=timezone.now())
    return featured


@transaction.atomic
def pause_listing(*, listing: Listing) -> Listing:
    """Hide the listing from brands; pausing a paused listing changes nothing."""
    updated = Listing.objects.filter(pk=listing.pk, paused_at__isnull=True).update(
        paused_at=timezone.now()
    )
    if updated:
        listing.refresh_from_db(fields=["paused_at"])
    return listing


@transaction.atomic
def resume_listing(*, listing: Listing, today: date | None = None) -> Listing:
    """Show the listing to brands again, if the creator still meets the Marketplace path."""
    if not listing.is_paused:
        return listing
    _refuse_unless_eligible(listing.creator, today)
    Listing.objects.filter(pk=listing.pk).update(paused_at=None)
    listing.paused_at = None
    features.refresh(creator=listing.creator)
    return listing


def listing_of(creator: CreatorProfile) -> Listing | None:
    return Listing.objects.filter(creator=creator).first()


def choosable_videos(creator: CreatorProfile, *, limit: int = 30) -> list:
    """The creator's latest videos, to feature some of them."""
    return list(activity_selectors.latest_videos(creator, limit=limit))
