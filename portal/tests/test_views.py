"""Every portal page renders whole for its role, with a bounded number of queries."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Standing
from accounts.tests.factories import CreatorFactory, FanFactory

pytestmark = pytest.mark.django_db


def test_landing_explains_the_programs_with_thresholds_from_settings() -> None:
    with override_settings(CREATOR_REWARDS_MIN_FOLLOWERS=12_345, MARKETPLACE_MIN_FOLLOWERS=777):
        html = Client().get(reverse("portal:landing")).content.decode()
    for program in (
        "Loyalty points",
        "Creator Rewards Program",
        "Rewards store",
        "Subscriptions",
        "Tips and gifts",
        "Marketplace",
        "Creator Academy",
    ):
        assert program in html
    assert "12,345 followers" in html
    assert "more than 777 followers" in html
    assert 'href="/accounts/signup/?role=creator"' in html


def test_signed_in_users_are_sent_from_landing_to_their_own_home(
    creator_client: Client, fan_client: Client, brand_client: Client, staff_client: Client
) -> None:
    for client, home in [
        (creator_client, "rewards:dashboard"),
        (fan_client, "portal:fan_home"),
        (brand_client, "portal:brand_home"),
        (staff_client, "portal:staff_home"),
    ]:
        response = client.get(reverse("portal:landing"), follow=True)
        assert response.redirect_chain[-1][0] == reverse(home)


def test_creator_home_shows_profile_standing_security_and_marketplace_gap(
    creator_client: Client, creator: object
) -> None:
    from rewards.models import EntryKind
    from rewards.services import post_entry

    creator.followers = 6_800
    creator.save()
    post_entry(creator=creator, amount=1_234, kind=EntryKind.ADJUSTED, idempotency_key="welcome")
    response = creator_client.get(reverse("rewards:dashboard"))
    html = response.content.decode()
    assert f"@{creator.handle}" in html
    assert "6,800" in html
    assert "1,234" in html  # the points balance
    assert "3,201 more followers" in html  # the Marketplace: "more than 10,000" means 10,001
    assert "Good standing" in html
    assert "Turn on two-factor authentication" in html
    nav = [link.label for link in response.context["main_nav"]]
    assert nav == [
        "Home",
        "Store",
        "Points",
        "Earnings",
        "Subscriptions",
        "Academy",
        "Marketplace",
    ]
    assert 'href="/rewards/how-points-work/"' in html  # from the dashboard's header


def test_fan_home_lists_creators_to_discover_but_not_suspended_ones(fan_client: Client) -> None:
    CreatorFactory(handle="visible", followers=50)
    CreatorFactory(handle="hidden", followers=90, standing=Standing.SUSPENDED)
    response = fan_client.get(reverse("portal:fan_home"))
    html = response.content.decode()
    assert "@visible" in html and "@hidden" not in html
    assert [link.label for link in response.context["main_nav"]] == [
        "Discover",
        "Feed",
        "My subscriptions",
        "Coins",
    ]


def test_fan_home_says_so_when_there_are_no_creators(fan_client: Client) -> None:
    assert "No creators yet" in fan_client.get(reverse("portal:fan_home")).content.decode()


def test_brand_home_shows_the_company(brand_client: Client, brand: object) -> None:
    html = brand_client.get(reverse("portal:brand_home")).content.decode()
    assert brand.company_name in html and "Beauty &amp; personal care" in html


def test_staff_home_reports_accounts_by_role_signups_and_standing(staff_client: Client) -> None:
    FanFactory.create_batch(3)
    CreatorFactory(standing=Standing.WARNED)
    response = staff_client.get(reverse("portal:staff_home"))
    assert response.status_code == 200
    assert dict(response.context["users_by_role"]) == {
        "Creators": 1,
        "Fans": 3,
        "Brands": 0,
        "Staff": 1,
    }
    chart = response.context["signups_chart"]
    assert len(chart.bars) == 30 and chart.total == 5
    assert ["Warned", 1] in response.context["standing_rows"]
    html = response.content.decode()
    assert "<svg" in html and "Signups per day" in html


@pytest.mark.parametrize(
    ("client_fixture", "url_name", "max_queries"),
    [
        # With every cache cold: the subscription rule staff set is read once a minute, and
        # the Academy's recommendations once a day (academy.selectors.recommended_for).
        ("creator_client", "rewards:dashboard", 26),
        ("fan_client", "portal:fan_home", 8),
        ("brand_client", "portal:brand_home", 8),
        ("staff_client", "portal:staff_home", 8),
    ],
)
def test_homes_run_a_bounded_number_of_queries_however_many_creators(
    request: pytest.FixtureRequest,
    django_assert_max_num_queries: object,
    client_fixture: str,
    url_name: str,
    max_queries: int,
) -> None:
    client = request.getfixturevalue(client_fixture)
    CreatorFactory.create_batch(15)
    with django_assert_max_num_queries(max_queries):
        assert client.get(reverse(url_name)).status_code == 200


def test_htmx_requests_carry_the_csrf_header_set_once_on_the_body(fan_client: Client) -> None:
    html = fan_client.get(reverse("portal:fan_home")).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "/static/django_htmx/htmx-2.min.js" in html  # shipped by django-htmx, not copied
    assert 'class="skip-link" href="#main"' in html and '<main id="main"' in html


def test_unknown_pages_get_the_portal_404() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "couldn't find that page" in response.content.decode()


def test_favicon_ico_is_the_portals_logo_for_any_page_that_names_no_icon() -> None:
    """Issue 11: /favicon.ico answered 404 on every admin page."""
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(response.streaming_content)
    assert "max-age=86400" in response["Cache-Control"]


def test_admin_pages_name_the_portals_icon(staff_client: Client) -> None:
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert '<link rel="icon" href="/static/img/logo.svg" type="image/svg+xml">' in html
