"""An index on notifications' created_at for retention's nightly deletes (accounts.retention),
which find the oldest rows first.

The table is busy and may be large: on PostgreSQL the index is built CONCURRENTLY
(core.migration_operations), rows written beside it while it builds.
"""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("accounts", "0007_audit_trail")]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="notification",
            index=models.Index(fields=["created_at"], name="accounts_notification_created"),
        ),
    ]
