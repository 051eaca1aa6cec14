"""Program impact: creators whose months before and after enrolment are known, every cell of
the table checked, the creators left out counted by reason, filters, CSV, access."""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory
from activity.models import CreatorDay, Video, VideoDay
from core.clock import rewards_today
from marketplace.models import Direction, Proposal, ProposalState
from marketplace.tests.factories_deals import open_campaign
from reports import impact
from reports.models import CreatorMonth, EnrolledCreator, month_index, month_of_index
from rewards.models import CreatorTier, PointsAccount, Tier

pytestmark = pytest.mark.django_db

LAST = month_index(rewards_today()) - 1  # the last complete month
E = LAST - 3  # the enrolment month of the creators counted with a window of 3


@dataclass(frozen=True)
class Month:
    """What one creator did in one month: `days` reported, followers on the first and last."""

    days: int = 15
    followers: tuple[int, int] = (1_000, 1_000)
    posts: int = 0
    views: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    bot_views: int = 0
    bot_likes: int = 0
    invites: int = 0


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(12), UTC)


def _history(creator: CreatorProfile, months: dict[int, Month]) -> None:
    """Write `months` (month number to what happened) as the platform's raw data."""
    campaign = None
    for index, m in months.items():
        first = month_of_index(index)
        CreatorDay.objects.bulk_create(
            CreatorDay(
                record_id=f"cd-{creator.pk}-{index}-{d}",
                creator=creator,
                day=first + timedelta(days=d),
                # The first and last reported days carry the month's two counts.
                followers=m.followers[0] if d < m.days - 1 else m.followers[1],
            )
            for d in range(m.days)
        )
        videos = [
            Video.objects.create(
                record_id=f"v-{creator.pk}-{index}-{n}",
                creator=creator,
                title="A video",
                published_at=_moment(first + timedelta(days=n + 1)),
                duration_s=75,
            )
            for n in range(m.posts)
        ]
        if m.views:
            # One video-day holds the month's engagement, on a video of the month (or an older
            # one: views keep coming after the month a video was published in).
            video = videos[0] if videos else Video.objects.filter(creator=creator).first()
            VideoDay.objects.create(
                record_id=f"vd-{creator.pk}-{index}",
                video=video,
                creator=creator,
                day=first + timedelta(days=9),
                views=m.views,
                views_5s=m.views,
                likes=m.likes,
                comments=m.comments,
                shares=m.shares,
                bot_views=m.bot_views,
                bot_likes=m.bot_likes,
            )
        for n in range(m.invites):
            campaign = campaign or open_campaign()
            Proposal.objects.create(
                campaign=campaign,
                creator=creator,
                direction=Direction.INVITE,
                state=ProposalState.DECLINED,
                price_minor=10_000,
                awaiting="creator",
                created_at=_moment(first + timedelta(days=n + 2)),
            )


def _enrol(creator: CreatorProfile, month: int, day: int = 10) -> None:
    PointsAccount.objects.create(
        creator=creator, enrolled_on=month_of_index(month) + timedelta(days=day - 1)
    )


def _same(month: Month, rels: range, around: int = E) -> dict[int, Month]:
    return {around + rel: month for rel in rels}


BEFORE, AFTER = range(-3, 0), range(1, 4)


@pytest.fixture
def cohort() -> dict[str, CreatorProfile]:
    """Two creators counted (A and B), one short of history before (C), one short after (D),
    one enrolled too recently (R), and one never enrolled (N)."""
    made = {key: CreatorFactory(handle=f"impact-{key.lower()}") for key in "ABCDRN"}
    a, b = made["A"], made["B"]
    # A: 2 posts a month, 10 % engagement, +300 followers over the 3 months, 1 invitation;
    # then 4 posts a month, 20 %, +900 followers, 3 invitations.
    quiet = {"posts": 2, "views": 1_000, "likes": 50, "comments": 30, "shares": 20}
    busier = {"posts": 4, "views": 2_000, "likes": 300, "comments": 60, "shares": 40}
    _history(
        a,
        {
            E - 4: Month(posts=7, invites=4),  # outside the window: never counted
            E - 3: Month(followers=(1_000, 1_100), **quiet),
            E - 2: Month(followers=(1_100, 1_200), invites=1, **quiet),
            E - 1: Month(followers=(1_200, 1_300), **quiet),
            E: Month(posts=10, invites=5),  # the enrolment month: counts for neither side
            E + 1: Month(followers=(1_400, 1_700), invites=1, **busier),
            E + 2: Month(followers=(1_700, 2_000), invites=2, **busier),
            E + 3: Month(followers=(2_000, 2_300), **busier),
        },
    )
    # B: 1 post a month, 5 % engagement once the bots are taken out, no growth, no invitation;
    # then 1 post a month, 10 %, +300 followers, 1 invitation.
    botted = {"views": 600, "bot_views": 100, "likes": 20, "bot_likes": 5, "comments": 5}
    after = {"posts": 1, "views": 1_000, "likes": 80, "comments": 10, "shares": 10}
    _history(
        b,
        {
            **_same(Month(followers=(500, 500), posts=1, shares=5, **botted), BEFORE),
            E + 1: Month(followers=(500, 600), invites=1, **after),
            E + 2: Month(followers=(600, 700), **after),
            E + 3: Month(followers=(700, 800), **after),
        },
    )
    busy = Month(posts=9, views=9_000, likes=900, followers=(40_000, 50_000), invites=2)
    _history(made["C"], {E - 1: busy, **_same(busy, AFTER)})  # only one month before
    _history(made["D"], {**_same(busy, BEFORE), E + 1: busy, E + 2: Month(days=10), E + 3: busy})
    _history(made["R"], _same(busy, range(-3, 1), around=LAST))
    _history(made["N"], _same(busy, range(-3, 4)))
    for key in "ABCD":
        _enrol(made[key], E)
    _enrol(made["R"], LAST)
    impact.refresh(first_month=month_of_index(E - 5))
    return made


