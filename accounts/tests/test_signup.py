"""Signup through allauth with the portal's role-aware form, end to end over HTTP."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import CreatorProfile, Niche, Role, User

from .factories import CreatorFactory, FanFactory

PASSWORD = "an-Unusual-pass-451"
pytestmark = pytest.mark.django_db


def signup(client: Client, **fields: object) -> object:
    data = {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD, **fields}
    return client.post(reverse("account_signup"), data)


def creator_fields(**overrides: object) -> dict:
    return {
        "role": "creator",
        "handle": "@NewMaker",
        "display_name": "New Maker",
        "date_of_birth": "2000-02-29",
        "country": "FR",
        "niches": [n.pk for n in Niche.objects.filter(slug__in=["dance", "music"])],
        **overrides,
    }


def confirmation_link(message: mail.EmailMessage) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body).group(1)


def test_creator_signs_up_confirms_email_and_lands_on_creator_home() -> None:
    client = Client()
    response = signup(client, **creator_fields())
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    user = User.objects.get(email="new@example.com")
    assert user.role == Role.CREATOR
    creator = user.creator
    assert (creator.handle, creator.display_name, creator.country.code) == (
        "NewMaker",
        "New Maker",
        "FR",
    )
    assert creator.date_of_birth == date(2000, 2, 29)
    assert sorted(creator.niches.values_list("slug", flat=True)) == ["dance", "music"]

    assert len(mail.outbox) == 1
    link = confirmation_link(mail.outbox[0])
    assert client.get(link).status_code == 200  # allauth asks to confirm with a POST
    response = client.post(link, follow=True)
    assert response.redirect_chain[-1][0] == reverse("rewards:dashboard")
    assert "Hi, New Maker" in response.content.decode()


def test_fan_needs_nothing_more_than_email_and_password() -> None:
    response = signup(Client(), role="fan")
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.role == Role.FAN
    assert not hasattr(user, "creator") and not hasattr(user, "brand")


def test_brand_gives_company_website_and_industry() -> None:
    response = signup(
        Client(), role="brand", company_name="Acme", website="acme.example.com", industry="tech"
    )
    assert response.status_code == 302
    brand = User.objects.get(email="new@example.com").brand
    assert (brand.company_name, brand.website, brand.industry) == (
        "Acme",
        "https://acme.example.com",
        "tech",
    )


def test_creator_without_profile_fields_sees_each_error_in_place_and_keeps_input() -> None:
    response = signup(Client(), role="creator", handle="", email="kept@example.com")
    assert response.status_code == 200
    form = response.context["form"]
    for field in ("handle", "display_name", "date_of_birth", "country", "niches"):
        assert field in form.errors, field
    assert form.errors["handle"] == ["Choose a handle."]
    assert form.errors["niches"] == ["Choose at least one niche."]
    assert 'value="kept@example.com"' in response.content.decode()
    assert not User.objects.filter(email="kept@example.com").exists()


def test_brand_fields_are_required_for_brands_only() -> None:
    response = signup(Client(), role="brand")
    assert set(response.context["form"].errors) == {"company_name", "website", "industry"}


@pytest.mark.parametrize("taken_as", ["NewMaker", "newmaker", "NEWMAKER"])
def test_handle_taken_in_any_case_is_refused_clearly(taken_as: str) -> None:
    CreatorFactory(handle=taken_as)
    response = signup(Client(), **creator_fields(handle="@newMaker"))
    assert response.status_code == 200
    assert response.context["form"].errors["handle"] == [
        "@newMaker is already taken; choose another."
    ]
    assert CreatorProfile.objects.count() == 1


def test_a_taken_email_gets_the_same_answer_as_a_new_one_and_an_email_saying_so() -> None:
    """Issue 11, fault 4: signup said "already registered", telling anyone which addresses
    have an account. Now both answers are "check your email"; the email tells the owner."""
    FanFactory(email="taken@example.com")
    new = signup(Client(), role="fan", email="fresh@example.com")
    taken = signup(Client(), role="fan", email="Taken@Example.com")
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    assert taken["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1

    confirm, exists = mail.outbox
    assert confirm.to == ["fresh@example.com"] and "/accounts/confirm-email/" in confirm.body
    assert exists.to == ["taken@example.com"]  # allauth keeps addresses in lower case
    assert exists.subject == "[Creator Portal] You already have an account"
    assert "tried to create a Creator Portal account with taken@example.com" in exists.body
    assert "/accounts/password/reset/" in exists.body
    assert "confirm-email" not in exists.body
    assert exists.body.endswith("— Creator Portal")


def test_a_taken_email_that_slips_past_the_form_is_answered_like_any_taken_email(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two signups racing for one address: the loser gets "check your email", not a 409."""
    from allauth.account.internal import flows

    FanFactory(email="raced@example.com")
    # The form's check ran before the other signup committed.
    monkeypatch.setattr(
        flows.manage_email, "email_already_exists", lambda email, **kw: (email, False)
    )
    response = signup(Client(), role="fan", email="raced@example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert [m.subject for m in mail.outbox] == ["[Creator Portal] You already have an account"]


@pytest.mark.parametrize(
    ("handle", "message"),
    [
        ("ab", "3 to 24"),
        (".dotted", "not starting or ending with a dot"),
        ("has space", "letters, digits"),
        ("x" * 25, "3 to 24"),
        ("x" * 30, "at most 25"),
        ("admin", "reserved"),
    ],
)
def test_bad_handles_are_explained(handle: str, message: str) -> None:
    response = signup(Client(), **creator_fields(handle=handle))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["handle"])


