"""The staff reports in a real browser (issue 18's point 6): a creator appeals a flag on her
points; staff open each report through the tabs and filter it, download the impact table as
CSV, run the what-if with a lower cap, and dismiss her flag from the fraud queue with a note;
after the next recalculation she sees her points corrected, the correction labelled, and
staff's answer."""

import csv
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory, StaffFactory
from activity.models import EngagementFlag, FlagReason, FlagStatus
from activity.tests.factories import VideoDayFactory, VideoFactory
from core.clock import rewards_today
from portal.tests.test_subscriptions_browser import sign_in
from reports import impact
from reports.models import month_index, month_of_index
from reports.tests.test_impact import Month, _enrol, _history
from rewards import recalculation
from rewards.models import EntryKind, Metric, PointsEntry, RecalcState

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

APPEAL = "A dance account with two million followers shared my video that afternoon."
NOTE = "Checked: real viewers from a big account's share. Your points are paid back."


@dataclass(frozen=True)
class World:
    flag_day: dt.date
    cohort: dt.date  # the enrolment month of the creators the impact table counts
    maya: CreatorProfile
    flag: EngagementFlag


def bot_marked_video_day(creator: CreatorProfile, day: dt.date, title: str) -> None:
    """10,000 views (9,000 watched 5 s) and 100 likes, of which the platform marked 6,000
    views and 50 likes as bots': counted, 3,000 qualified views earn 6 points; the flag holds
    back 13 more (12 for the views, 1 for the likes), as reports/tests/test_fraud.py works out."""
    VideoDayFactory(
        video=VideoFactory(creator=creator, title=title),
        day=day,
        views=10_000,
        views_5s=9_000,
        bot_views=6_000,
        likes=100,
        bot_likes=50,
        comments=0,
        shares=0,
    )


def build_world() -> World:
    """Two creators enrolled four months before the last complete one, whose months before and
    after are known (reports/tests/test_impact.py's way); three flagged video-days of the last
    week, recalculated as the nightly run does; the impact report's nightly refresh."""
    today = rewards_today()
    last_month = month_index(today) - 1
    e = last_month - 3
    # Ana: 1,300 followers when she enrolled; 2 posts a month, 10 % engagement and one brand's
    # invitation over the three months, then 4 posts, 20 % and three invitations.
    ana = CreatorFactory(handle="anaclay", display_name="Ana Clay")
    quiet = {"posts": 2, "views": 1_000, "likes": 50, "comments": 30, "shares": 20}
    busier = {"posts": 4, "views": 2_000, "likes": 300, "comments": 60, "shares": 40}
    _history(
        ana,
        {
            e - 3: Month(followers=(1_000, 1_100), **quiet),
            e - 2: Month(followers=(1_100, 1_200), invites=1, **quiet),
            e - 1: Month(followers=(1_200, 1_300), **quiet),
            e + 1: Month(followers=(1_400, 1_700), invites=1, **busier),
            e + 2: Month(followers=(1_700, 2_000), invites=2, **busier),
            e + 3: Month(followers=(2_000, 2_300), **busier),
        },
    )
    # Ben: 500 followers; 1 post a month at 5 %, then 1 post at 10 %; never invited.
    ben = CreatorFactory(handle="benbakes", display_name="Ben Bakes")
    _history(
        ben,
        {
            **{
                e + r: Month(followers=(500, 500), posts=1, views=600, likes=30)
                for r in (-3, -2, -1)
            },
            **{
                e + r: Month(followers=(500, 600), posts=1, views=1_000, likes=100)
                for r in (1, 2, 3)
            },
        },
    )
    _enrol(ana, e)
    _enrol(ben, e)

    flag_day = today - dt.timedelta(days=4)
    maya = CreatorFactory(
        handle="mayamakes", display_name="Maya", followers=52_000, user__email="maya@example.com"
    )
    theo = CreatorFactory(handle="theoruns", display_name="Theo", followers=52_000)
    lia = CreatorFactory(handle="liasings", display_name="Lia", followers=52_000)
    bot_marked_video_day(maya, flag_day, "Throwing a moon jar")
    bot_marked_video_day(theo, flag_day - dt.timedelta(days=1), "Hill sprints")
    # 120 likes on 150 views: too many likes per view, 1 point held back.
    VideoDayFactory(
        video=VideoFactory(creator=lia, title="Acoustic cover"),
        day=flag_day,
        views=150,
        views_5s=100,
        likes=120,
        comments=0,
        shares=0,
    )
    for day in (flag_day - dt.timedelta(days=1), flag_day):
        assert recalculation.recalculate_day_in_process(day=day).state == RecalcState.DONE
    impact.refresh(first_month=month_of_index(e - 5))
    flag = EngagementFlag.objects.get(creator=maya)
    assert flag.reason == FlagReason.BOT_MARKED
    assert EngagementFlag.objects.get(creator=lia).reason == FlagReason.LIKE_RATIO
    return World(flag_day, month_of_index(e), maya, flag)


