"""Shared fixtures: one signed-in client per role, browser set-up, and a clean cache per test."""

import contextlib
import importlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page
    from pytest_django import Settings

    from accounts.models import BrandProfile, CreatorProfile, User

# Playwright's sync API keeps an event loop in the test thread for the whole session, and
# Django's ORM refuses to run beside one unless told the thread is safe. It is: no async code
# of ours runs there. This is the test process only; settings never set it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_report_header(config: pytest.Config) -> list[str]:
    db = settings.DATABASES["default"]
    where = f"{db.get('HOST')}:{db.get('PORT')}" if db.get("HOST") else db["NAME"]
    redis = settings.REDIS_URL
    return [
        f"database: {db['ENGINE'].rsplit('.', 1)[-1]} ({where})",
        f"cache and broker: {'redis (' + redis + ')' if redis else 'in-memory cache, no broker'}",
        f"browser tests: {'Chromium at ' + str(CHROMIUM) if CHROMIUM.exists() else 'skipped'}",
    ]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # CI must run the browser tests, so there a missing Chromium fails instead of skipping.
    if CHROMIUM.exists() or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason="needs Debian's Chromium: apt-get install chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


SHOTS = Path(__file__).resolve().parent / "artifacts" / "screenshots" / "tests"


@pytest.fixture
def shoot(page: "Page") -> Callable[[str], None]:
    """`shoot(name)` keeps a picture of the page at desktop and phone widths for people to
    look at, in artifacts/screenshots/tests/."""

    def take(name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")  # or the sticky header is drawn mid-page
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

    return take


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


# Browser tests run under the portal's Content-Security-Policy, and a refusal fails them.
# Chromium says so on the console ("Refused to execute inline script because it violates the
# following Content Security Policy directive: ...") and fires `securitypolicyviolation`.
CSP_CONSOLE = re.compile(r"Content Security Policy|Refused to")
REPORT_VIOLATION = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} on ${event.documentURI}`
  );
});
"""


@pytest.fixture
def csp_violations(page: "Page") -> list[str]:
    """Every Content-Security-Policy violation the page reports from now on, on any document
    it opens. Browser tests fail on any (see `_fail_on_csp_violation`)."""
    seen: list[str] = []

    def on_console(message: "ConsoleMessage") -> None:
        if CSP_CONSOLE.search(message.text):
            seen.append(f"console: {message.text}")

    page.on("console", on_console)
    page.expose_function("reportCspViolation", lambda text: seen.append(f"event: {text}"))
    page.add_init_script(REPORT_VIOLATION)
    return seen


@pytest.fixture
def check_csp(page: "Page", csp_violations: list[str]) -> Callable[[], None]:
    """`check_csp()` fails when the page has reported a violation; every browser test ends
    with it."""
    from playwright.sync_api import Error

    def check() -> None:
        # A round trip lets reports from the page's last moments reach the test first.
        with contextlib.suppress(Error):
            page.evaluate("() => new Promise((done) => setTimeout(done, 50))")
        assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(
            csp_violations
        )

    return check


@pytest.fixture(autouse=True)
def _fail_on_csp_violation(request: pytest.FixtureRequest) -> Iterator[None]:
    from playwright.sync_api import Page

    # Playwright's page, not a test's own parameter that happens to be called `page`.
    if "page" not in request.fixturenames or not isinstance(request.getfixturevalue("page"), Page):
        yield
        return
    check = request.getfixturevalue("check_csp")
    yield
    check()


# Data migrations that seed reference data every database test may rely on.
REFERENCE_DATA = [
    ("accounts.migrations.0002_seed_niches", "add_niches"),
    ("rewards.migrations.0003_default_rules_and_schedule", "seed"),
    ("rewards.migrations.0007_tiers", "seed"),
    ("rewards.migrations.0008_store", "schedule_clean_up"),
    ("rewards.migrations.0013_fairer_engagement_rules", "add_versions"),
    ("rewards.migrations.0016_program_defaults", "seed"),
    ("store.migrations.0001_initial", "rename_clean_up_task"),
    ("subscriptions.migrations.0003_rules_row", "seed"),
    ("gifts.migrations.0003_support", "first_rate"),
    ("gifts.migrations.0004_schedule", "schedule"),
    ("gifts.migrations.0006_schedule_posting", "schedule"),
    ("marketplace.migrations.0002_schedule_refresh", "schedule"),
    ("marketplace.migrations.0003_schedule_deals", "schedule"),
    ("reports.migrations.0002_schedule_impact_refresh", "schedule"),
    ("reports.migrations.0003_schedule_keep_warm", "schedule"),
    ("marketplace.migrations.0004_schedule_pending_payments", "schedule"),
    ("privacy.migrations.0002_schedule", "schedule"),
]


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Put back what the seeding migrations made, if a transactional test flushed it.

    A flush empties every table and serialized rollback restores only at the start of the
    next such test, so tests that follow one would otherwise find no niches or rules.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db" if "live_server" in request.fixturenames else "db")
    from django.apps import apps

    from rewards.models import EarningRule

    if EarningRule.objects.exists():
        return
    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    # allauth's rate limits live in the cache; one test's signups must not throttle the next.
    cache.clear()


def _client_for(user: "User") -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def creator(db: None) -> "CreatorProfile":
    from accounts.tests.factories import CreatorFactory

    return CreatorFactory()


@pytest.fixture
def fan(db: None) -> "User":
    from accounts.tests.factories import FanFactory

    return FanFactory()


@pytest.fixture
def brand(db: None) -> "BrandProfile":
    from accounts.tests.factories import BrandFactory

    return BrandFactory()


@pytest.fixture
def staff(db: None) -> "User":
    from accounts.tests.factories import StaffFactory

    return StaffFactory()


@pytest.fixture
def creator_client(creator: "CreatorProfile") -> Client:
    return _client_for(creator.user)


@pytest.fixture
def fan_client(fan: "User") -> Client:
    return _client_for(fan)


@pytest.fixture
def brand_client(brand: "BrandProfile") -> Client:
    return _client_for(brand.user)


@pytest.fixture
def staff_client(staff: "User") -> Client:
    return _client_for(staff)


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    """Where the Stripe gateway's tests find localstripe: STRIPE_API_BASE when set (`.ci/run`
    starts one, as it starts Redis), else a server started here for the session."""
    if url := os.environ.get("STRIPE_API_BASE"):
        yield url
        return
    from payments.tests import localstripe

    with localstripe.running() as server:
        yield server.url


@pytest.fixture(params=["sandbox", "stripe"])
def payments_gateway(request: pytest.FixtureRequest, settings: "Settings") -> str:
    """Runs a test once per payments gateway: the sandbox, and Stripe's on localstripe."""
    if request.param == "stripe":
        from payments.tests.localstripe import TEST_SECRET_KEY

        settings.STRIPE_API_BASE = request.getfixturevalue("localstripe_url")
        settings.STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", TEST_SECRET_KEY)
    settings.PAYMENTS_GATEWAY = request.param
    return request.param
