"""Refresh the Academy's peer bands nightly at 03:45 in REWARDS_DAY_TZ (academy.tasks), after
the 02:00 recalculation and clear of the 03:30 tiers, which also read every creator's days."""

from django.conf import settings
from django.db import migrations

TASK = "academy.refresh_peer_bands"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="45", hour="3", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone=settings.REWARDS_DAY_TZ,
    )
    PeriodicTask.objects.get_or_create(
        name="Refresh the Academy's peer bands", defaults={"task": TASK, "crontab": nightly}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("academy", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
