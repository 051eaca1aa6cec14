"""What the set-based bench seeds run in Django share (marketplace_seed.py, reports_seed.py):
Django set up from a script, repeatable pseudo-random numbers in SQL, and the marker row that
says which seed a database holds. Imported as a sibling module, as the locustfile imports pages."""

import json
import os
import sys
from pathlib import Path

# The project root (where manage.py is), two floors above this folder: devdata/bench/.
ROOT = Path(__file__).resolve().parents[2]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def random_sql(key: str, seed: int, salt: int) -> str:
    """SQL for a number in [0, 1) fixed by `seed`, `key` and `salt` (bench_data's recipe)."""
    return (
        f"((hashint8extended(({key})::bigint, {seed * 1000 + salt}) & 2147483647)::float8 "
        "/ 2147483648.0)"
    )


def stored_seed(marker_table: str) -> tuple[str, dict] | None:
    """The fingerprint and summary of the seed the database holds, or None."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [marker_table])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT fingerprint, summary FROM {marker_table} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return None
    return row[0], row[1] if isinstance(row[1], dict) else json.loads(row[1])
