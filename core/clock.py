"""The rewards day: the calendar date in REWARDS_DAY_TZ that points, stats and entries follow."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def rewards_day_of(moment: datetime) -> date:
    """The calendar day of `moment` in REWARDS_DAY_TZ."""
    return moment.astimezone(ZoneInfo(settings.REWARDS_DAY_TZ)).date()


def rewards_today() -> date:
    """Today's rewards day."""
    return rewards_day_of(timezone.now())
