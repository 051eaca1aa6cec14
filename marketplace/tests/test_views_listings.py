"""The listing editor, the brand search, a listing as brands see it, and saved lists: full
pages, htmx regions, each role's access, and bad input answered with a 400."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import BrandFactory
from activity.tests.factories import VideoFactory
from marketplace import matching
from marketplace.models import FeaturedVideo, Listing, SavedCreator, SavedList
from marketplace.tests import factories_deals as deals
from marketplace.tests.factories_listings import (
    eligible_creator,
    listed_creator,
    listing_of,
    saved_list,
    set_features,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LISTING_FORM = {
    "headline": "Cooking in ten minutes",
    "about": "Quick meals.",
    "language": "en",
    "currency": "USD",
    "price_video": "450.00",
    "price_live": "",
    "price_bundle": "",
    "bundle_note": "",
    "availability": "open",
    "availability_note": "",
}


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the creator's listing ---------------------------------------------------------------------


def test_a_creator_short_of_followers_sees_exactly_what_they_lack(creator_client: Client) -> None:
    response = creator_client.get(reverse("marketplace:listing"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "What you need to join" in page
    assert "More than 10,000 followers" in page and "9,001 more followers" in page
    assert "Join the Marketplace</button>" not in page


def test_an_eligible_creator_joins_through_the_form() -> None:
    creator = eligible_creator()
    client = signed_in(creator.user)
    assert (
        "Join the Marketplace</button>"
        in client.get(reverse("marketplace:listing")).content.decode()
    )
    response = client.post(reverse("marketplace:join"), LISTING_FORM)
    assert response.status_code == 302
    assert listing_of(creator).price_video_minor == 45_000


def test_joining_without_a_price_is_a_400_that_says_why() -> None:
    client = signed_in(eligible_creator().user)
    response = client.post(reverse("marketplace:join"), {**LISTING_FORM, "price_video": ""})
    assert response.status_code == 400
    assert "at least one price" in response.content.decode()
    assert not Listing.objects.exists()


def test_a_creator_edits_features_videos_and_pauses_their_listing() -> None:
    creator = listed_creator()
    video = VideoFactory(creator=creator, title="Ten-minute ramen")
    client = signed_in(creator.user)
    page = client.get(reverse("marketplace:listing")).content.decode()
    assert "Save listing" in page and "Ten-minute ramen" in page
    client.post(reverse("marketplace:listing"), {**LISTING_FORM, "headline": "New line"})
    assert listing_of(creator).headline == "New line"
    client.post(reverse("marketplace:featured"), {"videos": [video.pk]})
    assert FeaturedVideo.objects.filter(listing__creator=creator, video=video).exists()
    client.post(reverse("marketplace:pause"))
    assert listing_of(creator).is_paused
    client.post(reverse("marketplace:resume"))
    assert not listing_of(creator).is_paused


def test_featuring_another_creators_video_is_a_400() -> None:
    creator = listed_creator()
    response = signed_in(creator.user).post(
        reverse("marketplace:featured"), {"videos": [VideoFactory().pk]}
    )
    assert response.status_code == 400
    assert not FeaturedVideo.objects.exists()


@pytest.mark.parametrize("name", ["listing", "join", "featured", "pause", "resume"])
def test_only_creators_reach_the_listing_editor(
    name: str, fan_client: Client, brand_client: Client
) -> None:
    for client in (fan_client, brand_client):
        assert client.post(reverse(f"marketplace:{name}")).status_code == 403


# --- the search --------------------------------------------------------------------------------


@pytest.fixture
def listed() -> list[object]:
    creators = []
    for n, followers in enumerate([90_000, 60_000, 30_000]):
        creator = listed_creator(handle=f"maker{n}", display_name=f"Maker {n}")
        set_features(creator, followers=followers, engagement_bp=300 * (n + 1), authenticity=90)
        creators.append(creator)
    return creators


def test_search_page_lists_creators_for_a_brand(
    brand_client: Client, listed: list, django_assert_max_num_queries: object
) -> None:
    with django_assert_max_num_queries(8):
        response = brand_client.get(reverse("marketplace:search"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Maker 0") < page.index("Maker 1") < page.index("Maker 2")
    assert 'id="search-filters"' in page and "Save to list" in page


def test_search_answers_htmx_with_the_results_only(brand_client: Client, listed: list) -> None:
    response = brand_client.get(
        reverse("marketplace:search"), {"sort": "engagement", "followers_min": "40000"}, **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and 'id="results"' in page
    assert "Maker 1" in page and "Maker 0" in page and "Maker 2" not in page
    assert page.index("Maker 1") < page.index("Maker 0")
    assert response["Vary"].count("HX-Request") == 1


def test_query_count_does_not_grow_with_the_page(
    brand_client: Client, django_assert_max_num_queries: object
) -> None:
    for n in range(25):
        set_features(listed_creator(), followers=1_000 + n)
    saved_list(BrandFactory(), "Someone else's")
    with django_assert_max_num_queries(8):
        response = brand_client.get(reverse("marketplace:search"), {"page": "1"}, **HTMX)
    assert response.content.decode().count('class="card result"') == 20


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"followers_min": "lots"}, "Followers from"),
        ({"engagement_min": "150"}, "Engagement from"),
        ({"followers_min": "500", "followers_max": "10"}, "must not be below"),
        ({"niche": "no-such-niche"}, "Niche"),
        ({"audience_age": "99-100"}, "Audience aged"),
        ({"sort": "match'; --"}, "Sort"),
    ],
)
def test_bad_filters_are_a_400_that_says_which(
    brand_client: Client, query: dict, words: str
) -> None:
    response = brand_client.get(reverse("marketplace:search"), query)
    assert response.status_code == 400
    assert words in response.content.decode()


def test_staff_search_without_lists_and_fans_and_creators_are_refused(
    staff_client: Client, fan_client: Client, creator_client: Client, listed: list
) -> None:
    response = staff_client.get(reverse("marketplace:search"))
    assert response.status_code == 200 and "Save to list" not in response.content.decode()
    for client in (fan_client, creator_client):
        assert client.get(reverse("marketplace:search")).status_code == 403
        assert client.get(reverse("marketplace:search"), **HTMX).status_code == 403


# --- a listing as brands see it ---------------------------------------------------------------


def test_a_brand_sees_the_listing_but_never_points_or_earnings(
    brand_client: Client, listed: list, django_assert_max_num_queries: object
) -> None:
    creator = listed[0]
    with django_assert_max_num_queries(12):
        response = brand_client.get(reverse("marketplace:creator_detail", args=[creator.handle]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Maker 0" in page and "500.00 USD" in page and "90,000" in page
    for private in ("points", "Points", "earnings", "Earnings", creator.user.email, "1990"):
        assert private not in page


def test_a_paused_or_unknown_listing_is_a_404(brand_client: Client, listed: list) -> None:
    from marketplace import listings

    listings.pause_listing(listing=listing_of(listed[0]))
    assert (
        brand_client.get(reverse("marketplace:creator_detail", args=["maker0"])).status_code == 404
    )
    assert (
        brand_client.get(reverse("marketplace:creator_detail", args=["nobody"])).status_code == 404
    )


def test_fans_and_creators_cannot_open_a_listing(
    fan_client: Client, creator_client: Client, listed: list
) -> None:
    url = reverse("marketplace:creator_detail", args=["maker0"])
    assert fan_client.get(url).status_code == 403
    assert creator_client.get(url).status_code == 403


# --- saved lists --------------------------------------------------------------------------------


def test_a_brand_makes_a_list_saves_a_creator_with_htmx_and_removes_them(
    brand: object, brand_client: Client, listed: list
) -> None:
    response = brand_client.post(reverse("marketplace:list_create"), {"name": "Autumn"})
    made = SavedList.objects.get(brand=brand)
    assert response["Location"] == reverse("marketplace:list_detail", args=[made.pk])
    response = brand_client.post(
        reverse("marketplace:list_add", args=["maker0"]), {"list": made.pk, "compact": "1"}, **HTMX
    )
    assert response.status_code == 200
    assert "Saved @maker0 to “Autumn”" in response.content.decode()
    assert "<html" not in response.content.decode()
    page = brand_client.get(reverse("marketplace:list_detail", args=[made.pk])).content.decode()
    assert "Maker 0" in page
    response = brand_client.post(
        reverse("marketplace:list_remove", args=[made.pk, "maker0"]), **HTMX
    )
    assert response.status_code == 200 and "Nobody on this list yet" in response.content.decode()
    assert not SavedCreator.objects.exists()


def test_saving_to_a_new_list_by_plain_form_goes_back(brand_client: Client, listed: list) -> None:
    back = reverse("marketplace:search") + "?sort=price"
    response = brand_client.post(
        reverse("marketplace:list_add", args=["maker1"]), {"new_list": "Quick", "next": back}
    )
    assert response["Location"] == back
    assert SavedList.objects.get(name="Quick").entries.count() == 1


def test_saving_without_a_list_or_to_an_offsite_next_is_handled(
    brand: object, brand_client: Client, listed: list
) -> None:
    url = reverse("marketplace:list_add", args=["maker1"])
    assert brand_client.post(url, {"list": "x"}).status_code == 400
    made = saved_list(brand)
    response = brand_client.post(url, {"list": made.pk, "next": "https://evil.example.com/"})
    assert response["Location"] == reverse("marketplace:creator_detail", args=["maker1"])


def test_another_brands_list_is_a_404_everywhere(brand_client: Client, listed: list) -> None:
    theirs = saved_list(BrandFactory(), "Theirs", creators=(listed[0],))
    pk = theirs.pk
    assert brand_client.get(reverse("marketplace:list_detail", args=[pk])).status_code == 404
    assert (
        brand_client.get(reverse("marketplace:list_detail", args=[pk]), **HTMX).status_code == 404
    )
    for name, args in [
        ("list_rename", [pk]),
        ("list_delete", [pk]),
        ("list_remove", [pk, "maker0"]),
    ]:
        assert (
            brand_client.post(
                reverse(f"marketplace:{name}", args=args), {"name": "Mine"}
            ).status_code
            == 404
        )
    response = brand_client.post(
        reverse("marketplace:list_add", args=["maker1"]), {"list": pk}, **HTMX
    )
    assert response.status_code == 404
    assert SavedList.objects.get(pk=pk).name == "Theirs"
    assert SavedList.objects.get(pk=pk).entries.count() == 1


def test_lists_pages_are_for_brands_only(
    fan_client: Client, creator_client: Client, staff_client: Client, brand_client: Client
) -> None:
    assert brand_client.get(reverse("marketplace:lists")).status_code == 200
    for client in (fan_client, creator_client, staff_client):
        assert client.get(reverse("marketplace:lists")).status_code == 403
        assert client.post(reverse("marketplace:list_create"), {"name": "x"}).status_code == 403


def test_rename_and_delete_by_plain_form(brand: object, brand_client: Client) -> None:
    made = saved_list(brand, "Old")
    brand_client.post(reverse("marketplace:list_rename", args=[made.pk]), {"name": "New"})
    assert SavedList.objects.get(pk=made.pk).name == "New"
    assert (
        brand_client.post(
            reverse("marketplace:list_rename", args=[made.pk]), {"name": ""}
        ).status_code
        == 400
    )
    brand_client.post(reverse("marketplace:list_delete", args=[made.pk]))
    assert not SavedList.objects.exists()


# --- the search sorted by match to one of the brand's campaigns --------------------------------


def test_search_sorts_by_match_to_the_brands_campaign_and_explains_each_score(
    brand: object, brand_client: Client, django_assert_max_num_queries: object
) -> None:
    campaign = deals.open_campaign(brand, niches=deals.niches("fashion"), target_countries=["GB"])
    # Most followers but the wrong niche and audience: first by followers, last by match.
    big = deals.listed_creator(
        niche_slugs=("gaming",), followers=900_000, audience_countries={"US": 9_000}
    )
    fit = deals.listed_creator(niche_slugs=("fashion",), followers=20_000)
    sort = f"match-{campaign.pk}"

    form_page = brand_client.get(reverse("marketplace:search")).content.decode()
    assert f'value="{sort}"' in form_page and f"Best match for “{campaign.title}”" in form_page

    with django_assert_max_num_queries(11):
        response = brand_client.get(reverse("marketplace:search"), {"sort": sort}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index(fit.display_name) < page.index(big.display_name)
    scores = [matching.explain(campaign, creator).score for creator in (fit, big)]
    assert scores[0] > scores[1]
    assert f'aria-label="Match score {scores[0]} of 100"' in page
    assert "Niche overlap" in page and "Best match first for" in page

    by_followers = brand_client.get(reverse("marketplace:search"), {"sort": "followers"})
    text = by_followers.content.decode()
    assert text.index(big.display_name) < text.index(fit.display_name)
    assert "Match score" not in text


def test_search_refuses_to_sort_by_another_brands_campaign(
    brand_client: Client, listed: list
) -> None:
    theirs = deals.open_campaign()  # a campaign of another brand
    response = brand_client.get(reverse("marketplace:search"), {"sort": f"match-{theirs.pk}"})
    assert response.status_code == 400 and "Sort" in response.content.decode()
    assert theirs.title not in response.content.decode()


def test_a_brand_without_campaigns_is_told_how_to_sort_by_match(
    brand_client: Client, listed: list
) -> None:
    page = brand_client.get(reverse("marketplace:search")).content.decode()
    assert "To sort by match" in page and reverse("marketplace:campaign_new") in page
