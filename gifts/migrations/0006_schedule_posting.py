"""Post gifts to their creators' earnings every 10 seconds (gifts.tasks.post_gifts)."""

from django.db import migrations

TASK = "gifts.post_gifts"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # Seconds, not minutes: the creator sees a gift's Diamonds at once and its money (pending
    # anyway) this soon after; a run with nothing to post is one indexed query.
    every, _ = IntervalSchedule.objects.get_or_create(every=10, period="seconds")
    PeriodicTask.objects.get_or_create(
        name="Post gifts to creators' earnings", defaults={"task": TASK, "interval": every}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("gifts", "0005_unposted_gifts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
