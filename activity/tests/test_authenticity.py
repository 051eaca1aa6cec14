import datetime as dt

import pytest
from django.db import connection

from activity import authenticity
from activity.models import EngagementFlag, FlagReason, FlagStatus
from activity.tests.factories import VideoDayFactory, VideoFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 18)


@pytest.fixture
def steady_video() -> object:
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


def flag_reasons(video: object) -> set[str]:
    authenticity.flag_day(day=DAY, lo=video.creator_id, hi=video.creator_id)
    return set(EngagementFlag.objects.filter(day=DAY).values_list("reason", flat=True))


def test_a_bot_burst_of_views_without_likes_is_flagged(steady_video: object) -> None:
    VideoDayFactory(video=steady_video, day=DAY, views=60_000, views_5s=55_000, likes=380, shares=9)
    assert flag_reasons(steady_video) == {FlagReason.VIEW_SPIKE}
    flag = EngagementFlag.objects.get()
    assert flag.excluded_views == 60_000 and flag.status == FlagStatus.OPEN
    assert "60,000 views against a usual" in flag.detail


def test_a_viral_video_whose_likes_and_shares_rise_with_views_is_not_flagged(
    steady_video: object,
) -> None:
    VideoDayFactory(
        video=steady_video, day=DAY, views=60_000, views_5s=52_000, likes=4_100, shares=900
    )
    assert flag_reasons(steady_video) == set()


def test_implausible_like_and_comment_ratios_are_flagged(steady_video: object) -> None:
    VideoDayFactory(video=steady_video, day=DAY, views=1_000, views_5s=900, likes=700, comments=300)
    assert flag_reasons(steady_video) == {FlagReason.LIKE_RATIO, FlagReason.COMMENT_RATIO}


def test_platform_marked_bot_engagement_excludes_just_those_amounts(steady_video: object) -> None:
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


def test_an_open_flag_is_withdrawn_when_corrected_data_looks_normal(steady_video: object) -> None:
    stat = VideoDayFactory(video=steady_video, day=DAY, views=60_000, views_5s=55_000, likes=380)
    assert flag_reasons(steady_video) == {FlagReason.VIEW_SPIKE}
    stat.views, stat.views_5s, stat.likes = 1_250, 1_000, 75
    stat.save()
    assert flag_reasons(steady_video) == set()


def test_a_reviewed_flag_stays_as_history(steady_video: object) -> None:
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


def test_both_baseline_implementations_agree(steady_video: object) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("compares the PostgreSQL path with the portable one")
    lo = hi = steady_video.creator_id
    sql = authenticity._baselines_postgresql(DAY, lo, hi)[lo]
    portable = authenticity._baselines_portable(DAY, lo, hi)[lo]
    assert sql.median_views == pytest.approx(portable.median_views)
    assert sql.mad_views == pytest.approx(portable.mad_views)
    assert sql.like_rate == pytest.approx(portable.like_rate)


def test_a_reviewed_flag_reopens_when_the_data_now_excludes_more(steady_video: object) -> None:
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
