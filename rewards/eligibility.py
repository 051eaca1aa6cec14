"""The path to each program: which conditions a creator meets, the exact shortfall of each
one they do not, and, from their own pace, the day they would meet it.

Thresholds come from settings (DESIGN.md, "The programs the portal runs"). Two queries for
all three programs, whatever the length of the creator's history.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from accounts.models import CreatorProfile
from activity import selectors as activity_selectors
from core.plurals import plural


@dataclass(frozen=True)
class Condition:
    label: str  # "10,000 followers"
    met: bool
    status: str  # what the creator has: "8,400 followers"
    shortfall: str = ""  # "1,600 more followers"
    reach: str = ""  # "around 14 Jan 2027 at your 30-day pace", or "not at this pace"
    reach_on: date | None = None


@dataclass(frozen=True)
class ProgramPath:
    key: str
    name: str
    conditions: list[Condition]
    note: str = ""

    @property
    def eligible(self) -> bool:
        return all(c.met for c in self.conditions)

    @property
    def missing(self) -> int:
        return sum(not c.met for c in self.conditions)


@dataclass(frozen=True)
class Pace:
    """What the creator's last `ELIGIBILITY_PACE_DAYS` days say about their growth."""

    today: date
    followers_now: int
    followers_gained: int  # over the pace window; unknown history counts as no growth
    views_window: int  # views in the window that ends today (today counts as day 1)
    views_window_before: int  # the window before that one

    @property
    def days(self) -> int:
        return settings.ELIGIBILITY_PACE_DAYS

    def date_for(self, shortfall: int, gain_per_window: int) -> date | None:
        if shortfall <= 0:
            return self.today
        if gain_per_window <= 0:
            return None
        return self.today + timedelta(days=math.ceil(shortfall * self.days / gain_per_window))


# Who may offer subscriptions is the subscriptions app's rule, which staff edit in admin. That
# app sits a floor above this one, so it registers a reader of its (minimum age, minimum
# followers) at start-up (subscriptions.apps); until then, and in apps without it, the
# settings' first values apply. DESIGN.md: a lower app learns from a higher one by a hook.
def _subscription_thresholds_from_settings() -> tuple[int, int]:
    return settings.SUBSCRIPTIONS_MIN_AGE, settings.SUBSCRIPTIONS_MIN_FOLLOWERS


subscription_thresholds: Callable[[], tuple[int, int]] = _subscription_thresholds_from_settings


def register_subscription_thresholds(reader: Callable[[], tuple[int, int]]) -> None:
    global subscription_thresholds
    subscription_thresholds = reader


def views_window(today: date) -> tuple[date, date]:
    """The last 30 days counting today: day 30 is `today - 29`; day 31 is outside."""
    return today - timedelta(days=settings.ELIGIBILITY_PACE_DAYS - 1), today


def pace_of(creator: CreatorProfile, today: date) -> Pace:
    first, last = views_window(today)
    before_first = first - timedelta(days=settings.ELIGIBILITY_PACE_DAYS)
    before, now = activity_selectors.views_before_and_since(
        creator, first=before_first, split=first, last=last
    )
    # Followers at the start of the window: the latest snapshot on or before the day before it.
    then = activity_selectors.followers_before(creator, first)
    return Pace(
        today=today,
        followers_now=creator.followers,
        followers_gained=creator.followers - then if then is not None else 0,
        views_window=now,
        views_window_before=before,
    )


def _reach_text(reach_on: date | None, pace: Pace) -> str:
    if reach_on is None:
        return "not at this pace"
    return f"around {reach_on:%-d %b %Y} at your {pace.days}-day pace"


def _age(creator: CreatorProfile, today: date, minimum: int) -> Condition:
    age = creator.age_on(today)
    if age >= minimum:
        return Condition(f"{minimum} or older", True, f"{plural(age, 'year')} old")
    born = creator.date_of_birth
    try:
        birthday = born.replace(year=born.year + minimum)
    except ValueError:  # born on 29 February
        birthday = date(born.year + minimum, 3, 1)
    return Condition(
        f"{minimum} or older",
        False,
        f"{plural(age, 'year')} old",
        shortfall=plural(minimum - age, "more year"),
        reach=f"on your {minimum}th birthday, {birthday:%-d %b %Y}",
        reach_on=birthday,
    )


