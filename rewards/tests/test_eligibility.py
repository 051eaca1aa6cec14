"""The path to each program: both sides of every boundary, shortfalls and pace dates."""

import datetime as dt

import pytest

from accounts.models import Standing
from accounts.tests.factories import CreatorFactory
from activity.tests.factories import CreatorDayFactory, VideoDayFactory
from rewards import eligibility

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)


def path(creator: object, key: str) -> eligibility.ProgramPath:
    return next(p for p in eligibility.program_paths(creator, TODAY) if p.key == key)


def condition(creator: object, key: str, starts: str) -> eligibility.Condition:
    return next(c for c in path(creator, key).conditions if c.label.startswith(starts))


def views_on(creator: object, day: dt.date, views: int) -> None:
    VideoDayFactory(video__creator=creator, day=day, views=views, views_5s=0, likes=0)


def test_the_rewards_program_asks_for_10000_followers_exactly() -> None:
    short, enough = CreatorFactory(followers=9_999), CreatorFactory(followers=10_000)
    assert not condition(short, "creator_rewards", "10,000 followers").met
    assert condition(short, "creator_rewards", "10,000 followers").shortfall == ("1 more follower")
    assert condition(enough, "creator_rewards", "10,000 followers").met


def test_the_marketplace_asks_for_more_than_10000() -> None:
    at, above = CreatorFactory(followers=10_000), CreatorFactory(followers=10_001)
    assert condition(at, "marketplace", "More than").shortfall == "1 more follower"
    assert condition(above, "marketplace", "More than").met


def test_views_count_for_30_days_counting_today_and_not_the_31st() -> None:
    inside, outside = CreatorFactory(followers=20_000), CreatorFactory(followers=20_000)
    views_on(inside, TODAY - dt.timedelta(days=29), 100_000)  # day 30 of the window
    views_on(outside, TODAY - dt.timedelta(days=30), 100_000)  # day 31
    assert condition(inside, "creator_rewards", "100,000 views").met
    outside_views = condition(outside, "creator_rewards", "100,000 views")
    assert not outside_views.met
    assert outside_views.shortfall == "100,000 more views in 30 days"
    assert path(inside, "creator_rewards").eligible


def test_the_follower_pace_gives_a_date_or_says_not_at_this_pace() -> None:
    growing = CreatorFactory(followers=8_000)
    CreatorDayFactory(creator=growing, day=TODAY - dt.timedelta(days=30), followers=7_000)
    # 1,000 followers in 30 days; 2,000 to go: 60 days.
    c = condition(growing, "creator_rewards", "10,000 followers")
    assert c.shortfall == "2,000 more followers"
    assert c.reach_on == TODAY + dt.timedelta(days=60)
    assert c.reach == "around 21 Jan 2027 at your 30-day pace"
    shrinking = CreatorFactory(followers=8_000)
    CreatorDayFactory(creator=shrinking, day=TODAY - dt.timedelta(days=35), followers=8_100)
    assert condition(shrinking, "creator_rewards", "10,000 followers").reach == ("not at this pace")
    new = CreatorFactory(followers=8_000)  # no history: no pace to speak of
    assert condition(new, "creator_rewards", "10,000 followers").reach_on is None


def test_the_views_pace_compares_the_last_30_days_with_the_30_before() -> None:
    creator = CreatorFactory(followers=20_000)
    views_on(creator, TODAY - dt.timedelta(days=45), 40_000)  # the window before
    views_on(creator, TODAY - dt.timedelta(days=5), 70_000)  # this window: +30,000 a window
    c = condition(creator, "creator_rewards", "100,000 views")
    assert c.status == "70,000 views in the last 30 days"
    assert c.reach_on == TODAY + dt.timedelta(days=30)


def test_age_gives_the_birthday_and_standing_gives_the_reason() -> None:
    young = CreatorFactory(date_of_birth=dt.date(2009, 1, 15), followers=50_000)
    age = condition(young, "creator_rewards", "18 or older")
    assert not age.met and age.reach_on == dt.date(2027, 1, 15)
    assert age.shortfall == "1 more year"
    turning = CreatorFactory(date_of_birth=dt.date(2008, 11, 22))
    assert condition(turning, "creator_rewards", "18 or older").met  # 18 today
    warned = CreatorFactory(standing=Standing.WARNED, standing_reason="Reused clips")
    standing = condition(warned, "marketplace", "Account in good standing")
    assert not standing.met and standing.shortfall == "Reused clips"


def test_the_subscriptions_rule_comes_from_the_app_that_owns_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Staff set who may offer subscriptions in the subscriptions app, which registers a
    reader of its rule at start-up; the dashboard's path shows what that reader says."""
    monkeypatch.setattr(eligibility, "subscription_thresholds", lambda: (18, 500))
    creator = CreatorFactory(followers=499)
    assert condition(creator, "subscriptions", "500 followers").shortfall == "1 more follower"
    assert path(CreatorFactory(followers=500), "subscriptions").eligible


def test_all_three_programs_take_two_queries(django_assert_num_queries: object) -> None:
    creator = CreatorFactory()
    eligibility.subscription_thresholds()  # the staff-set rule, cached for a minute: warm
    with django_assert_num_queries(2):
        eligibility.program_paths(creator, TODAY)
