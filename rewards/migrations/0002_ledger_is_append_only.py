"""On PostgreSQL a trigger refuses UPDATE and DELETE on points entries: the ledger is append-only.

(SQLite, for local use only, relies on the application, whose code never updates an entry.)
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION rewards_entry_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'points entries are append-only: %% refused; post a reversing entry', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER rewards_entry_append_only
    BEFORE UPDATE OR DELETE ON rewards_pointsentry
    FOR EACH ROW EXECUTE FUNCTION rewards_entry_is_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS rewards_entry_append_only ON rewards_pointsentry;
DROP FUNCTION IF EXISTS rewards_entry_is_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("rewards", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
