"""The rewards dashboard in a real browser: Debian's Chromium driven by Playwright."""

import datetime as dt
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD, CreatorFactory
from activity.tests.factories import CreatorDayFactory, VideoDayFactory, VideoFactory
from core.clock import rewards_today
from rewards import recalculation, tiers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def busy_creator() -> object:
    """A creator with two weeks of videos, recalculated as the nightly job would."""
    creator = CreatorFactory(display_name="Maya Makes", followers=8_200)
    today = rewards_today()
    video = VideoFactory(creator=creator, title="Pasta in 75 s", duration_s=75)
    for back in range(14, 0, -1):
        day = today - dt.timedelta(days=back)
        VideoDayFactory(video=video, day=day, views=20_000 + 900 * back, views_5s=15_000, likes=900)
        CreatorDayFactory(creator=creator, day=day, followers=8_200 - 25 * back, replies=12)
        recalculation.recalculate_day_in_process(day=day)
    CreatorDayFactory(creator=creator, day=today - dt.timedelta(days=31), followers=7_600)
    tiers.recompute(today - dt.timedelta(days=1))
    return creator


def test_creator_reads_the_dashboard_switches_the_chart_drills_into_a_day_and_asks_what_if(
    shoot: Callable[[str], None], page: Page, live_server: object, busy_creator: object
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(busy_creator.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Hi, Maya Makes")).to_be_visible()
    balance = page.get_by_test_id("balance")
    expect(balance).not_to_have_text("0")
    expect(page.get_by_text("Points earned, last 30 days")).to_be_visible()
    shoot("dashboard")

    # The switch swaps only the panel: a marker set on the page survives the click.
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("navigation", name="Chart period").get_by_role("link", name="7 days").click()
    expect(page.get_by_text("Points earned, last 7 days")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?period=7$"))
    assert page.evaluate("window.stillTheSamePage") is True
    shoot("dashboard-7-days")

    # The path to the Marketplace names the shortfall and a date at the creator's pace.
    marketplace = page.locator('[data-program="marketplace"]')
    expect(marketplace).to_contain_text("1,801 more followers")
    expect(marketplace).to_contain_text("at your 30-day pace")

    # A day's drill-down, from the chart's best day.
    page.locator("#points-panel").get_by_text("Best day:").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Entries and the rules behind them")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"15,000 qualified views × 2 per 1,000 = 30"))
    ).to_be_visible()
    expect(page.get_by_text("Pasta in 75 s")).to_be_visible()
    shoot("day-drill-down")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    page.get_by_role("link", name="What would a video earn?").click()
    page.get_by_label("Length (seconds)").fill("90")
    page.get_by_label(re.compile(r"^Views:?$")).fill("50000")
    page.get_by_label("Likes").fill("2500")
    page.get_by_label("Total watch time (minutes)").fill("20000")
    page.get_by_role("button", name="Work it out").click()
    expect(page.get_by_test_id("what-if-total")).to_have_text(re.compile(r"^\d[\d,]* points?$"))
    expect(page.get_by_text("50,000 qualified views × 2 per 1,000 = 100")).to_be_visible()
    expect(page).to_have_url(re.compile(r"what-if/\?.*views=50000"))
    shoot("what-if")


PHONE = {"width": 390, "height": 844}


def in_sight(page: Page, selector: str) -> list[str]:
    """The texts of the elements matching `selector` that are not wholly inside the window
    and unclipped by their scrolling parents (what a phone user cannot see without hunting)."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].filter((el) => {
            const box = el.getBoundingClientRect();
            if (box.width === 0 || box.left < 0 || box.right > window.innerWidth) return true;
            for (let p = el.parentElement; p; p = p.parentElement) {
                const clip = p.getBoundingClientRect();
                const style = getComputedStyle(p);
                const clipped = box.left < clip.left || box.right > clip.right;
                if (style.overflowX !== 'visible' && clipped) return true;
                if (style.maskImage && style.maskImage !== 'none') return true;
            }
            return false;
        }).map((el) => el.textContent.trim())""",
        selector,
    )


def test_on_a_phone_every_destination_is_in_sight_and_the_figures_read_well(
    shoot: Callable[[str], None], page: Page, live_server: object, busy_creator: object
) -> None:
    """Issue 11: at 390 px the header's links scrolled sideways, cutting off "What if" and
    "How points work" (and the account pages' "Two-f…"); the chart's labels were about 5 px
    tall; the tier card's "2,479 / 3,500" broke over three lines."""
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(busy_creator.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hi, Maya Makes")).to_be_visible()

    nav = page.get_by_role("navigation", name="Main")
    for name in ("Home", "Store", "Points", "Earnings", "Subscriptions", "Academy"):
        expect(nav.get_by_role("link", name=name)).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("link", name="How points work").first).to_be_in_viewport(ratio=1)
    assert in_sight(page, ".main-nav a") == []

    # The chart's labels: at least 10 px tall on the screen.
    heights = page.evaluate(
        "[...document.querySelectorAll('.chart text.axis')]"
        ".filter((t) => getComputedStyle(t).display !== 'none')"
        ".map((t) => t.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 10, heights
    # The tier card's progress figures stay on one line.
    figures = page.locator(".progress-value").first
    line = float(figures.evaluate("(el) => parseFloat(getComputedStyle(el).lineHeight)"))
    assert figures.bounding_box()["height"] < 1.5 * line
    # Explain a day: the day as the pages write it, and the box fits the phone.
    day = page.get_by_label("Explain a day")
    yesterday = rewards_today() - dt.timedelta(days=1)
    expect(day).to_have_value(f"{yesterday.day} {yesterday:%b %Y}")
    assert in_sight(page, "#explain-day") == []
    shoot("phone-dashboard")

    page.set_viewport_size(PHONE)  # shoot() leaves the window at desktop width
    page.goto(f"{live_server.url}/accounts/2fa/")
    settings_nav = page.get_by_role("navigation", name="Account settings")
    expect(settings_nav.get_by_role("link", name="Two-factor authentication")).to_be_in_viewport(
        ratio=1
    )
    assert in_sight(page, ".settings-nav a") == []
    shoot("phone-account-settings")
