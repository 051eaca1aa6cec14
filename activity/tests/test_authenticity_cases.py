"""The authenticity pass by category, small creators included, on both of its paths: bought
views, bought likes, the subtle pattern, genuine viral days, baselines without flagged days,
and its settings' bounds."""

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from activity import authenticity
from activity.checks import authenticity_problems, check_authenticity_settings
from activity.models import EngagementFlag, FlagReason, FlagStatus, Video, VideoDay
from activity.tests.factories import VideoDayFactory, VideoFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 18)
PASSES: dict[str, Callable[[dt.date, int, int], int]] = {
    "sql": lambda day, lo, hi: authenticity._flag_day_postgresql(day, lo, hi),
    "portable": lambda day, lo, hi: authenticity._flag_day_portable(day, lo, hi),
}


@pytest.fixture(params=sorted(PASSES))
def run_pass(request: pytest.FixtureRequest) -> Callable[[dt.date, int, int], int]:
    if request.param == "sql" and connection.vendor != "postgresql":
        pytest.skip("the one-statement path needs PostgreSQL")
    return PASSES[request.param]


def creator_with_history(views: int, like_rate: float, days: int = 28) -> Video:
    """A creator whose ordinary day is `views` views (± a fifth, a weekly wave) and
    `like_rate` likes per view."""
    video = VideoFactory(published_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    for back in range(1, days + 1):
        day_views = round(views * (0.8 + 0.4 * ((back * 3) % 7) / 6))
        VideoDayFactory(
            video=video,
            day=DAY - dt.timedelta(days=back),
            views=day_views,
            views_5s=day_views * 7 // 10,
            likes=round(day_views * like_rate),
            comments=day_views // 200,
            shares=day_views // 300,
        )
    return video


def judge_day(
    run: Callable[[dt.date, int, int], int], video: Video, views: int, likes: int
) -> dict[str, EngagementFlag]:
    VideoDayFactory(
        video=VideoFactory(creator=video.creator),
        day=DAY,
        views=views,
        views_5s=views * 7 // 10,
        likes=likes,
        comments=views // 200,
        shares=views // 300,
    )
    run(DAY, video.creator_id, video.creator_id)
    return {f.reason: f for f in EngagementFlag.objects.filter(day=DAY)}


# (usual views, usual like rate, the day's views, the day's likes, what is flagged)
CASES = [
    # Bought views, likes flat: small creators as big ones.
    ("small creator, 60 a day, shows 2,500", 60, 0.05, 2_500, 3, {FlagReason.VIEW_SPIKE}),
    ("small creator at 2% likes, 10x views", 100, 0.02, 1_000, 2, {FlagReason.VIEW_SPIKE}),
    ("mid creator, 10x views", 1_200, 0.06, 12_000, 70, {FlagReason.VIEW_SPIKE}),
    ("big creator, 30x views", 50_000, 0.04, 1_500_000, 2_100, {FlagReason.VIEW_SPIKE}),
    # Bought likes, from 30% of views up, small counts included.
    ("likes at 30% of views", 1_200, 0.06, 1_300, 390, {FlagReason.LIKE_RATIO}),
    ("likes at 80% of a small day", 60, 0.05, 150, 120, {FlagReason.LIKE_RATIO}),
    ("likes at 35% for a 12% creator", 5_000, 0.12, 5_000, 1_750, {FlagReason.LIKE_RATIO}),
    # The subtle pattern: a few times the views while the likes per view halve.
    ("subtle, 4x views at half the rate", 1_200, 0.06, 4_800, 144, {FlagReason.VIEW_SPIKE}),
    ("subtle, big creator", 30_000, 0.05, 105_000, 2_600, {FlagReason.VIEW_SPIKE}),
    # Genuine days.
    ("ordinary day", 1_200, 0.06, 1_300, 80, set()),
    ("small creator's good day: 120 at 60", 60, 0.05, 120, 4, set()),
    ("small creator's zero-like day", 60, 0.05, 90, 0, set()),
    ("good day, 3x views at the usual rate", 1_200, 0.06, 3_600, 200, set()),
    ("viral, 20x views, likes rising", 1_200, 0.06, 24_000, 1_300, set()),
    ("viral, 200x views, fewer likes per view", 1_200, 0.06, 240_000, 8_000, set()),
    ("viral small creator, 100x", 60, 0.05, 6_000, 260, set()),
    ("a 12% creator's best day at 22%", 5_000, 0.12, 5_000, 1_100, set()),
]


@pytest.mark.parametrize(
    ("usual", "rate", "views", "likes", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_category_is_told_apart(
    run_pass: Callable[[dt.date, int, int], int],
    usual: int,
    rate: float,
    views: int,
    likes: int,
    expected: set[str],
) -> None:
    flags = judge_day(run_pass, creator_with_history(usual, rate), views, likes)
    assert set(flags) == expected
    for flag in flags.values():
        # Only the excess goes: something is always kept.
        if flag.reason == FlagReason.VIEW_SPIKE:
            assert 0 < flag.excluded_views < views and flag.excluded_likes == 0
        else:
            assert 0 < flag.excluded_likes < likes and flag.excluded_views == 0


def test_bought_views_keep_what_the_level_and_the_likes_explain(
    run_pass: Callable[[dt.date, int, int], int],
) -> None:
    video = creator_with_history(60, 0.05)
    flag = judge_day(run_pass, video, 2_500, 3)[FlagReason.VIEW_SPIKE]
    kept = 2_500 - flag.excluded_views
    # Above the usual level (60 a day: up to 120 is noise) and what 3 likes can explain.
    assert 120 < kept < 600
    assert "2,500 views against a usual" in flag.detail and f"{kept:,} views" in flag.detail


def test_bought_likes_keep_what_the_creators_usual_rate_explains(
    run_pass: Callable[[dt.date, int, int], int],
) -> None:
    flag = judge_day(run_pass, creator_with_history(1_200, 0.06), 1_300, 520)[FlagReason.LIKE_RATIO]
    kept = 520 - flag.excluded_likes
    assert 78 <= kept < 110  # 6% of 1,300 is 78, with room for noise
    assert f"{kept:,} likes kept" in flag.detail and "usual 6.0%" in flag.detail


def run_days(video: Video, first: dt.date, last: dt.date) -> None:
    day = first
    while day <= last:
        authenticity.flag_day(day=day, lo=video.creator_id, hi=video.creator_id)
        day += dt.timedelta(days=1)


def test_bought_likes_early_in_a_month_do_not_make_a_later_genuine_peak_look_like_fraud() -> None:
    video = VideoFactory(published_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    start = dt.date(2026, 10, 1)
    for offset in range(48):
        day = start + dt.timedelta(days=offset)
        views = 1_000 + (offset * 37) % 300
        bought = dt.date(2026, 10, 29) <= day <= dt.date(2026, 11, 7)
        likes = views * 45 // 100 if bought else views * 6 // 100
        if day == DAY:  # a genuine peak: three times the views at the usual like rate
            views, likes = 3_600, 3_600 * 55 // 1000
        VideoDayFactory(video=video, day=day, views=views, views_5s=views, likes=likes)
    run_days(video, start, DAY)
    bought_flags = EngagementFlag.objects.filter(reason=FlagReason.LIKE_RATIO)
    assert bought_flags.count() == 10  # every day of the purchase
    assert not EngagementFlag.objects.filter(day=DAY).exists()
    # Were the purchase counted in the usual like rate, the peak would look like bought views.
    base = authenticity.baselines(DAY, video.creator_id, video.creator_id)[video.creator_id]
    assert base.like_rate == pytest.approx(0.06, abs=0.002) and base.video_days == 18


def test_a_dismissed_flag_counts_as_genuine_in_the_baseline() -> None:
    video = creator_with_history(1_000, 0.06, days=10)
    EngagementFlag.objects.bulk_create(
        EngagementFlag(
            video_day=stat,
            creator_id=stat.creator_id,
            day=stat.day,
            reason=FlagReason.VIEW_SPIKE,
            detail="as reviewed",
            status=status,
        )
        for stat, status in zip(
            VideoDay.objects.order_by("day")[:6],
            [FlagStatus.DISMISSED] * 3 + [FlagStatus.CONFIRMED, FlagStatus.OPEN, FlagStatus.OPEN],
            strict=True,
        )
    )
    VideoDayFactory(video=video, day=DAY)
    base = authenticity.baselines(DAY, video.creator_id, video.creator_id)
    assert base[video.creator_id].video_days == 7  # 10 days, 3 of them with standing flags


@pytest.fixture
def steady() -> Iterator[Video]:
    yield creator_with_history(1_200, 0.06)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    multiple=st.floats(20, 200),
    rate_share=st.floats(0.75, 1.5),
)
def test_viral_days_are_never_flagged(steady: Video, multiple: float, rate_share: float) -> None:
    """A viral day, 20 to 200 times the views with likes rising with them."""
    with transaction.atomic():
        views = round(1_200 * multiple)
        flags = judge_day(PASSES["portable"], steady, views, round(views * 0.06 * rate_share))
        transaction.set_rollback(True)
    assert flags == {}


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    usual=st.sampled_from([40, 60, 300, 1_200, 20_000]),
    multiple=st.floats(10, 100),
    rate=st.floats(0.02, 0.12),
)
def test_bought_views_that_move_a_point_are_flagged(
    usual: int, multiple: float, rate: float
) -> None:
    """10 to 100 times the views with the likes flat, wherever 500+ qualified views (a point
    under the default rules) were bought."""
    with transaction.atomic():
        video = creator_with_history(usual, rate)
        views = round(usual * multiple)
        flags = judge_day(PASSES["portable"], video, views, round(usual * rate))
        transaction.set_rollback(True)
    if (views - usual) * 7 // 10 >= 500:
        assert set(flags) == {FlagReason.VIEW_SPIKE}
        # What still counts earns no more units of 1,000 qualified views than the usual day.
        counted = max(views * 7 // 10 - flags[FlagReason.VIEW_SPIKE].excluded_views, 0)
        assert counted // 1_000 <= usual * 7 // 10 // 1_000 + 1


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(views=st.integers(125, 50_000), share=st.floats(0.30, 0.80), rate=st.floats(0.02, 0.12))
def test_bought_likes_from_30_percent_that_move_a_point_are_flagged(
    views: int, share: float, rate: float
) -> None:
    with transaction.atomic():
        video = creator_with_history(max(views, 40), rate)
        likes = round(views * share)
        flags = judge_day(PASSES["portable"], video, views, likes)
        transaction.set_rollback(True)
    if likes - views * rate >= 100:  # a point under the default rules (1 per 100 likes)
        assert FlagReason.LIKE_RATIO in flags


BAD_SETTINGS = [
    ({"CONFIDENCE_Z": 0}, "CONFIDENCE_Z"),
    ({"CONFIDENCE_Z": "3"}, "must be a number"),
    ({"TRAILING_DAYS": 2.5}, "whole number"),
    ({"TRAILING_DAYS": 0}, "TRAILING_DAYS"),
    ({"MAX_LIKES_PER_VIEW": 5}, "MAX_LIKES_PER_VIEW"),
    ({"NEAR_LIKE_RATE_SHARE": 0.3, "FAR_LIKE_RATE_SHARE": 0.5}, "cannot exceed"),
    ({"LIKE_RATE_MULTIPLE": True}, "must be a number"),
    ({"SPIKE_MIN_VIEWS": 2_000}, "not a known threshold"),
]


@pytest.mark.parametrize(("change", "message"), BAD_SETTINGS)
def test_nonsense_thresholds_are_refused_with_a_clear_message(change: dict, message: str) -> None:
    bad = {**django_settings.AUTHENTICITY, **change}
    assert any(message in problem for problem in authenticity_problems(bad))
    with override_settings(AUTHENTICITY=bad):
        errors = check_authenticity_settings()
        assert errors and all(e.id == "activity.E001" for e in errors)
        with pytest.raises(ImproperlyConfigured, match=message):
            authenticity.flag_day(day=DAY, lo=1, hi=1)


def test_the_shipped_thresholds_pass_their_checks() -> None:
    assert check_authenticity_settings() == []
    assert authenticity_problems(None) == ["AUTHENTICITY must be a dict of thresholds."]
