"""Remainders carried over: what a day leaves short of a whole unit counts on the next day of
the month, while caps and diminishing returns still apply to each day on its own."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import CreatorProfile
from activity.models import Video
from activity.tests.factories import VideoDayFactory, VideoFactory
from rewards import points, recalculation, selectors, whatif
from rewards.models import (
    CarryStart,
    DayTally,
    EarningRule,
    EntryKind,
    Metric,
    PointsEntry,
    RecalcRun,
)

pytestmark = pytest.mark.django_db

WEEK = [dt.date(2026, 11, 2) + dt.timedelta(days=i) for i in range(7)]


def views_on(video: Video, day: dt.date, views: int) -> None:
    """A day of `views` qualified views, with a like rate people have (6 %)."""
    VideoDayFactory(
        video=video,
        day=day,
        views=views,
        views_5s=views,
        likes=views * 6 // 100,
        comments=0,
        shares=0,
    )


def qualified_points(creator: CreatorProfile, day: dt.date) -> int:
    return sum(
        PointsEntry.objects.filter(
            account_id=creator.pk, activity_date=day, metric=Metric.QUALIFIED_VIEWS
        ).values_list("amount", flat=True)
    )


def tally(creator: CreatorProfile, day: dt.date, metric: str = Metric.QUALIFIED_VIEWS) -> DayTally:
    return DayTally.objects.get(creator=creator, day=day, metric=metric)


def today_is(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> dt.date:
    """The nightly job's today (its window, yesterday), whatever the clock says."""
    from rewards import tasks

    monkeypatch.setattr(tasks, "rewards_today", lambda: day)
    monkeypatch.setattr(recalculation, "rewards_today", lambda: day)
    return day


def run_days(days: list[dt.date]) -> list[RecalcRun]:
    return [recalculation.recalculate_day_in_process(day=day) for day in days]


def test_300_views_a_day_earn_their_share_over_a_week() -> None:
    video = VideoFactory()
    for day in WEEK:
        views_on(video, day, 300)
    run_days(WEEK)

    # 2 points per 1,000: 300, 600, 900 carried; the 4th day reaches 1,200 and pays for
    # 1,000; 500, 800; the 7th reaches 1,100. Without the carry they earned nothing.
    assert [qualified_points(video.creator, day) for day in WEEK] == [0, 0, 0, 2, 0, 0, 2]
    assert [tally(video.creator, day).carried_out for day in WEEK] == [
        300,
        600,
        900,
        200,
        500,
        800,
        100,
    ]
    assert tally(video.creator, WEEK[3]).carried_in == 900
    entry = PointsEntry.objects.get(
        account_id=video.creator.pk, activity_date=WEEK[3], metric=Metric.QUALIFIED_VIEWS
    )
    assert (entry.measured, entry.carried_in, entry.amount) == (300, 900, 2)
    call_command("check_ledger")


def test_reruns_of_carried_days_post_nothing() -> None:
    video = VideoFactory()
    for day in WEEK:
        views_on(video, day, 300)
    run_days(WEEK)
    assert [run.entries_posted for run in run_days(WEEK)] == [0] * len(WEEK)
    assert not set(WEEK) & set(
        recalculation.days_needing_recalculation(today=WEEK[-1] + dt.timedelta(days=2))
    )


def test_the_drill_down_shows_what_was_carried_in_and_on() -> None:
    video = VideoFactory()
    for day in WEEK[:4]:
        views_on(video, day, 300)
    run_days(WEEK[:4])
    [day] = selectors.explain_points(video.creator, WEEK[3], WEEK[3])
    [line] = [e for e in day.entries if e.entry.metric == Metric.QUALIFIED_VIEWS]
    assert line.arithmetic == (
        "300 qualified views + 900 carried from earlier days = 1,200 × 2 per 1,000 = 2; "
        "200 carried to the next day"
    )


def test_a_day_short_of_a_whole_unit_shows_what_it_carried_on() -> None:
    video = VideoFactory()
    for day in WEEK[:2]:
        views_on(video, day, 300)
    run_days(WEEK[:2])
    [day] = selectors.explain_points(video.creator, WEEK[1], WEEK[1])
    [views] = [line for line in day.carried if line.label == "Qualified views"]
    assert views.arithmetic == (
        "300 qualified views + 300 carried from earlier days = 600 × 2 per 1,000 = 0; "
        "600 carried to the next day"
    )
    assert not [e for e in day.entries if e.entry.metric == Metric.QUALIFIED_VIEWS]


def test_the_day_page_shows_the_carried_remainder(creator_client: Client, creator: object) -> None:
    video = VideoFactory(creator=creator)
    for day in WEEK[:4]:
        views_on(video, day, 300)
    run_days(WEEK[:4])
    html = creator_client.get(reverse("rewards:day", args=[WEEK[3].isoformat()])).content.decode()
    assert "300 qualified views + 900 carried from earlier days = 1,200" in html
    html = creator_client.get(reverse("rewards:day", args=[WEEK[2].isoformat()])).content.decode()
    assert "not yet a whole unit" in html
    assert "300 qualified views + 600 carried from earlier days = 900 × 2 per 1,000 = 0" in html


