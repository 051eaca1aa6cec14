"""Migration operations the apps' migrations share. Kept in core, which imports no app, so a
migration that uses one depends on nothing that changes with the models."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class AddIndexConcurrentlyOnPostgreSQL(AddIndexConcurrently):
    """Build an index on a busy table without blocking its writes: CONCURRENTLY on PostgreSQL
    (which cannot run in a transaction: the migration needs `atomic = False`), plainly on
    SQLite (`make run`), which has no such thing."""

    def database_forwards(self, app_label, schema_editor, *states):
        self._on(schema_editor).database_forwards(self, app_label, schema_editor, *states)

    def database_backwards(self, app_label, schema_editor, *states):
        self._on(schema_editor).database_backwards(self, app_label, schema_editor, *states)

    @staticmethod
    def _on(schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            return AddIndexConcurrently
        return migrations.AddIndex