def _rounded(value: float | None) -> float | None:
    # Averages of ratios are floats, which differ in the last digits between databases.
    return None if value is None else round(value, 4)


def _cells(result: impact.Impact) -> dict[str, tuple]:
    return {
        m.key: (_rounded(m.before), _rounded(m.after), _rounded(m.change_percent), m.creators)
        for m in result.metrics
    }


def test_every_cell_of_the_table_from_creators_with_known_months(cohort: dict) -> None:
    result = impact.report(impact.Filters())
    assert _cells(result) == {
        # (6 + 3) posts over 2 creators × 3 months, then (12 + 3).
        "posts": (1.5, 2.5, 66.6667, 2),
        # The average over the creators' months: (3 × 10 % + 3 × 5 %) / 6, then 20 % and 10 %.
        "engagement": (7.5, 15.0, 100.0, 2),
        # (300 + 0) followers over 6 creator-months, then (900 + 300).
        "followers": (50.0, 200.0, 300.0, 2),
        # (1 + 0) invitations per creator over the 3 months, then (3 + 1).
        "requests": (0.5, 2.0, 300.0, 2),
    }
    assert (result.enrolled, result.counted) == (5, 2)


def test_creators_with_too_little_history_are_left_out_and_counted_by_reason(
    cohort: dict,
) -> None:
    result = impact.report(impact.Filters())
    assert [item.creators for item in result.left_out] == [1, 1, 1]
    reasons = [item.reason for item in result.left_out]
    assert reasons[0].startswith("enrolled too recently")
    assert reasons[1].startswith("too little history before enrolment")
    assert reasons[2].startswith("too little history after enrolment")
    assert result.left_out_total == 3 == result.enrolled - result.counted


def test_a_window_of_one_month_compares_the_months_either_side(cohort: dict) -> None:
    result = impact.report(impact.Filters(window=1))
    cells = _cells(result)
    # A, B, C and D all have the month either side; R enrolled in the last complete month,
    # so no month after it has ended yet.
    assert (result.counted, [i.creators for i in result.left_out]) == (4, [1, 0, 0])
    assert cells["posts"][:2] == ((2 + 1 + 9 + 9) / 4, (4 + 1 + 9 + 9) / 4)
    assert cells["followers"][:2] == (
        (100 + 0 + 10_000 + 10_000) / 4,
        (300 + 100 + 10_000 + 10_000) / 4,
    )


def test_a_longer_window_leaves_out_who_lacks_the_months(cohort: dict) -> None:
    result = impact.report(impact.Filters(window=4))
    # Nobody has four complete months after E (E + 4 has not ended); R is too recent anyway.
    assert result.counted == 0
    assert [item.creators for item in result.left_out] == [5, 0, 0]
    assert all(m.before is None and m.change_percent is None for m in result.metrics)
    assert result.charts == []


def test_filters_by_tier_band_and_cohort(cohort: dict) -> None:
    gold = Tier.objects.order_by("-min_points_90d").first()
    CreatorTier.objects.create(creator=cohort["A"], tier=gold)
    impact.refresh(first_month=month_of_index(E - 5))

    by_tier = impact.report(impact.Filters(tier_id=gold.pk))
    assert (by_tier.enrolled, by_tier.counted, _cells(by_tier)["posts"][:2]) == (1, 1, (2.0, 4.0))
    untiered = impact.report(impact.Filters(no_tier=True))
    assert (untiered.enrolled, untiered.counted) == (4, 1)

    # Followers at the end of the month before enrolment: A had 1,300, B 500.
    under_1000 = impact.report(impact.Filters(band=0))
    assert (under_1000.counted, _cells(under_1000)["posts"][:2]) == (1, (1.0, 1.0))
    assert impact.report(impact.Filters(band=1)).counted == 1

    enrolled_in_e = impact.report(impact.Filters(cohort=(E, E)))
    assert (enrolled_in_e.enrolled, enrolled_in_e.counted) == (4, 2)
    recent = impact.report(impact.Filters(cohort=(LAST, LAST)))
    assert (recent.enrolled, recent.counted) == (1, 0)


