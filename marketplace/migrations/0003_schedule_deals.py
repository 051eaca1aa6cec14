"""Expire unanswered invitations at 04:10 and approve undecided deliveries at 04:20, nightly
(marketplace.tasks_deals)."""

from django.conf import settings
from django.db import migrations

TASKS = {
    "marketplace.expire_invitations": ("Expire unanswered Marketplace invitations", "10"),
    "marketplace.auto_approve_deliveries": ("Approve undecided Marketplace deliveries", "20"),
}


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for task, (name, minute) in TASKS.items():
        nightly, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour="4",
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
        ("marketplace", "0002_schedule_refresh"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
