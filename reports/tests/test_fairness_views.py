"""The fairness page, its what-if and saving a draft: staff only, whole page and htmx regions,
bad input answered in words, nothing posted by the what-if, queries pinned."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import CreatorProfile
from core.clock import rewards_today
from reports import fairness_report
from reports.forms_fairness import last_days, rule_initial
from rewards import fairness
from rewards import selectors as rewards_selectors
from rewards.models import (
    DayTally,
    EarningRule,
    Metric,
    PointsEntry,
    RecalcLine,
    RecalcRun,
    RecalcState,
)

pytestmark = pytest.mark.django_db

PAGE = reverse("reports:fairness")
WHAT_IF = reverse("reports:fairness_what_if")
SAVE = reverse("reports:fairness_save_rules")
HTMX = {"HTTP_HX_REQUEST": "true"}


def draft_data(**changes: object) -> dict:
    """The what-if form as the page fills it (today's rules), with `changes` such as
    likes__daily_cap=5 (metric, then field)."""
    data: dict = {}
    for metric, rule in rewards_selectors.rule_versions_on(rewards_today()).items():
        for name, value in rule_initial(rule).items():
            if name == "is_active":
                if value:
                    data[f"{metric}-is_active"] = "on"
            else:
                data[f"{metric}-{name}"] = "" if value is None else value
    for key, value in changes.items():
        data[key.replace("__", "-", 1)] = value
    return data


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", PAGE, {}),
        ("get", PAGE, {"first": "2026-10-01"}),
        ("post", WHAT_IF, {}),
        ("post", SAVE, {}),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_only_staff_reach_the_page_and_its_endpoints(
    method: str,
    url: str,
    data: dict,
    htmx: bool,
    fan_client: Client,
    creator_client: Client,
    brand_client: Client,
) -> None:
    extra = HTMX if htmx else {}
    visitor = getattr(Client(), method)(url, data, **extra)
    if htmx:
        assert visitor.headers["HX-Redirect"].startswith(reverse("account_login"))
    else:
        assert visitor.status_code == 302 and "login" in visitor.url
    for client in (fan_client, creator_client, brand_client):
        assert getattr(client, method)(url, data, **extra).status_code == 403
    assert not EarningRule.objects.filter(
        valid_from__gt=rewards_today() + dt.timedelta(days=400)
    ).exists()


def test_the_page_shows_the_distributions_and_the_draft_prefilled(staff_client: Client) -> None:
    response = staff_client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Points earned," in html
    assert 'class="chart lorenz"' in html or "No creators in this period" in html
    assert "By follower band" in html and "By tier" in html
    in_force = rewards_selectors.rule_versions_on(rewards_today())
    views = in_force[Metric.QUALIFIED_VIEWS]
    assert f'name="qualified_views-unit_size" value="{views.unit_size}"' in html
    assert 'formaction="' + SAVE + '"' in html


def test_the_period_region_comes_alone_to_htmx(staff_client: Client) -> None:
    response = staff_client.get(PAGE, {"first": "2026-10-01", "last": "2026-10-31"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="distributions"')
    assert "1 Oct 2026 to 31 Oct 2026" in html
    assert "<html" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"first": "2026-10-31", "last": "2026-10-01"}, "must start on or before"),
        ({"first": "1999-12-31", "last": "2000-01-05"}, "Choose days from"),
        ({"first": "2024-01-01", "last": "2026-10-01"}, "at most 366 days"),
        ({"first": "not a day"}, "Enter a valid date"),
    ],
)
def test_a_bad_period_is_refused_in_words(staff_client: Client, query: dict, message: str) -> None:
    response = staff_client.get(PAGE, query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_page_reads_a_fixed_number_of_queries(
    staff_client: Client, django_assert_num_queries: object
) -> None:
    days = {"first": "2026-09-03", "last": "2026-10-30"}  # not whole months: computed live
    staff_client.get(PAGE, {"first": "2026-09-02"})  # the session's first reads
    # The user; the ledger's version; tiers, points per creator, cash, days tallied; today's
    # rules for the draft. Then the period's report is kept: the user, the version, the rules.
    with django_assert_num_queries(7):
        staff_client.get(PAGE, days)
    with django_assert_num_queries(3):
        staff_client.get(PAGE, days)
    # Whole months not summed yet: one more query finds no sums, then as above.
    with django_assert_num_queries(8):
        staff_client.get(PAGE, {"first": "2026-01-01", "last": "2026-10-31"})
    with django_assert_num_queries(6):  # the period's region alone needs no draft
        staff_client.get(PAGE, {"first": "2026-10-02", "last": "2026-10-20"}, **HTMX)


def test_whole_months_are_read_from_the_nightly_sums(
    staff_client: Client, creator: CreatorProfile, django_assert_num_queries: object
) -> None:
    rule = EarningRule.objects.filter(metric=Metric.LIKES).earliest("valid_from")
    DayTally.objects.create(
        day=dt.date(2026, 10, 9), creator=creator, metric=Metric.LIKES, rule=rule, measured=40
    )
    fairness.refresh_months()
    staff_client.get(PAGE, {"first": "2026-09-02"})  # the session's first reads
    months = {"first": "2026-09-01", "last": "2026-10-31"}
    # The user; the version; tiers, the months, whether September (before the first summed)
    # has tallies, the sums, cash; the draft's rules.
    with django_assert_num_queries(8):
        response = staff_client.get(PAGE, months)
    page = response.content.decode()
    assert "From the monthly sums made" in page
    assert "1 creator with activity in the period" in page
    assert "The nightly run tallied 1 of the 61 days" in page
    live = staff_client.get(PAGE, {"first": "2026-09-02", "last": "2026-10-31"})
    assert "From the monthly sums made" not in live.content.decode()
    assert "1 creator with activity in the period" in live.content.decode()


def test_the_page_offers_the_usual_periods_in_one_click(staff_client: Client) -> None:
    today = rewards_today()
    page = staff_client.get(PAGE).content.decode()
    first, last = last_days(today)
    assert f"?first={first:%Y-%m-%d}&amp;last={last:%Y-%m-%d}" in page
    assert 'aria-current="true"' in page  # the default period is the one shown
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert f">{last_month:%B %Y}</a>" in page
    assert "Last 12 whole months" in page


def test_a_kept_report_is_computed_again_after_a_recalculation_run(creator: CreatorProfile) -> None:

    last = rewards_today() - dt.timedelta(days=1)
    first = last - dt.timedelta(days=29)
    kept = fairness_report.report(first, last)
    assert fairness_report.report(first, last) == kept
    RecalcRun.objects.create(day=last, state=RecalcState.DONE, finished_at=timezone.now())
    DayTally.objects.create(day=last, creator=creator, metric=Metric.LIKES, measured=7)
    again = fairness_report.report(first, last)
    assert again.points.creators == kept.points.creators + 1


def test_the_what_if_reads_a_fixed_number_of_queries(
    staff_client: Client, django_assert_num_queries: object
) -> None:
    data = draft_data(likes__daily_cap=4)
    staff_client.post(WHAT_IF, data, **HTMX)  # warms the carry start, read once a process
    # The user, today's rules (the draft), points per creator, the replay, the ledger by
    # metric, the rules on the window's last and first days, tiers, days tallied.
    with django_assert_num_queries(9):
        staff_client.post(WHAT_IF, data, **HTMX)


def test_the_what_if_with_unchanged_rules_changes_nothing_and_posts_nothing(
    staff_client: Client,
) -> None:
    counts = [
        m.objects.count() for m in (PointsEntry, RecalcRun, RecalcLine, DayTally, EarningRule)
    ]
    response = staff_client.post(WHAT_IF, draft_data(), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card section fairness-region" id="what-if"')
    assert 'data-testid="what-if-result"' in html
    assert counts == [
        m.objects.count() for m in (PointsEntry, RecalcRun, RecalcLine, DayTally, EarningRule)
    ]


def test_the_what_if_without_htmx_answers_with_the_whole_page(staff_client: Client) -> None:
    response = staff_client.post(WHAT_IF, draft_data(likes__daily_cap=3))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and 'data-testid="what-if-result"' in html
    assert 'name="likes-daily_cap" value="3"' in html  # the draft stays in the form


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"likes__unit_size": "0"}, "greater than or equal to 1"),
        ({"likes__points_per_unit": "10001"}, "less than or equal to 10000"),
        ({"likes__taper_percent": "101"}, "less than or equal to 100"),
        ({"likes__daily_cap": "lots"}, "Enter a whole number"),
        ({"likes__points_per_unit": ""}, "This field is required"),
    ],
)
def test_bad_draft_rules_come_back_marked(
    staff_client: Client, changes: dict, message: str
) -> None:
    response = staff_client.post(WHAT_IF, draft_data(**changes), **HTMX)
    assert response.status_code == 422  # swapped in by htmx (base.html's responseHandling)
    html = response.content.decode()
    assert message in html and "Check the rules marked below" in html
    assert 'data-testid="what-if-result"' not in html


def test_saving_writes_the_next_dated_version_and_confirms(staff_client: Client) -> None:
    valid_from = rewards_today() + dt.timedelta(days=45)
    before = set(EarningRule.objects.values_list("pk", "metric", "valid_from", "daily_cap"))
    response = staff_client.post(
        SAVE, {**draft_data(likes__daily_cap=11), "valid_from": valid_from.isoformat()}
    )
    assert response.status_code == 302 and response.url == PAGE
    new = EarningRule.objects.get(valid_from=valid_from)
    assert (new.metric, new.daily_cap) == (Metric.LIKES, 11)
    assert (
        set(
            EarningRule.objects.exclude(pk=new.pk).values_list(
                "pk", "metric", "valid_from", "daily_cap"
            )
        )
        == before
    )
    page = staff_client.get(PAGE).content.decode()
    assert "Saved a new version of 1 rule (Likes received)" in page


def test_saving_through_htmx_redirects_the_browser(staff_client: Client) -> None:
    valid_from = rewards_today() + dt.timedelta(days=46)
    response = staff_client.post(
        SAVE,
        {**draft_data(shares__points_per_unit=9), "valid_from": valid_from.isoformat()},
        **HTMX,
    )
    assert response.headers["HX-Redirect"] == PAGE
    assert EarningRule.objects.filter(metric=Metric.SHARES, valid_from=valid_from).exists()


@pytest.mark.parametrize(
    ("valid_from", "message"),
    [
        (lambda today: today - dt.timedelta(days=3), "must start after today"),
        (lambda today: today, "must start after today"),
        (lambda today: None, "Choose the day the new version comes into force"),
        (lambda today: "31/31/2031", "Enter a valid date"),
    ],
)
def test_saving_refuses_a_bad_date_in_words(
    staff_client: Client, valid_from: object, message: str
) -> None:
    count = EarningRule.objects.count()
    day = valid_from(rewards_today())
    data = draft_data(likes__daily_cap=12)
    if day is not None:
        data["valid_from"] = day if isinstance(day, str) else day.isoformat()
    response = staff_client.post(SAVE, data, **HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert EarningRule.objects.count() == count


def test_saving_an_unchanged_draft_says_there_is_nothing_to_save(staff_client: Client) -> None:
    far = rewards_today() + dt.timedelta(days=500)
    # The draft as prefilled is today's rules; a version dated between today and `far` makes
    # those differ from what applies then, so draft from the rules in force on `far`.
    between = rewards_selectors.rule_versions_on(rewards_today())[Metric.LIKES]
    between.pk, between.valid_from = None, rewards_today() + dt.timedelta(days=10)
    between.daily_cap = (between.daily_cap or 1_000) + 7
    between.save()
    count = EarningRule.objects.count()
    data: dict = {"valid_from": far.isoformat()}
    for metric, rule in rewards_selectors.rule_versions_on(far).items():
        for name, value in rule_initial(rule).items():
            if name == "is_active":
                if value:
                    data[f"{metric}-is_active"] = "on"
            else:
                data[f"{metric}-{name}"] = "" if value is None else value
    response = staff_client.post(SAVE, data)
    assert response.status_code == 422
    assert "nothing to save" in response.content.decode()
    assert EarningRule.objects.count() == count


def test_saving_today_s_rules_unchanged_is_refused(staff_client: Client) -> None:
    count = EarningRule.objects.count()
    valid_from = rewards_today() + dt.timedelta(days=47)
    response = staff_client.post(SAVE, {**draft_data(), "valid_from": valid_from.isoformat()})
    assert response.status_code == 422
    assert "change a rule first" in response.content.decode()
    assert EarningRule.objects.count() == count
