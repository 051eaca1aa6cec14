"""Joining the Marketplace, the listing's terms, featured videos and pausing."""

from datetime import date

import pytest

from accounts.models import Standing
from accounts.services import set_standing
from accounts.tests.factories import CreatorFactory
from activity.tests.factories import VideoFactory
from marketplace import listings
from marketplace.listings import ListingError
from marketplace.models import FeaturedVideo, Listing, MatchFeatures
from marketplace.tests.factories_listings import eligible_creator, listed_creator, listing_of, terms

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 18)


def test_eligible_creator_joins_and_gets_features_at_once() -> None:
    creator = eligible_creator()
    listing = listings.join_marketplace(creator=creator, terms=terms(), today=TODAY)
    assert listing.headline == "Short recipes, big flavour"
    assert listing.price_video_minor == 50_000
    assert MatchFeatures.objects.get(creator=creator).followers == 20_000


def test_creator_with_exactly_the_threshold_is_told_the_one_follower_they_lack() -> None:
    creator = CreatorFactory(followers=10_000, date_of_birth=date(1990, 1, 1))
    with pytest.raises(ListingError) as refused:
        listings.join_marketplace(creator=creator, terms=terms(), today=TODAY)
    assert "More than 10,000 followers" in str(refused.value)
    assert "1 more follower" in str(refused.value)
    assert not Listing.objects.filter(creator=creator).exists()


def test_refusal_names_every_condition_lacking_and_only_those() -> None:
    creator = CreatorFactory(followers=500, date_of_birth=date(2010, 1, 1))
    creator = set_standing(creator=creator, standing=Standing.WARNED, reason="Spam")
    path = listings.marketplace_path(creator, TODAY)
    assert [c.met for c in path.conditions] == [False, False, False]
    with pytest.raises(ListingError) as refused:
        listings.join_marketplace(creator=creator, terms=terms(), today=TODAY)
    message = str(refused.value)
    assert "18 or older" in message and "followers" in message and "good standing" in message


def test_joining_twice_is_refused() -> None:
    creator = listed_creator()
    with pytest.raises(ListingError, match="already"):
        listings.join_marketplace(creator=creator, terms=terms(), today=TODAY)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"price_video_minor": None}, "at least one price"),
        ({"price_video_minor": 0}, "more than zero"),
        ({"headline": "  "}, "headline"),
        ({"currency": "XXX"}, "currency"),
        ({"price_bundle_minor": 900}, "bundle holds"),
        ({"language": "zz"}, "language"),
    ],
)
def test_bad_terms_are_refused_with_a_reason(fields: dict, words: str) -> None:
    creator = eligible_creator()
    with pytest.raises(ListingError, match=words):
        listings.join_marketplace(creator=creator, terms=terms(**fields), today=TODAY)


def test_saving_changes_the_rate_card() -> None:
    listing = listing_of(listed_creator())
    listings.save_listing(
        listing=listing,
        terms=terms(price_video_minor=None, price_live_minor=9_900, currency="EUR"),
    )
    listing.refresh_from_db()
    assert (listing.price_video_minor, listing.price_live_minor) == (None, 9_900)
    assert listing.money(listing.lowest_price_minor) == "99.00 EUR"


def test_featured_videos_are_the_creators_own_in_the_order_chosen() -> None:
    creator = listed_creator()
    first, second = VideoFactory(creator=creator), VideoFactory(creator=creator)
    listing = listing_of(creator)
    listings.set_featured_videos(listing=listing, video_ids=[second.pk, first.pk, second.pk])
    assert list(listing.featured.values_list("video_id", flat=True)) == [second.pk, first.pk]


def test_another_creators_video_cannot_be_featured() -> None:
    listing = listing_of(listed_creator())
    theirs = VideoFactory()
    with pytest.raises(ListingError, match="your own"):
        listings.set_featured_videos(listing=listing, video_ids=[theirs.pk])
    assert not FeaturedVideo.objects.exists()


def test_at_most_six_videos_are_featured() -> None:
    creator = listed_creator()
    videos = [VideoFactory(creator=creator).pk for _ in range(7)]
    with pytest.raises(ListingError, match="at most 6"):
        listings.set_featured_videos(listing=listing_of(creator), video_ids=videos)


def test_pause_and_resume() -> None:
    listing = listing_of(listed_creator())
    listings.pause_listing(listing=listing)
    assert listing_of(listing.creator).is_paused
    listings.pause_listing(listing=listing)  # twice changes nothing
    listings.resume_listing(listing=listing, today=TODAY)
    assert not listing_of(listing.creator).is_paused


def test_a_creator_who_fell_below_the_threshold_cannot_resume() -> None:
    creator = listed_creator()
    listing = listing_of(creator)
    listings.pause_listing(listing=listing)
    type(creator).objects.filter(pk=creator.pk).update(followers=9_000)
    listing.creator.refresh_from_db()
    with pytest.raises(ListingError, match="followers"):
        listings.resume_listing(listing=listing, today=TODAY)
    assert listing_of(creator).is_paused
