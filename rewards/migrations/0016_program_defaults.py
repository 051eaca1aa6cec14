"""Sensible first Creator Rewards Program rates (staff add dated versions in admin), and the
monthly payment at 05:00 on the 1st in REWARDS_DAY_TZ, paying the month before."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import migrations

FIRST_DAY = datetime.date(2020, 1, 1)
CURRENCY = "USD"
DEFAULT_RATE = 40  # cents per 1,000 qualified views, for countries not listed
COUNTRY_RATES = {"US": 100, "GB": 80, "CA": 80, "AU": 80, "DE": 80, "FR": 70, "JP": 60}
# (measure, at least, factor): the highest band reached in each measure applies.
BANDS = [
    ("engagement", Decimal(4), Decimal("1.10")),
    ("engagement", Decimal(8), Decimal("1.20")),
    ("watch", Decimal(30), Decimal("1.10")),
    ("watch", Decimal(45), Decimal("1.20")),
]


def seed(apps, schema_editor):
    ProgramRates = apps.get_model("rewards", "ProgramRates")
    rates, created = ProgramRates.objects.get_or_create(
        valid_from=FIRST_DAY, defaults={"currency": CURRENCY, "default_rate_minor": DEFAULT_RATE}
    )
    if created:
        for country, rate in COUNTRY_RATES.items():
            rates.countries.create(country=country, rate_minor=rate)
        for measure, at_least, factor in BANDS:
            rates.bands.create(measure=measure, at_least=at_least, factor=factor)
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="5", day_of_week="*", day_of_month="1", month_of_year="*",
        timezone=settings.REWARDS_DAY_TZ,
    )
    PeriodicTask.objects.get_or_create(
        name="Pay last month's Creator Rewards Program",
        defaults={"task": "rewards.pay_rewards_program", "crontab": schedule},
    )


def unseed(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="rewards.pay_rewards_program"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rewards", "0015_program"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
