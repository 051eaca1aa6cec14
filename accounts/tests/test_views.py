import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
URL = reverse("accounts:profile")


def test_creator_edits_display_name_country_and_niches_but_not_handle(
    creator: object, creator_client: Client
) -> None:
    response = creator_client.post(
        URL, {"display_name": "Renamed", "country": "ES", "niches": [], "handle": "hijack"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"niches": ["This field is required."]}

    niche = creator.niches.first()
    response = creator_client.post(
        URL, {"display_name": "Renamed", "country": "ES", "niches": [niche.pk], "handle": "hijack"}
    )
    assert response.status_code == 302
    original_handle = creator.handle
    creator.refresh_from_db()
    assert creator.display_name == "Renamed"
    assert creator.country.code == "ES"
    assert creator.handle == original_handle
    assert list(creator.niches.all()) == [niche]


def test_brand_edits_company_profile(brand: object, brand_client: Client) -> None:
    page = brand_client.get(URL)
    assert page.status_code == 200
    assert brand.company_name in page.content.decode()
    response = brand_client.post(
        URL, {"company_name": "New Co", "website": "https://new.example.com", "industry": "food"}
    )
    assert response.status_code == 302
    brand.refresh_from_db()
    assert (brand.company_name, brand.industry) == ("New Co", "food")


def test_bad_profile_input_shows_errors_and_changes_nothing(
    brand: object, brand_client: Client
) -> None:
    response = brand_client.post(URL, {"company_name": "", "website": "nope nope", "industry": "x"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"company_name", "website", "industry"}
    brand.refresh_from_db()
    assert brand.company_name != ""


def test_a_fan_chooses_the_name_creators_and_chats_show(fan_client: Client, fan: object) -> None:
    page = fan_client.get(URL).content.decode()
    assert "Your email is never shown to them" in page
    response = fan_client.post(URL, {"name": "Jo Fan"})
    assert response.status_code == 302
    fan.refresh_from_db()
    assert fan.display_name == "Jo Fan"


def test_an_empty_post_is_a_post_and_shows_what_is_missing(brand_client: Client) -> None:
    response = brand_client.post(URL, {})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"company_name", "website", "industry"}


@pytest.mark.parametrize(
    ("role", "page"),
    [("creator", "rewards:dashboard"), ("brand", "portal:brand_home"), ("staff", "portal:home")],
)
def test_accounts_made_by_hand_without_their_profile_get_403_not_500(role: str, page: str) -> None:
    from .factories import UserFactory

    client = Client()
    client.force_login(UserFactory(role=role))  # no profile; a staff role without staff access
    assert client.get(reverse(page)).status_code == 403
    assert client.get(URL).status_code == 403
