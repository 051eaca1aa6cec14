"""The saved-cards page: masked cards, the sandbox's form, and card numbers kept out of
pages, error reports and other users' eyes."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from accounts.models import CreatorProfile, User
from accounts.tests.factories import FanFactory
from payments import selectors, services
from payments.gateway import CardDetails
from payments.models import SavedCard

URL = reverse("payments:cards")
YEAR = timezone.now().year + 2


def post(client: Client, number: str) -> object:
    return client.post(
        URL, {"number": number, "exp_month": "7", "exp_year": str(YEAR), "cvc": "321"}
    )


def test_page_lists_only_the_users_own_cards_masked(
    fan: User, fan_client: Client, creator: CreatorProfile
) -> None:
    services.save_card(
        user=fan, card=CardDetails(number="4242424242424242", exp_month=3, exp_year=YEAR, cvc="123")
    )
    services.save_card(
        user=creator.user,
        card=CardDetails(number="5555555555554444", exp_month=4, exp_year=YEAR, cvc="123"),
    )

    response = fan_client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Visa •••• 4242" in html and f"03/{YEAR}" in html
    assert "4444" not in html.replace("5555 5555 5555 4444", "")
    assert "4242424242424242" not in html
    assert len(response.context["cards"]) == 1


def test_saving_a_card_redirects_and_keeps_no_number(fan: User, fan_client: Client) -> None:
    response = post(fan_client, "4242 4242 4242 4242")

    assert response.status_code == 302
    saved = SavedCard.objects.get(customer__user=fan)
    assert (saved.last4, saved.exp_month, saved.exp_year) == ("4242", 7, YEAR)
    page = fan_client.get(URL).content.decode()
    assert "Saved Visa •••• 4242" in page


def test_declined_card_shows_why_and_never_echoes_the_number(fan_client: Client) -> None:
    response = post(fan_client, "4000 0000 0000 0002")

    assert response.status_code == 400
    html = response.content.decode()
    assert "declined" in html
    assert "4000 0000 0000 0002" not in html.split("This is the sandbox")[0]
    assert 'value="4000' not in html and 'value="321"' not in html
    assert not SavedCard.objects.exists()


def test_malformed_number_is_a_form_error(fan_client: Client) -> None:
    response = post(fan_client, "4242 4242 4242 4241")

    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_card_fields_are_hidden_from_error_reports(fan_client: Client) -> None:
    response = post(fan_client, "4242 4242 4242 4242")

    assert response.wsgi_request.sensitive_post_parameters == ("number", "cvc")


def test_signed_out_visitor_is_sent_to_sign_in() -> None:
    response = Client().get(URL)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_with_stripe_the_page_takes_no_numbers(fan_client: Client, settings: Settings) -> None:
    settings.PAYMENTS_GATEWAY = "stripe"

    assert "Add a card" not in fan_client.get(URL).content.decode()
    assert post(fan_client, "4242424242424242").status_code == 405


def card_details() -> CardDetails:
    return CardDetails(number="4242424242424242", exp_month=3, exp_year=YEAR, cvc="123")


def test_a_user_removes_their_card_but_not_one_something_pays_with(
    fan_client: Client, fan: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    spare, paying = (services.save_card(user=fan, card=card_details()) for _ in range(2))
    monkeypatch.setattr(
        services, "_card_users", [lambda card: "It pays for X." if card == paying else None]
    )
    refused = fan_client.post(reverse("payments:card_remove", args=[paying.pk]), follow=True)
    assert "It pays for X." in refused.content.decode()
    removed = fan_client.post(reverse("payments:card_remove", args=[spare.pk]), follow=True)
    assert "no longer offered" in removed.content.decode()
    assert list(selectors.cards_of(fan)) == [paying]
    other = services.save_card(user=FanFactory(), card=card_details())
    assert fan_client.post(reverse("payments:card_remove", args=[other.pk])).status_code == 404
    assert fan_client.get(reverse("payments:card_remove", args=[spare.pk])).status_code == 405
