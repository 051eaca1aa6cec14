"""The staff-set subscription rules' one row, from the settings' first values (so reading the
rules is always one query, never a create)."""

from django.conf import settings
from django.db import migrations


def seed(apps, schema_editor):
    apps.get_model("subscriptions", "Rules").objects.get_or_create(
        pk=1,
        defaults={
            "invite_only": settings.SUBSCRIPTIONS_INVITE_ONLY,
            "min_age": settings.SUBSCRIPTIONS_MIN_AGE,
            "min_followers": settings.SUBSCRIPTIONS_MIN_FOLLOWERS,
            "creator_share_pct": settings.SUBSCRIPTIONS_CREATOR_SHARE_PCT,
            "raised_share_pct": settings.SUBSCRIPTIONS_RAISED_SHARE_PCT,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0002_schedule")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