@pytest.mark.parametrize(
    ("born", "error"),
    [
        ("0001-01-01", "Enter your real date of birth."),
        ("1850-06-01", "Enter your real date of birth."),
        ("9999-12-31", "Your date of birth must be in the past."),
        ("10000-01-01", "Enter a valid date."),
        ("0000-01-01", "Enter a valid date."),
        ("-0001-01-01", "Enter a valid date."),
    ],
)
def test_a_date_of_birth_at_either_end_of_the_calendar_is_a_field_error(
    born: str, error: str
) -> None:
    response = signup(Client(), **creator_fields(date_of_birth=born))
    assert response.status_code == 200
    assert response.context["form"].errors["date_of_birth"] == [error]
    assert not User.objects.exists()


def test_date_of_birth_must_be_past_and_old_enough() -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    errors = signup(Client(), **creator_fields(date_of_birth=tomorrow)).context["form"].errors
    assert errors["date_of_birth"] == ["Your date of birth must be in the past."]
    twelve = timezone.localdate().replace(year=timezone.localdate().year - 12).isoformat()
    errors = signup(Client(), **creator_fields(date_of_birth=twelve)).context["form"].errors
    assert "at least 13" in errors["date_of_birth"][0]


@pytest.mark.parametrize(
    "garbage",
    [
        {"role": "staff"},
        {"role": "creator", "niches": ["not-a-number"]},
        {"role": "creator", "date_of_birth": "31/31/2000"},
        {"role": "creator", "country": "XX"},
        {"role": "brand", "website": "not a url at all", "industry": "weapons"},
        {"email": "no-at-sign", "role": "fan"},
    ],
)
def test_garbage_input_gets_field_errors_never_a_500(garbage: dict) -> None:
    response = signup(Client(), **garbage)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert User.objects.count() == 0


def test_fields_of_a_role_not_chosen_never_block_signup() -> None:
    CreatorFactory(handle="taken")
    response = signup(
        Client(), role="fan", handle="taken", date_of_birth="2020-01-01", website="not a url"
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.role == Role.FAN and not hasattr(user, "creator")


def test_a_handle_taken_between_check_and_save_is_a_clear_409_not_a_500(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from accounts import services

    CreatorFactory(handle="NewMaker")
    # Another signup takes the handle after this one's form check passed.
    monkeypatch.setattr(services, "handle_is_taken", lambda handle, **kw: False)
    response = signup(Client(), **creator_fields())
    assert response.status_code == 409
    assert "@NewMaker was just taken" in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


def test_signup_page_preselects_the_role_from_the_link() -> None:
    html = Client().get(reverse("account_signup") + "?role=brand").content.decode()
    assert re.search(r'value="brand"[^>]*\bchecked\b', html)
    assert not re.search(r'value="creator"[^>]*\bchecked\b', html)
