"""An index on chat messages' created_at for retention's nightly deletes (subscriptions.retention),
which find the oldest rows first.

The table is busy and may be large: on PostgreSQL the index is built CONCURRENTLY
(core.migration_operations), rows written beside it while it builds.
"""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("subscriptions", "0005_post_pictures_private")]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="chatmessage",
            index=models.Index(fields=["created_at"], name="subscriptions_chat_created"),
        ),
    ]
