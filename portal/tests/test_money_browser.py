"""Money in a real browser: a creator opens last month's Rewards Program statement, redeems
points for cash, staff fulfil it, the creator adds a payout method and asks for a payout,
staff pay it, and the earnings statement shows it all (issue 13's point 7)."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pytest_django import Settings

from accounts.tests.factories import PASSWORD, StaffFactory
from payments.models import PayoutRequest, PayoutState
from rewards import program
from rewards.models import EntryKind
from rewards.services import post_entry
from rewards.tests.test_program import OCT, PAY_OCT, eligible_creator, video_with
from store.tests.factories import CashFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page: Page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_cash_from_points_to_a_paid_payout_on_the_statement(
    shoot: Callable[[str], None], page: Page, live_server: object, settings: Settings
) -> None:
    # The live server runs in this process: no 5-day wait after adding the payout method.
    settings.PAYOUT_METHOD_LOCK_DAYS = 0
    base = live_server.url
    maya = eligible_creator(display_name="Maya Makes")
    video_with(maya)  # 50,000 qualified views in October, 8 % engagement, 35 s watched
    program.pay_month(month=OCT, now=PAY_OCT)
    post_entry(creator=maya, amount=3_000, kind=EntryKind.ADJUSTED, idempotency_key="gift")
    CashFactory(name="£25 cash", slug="cash-25", price_points=2_500, cash_amount_minor=2_500)
    staff = StaffFactory()

    # Maya opens October's Rewards Program statement from her home page.
    sign_in(page, base, maya.user.email)
    page.get_by_role("link", name="Your monthly program statements").click()
    page.get_by_role("link", name=re.compile("October 2026")).first.click()
    expect(page.get_by_role("heading", name="October 2026")).to_be_visible()
    expect(page.get_by_test_id("program-total")).to_contain_text("66.00 USD")
    shoot("earnings-program-statement")

    # She redeems points for cash: it waits for the team.
    page.goto(f"{base}/rewards/store/cash-25/")
    page.get_by_role("link", name="Redeem…").click()
    page.get_by_role("button", name="Yes, redeem for 2,500 points").click()
    expect(page.get_by_test_id("redeem-result")).to_contain_text("Pending")

    # Staff fulfil it from the queue: the cash goes into her earnings.
    sign_in(page, base, staff.email)
    page.goto(f"{base}/admin/store/redemption/?state__exact=pending")
    page.get_by_role("row", name=re.compile("£25 cash")).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("fulfil")
    page.get_by_role("button", name="Go").click()
    page.get_by_label("Note to the creator").fill("Paid into your earnings.")
    page.get_by_role("button", name="Fulfil 1").click()
    expect(page.get_by_text("1 redemption fulfilled.")).to_be_visible()

    # Maya finds the money on her statement, adds a payout method and asks for £10.
    sign_in(page, base, maya.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Earnings").click()
    expect(page.get_by_test_id("available")).to_have_text("25.00 GBP")
    expect(page.get_by_role("cell", name="Cash redeemed from points").first).to_be_visible()
    shoot("earnings-cash-in")
    page.get_by_role("link", name="Payouts").click()
    page.get_by_role("link", name="Add a payout method").click()
    page.get_by_label("Account holder's name").fill("Maya Makes")
    page.get_by_label("UK account (sort code)").check()
    page.get_by_label("IBAN or account number").fill("31926819")
    page.get_by_label("Sort code or routing number").fill("60-16-13")
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.get_by_test_id("payout-method")).to_contain_text("•••• 6819")
    expect(page.get_by_text("31926819")).to_have_count(0)
    page.get_by_label("Amount").fill("10.00")
    page.get_by_label("Currency").select_option("GBP")  # the program's USD is still pending
    page.get_by_role("button", name="Request payout").click()
    expect(page.get_by_text("Payout of 10.00 GBP requested")).to_be_visible()
    shoot("earnings-payout-requested")

    # Staff pay it.
    sign_in(page, base, staff.email)
    page.goto(f"{base}/admin/payments/payoutrequest/")
    page.get_by_role("row", name=re.compile("10.00 GBP|1000")).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("approve")
    page.get_by_role("button", name="Go").click()
    page.get_by_role("button", name="Pay 1").click()
    expect(page.get_by_text("1 payout paid.")).to_be_visible()
    assert PayoutRequest.objects.get().state == PayoutState.PAID

    # The statement shows it all: £25 in, £10 paid out, £15 left.
    sign_in(page, base, maya.user.email)
    page.goto(f"{base}/earnings/")
    expect(page.get_by_test_id("available")).to_have_text("15.00 GBP")
    expect(page.get_by_test_id("earned")).to_have_text("25.00 GBP")
    payout_line = page.get_by_role("row", name=re.compile("Payout to UK account"))
    expect(payout_line.get_by_role("cell", name="Paid out")).to_be_visible()
    expect(payout_line.get_by_role("cell", name="-10.00 GBP")).to_be_visible()
    shoot("earnings-statement")
