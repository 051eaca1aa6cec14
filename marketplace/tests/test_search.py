"""The brand search: each filter, each sort, who is never shown, pages and their queries."""

import pytest

from accounts.models import Niche, Standing
from accounts.services import set_standing
from marketplace import listings, search
from marketplace.search import SearchFilters, Sort
from marketplace.tests.factories_listings import listed_creator, listing_of, set_features

pytestmark = pytest.mark.django_db


def handles(filters: SearchFilters) -> list[str]:
    return [row.creator.handle for row in search.search(filters)]


@pytest.fixture
def three() -> dict[str, object]:
    """Three listed creators, each first on one sort."""
    cook, gamer = Niche.objects.get(slug="cooking"), Niche.objects.get(slug="gaming")
    big = listed_creator(
        handle="big", country="US", niches=[cook], listing={"price_video_minor": 90_000}
    )
    engaged = listed_creator(
        handle="engaged",
        country="GB",
        niches=[gamer],
        listing={"language": "es", "price_video_minor": 40_000},
    )
    cheap = listed_creator(
        handle="cheap",
        country="GB",
        niches=[cook, gamer],
        listing={"price_video_minor": None, "price_live_minor": 10_000},
    )
    set_features(
        big,
        followers=500_000,
        engagement_bp=200,
        authenticity=95,
        audience_countries={"US": 7_000, "GB": 1_000},
        audience_ages={"25-34": 5_000},
    )
    set_features(
        engaged,
        followers=50_000,
        engagement_bp=900,
        authenticity=70,
        audience_countries={"ES": 8_000},
        audience_ages={"18-24": 6_000},
    )
    set_features(
        cheap,
        followers=20_000,
        engagement_bp=400,
        authenticity=85,
        audience_countries={"GB": 3_000},
        audience_ages={"18-24": 2_000},
    )
    return {"big": big, "engaged": engaged, "cheap": cheap}


def test_each_sort(three: dict) -> None:
    assert handles(SearchFilters(sort=Sort.FOLLOWERS)) == ["big", "engaged", "cheap"]
    assert handles(SearchFilters(sort=Sort.ENGAGEMENT)) == ["engaged", "cheap", "big"]
    assert handles(SearchFilters(sort=Sort.PRICE)) == ["cheap", "engaged", "big"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"niche": "cooking"}, ["big", "cheap"]),
        ({"country": "GB"}, ["engaged", "cheap"]),
        ({"language": "es"}, ["engaged"]),
        ({"followers_min": 30_000, "followers_max": 100_000}, ["engaged"]),
        ({"engagement_min_bp": 300, "engagement_max_bp": 500}, ["cheap"]),
        ({"authenticity_min": 85}, ["big", "cheap"]),
        ({"budget_minor": 40_000}, ["engaged", "cheap"]),
        ({"budget_minor": 40_000, "currency": "EUR"}, []),
        ({"audience_country": "GB"}, ["big", "cheap"]),
        ({"audience_country": "GB", "audience_min_bp": 2_000}, ["cheap"]),
        ({"audience_age": "18-24", "audience_min_bp": 5_000}, ["engaged"]),
        ({"niche": "gaming", "country": "GB", "authenticity_min": 80}, ["cheap"]),
    ],
)
def test_each_filter(three: dict, filters: dict, expected: list[str]) -> None:
    assert handles(SearchFilters(**filters)) == expected


def test_paused_suspended_inactive_and_unlisted_creators_are_never_shown(three: dict) -> None:
    listings.pause_listing(listing=listing_of(three["big"]))
    set_standing(creator=three["engaged"], standing=Standing.SUSPENDED, reason="Fraud")
    three["cheap"].user.is_active = False
    three["cheap"].user.save()
    assert handles(SearchFilters()) == []


def test_a_warned_creator_is_still_shown(three: dict) -> None:
    set_standing(creator=three["big"], standing=Standing.WARNED, reason="Late")
    assert "big" in handles(SearchFilters())


def test_a_page_is_twenty_with_niches_in_three_queries(
    django_assert_num_queries: object,
) -> None:
    for n in range(23):
        set_features(listed_creator(handle=f"c{n:02d}"), followers=100_000 - n)
    with django_assert_num_queries(3):  # count, the page, the niches
        page, results = search.results_page(SearchFilters(), 2)
        assert [r.creator.handle for r in results] == ["c20", "c21", "c22"]
        assert all(r.niches for r in results)
        assert results[0].lowest_price == "500.00 USD"
    assert page.paginator.num_pages == 2


def test_a_page_past_the_end_is_the_last(three: dict) -> None:
    page, results = search.results_page(SearchFilters(), "99")
    assert page.number == 1 and len(results) == 3


def test_a_listing_page_shows_what_brands_may_see(three: dict) -> None:
    page = search.listing_page("CHEAP")
    assert page.creator == three["cheap"]
    assert page.rates == {"video": "", "live": "100.00 USD", "bundle": ""}
    assert page.audience == [
        ("Countries", [("United Kingdom", "30.0 %")]),
        ("Ages", [("18-24", "20.0 %")]),
    ]
    listings.pause_listing(listing=listing_of(three["cheap"]))
    assert search.listing_page("cheap") is None


def test_a_cached_page_reads_its_rows_afresh_in_two_queries(
    django_assert_num_queries: object,
) -> None:
    for n in range(23):
        set_features(listed_creator(handle=f"c{n:02d}"), followers=100_000 - n)
    search.results_page(SearchFilters(), 2)  # counted and cached
    paused = listing_of(search.visible_creators().get(handle="c21"))
    listings.pause_listing(listing=paused)
    with django_assert_num_queries(2):  # the page's rows by id, the niches
        page, results = search.results_page(SearchFilters(), 2)
    # The order and count as cached; a creator no longer visible is left out at once.
    assert [r.creator.handle for r in results] == ["c20", "c22"]
    assert page.paginator.count == 23 and page.number == 2


def test_the_nightly_refresh_starts_cached_searches_again(
    django_assert_num_queries: object,
) -> None:
    from marketplace import features

    for n in range(3):
        set_features(listed_creator(handle=f"c{n:02d}"), followers=100_000 - n)
    search.results_page(SearchFilters(), 1)
    listed_creator(handle="late")
    features.refresh()
    page, results = search.results_page(SearchFilters(), 1)
    assert page.paginator.count == 4
    assert "late" in [r.creator.handle for r in results]
