import datetime as dt

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from activity import authenticity
from activity.models import EngagementFlag, FlagReason, FlagStatus, Video
from activity.tests.factories import VideoDayFactory, VideoFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 18)


@pytest.fixture
def steady_video() -> Video:
    """A creator with four weeks of ordinary days: about 1,200 views and 6% likes a day."""
    video = VideoFactory(published_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    for back in range(1, 29):
        views = 1_000 + (back * 37) % 400
        VideoDayFactory(
            video=video,
            day=DAY - dt.timedelta(days=back),
            views=views,
            views_5s=views * 8 // 10,
            likes=views * 6 // 100,
            shares=views // 100,
        )
    return video


def flag_reasons(video: Video) -> set[str]:
    authenticity.flag_day(day=DAY, lo=video.creator_id, hi=video.creator_id)
    return set(EngagementFlag.objects.filter(day=DAY).values_list("reason", flat=True))


def test_a_bot_burst_of_views_without_likes_sets_aside_only_the_unexplained_views(
    steady_video: Video,
) -> None:
    VideoDayFactory(video=steady_video, day=DAY, views=60_000, views_5s=55_000, likes=380, shares=9)
    assert flag_reasons(steady_video) == {FlagReason.VIEW_SPIKE}
    flag = EngagementFlag.objects.get()
    assert flag.status == FlagStatus.OPEN
    # 380 likes (five times a usual day's) explain some 15,000 views at a viral audience's
    # like rate: those are kept, the rest set aside; likes, comments and shares all count.
    kept = 60_000 - flag.excluded_views
    assert 1_200 < kept < 20_000
    assert (flag.excluded_likes, flag.excluded_comments, flag.excluded_shares) == (0, 0, 0)
    assert "60,000 views against a usual" in flag.detail
    assert f"explain {kept:,} views, {flag.excluded_views:,} set aside" in flag.detail


def test_a_viral_video_whose_likes_and_shares_rise_with_views_is_not_flagged(
    steady_video: Video,
) -> None:
    VideoDayFactory(
        video=steady_video, day=DAY, views=60_000, views_5s=52_000, likes=4_100, shares=900
    )
    assert flag_reasons(steady_video) == set()


def test_implausible_like_and_comment_ratios_set_aside_only_their_excess(
    steady_video: Video,
) -> None:
    VideoDayFactory(video=steady_video, day=DAY, views=1_000, views_5s=900, likes=700, comments=300)
    assert flag_reasons(steady_video) == {FlagReason.LIKE_RATIO, FlagReason.COMMENT_RATIO}
    likes = EngagementFlag.objects.get(reason=FlagReason.LIKE_RATIO)
    comments = EngagementFlag.objects.get(reason=FlagReason.COMMENT_RATIO)
    # Likes keep what the usual 6% explains (60, with noise); comments what 20% per view does.
    assert 60 < 700 - likes.excluded_likes < 100 and likes.excluded_views == 0
    assert 200 < 300 - comments.excluded_comments < 260 and comments.excluded_views == 0
    assert "usual 6.0%" in likes.detail


def test_platform_marked_bot_engagement_excludes_just_those_amounts(steady_video: Video) -> None:
    VideoDayFactory(
        video=steady_video,
        day=DAY,
        views=1_300,
        views_5s=1_000,
        likes=80,
        bot_views=250,
        bot_likes=30,
    )
    assert flag_reasons(steady_video) == {FlagReason.BOT_MARKED}
    flag = EngagementFlag.objects.get()
    assert (flag.excluded_views, flag.excluded_likes) == (250, 30)


def test_an_open_flag_is_withdrawn_when_corrected_data_looks_normal(steady_video: Video) -> None:
    stat = VideoDayFactory(video=steady_video, day=DAY, views=60_000, views_5s=55_000, likes=380)
    assert flag_reasons(steady_video) == {FlagReason.VIEW_SPIKE}
    stat.views, stat.views_5s, stat.likes = 1_250, 1_000, 75
    stat.save()
    assert flag_reasons(steady_video) == set()


def test_a_reviewed_flag_stays_as_history(steady_video: Video) -> None:
    stat = VideoDayFactory(video=steady_video, day=DAY, views=60_000, views_5s=55_000, likes=380)
    flag_reasons(steady_video)
    EngagementFlag.objects.update(status=FlagStatus.DISMISSED)
    stat.views, stat.views_5s, stat.likes = 1_250, 1_000, 75
    stat.save()
    flag_reasons(steady_video)
    assert EngagementFlag.objects.get().status == FlagStatus.DISMISSED


def test_a_new_creator_without_history_is_not_judged_on_spikes() -> None:
    video = VideoFactory()
    VideoDayFactory(video=video, day=DAY, views=60_000, views_5s=55_000, likes=380)
    assert flag_reasons(video) == set()


def test_a_new_creator_is_still_held_to_the_absolute_like_rate() -> None:
    video = VideoFactory()
    VideoDayFactory(video=video, day=DAY, views=1_000, views_5s=900, likes=400)
    assert flag_reasons(video) == {FlagReason.LIKE_RATIO}
    assert "without a usual rate to go by" in EngagementFlag.objects.get().detail


def test_both_baseline_implementations_agree(steady_video: Video) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("compares the PostgreSQL path with the portable one")
    lo = hi = steady_video.creator_id
    sql = authenticity._baselines_postgresql(DAY, lo, hi)[lo]
    portable = authenticity._baselines_portable(DAY, lo, hi)[lo]
    assert sql.video_days == portable.video_days == 28
    assert sql.median_views == pytest.approx(portable.median_views)
    assert sql.mad_views == pytest.approx(portable.mad_views)
    assert sql.like_rate == pytest.approx(portable.like_rate)


def test_a_reviewed_flag_reopens_when_the_data_now_excludes_more(steady_video: Video) -> None:
    stat = VideoDayFactory(
        video=steady_video, day=DAY, views=1_300, views_5s=1_000, likes=80, bot_views=100
    )
    flag_reasons(steady_video)
    EngagementFlag.objects.update(status=FlagStatus.DISMISSED)
    stat.bot_views = 900
    stat.save()
    flag_reasons(steady_video)
    flag = EngagementFlag.objects.get()
    assert flag.status == FlagStatus.OPEN and flag.excluded_views == 900
    assert "Reopened" in flag.review_note


REASONS = [choice.value for choice in FlagReason]
STATUSES = [choice.value for choice in FlagStatus]
# One video-day of the rewards day: views, then likes, comments and bot views per 1,000 views.
video_days = st.tuples(
    st.integers(0, 120_000) | st.integers(0, 3_000) | st.sampled_from([0, 1, 60, 120, 2_500]),
    st.integers(0, 30) | st.integers(0, 1_200),  # few likes per view: a spike, with a baseline
    st.integers(0, 400),
    st.integers(0, 1_000) | st.just(0),
)
# A flag already standing on it: reason, status and what it excluded then.
earlier_flags = st.none() | st.tuples(
    st.sampled_from(REASONS), st.sampled_from(STATUSES), st.integers(0, 150_000)
)
creators = st.tuples(
    # Trailing days' views and likes per 1,000: a creator has a baseline from 7 video-days;
    # small creators (a few dozen views, a like or none) and big ones.
    st.lists(st.tuples(st.integers(800, 1_600), st.integers(20, 120)), min_size=7, max_size=10)
    | st.lists(st.tuples(st.integers(0, 200), st.integers(0, 150)), min_size=7, max_size=10)
    | st.lists(st.tuples(st.integers(800, 1_600), st.integers(20, 120)), max_size=6),
    st.lists(st.tuples(video_days, earlier_flags), min_size=1, max_size=3),
)


def flag_table() -> list[tuple]:
    return sorted(
        EngagementFlag.objects.values_list(
            "video_day_id", "reason", "status", "detail", *authenticity.EXCLUDED, "review_note"
        )
    )


def build(creator_specs: list) -> tuple[int, int]:
    ids = []
    for history, days in creator_specs:
        first = VideoFactory(published_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
        ids.append(first.creator_id)
        for back, (views, likes) in enumerate(history, start=1):
            VideoDayFactory(
                video=first,
                day=DAY - dt.timedelta(days=back),
                views=views,
                views_5s=views,
                likes=views * likes // 1000,
            )
        for (views, likes, comments, bots), earlier in days:
            stat = VideoDayFactory(
                video=VideoFactory(creator=first.creator),
                views=views,
                views_5s=views,
                likes=views * likes // 1000,
                comments=views * comments // 1000,
                shares=views // 100,
                bot_views=views * bots // 1000,
                bot_likes=views * likes // 1000 * bots // 1000,
            )
            if earlier is not None:
                reason, status, excluded = earlier
                EngagementFlag.objects.create(
                    video_day=stat,
                    creator_id=stat.creator_id,
                    day=DAY,
                    reason=reason,
                    status=status,
                    detail="as it stood",
                    excluded_views=excluded,
                    excluded_likes=excluded // 10,
                )
    return min(ids), max(ids)


@hypothesis_settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(creator_specs=st.lists(creators, min_size=1, max_size=3))
def test_the_sql_pass_flags_what_the_python_pass_flags(creator_specs: list) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("compares the PostgreSQL statement with the portable path")
    with transaction.atomic():
        lo, hi = build(creator_specs)
        before = transaction.savepoint()
        by_python = authenticity._flag_day_portable(DAY, lo, hi), flag_table()
        transaction.savepoint_rollback(before)
        by_sql = authenticity._flag_day_postgresql(DAY, lo, hi), flag_table()
        transaction.set_rollback(True)
    assert by_sql == by_python
