"""An index on audience splits' day for retention's nightly deletes (activity.retention), which
find the oldest rows first.

The table is busy and may be large: on PostgreSQL the index is built CONCURRENTLY
(core.migration_operations), rows written beside it while it builds.
"""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("activity", "0005_flagappeal")]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="audienceday",
            index=models.Index(fields=["day"], name="activity_audienceday_day"),
        ),
    ]
