"""The brand search: listed creators filtered and sorted on their nightly features
(MatchFeatures), a page at a time, in a bounded number of queries whatever the page.

Only listings brands may see: not paused, of an active account not suspended. Plain search
sorts by followers, engagement or price (the lowest rate on the card); a brand with a
campaign may also sort by match to it (marketplace.matching.matched_results_page, which
scores the same filtered rows against the brief).

With 100,000 listed creators, counting the matches of a search (and, for most filters and
sorts, finding its page) reads tens of thousands of rows: 50 to 600 ms on the benchmark's
2-core machine, where the page must answer in well under 100 ms. So a page's creator ids and
the count are cached under the filters, the page and the Marketplace's version (`version`,
bumped by the nightly feature refresh that every order and most filters come from) for at
most regions.REGION_SECONDS; the page's rows are always read afresh by id, and only those
still visible are shown. What the version does not cover (a listing edited, paused or
resumed, a creator's niches or standing) reaches the count and order within that bound.
"""

import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import IntegerField, QuerySet, Value
from django.db.models.functions import Coalesce, Least
from django_countries import countries

from accounts.models import CreatorProfile, Standing
from accounts.selectors import badges_of
from core import regions

from .models import Availability, Listing, MatchFeatures

PER_PAGE = 20
VERSION_KEY = "marketplace:version"
# Larger than any price (listings.MAX_PRICE_MINOR), so a missing price sorts last.
NO_PRICE = 2_000_000_000


class Sort:
    FOLLOWERS = "followers"
    ENGAGEMENT = "engagement"
    PRICE = "price"
    # By match to one of the brand's campaigns: "match-<campaign id>" in the query string.
    MATCH = "match"
    CHOICES = [
        (FOLLOWERS, "Most followers"),
        (ENGAGEMENT, "Highest engagement"),
        (PRICE, "Lowest price"),
    ]


ORDERINGS = {
    Sort.FOLLOWERS: ["-followers", "creator_id"],
    Sort.ENGAGEMENT: ["-engagement_bp", "-followers", "creator_id"],
    Sort.PRICE: ["lowest_price", "-followers", "creator_id"],
}


@dataclass(frozen=True)
class SearchFilters:
    """What a brand asks for; every field optional. Rates are basis points, money minor
    units in `currency`, audience shares basis points."""

    niche: str = ""  # a niche slug
    country: str = ""  # the creator's ISO country
    language: str = ""
    followers_min: int | None = None
    followers_max: int | None = None
    engagement_min_bp: int | None = None
    engagement_max_bp: int | None = None
    authenticity_min: int | None = None
    budget_minor: int | None = None
    currency: str = "USD"
    audience_country: str = ""
    audience_age: str = ""
    audience_min_bp: int = 0
    sort: str = Sort.FOLLOWERS
    # The campaign whose brief Sort.MATCH scores against (one of the searching brand's).
    campaign_id: int | None = None
    exclude: list[int] = field(default_factory=list)


def version() -> int:
    """The Marketplace's version: cached searches and rankings are keyed by it."""
    return regions.version(VERSION_KEY)


def changed() -> None:
    """What search and ranking read changed for many creators (the nightly refresh): cached
    pages are dropped from now on, and again when the transaction commits."""
    regions.bump(VERSION_KEY)


def cache_key(kind: str, *parts: object) -> str:
    """A cache key for a page of `kind` under the current version; the parts hashed, so any
    filter value makes a short, safe key."""
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return regions.region_key("marketplace", kind, version(), digest[:32])


