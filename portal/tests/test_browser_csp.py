"""The Content-Security-Policy in a real browser: it refuses what is inline, the browser tests'
watch fails a test on any refusal, and staff work through admin and two-factor set-up without
one. (The portal's own pages and their htmx swaps are walked by every other browser test, each
failing on a violation through the root conftest.)"""

import re
from collections.abc import Callable
from importlib import import_module

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.contrib import admin
from django.contrib.sessions.backends.base import SessionBase
from django.test import Client, RequestFactory
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import User
from accounts.tests.factories import PASSWORD, CreatorFactory, StaffFactory
from activity.tests.factories import DAY, VideoDayFactory
from rewards import recalculation
from rewards.models import EntryKind, RecalcLimits, RecalcRun, RecalcState
from rewards.services import post_entry
from store import services
from store.models import Redemption, RedemptionState
from store.tests.factories import PromotionFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# What an attacker's injected markup would try: an inline script and an inline style.
INJECT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.scriptRan = true";
  document.body.append(script);
  document.body.insertAdjacentHTML(
    "beforeend", '<p id="injected" style="color: rgb(255, 0, 0)">injected</p>'
  );
}"""


def sign_in(page: Page, live_server: LiveServer, user: User) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def session_of(page: Page) -> SessionBase:
    [cookie] = [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])


def test_an_injected_inline_script_and_style_are_refused_and_would_fail_the_test(
    page: Page,
    live_server: LiveServer,
    csp_violations: list[str],
    check_csp: Callable[[], None],
) -> None:
    page.goto(live_server.url)
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(INJECT)

    # Refused, not only reported: the script did not run and the style did not apply.
    assert page.evaluate("window.scriptRan") is None
    expect(page.locator("#injected")).not_to_have_css("color", "rgb(255, 0, 0)")
    with pytest.raises(AssertionError, match="Content-Security-Policy violations"):
        check_csp()
    console = [v for v in csp_violations if v.startswith("console: ")]
    events = [v for v in csp_violations if v.startswith("event: ")]
    # Chromium's wording changes between versions ("Refused to execute inline script ...",
    # "Executing inline script violates ..."); what it names does not.
    assert any("inline script" in v for v in console), csp_violations
    assert any("inline style" in v for v in console), csp_violations
    assert any(re.match(r"event: script-src(-elem)? refused inline", v) for v in events)
    assert any(re.match(r"event: style-src(-attr)? refused inline", v) for v in events)

    # The deliberate violations have been proven caught; the test itself must still pass.
    csp_violations.clear()


def held_run() -> RecalcRun:
    RecalcLimits.objects.update(max_creator_change=100)
    VideoDayFactory(views=600_000, views_5s=500_000)
    run = recalculation.recalculate_day_in_process(day=DAY)
    assert run.state == RecalcState.HELD
    return run


def pending_redemption(name: str) -> Redemption:
    creator = CreatorFactory()
    post_entry(
        creator=creator, amount=1_000, kind=EntryKind.ADJUSTED, idempotency_key=f"f{creator.pk}"
    )
    item = PromotionFactory(name=name, price_points=300)
    redemption, _ = services.redeem_item(creator=creator, item_id=item.pk, request_key="k" * 20)
    return redemption


def test_staff_work_through_every_admin_page_without_a_violation(
    page: Page, live_server: LiveServer, check_csp: Callable[[], None]
) -> None:
    base = live_server.url
    staff = StaffFactory()
    run = held_run()
    to_fulfil = pending_redemption("Rising creators list")
    to_cancel = pending_redemption("Weekend spotlight")
    sign_in(page, live_server, staff)

    # Every changelist, add form and first change form staff can open.
    request = RequestFactory().get("/admin/")
    request.user = staff
    models = [m for app in admin.site.get_app_list(request) for m in app["models"]]
    assert len(models) > 10
    page.goto(f"{base}/admin/")
    expect(page.get_by_role("heading", name="Run the programs")).to_be_visible()
    for model in models:
        page.goto(base + model["admin_url"])
        expect(page.locator("#changelist, #content-main").first).to_be_visible()
        first = page.locator("#result_list tbody tr th a").first
        if first.count():
            first.click()
            expect(page.locator("#content-main form, #content-main").first).to_be_visible()
        if model["add_url"]:
            page.goto(base + model["add_url"])
            expect(page.locator("#content-main form")).to_be_visible()
        check_csp()  # name the page that broke it, not only the test

    # A change form's date widgets draw their calendar with the admin's scripts.
    page.goto(base + reverse("admin:store_storeitem_change", args=[to_fulfil.item_id]))
    page.locator(".datetimeshortcuts a", has_text="Today").first.click()
    page.locator(".datetimeshortcuts .date-icon").first.click()
    expect(page.locator(".calendarbox").first).to_be_visible()
    check_csp()

    # django-celery-beat's schedule form says a crontab in words (its script, moved to a file).
    page.goto(base + reverse("admin:django_celery_beat_periodictask_changelist"))
    page.locator("#result_list tbody tr th a").first.click()
    crontab = page.locator("#id_crontab")
    crontab.select_option(crontab.locator("option").nth(1).get_attribute("value"))
    expect(page.locator(".field-crontab .help")).to_contain_text("Translation: ")
    check_csp()

    # The recalculation approve action.
    page.goto(base + reverse("admin:rewards_recalcrun_changelist"))
    page.locator(f'input[name="_selected_action"][value="{run.pk}"]').check()
    page.locator("select[name=action]").select_option("approve")
    page.get_by_role("button", name="Go").click()
    # It asks for the reason the audit trail keeps, on the decide page.
    page.get_by_label("Reason (kept in the audit trail)").fill("Checked in the browser.")
    page.get_by_role("button", name="Approve 1").click()
    expect(page.locator(".messagelist .success")).to_contain_text("approved")

    # The store's decide page, to fulfil one redemption and cancel another.
    queue = base + reverse("admin:store_redemption_changelist")
    for redemption, verb, label, button in [
        (to_fulfil, "fulfil", "Note to the creator", "Fulfil 1"),
        (to_cancel, "cancel", "Reason", "Cancel and refund 1"),
    ]:
        page.goto(queue)
        page.locator(f'input[name="_selected_action"][value="{redemption.pk}"]').check()
        page.locator("select[name=action]").select_option(verb)
        page.get_by_role("button", name="Go").click()
        page.get_by_label(label).fill("Decided in the browser.")
        page.get_by_role("button", name=button).click()
        expect(page.locator(".messagelist .success")).to_be_visible()
    states = dict(Redemption.objects.values_list("pk", "state"))
    assert states[to_fulfil.pk] == RedemptionState.FULFILLED
    assert states[to_cancel.pk] == RedemptionState.CANCELLED
    run.refresh_from_db()
    assert run.state != RecalcState.HELD


def test_a_creator_turns_on_two_factor_with_the_qr_code_and_recovery_codes(
    page: Page, live_server: LiveServer
) -> None:
    creator = CreatorFactory()
    sign_in(page, live_server, creator.user)

    # allauth asks for the password again, then draws the QR code as a data: image.
    page.goto(live_server.url + reverse("mfa_activate_totp"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Confirm", re.IGNORECASE)).click()
    qr = page.locator("img.qr-code")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")

    secret = session_of(page)[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    page.get_by_label(re.compile("Authenticator code", re.IGNORECASE)).fill(code)
    page.get_by_role("button", name=re.compile("Activate", re.IGNORECASE)).click()

    assert Authenticator.objects.filter(user=creator.user, type=Authenticator.Type.TOTP).exists()

    # The recovery codes page runs allauth's own scripts from their static files.
    page.goto(live_server.url + reverse("mfa_view_recovery_codes"))
    expect(page.locator("#recovery_codes")).to_be_visible()