def test_remainders_start_from_zero_on_the_first_of_a_month() -> None:
    video = VideoFactory(published_at=dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC))
    last, first = dt.date(2026, 10, 31), dt.date(2026, 11, 1)
    views_on(video, last, 1_900)
    views_on(video, first, 300)
    run_days([last, first])
    assert tally(video.creator, last).carried_out == 900
    assert (tally(video.creator, first).carried_in, tally(video.creator, first).carried_out) == (
        0,
        300,
    )
    assert qualified_points(video.creator, first) == 0  # 300 alone: no whole unit
    [day] = selectors.explain_points(video.creator, last, last)
    [line] = [e for e in day.entries if e.entry.metric == Metric.QUALIFIED_VIEWS]
    assert line.arithmetic.endswith("; 900 left over, and a new month starts from zero")


def test_a_remainder_crosses_into_a_rules_new_version_in_its_own_units() -> None:
    video = VideoFactory()
    days = WEEK[:3]
    new = EarningRule.objects.create(
        metric=Metric.QUALIFIED_VIEWS, valid_from=days[2], unit_size=500, points_per_unit=1
    )
    for day, views in zip(days, (700, 200, 300), strict=True):
        views_on(video, day, views)
    run_days(days)
    # 700 and 900 views carried under "2 per 1,000"; from the 3rd day "1 per 500" divides
    # 900 + 300 = 1,200 by its own unit: 2 units, 200 carried on.
    assert [qualified_points(video.creator, day) for day in days] == [0, 0, 2]
    assert tally(video.creator, days[2]).rule == new
    assert tally(video.creator, days[2]).carried_out == 200


def test_caps_and_diminishing_returns_still_apply_to_each_day() -> None:
    video = VideoFactory()
    views_on(video, WEEK[0], 1_000_999)
    views_on(video, WEEK[1], 1)
    run_days(WEEK[:2])
    # 1,000 units → 2,000; above 200 half counts → 1,100; capped at 500. The 999 left over are
    # not lost to the cap of the first day: with the 1 view of the next, a unit there.
    assert qualified_points(video.creator, WEEK[0]) == 500
    assert qualified_points(video.creator, WEEK[1]) == 2


def test_a_correction_to_an_earlier_day_brings_the_later_days_up_to_date_once(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rewards import tasks

    video = VideoFactory()
    days = WEEK[:3]
    for day in days:
        views_on(video, day, 600)
    run_days(days)
    # 600 → carried; 1,200 → 2 points, 200 on; 800 → carried.
    assert [qualified_points(video.creator, day) for day in days] == [0, 2, 0]

    first = video.days.get(day=days[0])
    first.views = first.views_5s = 1_000
    first.save()  # late data for the first day
    today = today_is(monkeypatch, dt.date(2026, 11, 10))
    # The later days are not out of date until the first is planned again.
    due = recalculation.days_needing_recalculation(today=today)
    assert days[0] in due and days[1] not in due and days[2] not in due

    with django_capture_on_commit_callbacks(execute=True):
        tasks.recalculate_yesterday.delay()

    # 1,000 → 2 points; 600 → carried (a correction of -2); 1,200 → 2 points, 200 on.
    assert [qualified_points(video.creator, day) for day in days] == [2, 0, 2]
    runs = {run.day: run for run in RecalcRun.objects.order_by("started_at")}
    assert runs[days[0]].started_at < runs[days[1]].started_at < runs[days[2]].started_at
    corrections = PointsEntry.objects.filter(
        account_id=video.creator.pk, kind=EntryKind.CORRECTION, metric=Metric.QUALIFIED_VIEWS
    )
    # Both later changes are labelled: the middle day's -2, and the last day's views, which
    # earned nothing when it was first posted (its upload did) and now earn 2.
    assert sorted((e.activity_date, e.amount) for e in corrections) == [
        (days[1], -2),
        (days[2], 2),
    ]
    assert not set(days) & set(recalculation.days_needing_recalculation(today=today))
    assert RecalcRun.objects.filter(day=today - dt.timedelta(days=1)).exists()  # and on

    # The next night finds nothing to do for them, and posts nothing twice.
    before = PointsEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.recalculate_yesterday.delay()
    assert PointsEntry.objects.count() == before
    call_command("check_ledger")


def test_a_day_recalculated_out_of_order_is_found_out_of_date() -> None:
    video = VideoFactory()
    days = WEEK[:2]
    for day in days:
        views_on(video, day, 600)
    run_days(days)
    first = video.days.get(day=days[0])
    first.views = first.views_5s = 700
    first.save()
    recalculation.recalculate_day_in_process(day=days[0])  # by hand, the later day not
    today = days[-1] + dt.timedelta(days=3)
    assert days[1] in recalculation.days_needing_recalculation(today=today)
    recalculation.recalculate_day_in_process(day=days[1])
    assert days[1] not in recalculation.days_needing_recalculation(today=today)
    assert qualified_points(video.creator, days[1]) == 2  # 700 + 600 = 1,300


def test_the_what_if_over_a_week_agrees_with_the_recalculation() -> None:
    video = VideoFactory()
    for day in WEEK:
        views_on(video, day, 300)
    run_days(WEEK)
    estimate = whatif.estimate(
        whatif.Video(
            length_s=75,
            views=300,
            likes=18,
            comments=0,
            shares=0,
            watch_time_minutes=600,
            days=7,
        ),
        WEEK[-1],
    )
    [views] = [line for line in estimate.lines if line.metric == Metric.QUALIFIED_VIEWS]
    assert views.points == sum(qualified_points(video.creator, day) for day in WEEK) == 4
    assert views.arithmetic == (
        "300 qualified views a day for 7 days: 4 points in all, paid on 2 of the 7 days; "
        "100 left over after the last day"
    )
    assert views.by_day[3] == (
        "300 qualified views + 900 carried from earlier days = 1,200 × 2 per 1,000 = 2; "
        "200 carried to the next day"
    )


def test_the_what_if_page_takes_a_number_of_days(creator_client: Client) -> None:
    url = reverse("rewards:what_if")
    numbers = {
        "length_s": 75,
        "views": 300,
        "likes": 18,
        "comments": 0,
        "shares": 0,
        "watch_time_minutes": 600,
        "is_original": "on",
    }
    html = creator_client.get(url, {**numbers, "days": 7}).content.decode()
    assert "300 qualified views a day for 7 days: 4 points in all" in html
    assert "Day by day" in html
    one = creator_client.get(url, numbers).content.decode()  # without days: one day
    assert "300 qualified views × 2 per 1,000 = 0; 300 carried to the next day" in one
    bad = creator_client.get(url, {**numbers, "days": "9"})
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(amounts=st.lists(st.integers(0, 2_500), min_size=1, max_size=8))
def test_a_months_points_equal_the_what_ifs_for_the_same_days(amounts: list[int]) -> None:
    video = VideoFactory()
    days = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(len(amounts))]
    for day, views in zip(days, amounts, strict=True):
        if views:
            views_on(video, day, views)
    run_days(days)
    rule = points.rules_in_force(days[0])[Metric.QUALIFIED_VIEWS]
    [walk] = points.days_in_a_row([(rule, amounts)])
    assert [qualified_points(video.creator, day) for day in days] == [b.points for b in walk]


