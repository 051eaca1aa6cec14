"""Sign up in a real browser: Debian's Chromium driven by Playwright against a live server."""

import re
from collections.abc import Callable

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "an-Unusual-pass-451"


def confirm_email_from_outbox(page: Page, base_url: str, address: str) -> None:
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    [message] = [m for m in mail.outbox if address in m.to]
    path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body).group(1)
    page.goto(base_url + path)
    page.get_by_role("button", name="Confirm").click()


def test_visitor_signs_up_as_creator_confirms_email_and_lands_on_creator_home(
    shoot: Callable[[str], None], page: Page, live_server: object
) -> None:
    page.goto(live_server.url)
    page.get_by_role("link", name="Join as a creator").click()

    # The creator fieldset shows for the preselected role; the brand one stays hidden.
    expect(page.get_by_label("Handle")).to_be_visible()
    expect(page.get_by_label("Company name")).to_be_hidden()
    page.get_by_label("Email").fill("maker@example.com")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_label("Handle").fill("@browser.maker")
    page.get_by_label("Display name").fill("Browser Maker")
    page.get_by_label("Date of birth").fill("1999-03-14")
    page.get_by_label("Country").select_option("IT")
    page.get_by_label("Dance").check()
    shoot("signup-creator-filled")
    page.get_by_role("button", name="Create account").click()

    confirm_email_from_outbox(page, live_server.url, "maker@example.com")

    expect(page).to_have_url(f"{live_server.url}/creator/")
    expect(page.get_by_role("heading", name="Hi, Browser Maker")).to_be_visible()
    expect(page.get_by_text("@browser.maker")).to_be_visible()
    shoot("creator-home-after-signup")


def test_signup_errors_show_in_place_and_keep_what_was_typed(
    shoot: Callable[[str], None], page: Page, live_server: object
) -> None:
    page.goto(f"{live_server.url}/accounts/signup/?role=creator")
    page.get_by_label("Email").fill("typed@example.com")
    page.get_by_label("Handle").fill("a")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_text("Use 3 to 24 letters")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("typed@example.com")
    expect(page.get_by_label("Handle")).to_have_value("a")
    shoot("signup-errors")


def test_fan_signs_up_and_sees_the_fan_navigation(
    shoot: Callable[[str], None], page: Page, live_server: object
) -> None:
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_text("Fan — I want to support creators I love").click()
    expect(page.get_by_label("Handle")).to_be_hidden()
    page.get_by_label("Email").fill("fan.new@example.com")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    confirm_email_from_outbox(page, live_server.url, "fan.new@example.com")

    expect(page).to_have_url(f"{live_server.url}/fan/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(["Discover", "Feed", "My subscriptions", "Coins"])
    expect(page.get_by_role("heading", name="Discover creators")).to_be_visible()
    shoot("fan-home-after-signup")
