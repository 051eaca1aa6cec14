"""Settle unsettled payment attempts every 15 minutes (payments.tasks)."""

from django.db import migrations


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Settle unsettled payment attempts",
        defaults={"task": "payments.settle_unsettled_attempts", "interval": every},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="payments.settle_unsettled_attempts"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_gateway"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
