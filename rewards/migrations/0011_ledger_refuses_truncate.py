"""On PostgreSQL a trigger refuses TRUNCATE of points entries to every role but their owner.

Row triggers (0002) never see a TRUNCATE, so it would empty the ledger past them. The table's
owner, and a superuser, may still truncate: they are the roles that run migrations, seed demo
and benchmark data, and flush the test database (Django's flush is one TRUNCATE of every
table), and they could drop the trigger anyway. Anyone else, such as an application role
that was granted TRUNCATE by mistake (`GRANT ALL`), is refused. With the two-role set-up
(README, "Two database roles") the application role holds no TRUNCATE privilege to begin
with; this is the second line.

(SQLite, for local use only, has no TRUNCATE.)
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION rewards_entry_refuses_truncate() RETURNS trigger AS $$
BEGIN
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')
    THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'points entries are append-only: TRUNCATE refused to %%', current_user
        USING HINT = 'Only the table''s owner may; mend the ledger with reversing entries.';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER rewards_entry_no_truncate
    BEFORE TRUNCATE ON rewards_pointsentry
    FOR EACH STATEMENT EXECUTE FUNCTION rewards_entry_refuses_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS rewards_entry_no_truncate ON rewards_pointsentry;
DROP FUNCTION IF EXISTS rewards_entry_refuses_truncate();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("rewards", "0010_store_moves_to_its_own_app")]

    operations = [migrations.RunPython(create, drop)]
