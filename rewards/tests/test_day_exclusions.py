"""The day drill-down's exclusions: what the authenticity pass kept, what it set aside and
why, for the creator's own video-days only."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import CreatorFactory
from activity.models import EngagementFlag, FlagReason
from activity.tests.factories import VideoDayFactory, VideoFactory
from core.clock import rewards_today
from rewards import recalculation

pytestmark = pytest.mark.django_db


def bought_views(creator: object, title: str, day: dt.date, bot_views: int = 0) -> None:
    """Four weeks at about 1,000 views and 6% likes, then 40,000 views with flat likes."""
    video = VideoFactory(creator=creator, title=title)
    for back in range(1, 29):
        views = 900 + (back * 37) % 200
        VideoDayFactory(
            video=video, day=day - dt.timedelta(days=back), views=views, likes=views * 6 // 100
        )
    VideoDayFactory(
        video=VideoFactory(creator=creator, title=title + " (bought)"),
        day=day,
        views=40_000,
        views_5s=30_000,
        likes=61,
        bot_views=bot_views,
    )


def test_the_drill_down_shows_what_was_kept_and_what_was_set_aside_and_why(
    creator_client: Client, creator: object
) -> None:
    day = rewards_today() - dt.timedelta(days=2)
    bought_views(creator, "Mine", day)
    recalculation.recalculate_day_in_process(day=day)
    flag = EngagementFlag.objects.get(creator=creator, day=day)
    assert flag.reason == FlagReason.VIEW_SPIKE and 0 < flag.excluded_views < 40_000
    html = creator_client.get(reverse("rewards:day", args=[day.isoformat()])).content.decode()
    kept = 40_000 - flag.excluded_views
    assert f"Set aside: {flag.excluded_views:,} views, 0 likes." in html
    assert f"Kept and counted: {kept:,} of 40,000 views, 61 of 61 likes." in html
    assert "40,000 views against a usual" in html  # the reason in words
    # What can still qualify, as the recalculation counts it: the views watched 5 s less
    # everything set aside.
    assert f"{max(30_000 - flag.excluded_views, 0):,} of them can still qualify" in html


def test_two_flags_on_one_video_set_aside_the_larger_amount_not_the_sum(
    creator_client: Client, creator: object
) -> None:
    """The platform marked 10,000 bot views and the pass found more it could not explain: the
    nightly run sets aside the larger of the two, and the page says so once for the video."""
    day = rewards_today() - dt.timedelta(days=2)
    bought_views(creator, "Mine", day, bot_views=10_000)
    recalculation.recalculate_day_in_process(day=day)
    flags = {f.reason: f for f in EngagementFlag.objects.filter(creator=creator, day=day)}
    assert set(flags) == {FlagReason.BOT_MARKED, FlagReason.VIEW_SPIKE}
    larger = max(f.excluded_views for f in flags.values())
    assert larger > 10_000
    html = creator_client.get(reverse("rewards:day", args=[day.isoformat()])).content.decode()
    assert html.count("Set aside: ") == 1
    assert f"Set aside: {larger:,} views" in html
    assert f"Kept and counted: {40_000 - larger:,} of 40,000 views" in html
    assert "marked 10,000 views" in html and "40,000 views against a usual" in html


def test_a_creator_never_sees_another_creators_exclusions(
    creator_client: Client, creator: object
) -> None:
    day = rewards_today() - dt.timedelta(days=2)
    bought_views(CreatorFactory(), "Theirs", day)
    VideoDayFactory(video=VideoFactory(creator=creator, title="Mine"), day=day)
    recalculation.recalculate_day_in_process(day=day)
    assert EngagementFlag.objects.exclude(creator=creator).exists()
    html = creator_client.get(reverse("rewards:day", args=[day.isoformat()])).content.decode()
    assert "Theirs" not in html and "Set aside" not in html
    assert "Nothing: every view, like, comment and share of this day counted." in html