def cached_page(
    key: str,
    rows: QuerySet,
    page_number: object,
    per_page: int,
    by_ids: Callable[[list[int]], QuerySet],
    around_miss: Callable[[], AbstractContextManager] = nullcontext,
) -> tuple[Page, list]:
    """Page `page_number` of `rows`: from the cache under `key` (the page's ids and the
    count), its rows read afresh with `by_ids(ids)` (a queryset), in the cached order; or,
    on a miss, the count and the page from `rows` inside `around_miss()`, cached. A miss costs
    what an uncached page does (the count, the page); a hit, one query for the rows."""
    paginator = Paginator(rows, per_page)
    found = cache.get(key)
    if found is None:
        with around_miss():
            page = paginator.get_page(page_number)
            objects = list(page.object_list)
        cache.set(
            key,
            {
                "count": paginator.count,
                "number": page.number,
                "ids": [row.pk for row in objects],
            },
            regions.REGION_SECONDS,
        )
        return page, objects
    # The count as cached: the paginator must not count again (a cached_property).
    paginator.__dict__["count"] = found["count"]
    fresh = {row.pk: row for row in by_ids(found["ids"])} if found["ids"] else {}
    objects = [fresh[pk] for pk in found["ids"] if pk in fresh]
    return Page(objects, found["number"], paginator), objects


def visible_features() -> QuerySet[MatchFeatures]:
    """The features of every listing a brand may see, with the creator and their listing."""
    return MatchFeatures.objects.filter(
        creator__listing__paused_at__isnull=True,
        creator__user__is_active=True,
    ).exclude(creator__standing=Standing.SUSPENDED)


def visible_creators() -> QuerySet[CreatorProfile]:
    """Creators whose listing brands may see (features or not)."""
    return CreatorProfile.objects.filter(
        listing__paused_at__isnull=True, user__is_active=True
    ).exclude(standing=Standing.SUSPENDED)


def features_of(creator: CreatorProfile) -> MatchFeatures | None:
    return MatchFeatures.objects.filter(creator=creator).first()


def is_visible(creator: CreatorProfile) -> bool:
    """Whether brands find the creator in search now."""
    return visible_features().filter(creator=creator).exists()


def _lowest_price() -> Least:
    return Least(
        *(
            Coalesce(f"creator__listing__{name}", Value(NO_PRICE), output_field=IntegerField())
            for name in ("price_video_minor", "price_live_minor", "price_bundle_minor")
        )
    )


def search(filters: SearchFilters) -> QuerySet[MatchFeatures]:
    """The listed creators `filters` admit, in its order; each row a MatchFeatures with its
    creator, their user and listing selected and the lowest price as `lowest_price`."""
    found = visible_features().annotate(lowest_price=_lowest_price())
    f = filters
    if f.niche:
        found = found.filter(creator__niches__slug=f.niche)
    if f.country:
        found = found.filter(creator__country=f.country)
    if f.language:
        found = found.filter(creator__listing__language=f.language)
    if f.followers_min is not None:
        found = found.filter(followers__gte=f.followers_min)
    if f.followers_max is not None:
        found = found.filter(followers__lte=f.followers_max)
    if f.engagement_min_bp is not None:
        found = found.filter(engagement_bp__gte=f.engagement_min_bp)
    if f.engagement_max_bp is not None:
        found = found.filter(engagement_bp__lte=f.engagement_max_bp)
    if f.authenticity_min is not None:
        found = found.filter(authenticity__gte=f.authenticity_min)
    if f.budget_minor is not None:
        found = found.filter(
            creator__listing__currency=f.currency, lowest_price__lte=f.budget_minor
        )
    # Audience keys come from fixed lists (the form checks them): a key is a JSON path here.
    share = max(f.audience_min_bp, 1)
    if f.audience_country:
        found = found.filter(**{f"audience_countries__{f.audience_country}__gte": share})
    if f.audience_age:
        found = found.filter(**{f"audience_ages__{f.audience_age}__gte": share})
    if f.exclude:
        found = found.exclude(creator_id__in=f.exclude)
    return found.select_related("creator__user", "creator__listing").order_by(
        *ORDERINGS.get(f.sort, ORDERINGS[Sort.FOLLOWERS])
    )


