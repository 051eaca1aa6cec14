"""Keep the fairness page's one-click periods and the what-if's ledger side computed: every
2 minutes, reports.keep_fairness_warm computes them again if a recalculation run changed
them or the cache lost them (a few queries when nothing did)."""

from django.db import migrations

TASK = "reports.keep_fairness_warm"
KEEP_WARM_MINUTES = 2


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=KEEP_WARM_MINUTES, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Keep the fairness report computed", defaults={"task": TASK, "interval": every}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_schedule_impact_refresh"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
