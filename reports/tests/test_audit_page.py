"""The audit trail page (reports.views_audit): every recorded staff change, searchable by
staff member, object, creator, kind and days, a page at a time; only for staff with the
"Can read the audit trail" permission."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, CreatorProfile, User
from accounts.tests.factories import CreatorFactory, StaffFactory
from reports.views_audit import PAGE_SIZE
from rewards.models import EarningRule, Tier

pytestmark = pytest.mark.django_db
PAGE = reverse("reports:audit")
NOW = timezone.now()
WEEK_AGO = timezone.localdate(NOW) - timedelta(days=7)


def entry(
    *,
    actor: User,
    target: object,
    reason: str = "Because",
    creator: CreatorProfile | None = None,
    at: datetime = NOW,
    changes: dict | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        at=at,
        actor=actor,
        app_label=target._meta.app_label,
        model=target._meta.model_name,
        object_id=str(target.pk),
        object_repr=str(target),
        action="changed",
        changes=changes or {},
        reason=reason,
        creator=creator,
    )


@pytest.fixture
def trail(staff: User) -> dict[str, AuditEntry]:
    """Four entries: two staff members, two kinds, one about a creator, one a week old."""
    other_staff = StaffFactory(email="rui.auditor@example.com")
    gold = Tier.objects.get(name="Gold")
    rule = EarningRule.objects.order_by("pk").first()
    mia = CreatorFactory(handle="mia.makes")
    return {
        "gold": entry(
            actor=staff,
            target=gold,
            reason="Matched the competition",
            changes={"store_discount_percent": [10, 15]},
        ),
        "rule": entry(actor=other_staff, target=rule, reason="Likes were too cheap"),
        "mia": entry(actor=staff, target=mia, creator=mia, reason="Corrected the birth date"),
        "old": entry(
            actor=other_staff, target=gold, reason="Last week's tweak", at=NOW - timedelta(days=8)
        ),
    }


def shown(response: object) -> set[int]:
    return {e.pk for e, _ in response.context["rows"]}


def test_the_page_lists_entries_newest_first_with_before_after_and_reasons(
    staff_client: Client, trail: dict[str, AuditEntry]
) -> None:
    response = staff_client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert [e for e, _ in response.context["rows"]][-1] == trail["old"]
    assert "Matched the competition" in html and "Last week&#x27;s tweak" in html
    assert "store discount" in html and "<del>10</del> → <ins>15</ins>" in html
    gold = trail["gold"]
    assert f'href="{reverse("admin:rewards_tier_change", args=[gold.object_id])}"' in html
    assert "@mia.makes" in html
    assert 'aria-current="page">Audit trail' in html  # its tab among the reports


def test_htmx_gets_the_results_region_only(
    staff_client: Client, trail: dict[str, AuditEntry]
) -> None:
    response = staff_client.get(PAGE, {"actor": "rui"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="results"') and "<html" not in html
    listed = {e.pk for e in trail.values() if f'data-audit-entry="{e.pk}"' in html}
    assert listed == {trail["rule"].pk, trail["old"].pk}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ({"actor": "RUI.AUDITOR"}, {"rule", "old"}),
        ({"q": "gold"}, {"gold", "old"}),  # the object's name
        ({"q": "birth date"}, {"mia"}),  # or the reason
        ({"creator": "@Mia.Makes"}, {"mia"}),
        ({"model": "rewards.tier"}, {"gold", "old"}),
        ({"model": "rewards.tier", "actor": "rui"}, {"old"}),
        (
            {"first": (NOW - timedelta(days=9)).date(), "last": (NOW - timedelta(days=7)).date()},
            {"old"},
        ),
        ({"first": timezone.localdate(NOW)}, {"gold", "rule", "mia"}),
        ({"creator": "nobody"}, set()),
    ],
)
def test_searching_by_actor_object_creator_kind_and_days(
    staff_client: Client, trail: dict[str, AuditEntry], search: dict, expected: set[str]
) -> None:
    response = staff_client.get(PAGE, search)

    assert response.status_code == 200
    assert shown(response) == {trail[name].pk for name in expected}


def test_one_objects_entries_by_kind_and_id(
    staff_client: Client, trail: dict[str, AuditEntry]
) -> None:
    gold = trail["gold"]
    response = staff_client.get(PAGE, {"model": "rewards.tier", "object_id": gold.object_id})
    assert shown(response) == {trail["gold"].pk, trail["old"].pk}
    mia = trail["mia"]
    response = staff_client.get(PAGE, {"model": "accounts.creatorprofile", "object_id": "0"})
    assert shown(response) == set() and mia.pk not in shown(response)


def test_the_kinds_on_offer_are_those_the_trail_holds(
    staff_client: Client, trail: dict[str, AuditEntry]
) -> None:
    choices = dict(staff_client.get(PAGE).context["filters"].fields["model"].choices)
    assert choices == {
        "": "Any kind",
        "accounts.creatorprofile": "Creator profile",
        "rewards.earningrule": "Earning rule",
        "rewards.tier": "Tier",
    }


def test_entries_come_a_page_at_a_time(staff: User, staff_client: Client) -> None:
    gold = Tier.objects.get(name="Gold")
    for n in range(PAGE_SIZE + 1):
        entry(actor=staff, target=gold, reason=f"Step {n}", at=NOW + timedelta(seconds=n))

    first = staff_client.get(PAGE, {"model": "rewards.tier"})
    second = staff_client.get(PAGE, {"model": "rewards.tier", "page": 2})

    assert len(first.context["rows"]) == PAGE_SIZE
    [(oldest, _)] = second.context["rows"]
    assert oldest.reason == "Step 0"
    assert "model=rewards.tier&amp;page=2" in first.content.decode()


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ({"first": "yesterday"}, "From: Enter a valid date."),
        ({"first": "2026-11-20", "last": "2026-11-01"}, "The range ends before it starts"),
        ({"model": "nope.nothing"}, "Kind: Select a valid choice."),
        ({"object_id": "7"}, "Kind: Choose the kind of the object."),
        ({"page": "two"}, "Enter a whole number."),
        ({"actor": "x" * 101}, "Staff member: Ensure this value has at most 100 characters"),
    ],
)
def test_bad_filters_are_refused_with_the_reason(
    staff_client: Client, search: dict, message: str
) -> None:
    response = staff_client.get(PAGE, search)
    assert response.status_code == 400
    assert message in response.content.decode()

    region = staff_client.get(PAGE, search, HTTP_HX_REQUEST="true")
    assert region.status_code == 422
    assert message in region.content.decode() and "<html" not in region.content.decode()


def test_the_query_count_does_not_grow_with_the_entries(
    staff: User, staff_client: Client, trail: dict[str, AuditEntry]
) -> None:
    staff_client.get(PAGE)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        staff_client.get(PAGE)
    gold = Tier.objects.get(name="Gold")
    for n in range(20):
        entry(actor=StaffFactory(), target=gold, creator=CreatorFactory(), reason=f"{n}")
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(PAGE)

    assert len(response.context["rows"]) == 24
    # The user (the session is cached), the kinds on offer, the count, and the page with its
    # actors and creators joined.
    assert len(many) == len(few) == 4, [q["sql"] for q in many.captured_queries]


def signed_in_staff(*codenames: str) -> Client:
    user = StaffFactory(is_superuser=False)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def test_staff_without_the_permission_cannot_read_the_trail(
    trail: dict[str, AuditEntry],
) -> None:
    response = signed_in_staff("view_tier", "change_tier").get(PAGE)
    assert response.status_code == 403
    assert "Matched the competition" not in response.content.decode()


def test_staff_granted_the_permission_read_the_trail(trail: dict[str, AuditEntry]) -> None:
    response = signed_in_staff("view_audit_trail").get(PAGE)
    assert response.status_code == 200
    assert "Matched the competition" in response.content.decode()


@pytest.mark.parametrize("who", ["creator_client", "fan_client", "brand_client"])
def test_creators_fans_and_brands_are_refused(
    who: str, request: pytest.FixtureRequest, trail: dict[str, AuditEntry]
) -> None:
    response = request.getfixturevalue(who).get(PAGE)
    assert response.status_code == 403
    assert "Matched the competition" not in response.content.decode()


def test_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_post_is_refused(staff_client: Client) -> None:
    assert staff_client.post(PAGE).status_code == 405
