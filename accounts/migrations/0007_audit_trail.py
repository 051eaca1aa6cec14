"""The audit trail of staff changes, append-only for the application.

On PostgreSQL a row trigger refuses UPDATE and DELETE of entries, and a statement trigger
refuses TRUNCATE to every role but the table's owner (who migrates, seeds and flushes test
databases), as the points ledger does (rewards 0002 and 0011). With the two-role set-up
(README, "Two database roles") the application role should also lose UPDATE, DELETE and
TRUNCATE on the table: scripts/db_roles.sql lists it with the ledgers.

(SQLite, for local use only, relies on the application, which never updates or deletes an
entry: Django's flush deletes rows there, so a trigger would stop tests and the demo seed.)
"""

import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION accounts_auditentry_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: %% refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auditentry_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_is_append_only();

CREATE OR REPLACE FUNCTION accounts_auditentry_refuses_truncate() RETURNS trigger AS $$
BEGIN
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')
    THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: TRUNCATE refused to %%', current_user
        USING HINT = 'Only the table''s owner may.';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auditentry_no_truncate
    BEFORE TRUNCATE ON accounts_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditentry_refuses_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS accounts_auditentry_no_truncate ON accounts_auditentry;
DROP FUNCTION IF EXISTS accounts_auditentry_refuses_truncate();
DROP TRIGGER IF EXISTS accounts_auditentry_append_only ON accounts_auditentry;
DROP FUNCTION IF EXISTS accounts_auditentry_is_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_badge_creatorbadge"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("app_label", models.CharField(max_length=100)),
                ("model", models.CharField(max_length=100)),
                ("object_id", models.CharField(max_length=64)),
                ("object_repr", models.CharField(max_length=200)),
                ("action", models.CharField(max_length=60)),
                (
                    "changes",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                    ),
                ),
                ("reason", models.TextField(blank=True)),
                ("shown_to_creator", models.BooleanField(default=False)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "creator",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.creatorprofile",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "audit entries",
                "ordering": ["-at", "-pk"],
                "permissions": [("view_audit_trail", "Can read the audit trail")],
                "default_permissions": (),
                "indexes": [
                    models.Index(
                        fields=["app_label", "model", "object_id", "-at"],
                        name="accounts_audit_object",
                    ),
                    models.Index(
                        condition=models.Q(("shown_to_creator", True)),
                        fields=["creator", "-at"],
                        name="accounts_audit_shown",
                    ),
                ],
            },
        ),
        migrations.RunPython(create, drop),
    ]
