"""The points store in a real browser: a creator shops, staff fulfil in admin, a second
creator meets a sold-out item."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD, CreatorFactory, StaffFactory
from rewards.models import EntryKind
from rewards.services import post_entry
from store.models import RedemptionState
from store.tests.factories import PromotionFactory, ToolFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.context.clear_cookies()


def funded(points: int, **kwargs: object) -> object:
    creator = CreatorFactory(**kwargs)
    post_entry(
        creator=creator, amount=points, kind=EntryKind.ADJUSTED, idempotency_key=f"f{creator.pk}"
    )
    return creator


def test_creators_shop_staff_fulfil_and_a_sold_out_item_says_why(
    shoot: Callable[[str], None], page: Page, live_server: object
) -> None:
    base = live_server.url
    maya = funded(2_000, display_name="Maya Makes")
    ToolFactory(name="Retro filter pack", slug="retro", price_points=200, entitlement_days=14)
    ToolFactory(name="Pro colour grading", slug="grading", price_points=5_000)
    PromotionFactory(name="Rising creators list", slug="rising", price_points=900, stock=1)
    staff = StaffFactory()

    # Filter the store down to the tools Maya can afford.
    sign_in(page, base, maya.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Store").click()
    expect(page.get_by_role("heading", name="Spend your points")).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Kind").select_option("tool")
    page.get_by_label("I can afford it").check()
    expect(page.locator("[data-item]")).to_have_count(1)
    expect(page.locator('[data-item="retro"]')).to_be_visible()
    expect(page).to_have_url(re.compile(r"kind=tool.*affordable=on"))
    assert page.evaluate("window.stillTheSamePage") is True  # htmx swapped only the results
    shoot("store-filtered")

    # Redeem the tool: confirm, then it is unlocked in My tools.
    page.locator('[data-item="retro"]').get_by_role("link").first.click()
    page.get_by_role("link", name="Redeem…").click()
    expect(page.get_by_text("Your balance goes from 2,000 to 1,800.")).to_be_visible()
    shoot("store-confirm")
    page.get_by_role("button", name="Yes, redeem for 200 points").click()
    expect(page.get_by_test_id("redeem-result")).to_contain_text("Unlocked: Retro filter pack")
    page.get_by_role("link", name="My tools").click()
    expect(page.locator('[data-tool="retro"]')).to_contain_text("Unlocked")
    shoot("store-my-tools")

    # Redeem the promotion: it waits for staff.
    page.goto(f"{base}/rewards/store/rising/")
    page.get_by_role("link", name="Redeem…").click()
    page.get_by_role("button", name="Yes, redeem for 900 points").click()
    expect(page.get_by_test_id("redeem-result")).to_contain_text("Pending: 900 points spent")
    page.get_by_role("link", name="See the redemption").click()
    expect(page.get_by_text("Pending", exact=True).first).to_be_visible()
    redemption_url = page.url
    shoot("store-redemption-pending")

    # Staff fulfil it from the admin queue, with a note.
    sign_out(page)
    sign_in(page, base, staff.email)
    page.goto(f"{base}/admin/store/redemption/?state__exact=pending")
    page.get_by_role("row", name=re.compile("Rising creators list")).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("fulfil")
    page.get_by_role("button", name="Go").click()
    page.get_by_label("Note to the creator").fill("You are on the list from Monday.")
    page.get_by_role("button", name="Fulfil 1").click()
    expect(page.get_by_text("1 redemption fulfilled.")).to_be_visible()
    shoot("store-admin-fulfilled")

    # Maya sees it fulfilled, and was told.
    sign_out(page)
    sign_in(page, base, maya.user.email)
    expect(page.locator(".notifications-count")).to_have_text(re.compile(r"^1"))
    page.goto(redemption_url)
    expect(page.get_by_text("Fulfilled: You are on the list from Monday.")).to_be_visible()
    assert maya.redemptions.get(item__slug="rising").state == RedemptionState.FULFILLED

    # A second creator finds the promotion sold out, and the page says so.
    sign_out(page)
    other = funded(5_000, display_name="Devi Travels")
    sign_in(page, base, other.user.email)
    page.goto(f"{base}/rewards/store/rising/")
    expect(page.get_by_text("You cannot redeem it now:")).to_be_visible()
    expect(page.get_by_text("Sold out: every one has been redeemed.")).to_be_visible()
    expect(page.get_by_role("link", name="Redeem…")).to_have_count(0)
    shoot("store-sold-out")
