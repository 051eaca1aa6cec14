"""Renew due subscriptions daily at 04:00 and settle pending charges every 15 minutes
(subscriptions.tasks)."""

from django.conf import settings
from django.db import migrations

TASKS = ("subscriptions.renew_due", "subscriptions.finish_pending_charges")


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="4", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone=settings.REWARDS_DAY_TZ,
    )
    PeriodicTask.objects.get_or_create(
        name="Renew due subscriptions", defaults={"task": TASKS[0], "crontab": daily}
    )
    every, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Settle pending subscription charges", defaults={"task": TASKS[1], "interval": every}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task__in=TASKS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
