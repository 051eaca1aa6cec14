"""Password reset through allauth, as anyone can try it: it never says whether an address
has an account (issue 11, fault 4). The email says what happened, to the address's owner."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from .factories import PASSWORD, FanFactory

pytestmark = pytest.mark.django_db
RESET = reverse("account_reset_password")


def test_a_known_and_an_unknown_address_get_the_same_answer() -> None:
    FanFactory(email="known@example.com")
    known = Client().post(RESET, {"email": "known@example.com"})
    unknown = Client().post(RESET, {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")
    done = Client().get(unknown["Location"]).content.decode()
    assert "not assigned to any user account" not in done


def test_an_unknown_address_is_told_there_is_no_account_in_the_portals_words() -> None:
    Client().post(RESET, {"email": "nobody@example.com"})
    [message] = mail.outbox
    assert message.to == ["nobody@example.com"]
    assert message.subject == "[Creator Portal] No account for this address"
    assert "No account uses this address, so there is no password to reset." in message.body
    assert re.search(r"https?://\S+/accounts/signup/", message.body)
    assert "Hello from" not in message.body and "password/reset/key" not in message.body
    assert message.body.endswith("— Creator Portal")


def test_a_known_address_gets_a_link_that_resets_the_password() -> None:
    user = FanFactory(email="known@example.com")
    client = Client()
    client.post(RESET, {"email": "Known@Example.com"})
    [message] = mail.outbox
    assert message.body.endswith("— Creator Portal") and "Hello from" not in message.body
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    new = "a-Brand-new-pass-82"
    done = client.post(form.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new) and not user.check_password(PASSWORD)