def test_a_correction_at_a_months_end_stops_at_the_month(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rewards import tasks

    video = VideoFactory(published_at=dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC))
    days = [dt.date(2026, 10, 30), dt.date(2026, 10, 31), dt.date(2026, 11, 1)]
    for day in days:
        views_on(video, day, 600)
    run_days(days)
    first = video.days.get(day=days[0])
    first.views = first.views_5s = 1_000
    first.save()
    today_is(monkeypatch, dt.date(2026, 11, 3))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.recalculate_yesterday.delay()
    runs = list(RecalcRun.objects.values_list("day", flat=True))
    assert runs.count(days[0]) == 2 and runs.count(days[1]) == 2  # the rest of October
    assert runs.count(days[2]) == 1  # November started from zero: nothing to redo
    assert [qualified_points(video.creator, day) for day in days] == [2, 0, 0]


@pytest.fixture
def carry_from(request: pytest.FixtureRequest) -> object:
    """Carrying began on a given day, as migration 0014 records on an installation that paid
    days before it; the process's cached start is cleared around the test."""

    def start(day: dt.date) -> None:
        CarryStart.objects.create(day=day)
        points.carry_start.cache_clear()

    request.addfinalizer(points.carry_start.cache_clear)
    return start


def test_days_paid_before_carrying_began_stay_as_they_were_paid_when_rerun(
    carry_from: object,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Late data for one creator on an old day reruns that day for everyone: nobody's old
    days, nor the days after, start paying by remainders they were not paid with."""
    from rewards import tasks

    late, other = VideoFactory(), VideoFactory()
    days = WEEK[:4]
    for day in days:
        views_on(late, day, 500)
        views_on(other, day, 500)
    carry_from(days[2])
    run_days(days)
    # Before the start, 500 a day earns nothing and carries nothing; from it, they add up.
    assert [qualified_points(other.creator, day) for day in days] == [0, 0, 0, 2]
    assert not points.carries_on(days[1]) and points.carries_on(days[2])

    first = late.days.get(day=days[0])
    first.views = first.views_5s = 1_500
    first.save()
    today = today_is(monkeypatch, days[-1] + dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.recalculate_yesterday.delay()

    assert [qualified_points(late.creator, day) for day in days] == [2, 0, 0, 2]
    assert [qualified_points(other.creator, day) for day in days] == [0, 0, 0, 2]
    assert not set(days[1:]) & set(recalculation.days_needing_recalculation(today=today))
    call_command("check_ledger")
