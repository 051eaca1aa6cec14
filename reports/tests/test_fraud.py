"""Fraud review: the queue with the points each flag holds back, its filters and pages, bulk
reviews and answers to appeals, and who may reach it."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import CreatorProfile, Notification, User
from accounts.tests.factories import CreatorFactory
from activity import services as activity_services
from activity.models import AppealStatus, EngagementFlag, FlagAppeal, FlagReason, FlagStatus
from activity.selectors import flags_for_review
from activity.tests.factories import DAY, VideoDayFactory, VideoFactory
from reports import fraud
from rewards import recalculation
from rewards.models import Metric, PointsEntry

pytestmark = pytest.mark.django_db
QUEUE = reverse("reports:fraud")
REVIEW = reverse("reports:fraud_review")
HTMX = {"HTTP_HX_REQUEST": "true"}


def bot_marked_day(creator: CreatorProfile | None = None, day: dt.date = DAY) -> EngagementFlag:
    """A video-day with 6,000 of its 10,000 views (9,000 watched 5 s) and 50 of its 100 likes
    marked as bots, recalculated: the authenticity pass flags it. Counted: 3,000 qualified
    views (6 points at 2 per 1,000) and 50 likes (nothing yet at 1 per 100). Held back:
    9,000 would give 18 points (12 more) and 100 likes 1 point (1 more): 13."""
    video = VideoFactory(creator=creator or CreatorFactory())
    VideoDayFactory(
        video=video,
        day=day,
        views=10_000,
        views_5s=9_000,
        bot_views=6_000,
        likes=100,
        bot_likes=50,
        comments=0,
        shares=0,
    )
    recalculation.recalculate_day_in_process(day=day)
    return EngagementFlag.objects.get(video_day__video=video)


def points_on(creator: CreatorProfile, day: dt.date = DAY) -> int:
    return sum(
        PointsEntry.objects.filter(account__creator=creator, activity_date=day).values_list(
            "amount", flat=True
        )
    )


def queue(**filters: object) -> fraud.Queue:
    return fraud.review_queue(flags_for_review(**filters))


# What a flag holds back -------------------------------------------------------------------


def test_each_flag_shows_the_points_its_excluded_amounts_would_earn() -> None:
    flag = bot_marked_day()
    [row] = queue(statuses=[FlagStatus.OPEN]).rows
    assert (row.flag, row.held_back) == (flag, 13)
    assert row.reason == "Bot-marked"
    assert row.excluded == [("views", 6_000), ("likes", 50)]


def test_dismissing_a_flag_and_recalculating_pays_back_exactly_what_it_held_back(
    staff: User,
) -> None:
    flag = bot_marked_day()
    creator = flag.creator
    held = queue(statuses=[FlagStatus.OPEN]).rows[0].held_back
    before = points_on(creator)
    assert before == 6

    activity_services.review_flags(
        flag_ids=[flag.pk], verdict=FlagStatus.DISMISSED, reviewer=staff, note="Real"
    )
    recalculation.recalculate_day_in_process(day=DAY)

    assert points_on(creator) - before == held == 13
    creator.points_account.refresh_from_db()
    assert creator.points_account.balance == 19
    # The correction is labelled, and a dismissed flag holds nothing back any more.
    assert PointsEntry.objects.filter(
        account__creator=creator, kind="correction", metric=Metric.QUALIFIED_VIEWS
    ).exists()
    assert queue(statuses=[FlagStatus.DISMISSED]).rows[0].held_back == 0


def test_a_metric_the_day_did_not_count_at_all_is_valued_by_the_rule_in_force(
    staff: User,
) -> None:
    # Every like marked as a bot's: the day has no likes tally, so the rule in force values
    # them; a video too short to qualify holds back no views.
    video = VideoFactory(duration_s=20)
    VideoDayFactory(video=video, views=10_000, views_5s=8_000, likes=300, bot_likes=300)
    recalculation.recalculate_day_in_process(day=DAY)
    flag = EngagementFlag.objects.get()
    [row] = queue().rows
    before = points_on(video.creator)

    activity_services.review_flags(flag_ids=[flag.pk], verdict=FlagStatus.DISMISSED, reviewer=staff)
    recalculation.recalculate_day_in_process(day=DAY)

    assert row.held_back == points_on(video.creator) - before == 3  # 300 likes, 1 per 100


def test_the_daily_cap_limits_what_a_flag_holds_back() -> None:
    # 1,000,000 qualified views already earn the cap (500); more held back adds nothing.
    video = VideoFactory()
    VideoDayFactory(
        video=video, views=3_000_000, views_5s=2_000_000, bot_views=500_000, likes=0, shares=0
    )
    recalculation.recalculate_day_in_process(day=DAY)
    assert [row.held_back for row in queue().rows] == [0]


# Filters, order and pages -----------------------------------------------------------------


@pytest.fixture
def three_flags(creator: CreatorProfile) -> list[EngagementFlag]:
    """Three flags: the creator's on DAY and the day before (13 points each), another's on
    DAY - 2 with an appeal waiting."""
    ours = [bot_marked_day(creator, DAY), bot_marked_day(creator, DAY - dt.timedelta(days=1))]
    theirs = bot_marked_day(CreatorFactory(handle="someoneelse"), DAY - dt.timedelta(days=2))
    activity_services.appeal_flag(
        creator=theirs.creator, flag=theirs, message="Real people watched it."
    )
    return [*ours, theirs]


def test_filters_narrow_the_queue(
    three_flags: list[EngagementFlag], creator: CreatorProfile
) -> None:
    newest, older, theirs = three_flags
    assert {r.flag for r in queue(handle=creator.handle[2:].upper()).rows} == {newest, older}
    assert [
        r.flag
        for r in queue(first=DAY - dt.timedelta(days=1), last=DAY - dt.timedelta(days=1)).rows
    ] == [older]
    assert [r.flag for r in queue(appeal="waiting").rows] == [theirs]
    assert {r.flag for r in queue(appeal="none").rows} == {newest, older}
    assert queue(reasons=[FlagReason.VIEW_SPIKE]).rows == []
    assert queue(statuses=[FlagStatus.CONFIRMED]).rows == []
    flags = flags_for_review(statuses=[FlagStatus.OPEN])
    assert fraud.review_queue(flags, min_held=14).rows == []
    assert fraud.review_queue(flags, min_held=13).matching == 3


def test_pages_keep_the_totals_and_a_page_past_the_end_shows_the_last(
    three_flags: list[EngagementFlag],
) -> None:
    flags = flags_for_review()
    first = fraud.review_queue(flags, sort=fraud.Sort.OLDEST, page=1, page_size=2)
    assert [r.flag for r in first.rows] == [three_flags[2], three_flags[1]]
    assert (first.matching, first.held_back, first.pages, first.has_next) == (3, 39, 2, True)
    beyond = fraud.review_queue(flags, sort=fraud.Sort.OLDEST, page=9, page_size=2)
    assert (beyond.number, [r.flag for r in beyond.rows]) == (2, [three_flags[0]])
    newest = fraud.review_queue(flags, sort=fraud.Sort.NEWEST, page_size=1)
    assert newest.rows[0].flag == three_flags[0]


def test_the_page_shows_flags_reasons_held_back_and_appeals(
    staff_client: Client, three_flags: list[EngagementFlag]
) -> None:
    response = staff_client.get(QUEUE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "3</strong> flags match" in html
    assert "39</strong> points" in html
    assert html.count('name="flag"') == 3
    assert "Bot-marked" in html and "13</strong> pts" in html
    assert "Real people watched it." in html  # the appeal beside its flag
    assert reverse("reports:fraud_answer", args=[FlagAppeal.objects.get().pk]) in html
    assert reverse("admin:activity_engagementflag_change", args=[three_flags[0].pk]) in html


def test_htmx_gets_the_queue_region_only(
    staff_client: Client, three_flags: list[EngagementFlag]
) -> None:
    response = staff_client.get(QUEUE, {"appeal": "waiting"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="queue"')
    assert "<html" not in html
    assert html.count('name="flag"') == 1
    assert response["Vary"] and "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"first": "2026-11-20", "last": "2026-11-10"}, "ends before it starts"),
        ({"min_held": "-5"}, "greater than or equal to 0"),
        ({"page": "two"}, "whole number"),
        ({"status": "maybe"}, "valid choice"),
        ({"q": "x" * 61}, "at most 60 characters"),
    ],
)
def test_bad_filters_answer_400_or_422_with_the_reason(
    staff_client: Client, params: dict, message: str
) -> None:
    plain = staff_client.get(QUEUE, params)
    assert plain.status_code == 400
    assert message in plain.content.decode()
    swapped = staff_client.get(QUEUE, params, **HTMX)
    assert swapped.status_code == 422
    assert message in swapped.content.decode()


def test_the_page_takes_the_same_queries_for_one_flag_or_many(
    staff_client: Client, django_assert_num_queries: object
) -> None:
    bot_marked_day()
    staff_client.get(QUEUE)  # sessions and caches warmed
    # The user, waiting appeals, the runs' version, the page's ids and totals from the
    # cache, the flags, their appeals.
    with django_assert_num_queries(5):
        assert staff_client.get(QUEUE).status_code == 200
    for back in range(1, 5):
        bot_marked_day(day=DAY - dt.timedelta(days=back))
    # New flags start the cached pages again: the rules and the page with its totals too.
    with django_assert_num_queries(7):
        assert staff_client.get(QUEUE).content.decode().count('name="flag"') == 5
    with django_assert_num_queries(5):
        assert staff_client.get(QUEUE).content.decode().count('name="flag"') == 5


# Reviews from the page --------------------------------------------------------------------


def test_a_bulk_dismissal_returns_to_the_same_filters_with_a_message(
    staff_client: Client, staff: User, three_flags: list[EngagementFlag]
) -> None:
    newest, older, _ = three_flags
    response = staff_client.post(
        REVIEW,
        {
            "flag": [newest.pk, older.pk],
            "verdict": "dismiss",
            "note": "A genuine viral week",
            "back": "appeal=none&sort=oldest&evil=https://elsewhere",
        },
    )
    assert response.status_code == 302
    assert response.url == f"{QUEUE}?appeal=none&sort=oldest"
    for flag in (newest, older):
        flag.refresh_from_db()
        assert (flag.status, flag.reviewed_by, flag.review_note) == (
            FlagStatus.DISMISSED,
            staff,
            "A genuine viral week",
        )
    page = staff_client.get(response.url).content.decode()
    assert "2 flags dismissed." in page


def test_an_htmx_review_swaps_the_queue_without_the_reviewed_flags(
    staff_client: Client, three_flags: list[EngagementFlag]
) -> None:
    newest = three_flags[0]
    response = staff_client.post(
        REVIEW, {"flag": [newest.pk], "verdict": "confirm", "back": ""}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 flag confirmed." in html
    assert f'value="{newest.pk}"' not in html  # the open queue no longer lists it
    assert html.count('name="flag"') == 2
    # The same review again changes nothing and says so.
    again = staff_client.post(REVIEW, {"flag": [newest.pk], "verdict": "confirm"}, **HTMX)
    assert "1 flag was confirmed already" in again.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"verdict": "dismiss"}, "Tick at least one flag"),
        ({"flag": ["abc"], "verdict": "dismiss"}, "Select a valid choice"),
        ({"flag": ["987654"], "verdict": "dismiss"}, "No such flag: 987654"),
        ({"flag": ["FLAG"], "verdict": "approve"}, "Choose confirm or dismiss"),
        ({"flag": ["FLAG"], "verdict": "dismiss", "note": "n" * 301}, "at most 300 characters"),
        ({"flag": ["APPEALED"], "verdict": "dismiss"}, "an appeal waiting: write a note"),
    ],
)
def test_bad_reviews_answer_4xx_with_the_reason_and_change_nothing(
    staff_client: Client, three_flags: list[EngagementFlag], data: dict, message: str
) -> None:
    stand_ins = {"FLAG": str(three_flags[0].pk), "APPEALED": str(three_flags[2].pk)}
    data = {**data, "flag": [stand_ins.get(v, v) for v in data.get("flag", [])]}
    plain = staff_client.post(REVIEW, data)
    assert plain.status_code == 400
    assert message in plain.content.decode()
    swapped = staff_client.post(REVIEW, data, **HTMX)
    assert swapped.status_code == 422
    assert message in swapped.content.decode()
    assert not EngagementFlag.objects.exclude(status=FlagStatus.OPEN).exists()


def test_staff_answer_an_appeal_and_the_creator_reads_it_on_their_drill_down(
    staff_client: Client, three_flags: list[EngagementFlag]
) -> None:
    flag = three_flags[2]
    appeal = FlagAppeal.objects.get()
    url = reverse("reports:fraud_answer", args=[appeal.pk])
    response = staff_client.post(
        url, {"verdict": "dismiss", "answer": "Agreed: a big account shared it."}, **HTMX
    )
    assert response.status_code == 200
    assert "Appeal accepted (flag dismissed); the creator was told." in response.content.decode()
    appeal.refresh_from_db()
    flag.refresh_from_db()
    assert (appeal.status, flag.status) == (AppealStatus.ANSWERED, FlagStatus.DISMISSED)
    [notice] = Notification.objects.filter(user=flag.creator.user)
    assert notice.link == reverse("rewards:day", args=[flag.day.isoformat()]) + f"#flag-{flag.pk}"

    creator_client = Client()
    creator_client.force_login(flag.creator.user)
    page = creator_client.get(notice.link.split("#")[0]).content.decode()
    assert "Agreed: a big account shared it." in page
    assert "appeal accepted" in page


def test_answers_refused_say_why(staff_client: Client, three_flags: list[EngagementFlag]) -> None:
    appeal = FlagAppeal.objects.get()
    url = reverse("reports:fraud_answer", args=[appeal.pk])
    empty = staff_client.post(url, {"verdict": "dismiss", "answer": ""})
    assert empty.status_code == 400
    assert "Write an answer" in empty.content.decode()
    unknown = staff_client.post(
        reverse("reports:fraud_answer", args=[appeal.pk + 100]),
        {"verdict": "confirm", "answer": "No."},
        **HTMX,
    )
    assert unknown.status_code == 422
    assert "No such appeal" in unknown.content.decode()
    assert FlagAppeal.objects.get().status == AppealStatus.OPEN


# Who may reach it -------------------------------------------------------------------------


def endpoints() -> list[tuple[str, str]]:
    return [
        ("get", QUEUE),
        ("post", REVIEW),
        ("post", reverse("reports:fraud_answer", args=[1])),
    ]


@pytest.mark.parametrize(("method", "url"), endpoints())
@pytest.mark.parametrize("role", ["creator_client", "fan_client", "brand_client"])
def test_only_staff_reach_fraud_review(
    request: pytest.FixtureRequest, role: str, method: str, url: str
) -> None:
    flag = bot_marked_day()
    client: Client = request.getfixturevalue(role)
    data = {"flag": [flag.pk], "verdict": "dismiss", "answer": "x"}
    assert getattr(client, method)(url, data).status_code == 403
    assert getattr(client, method)(url, data, **HTMX).status_code == 403
    assert EngagementFlag.objects.get().status == FlagStatus.OPEN


@pytest.mark.parametrize(("method", "url"), endpoints())
def test_visitors_are_sent_to_sign_in(client: Client, method: str, url: str) -> None:
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    swapped = getattr(client, method)(url, **HTMX)
    assert swapped["HX-Redirect"].startswith(reverse("account_login"))


def test_the_review_and_answer_endpoints_take_posts_only(staff_client: Client) -> None:
    assert staff_client.get(REVIEW).status_code == 405
    assert staff_client.get(reverse("reports:fraud_answer", args=[1])).status_code == 405
    assert staff_client.post(QUEUE).status_code == 405
