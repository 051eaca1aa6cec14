"""Sensible first rules (staff edit them in admin by adding dated versions), the safety
valve's limits, and the nightly recalculation at 02:00 in REWARDS_DAY_TZ."""

import datetime

from django.conf import settings
from django.db import migrations

FIRST_DAY = datetime.date(2020, 1, 1)
# metric: (unit_size, points_per_unit, daily_cap, taper_above, taper_percent)
DEFAULT_RULES = {
    "uploads": (1, 10, 30, None, 100),
    "qualified_views": (1000, 2, 500, 200, 50),
    "likes": (100, 1, 200, 100, 50),
    "comments": (20, 1, 100, None, 100),
    "shares": (10, 1, 100, None, 100),
    "replies": (1, 1, 50, None, 100),
    "live_minutes": (5, 1, 60, None, 100),
    "streak": (1, 50, 50, None, 100),
    "courses": (1, 100, 300, None, 100),
}


def seed(apps, schema_editor):
    EarningRule = apps.get_model("rewards", "EarningRule")
    for metric, (unit, per_unit, cap, taper_above, taper_percent) in DEFAULT_RULES.items():
        EarningRule.objects.get_or_create(
            metric=metric,
            valid_from=FIRST_DAY,
            defaults={
                "unit_size": unit,
                "points_per_unit": per_unit,
                "daily_cap": cap,
                "taper_above": taper_above,
                "taper_percent": taper_percent,
            },
        )
    apps.get_model("rewards", "RecalcLimits").objects.get_or_create(pk=1)
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone=settings.REWARDS_DAY_TZ,
    )
    PeriodicTask.objects.get_or_create(
        name="Recalculate yesterday's points",
        defaults={"task": "rewards.recalculate_yesterday", "crontab": schedule},
    )


def unseed(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="rewards.recalculate_yesterday"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rewards", "0002_ledger_is_append_only"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
