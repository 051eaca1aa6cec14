"""Privacy and accountability in a real browser (issue 19's point 5): a fan exports their
data and downloads the archive; a creator closes their account after entering the password
again, and the ledgers and the fairness report still add up; staff add an earning rule
version in admin with a reason, and the audit trail page shows who, what and why."""

import io
import json
import zipfile
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD, FanFactory, StaffFactory
from activity.tests.factories import VideoDayFactory, VideoFactory
from core.clock import rewards_today
from marketplace.tests.factories_deals import listed_creator
from payments import ledger, payouts
from payments.models import AccountKind, EarningsEntry, PayoutRequest, Source
from portal.tests.test_subscriptions_browser import sign_in
from privacy.models import ClosedAccount
from rewards import fairness, recalculation
from rewards.models import PointsEntry
from subscriptions.tests.factories import PackageFactory, SubscriptionFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_fan_exports_their_data_and_downloads_the_archive(
    page: Page, live_server: object, shoot: Callable[[str], None]
) -> None:
    fan = FanFactory(email="rosa@example.com", name="Rosa")
    subscription = SubscriptionFactory(fan=fan)
    base = live_server.url
    sign_in(page, base, fan.email)

    page.goto(f"{base}/")
    page.get_by_role("link", name="Download a copy of your data").click()
    expect(page.get_by_role("heading", name="Your data", exact=True)).to_be_visible()
    page.get_by_role("button", name="Export my data").click()
    # Without a broker the task runs as the request commits; with one, the row polls until
    # it is ready. Either way the download link appears.
    download_link = page.get_by_role("link", name="Download")
    expect(download_link).to_be_visible(timeout=20_000)
    shoot("privacy-data")

    with page.expect_download() as event:
        download_link.click()
    archive = zipfile.ZipFile(io.BytesIO(event.value.path().read_bytes()))
    names = archive.namelist()
    assert "README.txt" in names
    profile = next(n for n in names if n.endswith("profile.json"))
    assert "rosa@example.com" in archive.read(profile).decode()
    subscriptions_file = next(n for n in names if "subscriptions" in n and n.endswith(".json"))
    held = json.loads(archive.read(subscriptions_file))
    assert str(subscription.pk) in json.dumps(held)


def test_a_creator_closes_their_account_and_the_ledgers_and_reports_still_add_up(
    page: Page, live_server: object, shoot: Callable[[str], None]
) -> None:
    creator = listed_creator()
    day = rewards_today() - timedelta(days=2)
    VideoDayFactory(video=VideoFactory(creator=creator), day=day, views=20_000, likes=900)
    recalculation.recalculate_day_in_process(day=day)
    ledger.credit(
        creator=creator,
        amount=4_000,
        currency="USD",
        source=Source.REWARDS_PROGRAM,
        idempotency_key="b:available",
    )
    ledger.credit(
        creator=creator,
        amount=600,
        currency="USD",
        source=Source.SUBSCRIPTION,
        idempotency_key="b:pending",
        pending_until=rewards_today() + timedelta(days=5),
    )
    payouts.set_payout_method(
        creator=creator,
        kind=AccountKind.IBAN,
        holder_name="Ana",
        account_number="GB82WEST1234",
        now=timezone.now() - timedelta(days=30),  # past the payout method's lock
    )
    SubscriptionFactory(package=PackageFactory(creator=creator))
    points_before = sorted(PointsEntry.objects.values_list("pk", "amount"))
    earnings_before = sorted(EarningsEntry.objects.values_list("pk", "amount"))
    report_before = [(c.creator_id, c.points) for c in fairness.per_creator(day, day)]
    assert report_before and report_before[0][1] > 0

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(creator.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/account/close/")
    # Closing asks for the password again, whatever the session.
    expect(page).to_have_url(f"{base}/accounts/reauthenticate/?next=%2Faccount%2Fclose%2F")
    page.get_by_placeholder("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Close your account")).to_be_visible()
    expect(page.get_by_text("46.00 USD is requested as your final payout")).to_be_visible()
    shoot("privacy-close")
    page.get_by_label("Type CLOSE to confirm").fill("CLOSE")
    page.get_by_role("button", name="Close my account").click()
    expect(page.get_by_text("Tick the box")).to_be_visible()
    page.get_by_label("Type CLOSE to confirm").fill("CLOSE")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Close my account").click()

    expect(page).to_have_url(f"{base}/account/closed/")
    expect(page.get_by_role("heading", name="Your account is closed")).to_be_visible()
    shoot("privacy-closed")
    assert ClosedAccount.objects.filter(user=creator.user).exists()
    assert PayoutRequest.objects.get(creator=creator, final=True).amount == 4_600
    page.goto(f"{base}/accounts/profile/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=/accounts/profile/")

    # The ledgers keep every entry they had (the final payout adds its own), tied to the
    # same, now pseudonymous, account; check_ledger agrees; the report counts the same.
    assert set(points_before) <= set(PointsEntry.objects.values_list("pk", "amount"))
    assert sorted(PointsEntry.objects.values_list("pk", "amount")) == points_before
    assert set(earnings_before) <= set(EarningsEntry.objects.values_list("pk", "amount"))
    call_command("check_ledger")
    assert [(c.creator_id, c.points) for c in fairness.per_creator(day, day)] == report_before


def test_staff_add_an_earning_rule_version_and_the_audit_trail_shows_it(
    page: Page, live_server: object, shoot: Callable[[str], None]
) -> None:
    staff = StaffFactory(email="rules@example.com", is_superuser=True)
    base = live_server.url
    sign_in(page, base, staff.email)

    page.goto(f"{base}/admin/rewards/earningrule/add/")
    page.get_by_label("Metric").select_option(label="Likes received")
    starts = rewards_today() + timedelta(days=7)
    page.get_by_label("Valid from").fill(starts.isoformat())
    page.get_by_label("Unit size").fill("10")
    page.get_by_label("Points per unit").fill("1")
    page.get_by_label("Daily cap").fill("40")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Say why")).to_be_visible()
    page.get_by_role("textbox", name="Reason for this change").fill(
        "Cap likes at 40 a day: fairer to small creators"
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.goto(f"{base}/staff/audit/")
    page.get_by_label("Object or reason").fill("fairer to small")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#results")
    expect(rows).to_contain_text("Cap likes at 40 a day: fairer to small creators")
    expect(rows).to_contain_text("rules@example.com")
    shoot("privacy-audit")
