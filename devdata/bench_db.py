"""What the benchmark commands (bench_recalc, bench_ingest) share: a throwaway database beside
the configured one, rows streamed in with COPY, and creators made in bulk."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from django.db import connection
from django.db.backends.utils import CursorWrapper


@contextmanager
def throwaway_database(suffix: str) -> Iterator[None]:
    """Run the block on a new, migrated database (PostgreSQL: `<name>_<suffix>`; SQLite: in
    memory) and drop it afterwards, also on failure."""
    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        f"{old_name}_{suffix}" if connection.vendor == "postgresql" else None
    )
    creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        creation.destroy_test_db(old_name, verbosity=0)


def copy_rows(cursor: CursorWrapper, table: str, columns: list[str], rows: Iterable[tuple]) -> int:
    """Stream rows into `table`: COPY on PostgreSQL, executemany elsewhere."""
    count = 0
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join(["%s"] * len(columns))
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) == 10_000:
            cursor.executemany(insert, batch)
            count += len(batch)
            batch = []
    if batch:
        cursor.executemany(insert, batch)
        count += len(batch)
    return count


def copy_creators(
    cursor: CursorWrapper, count: int, *, prefix: str, followers: Callable[[int], int]
) -> None:
    """Creators 1..count with their users (ids = numbers, handle `<prefix><n>`, no usable
    password), `followers(n)` followers each. The caller resets the sequences."""
    now = datetime.now(UTC)

    def profile(i: int) -> tuple:
        handle, name = f"{prefix}{i}", f"{prefix.title()} {i}"
        return (i, i, handle, name, date(1995, 1, 1), "GB", followers(i), "good", "", now)

    copy_rows(
        cursor,
        "accounts_user",
        ["id", "password", "is_superuser", "is_staff", "is_active", "date_joined", "email", "role"],
        (
            (i, "!", False, False, True, now, f"{prefix}{i}@example.com", "creator")
            for i in range(1, count + 1)
        ),
    )
    copy_rows(
        cursor,
        "accounts_creatorprofile",
        [
            "id",
            "user_id",
            "handle",
            "display_name",
            "date_of_birth",
            "country",
            "followers",
            "standing",
            "standing_reason",
            "created_at",
        ],
        (profile(i) for i in range(1, count + 1)),
    )


def copy_videos(
    cursor: CursorWrapper, videos: Iterable[tuple[int, int, datetime, int, bool]]
) -> int:
    """Stream videos in, each `(id, creator_id, published_at, duration_s, is_original)`; the
    record id is `v<id>`, the title "Bench video"."""
    now = datetime.now(UTC)
    return copy_rows(
        cursor,
        "activity_video",
        [
            "id",
            "record_id",
            "creator_id",
            "title",
            "published_at",
            "duration_s",
            "is_original",
            "updated_at",
        ],
        (
            (v, f"v{v}", creator, "Bench video", published, duration, original, now)
            for v, creator, published, duration, original in videos
        ),
    )