def test_cohorts_are_the_enrolment_months_and_their_quarters(cohort: dict) -> None:
    values = [c.value for c in impact.cohorts()]
    months = [f"{month_of_index(LAST):%Y-%m}", f"{month_of_index(E):%Y-%m}"]
    assert values[:2] == months
    quarters = {
        f"{month_of_index(i).year}-Q{(month_of_index(i).month - 1) // 3 + 1}" for i in (E, LAST)
    }
    assert set(values[2:]) == quarters


def test_the_precompute_keeps_the_months_and_runs_twice_to_the_same_rows(cohort: dict) -> None:
    a = cohort["A"]
    row = CreatorMonth.objects.get(creator=a, month_index=E - 1)
    assert (row.days_reported, row.posts, row.views, row.likes + row.comments + row.shares) == (
        15,
        2,
        1_000,
        100,
    )
    assert (row.followers_first, row.followers_last, row.partnership_requests) == (1_200, 1_300, 0)
    b_month = CreatorMonth.objects.get(creator=cohort["B"], month_index=E - 1)
    assert (b_month.views, b_month.likes) == (500, 15)  # less what the platform marked as bots
    before = sorted(CreatorMonth.objects.values_list("creator_id", "month_index", "posts", "views"))
    impact.refresh(first_month=month_of_index(E - 5))
    assert (
        sorted(CreatorMonth.objects.values_list("creator_id", "month_index", "posts", "views"))
        == before
    )
    assert not CreatorMonth.objects.filter(month_index__gt=LAST).exists()  # no month under way
    enrolled = EnrolledCreator.objects.get(creator=a)
    assert (enrolled.month_index, enrolled.followers) == (E, 1_300)


def test_the_nightly_refresh_rewrites_only_the_last_complete_months(cohort: dict) -> None:
    CreatorMonth.objects.filter(creator=cohort["A"], month_index=E - 1).update(posts=99)
    CreatorMonth.objects.filter(creator=cohort["A"], month_index=LAST).update(posts=99)
    refreshed = impact.refresh()
    assert refreshed.first_month == month_of_index(LAST - impact.REFRESH_MONTHS + 1)
    assert CreatorMonth.objects.get(creator=cohort["A"], month_index=E - 1).posts == 99
    assert not CreatorMonth.objects.filter(creator=cohort["A"], month_index=LAST, posts=99).exists()


def test_creators_from_before_the_launch_count_from_the_launch_date(settings: object) -> None:
    early, late = CreatorFactory(), CreatorFactory()
    launch = month_of_index(E) + timedelta(days=14)
    settings.LOYALTY_LAUNCH_DATE = launch
    PointsAccount.objects.create(creator=early, enrolled_on=date(2020, 3, 1))
    PointsAccount.objects.create(creator=late, enrolled_on=launch + timedelta(days=40))
    impact.refresh()
    assert dict(EnrolledCreator.objects.values_list("creator_id", "enrolled_on")) == {
        early.pk: launch,
        late.pk: launch + timedelta(days=40),
    }


def test_opening_a_points_account_enrols_the_creator_today() -> None:
    from rewards import services as rewards_services

    account = rewards_services.account_for(CreatorFactory())
    account.refresh_from_db()
    assert account.enrolled_on == rewards_today()


def test_charts_show_each_month_from_enrolment(cohort: dict) -> None:
    result = impact.report(impact.Filters())
    posts = result.charts[0]
    assert [bar.label for bar in posts.bars] == ["−3", "−2", "−1", "+1", "+2", "+3"]
    assert [bar.value for bar in posts.bars] == [1.5, 1.5, 1.5, 2.5, 2.5, 2.5]
    assert [part.name for bar in posts.bars for part in bar.segments] == [
        *["Before enrolment"] * 3,
        *["After enrolment"] * 3,
    ]
    assert len(result.charts) == 4


# --- the page, its CSV, bad input and access --------------------------------------------------


