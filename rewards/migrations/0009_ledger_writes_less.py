"""The nightly recalculation writes half a million entries and as many lines: less per row.

- On PostgreSQL, Django gives a unique CharField a second, `varchar_pattern_ops` index for
  LIKE 'prefix%' lookups. Nothing looks entries up by a prefix of their idempotency key (admin
  search is a case-insensitive contains, which no b-tree serves), so the unique index alone
  does the work and every entry is one index insert cheaper. SQLite has no such index.
- A run's lines lose their foreign-key constraints (one trigger call per row and key at
  commit) and the index on run alone, which the (run, creator) index already serves.
"""

import django.db.models.deletion
from django.db import migrations, models

# The name Django gave it in 0001_initial (table, column and a hash of both).
PATTERN_INDEX = "rewards_pointsentry_idempotency_key_5bdb95fe_like"


def drop_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PATTERN_INDEX}")


def restore_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {PATTERN_INDEX} "
            "ON rewards_pointsentry (idempotency_key varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_seed_niches"), ("rewards", "0008_store")]

    operations = [
        migrations.RunPython(drop_pattern_index, restore_pattern_index),
        migrations.AlterField(
            model_name="recalcline",
            name="creator",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.creatorprofile",
            ),
        ),
        migrations.AlterField(
            model_name="recalcline",
            name="rule",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="rewards.earningrule",
            ),
        ),
        migrations.AlterField(
            model_name="recalcline",
            name="run",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="lines",
                to="rewards.recalcrun",
            ),
        ),
    ]
