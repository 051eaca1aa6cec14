"""Integrations in admin: the token is issued by the service and shown once, on add and rotate."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from activity.models import Integration
from activity.services import create_integration
from activity.tests.factories import AudienceDayFactory

pytestmark = pytest.mark.django_db
ADD = reverse("admin:activity_integration_add")
LIST = reverse("admin:activity_integration_changelist")


def shown_tokens(response: HttpResponse) -> list[str]:
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    return re.findall(r"[\w-]{43}", text)  # secrets.token_urlsafe(32)


def test_adding_an_integration_shows_its_token_once_and_keeps_only_the_hash(
    staff_client: Client,
) -> None:
    response = staff_client.post(ADD, {"name": "Platform", "is_active": "on"})
    assert response.status_code == 302
    [token] = shown_tokens(response)
    integration = Integration.objects.get(name="Platform")
    assert integration.is_active
    assert integration.token_hash == Integration.hash_token(token)
    assert integration.token_prefix == token[:8]
    assert token not in str(Integration.objects.values().get())
    assert token in staff_client.get(response.url).content.decode()
    assert token not in staff_client.get(response.url).content.decode()


def test_an_integration_added_inactive_stays_inactive(staff_client: Client) -> None:
    staff_client.post(ADD, {"name": "Later"})
    assert Integration.objects.get(name="Later").is_active is False


def test_rotating_shows_each_new_token_once_and_the_old_ones_stop_working(
    staff_client: Client,
) -> None:
    first, old_a = create_integration(name="A")
    second, old_b = create_integration(name="B")
    response = staff_client.post(
        LIST, {"action": "rotate_tokens", "_selected_action": [first.pk, second.pk]}
    )
    tokens = shown_tokens(response)
    assert len(tokens) == 2
    hashes = set(Integration.objects.values_list("token_hash", flat=True))
    assert hashes == {Integration.hash_token(t) for t in tokens}
    assert not hashes & {Integration.hash_token(old_a), Integration.hash_token(old_b)}


def test_staff_see_audiences_listed_and_cannot_add_change_or_delete_them(
    staff_client: Client,
) -> None:
    audience = AudienceDayFactory(
        creator__handle="maker",
        countries={"GB": 4_150, "US": 2_200, "IE": 625, "other": 3_025},
        genders={"female": 6_100, "male": 3_600, "other": 300},
    )
    listing = staff_client.get(reverse("admin:activity_audienceday_changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "maker" in page
    assert "GB 41.5 %, other 30.25 %, US 22 %, …" in page
    assert "female 61 %, male 36 %, other 3 %" in page
    assert staff_client.get(reverse("admin:activity_audienceday_add")).status_code == 403
    change = reverse("admin:activity_audienceday_change", args=[audience.pk])
    assert staff_client.get(change).status_code == 200  # shown, read-only
    staff_client.post(change, {"day": "2026-01-01"})
    delete = reverse("admin:activity_audienceday_delete", args=[audience.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    audience.refresh_from_db()
    assert audience.day != dt.date(2026, 1, 1)