def test_the_page_shows_the_table_left_out_and_charts(staff_client: Client, cohort: dict) -> None:
    response = staff_client.get(reverse("reports:impact"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Program impact" in html and 'data-metric="posts"' in html
    assert "1.5" in html and "2.5" in html and "+66.7 %" in html
    assert "7.50 %" in html and "15.00 %" in html
    assert "2 of 5 enrolled creators counted" in html
    assert "3 creators left out" in html
    assert html.count("<svg") >= 4
    assert "css/reports.css" in html


def test_htmx_gets_the_report_region_only(staff_client: Client, cohort: dict) -> None:
    response = staff_client.get(
        reverse("reports:impact"), {"window": "1"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="impact-report"')
    assert "1 month before and after enrolment" in html
    assert "<header" not in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"window": "0"}, "greater than or equal to 1"),
        ({"window": "13"}, "less than or equal to 12"),
        ({"window": "three"}, "Enter a whole number"),
        ({"cohort": "1999-01"}, "Select a valid choice"),
        ({"tier": "999999"}, "Select a valid choice"),
        ({"band": "9"}, "Select a valid choice"),
    ],
)
def test_bad_filters_come_back_as_the_form_to_fix_and_a_400_for_csv(
    staff_client: Client, params: dict, message: str
) -> None:
    page = staff_client.get(reverse("reports:impact"), params)
    assert page.status_code == 422
    assert message in page.content.decode()
    assert "Fix the filters" in page.content.decode()
    export = staff_client.get(reverse("reports:impact_csv"), params)
    assert export.status_code == 400
    assert message in export.content.decode()


def test_csv_has_the_table_for_the_same_filters(staff_client: Client, cohort: dict) -> None:
    month = month_of_index(E)
    response = staff_client.get(
        reverse("reports:impact_csv"), {"window": "3", "cohort": f"{month:%Y-%m}", "band": "1"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="program-impact-3-months-{month:%B-%Y}'.lower()
        + f'-1-000-to-9-999-{rewards_today():%Y-%m-%d}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1] == ["Enrolment cohort", f"{month:%B %Y}"]
    assert rows[3] == ["Follower band", "1,000 to 9,999"]
    header = rows.index(["Metric", "Unit", "Before", "After", "Change (%)", "Creators counted"])
    table = {row[0]: row[2:] for row in rows[header + 1 : header + 5]}
    # Only A: 1,300 followers when enrolled.
    assert table == {
        "Video posts per month": ["2", "4", "100", "1"],
        "Engagement rate": ["10", "20", "100", "1"],
        "Follower growth per month": ["100", "300", "200", "1"],
        "Brand partnership requests per creator": ["1", "3", "200", "1"],
    }
    tail = {row[0]: row[-1] for row in rows[header + 5 :] if row}
    assert tail["Creators enrolled"] == "1" and tail["Creators counted"] == "1"


@pytest.mark.parametrize("url_name", ["reports:impact", "reports:impact_csv"])
def test_only_staff_reach_the_report_and_its_csv(
    request: pytest.FixtureRequest, client: Client, url_name: str
) -> None:
    url = reverse(url_name)
    visitor = client.get(url)
    assert visitor.status_code == 302 and visitor.url.startswith(reverse("account_login"))
    for role in ("fan_client", "creator_client", "brand_client"):
        assert request.getfixturevalue(role).get(url).status_code == 403, role
    assert request.getfixturevalue("staff_client").get(url).status_code == 200


def test_the_page_runs_a_fixed_number_of_queries_however_many_creators(
    staff_client: Client, cohort: dict, django_assert_num_queries: object
) -> None:
    for creator in CreatorFactory.create_batch(10):
        _history(creator, _same(Month(posts=1, views=100, likes=5), range(-3, 4)))
        _enrol(creator, E)
    impact.refresh(first_month=month_of_index(E - 5))
    # Session and user, the cohorts, the tiers, the report.
    with django_assert_num_queries(5):
        assert staff_client.get(reverse("reports:impact")).status_code == 200


def test_the_nightly_task_is_scheduled_and_refreshes(cohort: dict) -> None:
    from django_celery_beat.models import PeriodicTask

    from reports import tasks

    assert PeriodicTask.objects.filter(task="reports.refresh_creator_months").exists()
    CreatorMonth.objects.filter(month_index=LAST).delete()
    assert tasks.refresh_creator_months.delay().get() > 0
    assert CreatorMonth.objects.filter(creator=cohort["A"], month_index=LAST).exists()


def test_the_command_rewrites_from_a_month_and_refuses_a_bad_one(cohort: dict) -> None:
    from django.core.management import CommandError, call_command

    CreatorMonth.objects.all().delete()
    out = io.StringIO()
    call_command("refresh_creator_months", first_month=f"{month_of_index(E - 5):%Y-%m}", stdout=out)
    assert "creators enrolled" in out.getvalue()
    assert impact.report(impact.Filters()).counted == 2
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("refresh_creator_months", first_month="May")