def _followers(pace: Pace, needed: int, label: str) -> Condition:
    short = max(0, needed - pace.followers_now)
    status = plural(pace.followers_now, "follower", "followers")
    if not short:
        return Condition(label, True, status)
    reach_on = pace.date_for(short, pace.followers_gained)
    return Condition(
        label,
        False,
        status,
        shortfall=plural(short, "more follower"),
        reach=_reach_text(reach_on, pace),
        reach_on=reach_on,
    )


def _views(pace: Pace, needed: int) -> Condition:
    label = f"{needed:,} views in the last {pace.days} days"
    status = f"{plural(pace.views_window, 'view', 'views')} in the last {pace.days} days"
    short = max(0, needed - pace.views_window)
    if not short:
        return Condition(label, True, status)
    # The 30-day total rises by as much as this window beat the one before, every 30 days.
    reach_on = pace.date_for(short, pace.views_window - pace.views_window_before)
    return Condition(
        label,
        False,
        status,
        shortfall=f"{plural(short, 'more view', 'more views')} in {pace.days} days",
        reach=_reach_text(reach_on, pace),
        reach_on=reach_on,
    )


def _standing(creator: CreatorProfile) -> Condition:
    if creator.is_in_good_standing:
        return Condition("Account in good standing", True, "Good standing")
    return Condition(
        "Account in good standing",
        False,
        creator.get_standing_display(),
        shortfall=creator.standing_reason or "Your account is not in good standing.",
        reach="once staff restore good standing",
    )


def meets_rewards_program(creator: CreatorProfile, views_30d: int, today: date) -> bool:
    """The Creator Rewards Program's four conditions of `program_paths` as one yes or no, for
    a monthly run that has every creator's 30-day views from one GROUP BY."""
    return (
        creator.age_on(today) >= settings.CREATOR_REWARDS_MIN_AGE
        and creator.followers >= settings.CREATOR_REWARDS_MIN_FOLLOWERS
        and views_30d >= settings.CREATOR_REWARDS_MIN_VIEWS_30D
        and creator.is_in_good_standing
    )


def program_paths(creator: CreatorProfile, today: date) -> list[ProgramPath]:
    """The Creator Rewards Program, subscriptions and the Marketplace, each condition with its
    shortfall and the date the creator's pace would get them there."""
    pace = pace_of(creator, today)
    marketplace_followers = settings.MARKETPLACE_MIN_FOLLOWERS + 1  # "more than 10,000"
    subscriptions_age, subscriptions_followers = subscription_thresholds()
    return [
        ProgramPath(
            "creator_rewards",
            "Creator Rewards Program",
            [
                _age(creator, today, settings.CREATOR_REWARDS_MIN_AGE),
                _followers(
                    pace,
                    settings.CREATOR_REWARDS_MIN_FOLLOWERS,
                    f"{settings.CREATOR_REWARDS_MIN_FOLLOWERS:,} followers",
                ),
                _views(pace, settings.CREATOR_REWARDS_MIN_VIEWS_30D),
                _standing(creator),
            ],
            note="Cash for qualified views of your original videos of a minute or longer.",
        ),
        ProgramPath(
            "subscriptions",
            "Subscriptions",
            [
                _age(creator, today, subscriptions_age),
                _followers(
                    pace,
                    subscriptions_followers,
                    f"{subscriptions_followers:,} followers",
                ),
                _standing(creator),
            ],
            note="Subscriptions open by staff invitation first; creators who meet these "
            "conditions are invited.",
        ),
        ProgramPath(
            "marketplace",
            "Marketplace",
            [
                _age(creator, today, settings.MARKETPLACE_MIN_AGE),
                _followers(
                    pace,
                    marketplace_followers,
                    f"More than {settings.MARKETPLACE_MIN_FOLLOWERS:,} followers",
                ),
                _standing(creator),
            ],
            note="Brands find you and propose paid collaborations.",
        ),
    ]
