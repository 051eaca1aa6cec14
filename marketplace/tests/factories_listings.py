"""Listed creators and their features, made as the portal makes them: eligible creators
join through marketplace.listings; features come from the refresh, or are set directly where
a test is about search rather than about the refresh."""

from datetime import date

from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory
from marketplace import listings, lists
from marketplace.listings import ListingTerms
from marketplace.models import Listing, MatchFeatures, SavedList

ELIGIBLE = {"followers": 20_000, "date_of_birth": date(1990, 1, 1)}


def terms(**fields: object) -> ListingTerms:
    values: dict = {"headline": "Short recipes, big flavour", "price_video_minor": 50_000}
    values.update(fields)
    return ListingTerms(**values)


def eligible_creator(**fields: object) -> CreatorProfile:
    return CreatorFactory(**{**ELIGIBLE, **fields})


def listed_creator(*, listing: dict | None = None, **fields: object) -> CreatorProfile:
    """An eligible creator who joined the Marketplace through the service."""
    creator = eligible_creator(**fields)
    listings.join_marketplace(creator=creator, terms=terms(**(listing or {})))
    return creator


def listing_of(creator: CreatorProfile) -> Listing:
    return Listing.objects.get(creator=creator)


def set_features(creator: CreatorProfile, **fields: object) -> MatchFeatures:
    """The creator's features as a night's refresh would leave them (for search tests)."""
    MatchFeatures.objects.update_or_create(creator=creator, defaults=fields)
    return MatchFeatures.objects.get(creator=creator)


def saved_list(brand: object, name: str = "Shortlist", creators: tuple = ()) -> SavedList:
    made = lists.create_list(brand=brand, name=name)
    for creator in creators:
        lists.add_to_list(saved_list=made, creator=creator)
    return made
