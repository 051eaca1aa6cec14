"""Two-factor authentication through allauth.mfa, as a user meets it over HTTP."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client
from django.urls import reverse

from .factories import PASSWORD, CreatorFactory

pytestmark = pytest.mark.django_db


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_creator_turns_on_totp_gets_recovery_codes_and_then_needs_a_code_to_sign_in() -> None:
    creator = CreatorFactory()
    email = creator.user.email
    client = Client()
    client.post(reverse("account_login"), {"login": email, "password": PASSWORD})

    # allauth asks for the password again before a security change.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and reverse("account_reauthenticate") in response["Location"]
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200 and "data:image/svg+xml" in page.content.decode()
    secret = client.session[SECRET_SESSION_KEY]

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    activated = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert activated.status_code == 302
    types = set(Authenticator.objects.filter(user=creator.user).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    home = client.get(reverse("rewards:dashboard")).content.decode()
    assert "Two-factor authentication is on" in home

    # A new sign-in stops at the code prompt until the code is given.
    fresh = Client()
    response = fresh.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert fresh.get(reverse("rewards:dashboard")).status_code == 302
    recovery = Authenticator.objects.get(user=creator.user, type=Authenticator.Type.RECOVERY_CODES)
    code = recovery.wrap().get_unused_codes()[0]
    response = fresh.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert fresh.get(reverse("rewards:dashboard")).status_code == 200
