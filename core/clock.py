"""The rewards day: the calendar date in REWARDS_DAY_TZ that points, stats and entries follow."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def rewards_day_of(moment: datetime) -> date:
    """The calendar day of `moment` in REWARDS_DAY_TZ."""
    return moment.astimezone(ZoneInfo(settings.REWARDS_DAY_TZ)).date()


def start_of_rewards_day(day: date) -> datetime:
    """The first moment of the rewards day `day`."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.REWARDS_DAY_TZ))


def rewards_today() -> date:
    """Today's rewards day."""
    return rewards_day_of(timezone.now())


# The first day a page or form of the portal accepts: no platform data is older, and staying
# far from date.min and date.max keeps a day's neighbours, windows and time-zone shifts real
# dates (a day page links to the day before it).
FIRST_DAY = date(2000, 1, 1)


def is_known_day(day: date) -> bool:
    """From FIRST_DAY to today's rewards day: the days a page can say anything about."""
    return FIRST_DAY <= day <= rewards_today()
