"""Nightly privacy tasks (privacy.tasks): retention at 03:30, erasing records whose legal
retention ended at 03:45."""

from django.conf import settings
from django.db import migrations

TASKS = {
    "privacy.apply_retention": ("Apply the retention settings", "30"),
    "privacy.erase_retained": ("Erase closed accounts' records past retention", "45"),
}


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for task, (name, minute) in TASKS.items():
        nightly, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour="3",
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=settings.REWARDS_DAY_TZ,
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": nightly})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task__in=TASKS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