def watch_console(page: Page) -> list[str]:
    """Errors the pages log or throw: none is expected."""
    seen: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            seen.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.append(f"page error: {error}"))
    return seen


def test_staff_filter_each_report_export_csv_and_dismiss_a_flag_the_creator_is_paid_back(
    shoot: Callable[[str], None], page: Page, live_server: object
) -> None:
    base = live_server.url
    world = build_world()
    day, flag = world.flag_day, world.flag
    day_url = f"{base}/rewards/days/{day.isoformat()}/"
    staff = StaffFactory(email="ops@example.com")
    errors = watch_console(page)

    # Maya's day: 6 points, the bot-marked views set aside; she appeals the flag (htmx).
    sign_in(page, base, world.maya.user.email)
    page.goto(day_url)
    expect(page.locator(".page-header .muted")).to_have_text("6 points on this day's activity")
    page.wait_for_load_state()
    appeal = page.locator(f"#flag-{flag.pk}")
    appeal.get_by_label("Why is this flag wrong?").fill(APPEAL)
    appeal.get_by_role("button", name="Send the appeal").click()
    expect(page.locator(f"#flag-{flag.pk}").get_by_role("status")).to_have_text(
        "Your appeal is with staff. Their answer will show here."
    )
    expect(page.locator(f"#flag-{flag.pk}")).to_contain_text("Waiting for staff's answer.")

    # Staff land on the overview; the tabs lead to each report.
    sign_in(page, base, staff.email)
    expect(page).to_have_url(f"{base}/staff/")
    tabs = page.get_by_role("navigation", name="Staff reports")
    expect(tabs.get_by_role("link")).to_have_text(
        ["Overview", "Program impact", "Fairness", "Fraud review", "Operations", "Audit trail"]
    )
    expect(tabs.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="Program reports", level=1)).to_be_visible()
    shoot("reports-overview")

    # Program impact: Ana and Ben counted; the creators enrolled this month are too recent.
    tabs.get_by_role("link", name="Program impact").click()
    expect(page.get_by_role("heading", name="Program impact", level=1)).to_be_visible()
    expect(tabs.get_by_role("link", name="Program impact")).to_have_attribute(
        "aria-current", "page"
    )
    report = page.locator("#impact-report")
    posts = report.locator('tr[data-metric="posts"] td')
    engagement = report.locator('tr[data-metric="engagement"] td')
    requests = report.locator('tr[data-metric="requests"] td')
    expect(report).to_contain_text("2 of 4 enrolled creators counted.")
    expect(posts).to_have_text(["1.5", "2.5", "+66.7 %", "2"])
    expect(engagement).to_have_text(["7.50 %", "15.00 %", "+100.0 %", "2"])
    expect(requests).to_have_text(["0.50", "1.50", "+200.0 %", "2"])
    expect(report.locator("#left-out-title")).to_have_text("2 creators left out")
    expect(report.locator(".impact-charts svg")).to_have_count(4)
    shoot("reports-impact")

    # Filtered (htmx, the address follows): their cohort keeps both, Ana's band only her.
    page.wait_for_load_state()
    page.evaluate("window.stillTheSamePage = true")
    cohort = f"{world.cohort:%B %Y}"
    page.get_by_label("Enrolment cohort").select_option(label=cohort)
    expect(report).to_contain_text(f"2 of 2 enrolled creators counted (enrolled {cohort}).")
    page.get_by_label("Followers at enrolment").select_option(label="1,000 to 9,999")
    expect(report).to_contain_text(
        f"1 of 1 enrolled creator counted (enrolled {cohort}, 1,000 to 9,999 followers at"
        " enrolment)."
    )
    expect(posts).to_have_text(["2.0", "4.0", "+100.0 %", "1"])
    expect(engagement).to_have_text(["10.00 %", "20.00 %", "+100.0 %", "1"])
    expect(requests).to_have_text(["1.00", "3.00", "+200.0 %", "1"])
    expect(page).to_have_url(re.compile(rf"cohort={world.cohort:%Y-%m}.*band=1"))
    assert page.evaluate("window.stillTheSamePage") is True

    # The CSV of the same filters.
    with page.expect_download() as download_info:
        report.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert (
        download.suggested_filename
        == (
            f"program-impact-3-months-{world.cohort:%B-%Y}-1-000-to-9-999-"
            f"{rewards_today():%Y-%m-%d}.csv"
        ).lower()
    )
    rows = list(csv.reader(Path(download.path()).read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["Program impact", "3 months before and after enrolment"]
    assert rows[1] == ["Enrolment cohort", cohort]
    assert rows[3] == ["Follower band", "1,000 to 9,999"]
    header = rows.index(["Metric", "Unit", "Before", "After", "Change (%)", "Creators counted"])
    table = {row[0]: row[2:] for row in rows[header + 1 : header + 5]}
    assert table["Video posts per month"] == ["2", "4", "100", "1"]
    assert table["Follower growth per month"] == ["100", "300", "200", "1"]
    assert table["Brand partnership requests per creator"] == ["1", "3", "200", "1"]

    # Fairness: the last 30 days hold the two flagged days; Maya's day alone, then the what-if.
    tabs.get_by_role("link", name="Fairness").click()
    expect(page.get_by_role("heading", name="Fairness of rewards", level=1)).to_be_visible()
    points = page.locator("#distributions section").first
    overall = points.get_by_role("table", name="Overall").locator("tbody tr")
    expect(overall.first.locator("td")).to_have_text(["12", "0.333", "50.0%", "50.0%"])
    expect(points).to_contain_text("3 creators with activity in the period")
    expect(points).to_contain_text("The nightly run tallied 2 of the 30 days")
    page.wait_for_load_state()
    page.evaluate("window.stillTheSamePage = true")
    period = page.locator("#distributions")
    period.get_by_label(re.compile(r"^From:?$")).fill(day.isoformat())
    period.get_by_label(re.compile(r"^To:?$")).fill(day.isoformat())
    period.get_by_role("button", name="Show").click()
    when = f"{day.day} {day:%b %Y}"
    expect(page.locator("#points-title")).to_have_text(f"Points earned, {when} to {when}")
    # Maya's 6 points against Lia's and Theo's nothing; the linear rule would pay 7.
    expect(overall.locator("td").first).to_have_text("6")
    expect(overall.nth(1).locator("td").first).to_have_text("7")
    band = points.get_by_role("table", name="By follower band")
    expect(band.locator("tr").filter(has_text="10,000 to 99,999").locator("td")).to_contain_text(
        ["3", "6 (100.0%)"]
    )
    expect(page).to_have_url(re.compile(rf"first={day.isoformat()}&last={day.isoformat()}"))
    page.get_by_label("Qualified views: Daily cap (points)").fill("5")
    page.get_by_role("button", name="Work it out").click()
    result = page.get_by_test_id("what-if-result")
    expect(result.locator("h3")).to_contain_text("12 points paid, 10 under the draft (-16.7%)")
    changed = result.get_by_role("table", name="Points by metric").locator("tbody tr").first
    expect(changed.locator("th")).to_have_text("Qualified views changed")
    expect(changed.locator("td")).to_have_text(["12", "10", "-16.7%"])
    assert page.evaluate("window.stillTheSamePage") is True
    shoot("reports-fairness")

    # Fraud review: three open flags; by reason, the two bot-marked ones; Maya's dismissed.
    tabs.get_by_role("link", name="Fraud review").click()
    expect(page.get_by_role("heading", name="Fraud review", level=1)).to_be_visible()
    queue = page.locator("#queue")
    summary = queue.locator(".fraud-summary")
    expect(summary).to_contain_text("3 flags match, holding back 27 points.")
    expect(summary.get_by_role("link")).to_have_text("1 appeal waiting for an answer")
    expect(queue.locator("tbody tr")).to_have_count(3)
    page.wait_for_load_state()
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Reason").select_option(label="Likes per view")
    page.locator(".fraud-filters").get_by_role("button", name="Show").click()
    expect(summary).to_contain_text("1 flag matches, holding back 1 point.")
    expect(queue.locator("tbody tr th")).to_contain_text(["@liasings"])
    page.get_by_label("Reason").select_option(label="Bot-marked")
    page.locator(".fraud-filters").get_by_role("button", name="Show").click()
    expect(summary).to_contain_text("2 flags match, holding back 26 points.")
    rows_shown = queue.locator("tbody tr")
    expect(rows_shown.locator("th > a")).to_have_text(["@mayamakes", "@theoruns"])
    maya_row = page.locator(f"#flag-{flag.pk}")
    expect(maya_row.locator(".cell-reason strong")).to_have_text("Bot-marked")
    expect(maya_row).to_contain_text("Set aside: 6,000 views, 50 likes")
    expect(maya_row.locator("td.num")).to_have_text("13 pts")
    expect(maya_row.locator(".appeal-message")).to_have_text(APPEAL)
    expect(page).to_have_url(re.compile(r"reason=bot_marked"))
    assert page.evaluate("window.stillTheSamePage") is True
    shoot("reports-fraud")
    # Playwright's screenshot hides the caret by styling the form fields and leaves them an
    # empty style attribute, which htmx's settle would copy onto the swapped-in fields (a
    # style-src-attr refusal no user sees): the review starts from a fresh page.
    page.reload()
    page.wait_for_load_state()
    page.evaluate("window.stillTheSamePage = true")
    maya_row.get_by_role("checkbox").check()
    page.get_by_label(re.compile(r"^Note")).fill(NOTE)
    page.get_by_role("button", name="Dismiss: pay back").click()
    expect(queue.get_by_role("status")).to_have_text(
        "1 flag dismissed; 1 appeal answered and the creator told."
    )
    expect(summary).to_contain_text("1 flag matches, holding back 13 points.")
    expect(rows_shown.locator("th > a")).to_have_text(["@theoruns"])
    assert page.evaluate("window.stillTheSamePage") is True
    flag.refresh_from_db()
    assert (flag.status, flag.reviewed_by, flag.review_note) == (
        FlagStatus.DISMISSED,
        staff,
        NOTE,
    )

    # The next recalculation of her day pays back what the flag held back, as corrections.
    run = recalculation.recalculate_day_in_process(day=day)
    assert run.state == RecalcState.DONE
    entries_of_the_day = PointsEntry.objects.filter(account__creator=world.maya, activity_date=day)
    assert sum(entries_of_the_day.values_list("amount", flat=True)) == 6 + 13
    # Both are labelled corrections: the views' 12 and the likes' 1 (a metric that earned
    # nothing on the day before is still a correction of a day already posted).
    assert sorted(
        entries_of_the_day.filter(kind=EntryKind.CORRECTION).values_list("metric", "amount")
    ) == sorted([(Metric.QUALIFIED_VIEWS, 12), (Metric.LIKES, 1)])

    # Operations: the three runs, the newest first.
    tabs.get_by_role("link", name="Operations").click()
    expect(page.get_by_role("heading", name="Operations", level=1)).to_be_visible()
    runs = page.get_by_role("table", name=re.compile(r"^The latest 3 runs")).locator("tbody tr")
    expect(runs).to_have_count(3)
    expect(runs.first.locator("th")).to_contain_text(f"{day.day} {day:%b %Y}")
    expect(runs.first.locator("td").nth(4)).to_have_text("+13")
    shoot("reports-operations")

    # Maya's day again: 19 points, the correction labelled, staff's answer beside her appeal.
    sign_in(page, base, world.maya.user.email)
    page.goto(day_url)
    expect(page.locator(".page-header .muted")).to_have_text("19 points on this day's activity")
    entries = page.locator("#entries-title + .explained-list > li")
    corrections = entries.filter(has=page.locator(".badge", has_text="Correction"))
    expect(corrections).to_have_count(2)
    correction = corrections.filter(has_text="Qualified views")
    expect(correction.locator(".num")).to_have_text("+12")
    expect(correction).to_contain_text("Recalculated: 18 points due, 6 posted before")
    thread = page.locator(f"#flag-{flag.pk}")
    expect(thread).to_contain_text("Dismissed")
    expect(thread).to_contain_text("appeal accepted, the flag is dismissed")
    expect(thread.locator(".appeal-answer-text")).to_have_text(NOTE)
    shoot("reports-creator-day-corrected")
    assert not errors, "\n".join(errors)