@dataclass(frozen=True)
class Result:
    """One creator on a results page, as a brand sees them: no points, no earnings."""

    features: MatchFeatures
    creator: CreatorProfile
    listing: Listing
    niches: list[str]
    # When sorted by match: the score for the campaign, explained (a matching.Match).
    match: object | None = None

    @property
    def engagement_percent(self) -> str:
        return percent(self.features.engagement_bp)

    @property
    def lowest_price(self) -> str:
        return self.listing.money(self.listing.lowest_price_minor)


def percent(bp: int) -> str:
    """Basis points as a percentage with one decimal: 425 -> "4.3 %"."""
    return f"{bp / 100:.1f} %"


def results_page(filters: SearchFilters, page_number: object) -> tuple[Page, list[Result]]:
    """The page `page_number` (clamped to the pages there are) of the search, and its rows
    with their niches: three queries (the count, the page, the niches), two when the page is
    cached (its rows by id, the niches)."""
    found = search(filters)
    key = cache_key("search", asdict(filters), str(page_number)[:12])
    page, rows = cached_page(
        key, found, page_number, PER_PAGE, lambda ids: found.filter(creator_id__in=ids).order_by()
    )
    return page, with_niches(rows)


def with_niches(rows: list[MatchFeatures], matches: list | None = None) -> list[Result]:
    """A results page's rows as Results, with their niches (one query) and, when sorted by
    match, each row's Match."""
    niches = _niche_names([row.creator_id for row in rows])
    return [
        Result(
            features=row,
            creator=row.creator,
            listing=row.creator.listing,
            niches=niches.get(row.creator_id, []),
            match=matches[i] if matches else None,
        )
        for i, row in enumerate(rows)
    ]


def _niche_names(creator_ids: list[int]) -> dict[int, list[str]]:
    if not creator_ids:
        return {}
    names: dict[int, list[str]] = {}
    links = CreatorProfile.niches.through.objects.filter(creatorprofile_id__in=creator_ids)
    for creator_id, name in links.order_by("niche__name").values_list(
        "creatorprofile_id", "niche__name"
    ):
        names.setdefault(creator_id, []).append(name)
    return names


@dataclass(frozen=True)
class ListingPage:
    """A listed creator's page as a brand reads it."""

    features: MatchFeatures
    creator: CreatorProfile
    listing: Listing
    niches: list[str]
    featured: list
    badges: list

    @property
    def engagement_percent(self) -> str:
        return percent(self.features.engagement_bp)

    @property
    def rates(self) -> dict[str, str]:
        money = self.listing.money
        return {
            "video": money(self.listing.price_video_minor),
            "live": money(self.listing.price_live_minor),
            "bundle": money(self.listing.price_bundle_minor),
        }

    @property
    def availability_tone(self) -> str:
        return {Availability.OPEN: "good", Availability.LIMITED: "warn"}.get(
            self.listing.availability, "bad"
        )

    @property
    def audience(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The audience split as (heading, [(key, "12.5 %"), ...]) largest share first,
        only the parts the platform has sent."""
        parts = [
            ("Countries", self.features.audience_countries, _country_name),
            ("Ages", self.features.audience_ages, str),
            ("Genders", self.features.audience_genders, str.capitalize),
        ]
        return [
            (heading, [(name(key), percent(bp)) for key, bp in _largest(split)])
            for heading, split, name in parts
            if split
        ]


def _country_name(code: str) -> str:
    return countries.name(code) or "Elsewhere"


def _largest(split: dict[str, int], limit: int = 6) -> list[tuple[str, int]]:
    return sorted(split.items(), key=lambda item: (-item[1], item[0]))[:limit]


def listing_page(handle: str) -> ListingPage | None:
    """The visible listing of @`handle`, or None: five queries."""
    row = (
        visible_features()
        .filter(creator__in=CreatorProfile.objects.with_handle(handle))
        .select_related("creator__user", "creator__listing")
        .first()
    )
    if row is None:
        return None
    listing = row.creator.listing
    return ListingPage(
        features=row,
        creator=row.creator,
        listing=listing,
        niches=_niche_names([row.creator_id]).get(row.creator_id, []),
        featured=list(listing.featured.select_related("video")),
        badges=badges_of(row.creator),
    )
