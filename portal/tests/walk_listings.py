"""The rows the URL walk (test_access.py) needs for the Marketplace's listing, search and
saved-list pages: the walk's creator listed (with a featured video and features), and the
walk's brand's list holding them."""

import datetime as dt

# The listing, search and saved-list views that only take a POST.
POST_ONLY_LISTINGS: set[str] = {
    "marketplace:join",
    "marketplace:featured",
    "marketplace:pause",
    "marketplace:resume",
    "marketplace:list_create",
    "marketplace:list_rename",
    "marketplace:list_delete",
    "marketplace:list_add",
    "marketplace:list_remove",
}


def own_listings(creator: object, brand: object) -> dict[str, dict]:
    """List the walk's creator through the service (raising their followers past the
    Marketplace's threshold), feature one of their videos, and save them to the walk's
    brand's list: rows for the pages and for Listing, MatchFeatures and SavedList in admin."""
    from accounts.models import CreatorProfile
    from activity.tests.factories import VideoFactory
    from marketplace import listings, lists
    from marketplace.listings import ListingTerms

    CreatorProfile.objects.filter(pk=creator.pk).update(
        followers=50_000, date_of_birth=dt.date(1990, 1, 1)
    )
    creator.refresh_from_db()
    listing = listings.listing_of(creator) or listings.join_marketplace(
        creator=creator, terms=ListingTerms(headline="Walked", price_video_minor=10_000)
    )
    listings.set_featured_videos(listing=listing, video_ids=[VideoFactory(creator=creator).pk])
    saved = lists.create_list(brand=brand, name="Walk list")
    lists.add_to_list(saved_list=saved, creator=creator)
    handle = {"handle": creator.handle}
    return {
        "marketplace:creator_detail": handle,
        "marketplace:list_add": handle,
        "marketplace:list_detail": {"pk": saved.pk},
        "marketplace:list_rename": {"pk": saved.pk},
        "marketplace:list_delete": {"pk": saved.pk},
        "marketplace:list_remove": {"pk": saved.pk, **handle},
    }
