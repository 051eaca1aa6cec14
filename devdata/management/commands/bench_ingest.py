"""Benchmark activity ingestion on a throwaway database.

    python manage.py bench_ingest --records 1000000

Creates its own database next to the configured one (PostgreSQL: `<name>_ingest_bench`),
loads creators and one video per record with COPY, writes a JSON-lines file of N video-day
records for one day, then measures:

- `import_activity FILE` into empty tables (`records_per_s`) and the same file again, every
  record unchanged (`unchanged_rerun_per_s`);
- batches of 5,000 new video-day records POSTed over real HTTP to /api/v1/activity/batches,
  served by Django's WSGI handler (full middleware stack) on a server thread in this process
  (`api_batch_p95_s`, timed at the client);
- the process's peak resident memory (`peak_rss_mb`).

It prints one JSON line and drops the database.
"""

import json
import math
import os
import random
import resource
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from io import StringIO
from itertools import islice
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.core.wsgi import get_wsgi_application
from django.db import connection, connections, transaction
from django.test.utils import override_settings
from django.urls import reverse

from accounts.models import CreatorProfile, User
from activity.management.commands import import_activity
from activity.models import Video, VideoDay
from activity.services import create_integration
from core.clock import rewards_today
from devdata.bench_db import copy_creators, copy_videos, throwaway_database


def _fill(creators: int, videos: int, published: datetime) -> None:
    """`creators` creators and `videos` videos (v1, v2, ... shared out in turn), by COPY."""
    with connection.cursor() as cursor:
        cur = cursor.cursor if hasattr(cursor, "cursor") else cursor
        copy_creators(cur, creators, prefix="ingest", followers=lambda _: 0)
        copy_videos(
            cur,
            ((v, (v - 1) % creators + 1, published, 75, True) for v in range(1, videos + 1)),
        )
        for sql in connection.ops.sequence_reset_sql(no_style(), [User, CreatorProfile, Video]):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def _video_day(video: int, day: date, rng: random.Random) -> dict:
    views = min(int(rng.lognormvariate(6, 1.6)), 5_000_000)
    likes = views * rng.randint(2, 12) // 100
    return {
        "type": "video_day",
        "id": f"d{video}-{day:%Y%m%d}",
        "video": f"v{video}",
        "date": day.isoformat(),
        "views": views,
        "views_5s": views * 7 // 10,
        "likes": likes,
        "comments": views // 100,
        "shares": views // 150,
        "watch_time_s": views * 12,
        "bot_views": 0,
        "bot_likes": 0,
    }


def _write_file(path: Path, records: int, day: date, rng: random.Random) -> None:
    with path.open("w") as handle:
        for video in range(1, records + 1):
            handle.write(json.dumps(_video_day(video, day, rng)) + "\n")


def _import(path: Path) -> tuple[float, str]:
    out = StringIO()
    started = time.perf_counter()
    call_command("import_activity", str(path), stdout=out)
    return time.perf_counter() - started, out.getvalue().strip().splitlines()[-1]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve() -> tuple[WSGIServer, threading.Thread]:
    """The portal on a free local port, one request at a time, on a thread of this process."""
    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=_QuietHandler)

    def run() -> None:
        try:
            server.serve_forever(poll_interval=0.05)
        finally:
            connections.close_all()  # the server thread's own connection

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return server, thread


def _batches(
    videos: int, count: int, size: int, last_day: date, rng: random.Random
) -> Iterator[list[dict]]:
    """`count` batches of `size` video-days none of which is stored yet: the days before
    `last_day`, each video once a day."""
    for batch in range(count):
        records = []
        for n in range(batch * size, (batch + 1) * size):
            day = last_day - timedelta(days=1 + n // videos)
            records.append(_video_day(n % videos + 1, day, rng))
        yield records


def _post_batches(batches: Iterator[list[dict]]) -> list[float]:
    """POST each batch over HTTP; the seconds each took, as the client saw them."""
    _, token = create_integration(name=f"Bench {time.time_ns()}")
    # The local server's address, over plain HTTP, whatever the settings' deploy values.
    local = override_settings(ALLOWED_HOSTS=["127.0.0.1"], SECURE_SSL_REDIRECT=False)
    local.enable()
    server, thread = _serve()
    url = f"http://127.0.0.1:{server.server_address[1]}{reverse('activity:ingest_batch')}"
    seconds = []
    try:
        for records in batches:
            body = json.dumps({"records": records}).encode()
            request = urllib.request.Request(
                url,
                data=body,
                method="POST",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=300) as response:
                answer = json.loads(response.read())
            seconds.append(time.perf_counter() - started)
            if answer["rejected"] or len(answer["accepted"]) != len(records):
                raise CommandError(f"A benchmark batch was not taken whole: {answer['summary']}")
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        local.disable()
    return seconds


def _copy_floor(records: int, creators: int, day: date, seed: int) -> float | None:
    """Seconds to COPY the file's records, made in Python, straight into a scratch copy of
    activity_videoday with its indexes, checks and both (deferred) foreign keys, a transaction
    per import_activity batch: the least any import of them could cost on this database.
    PostgreSQL only."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_floor (LIKE activity_videoday INCLUDING ALL)")
        cursor.execute(
            "ALTER TABLE bench_floor "
            "ADD FOREIGN KEY (video_id) REFERENCES activity_video (id) "
            "DEFERRABLE INITIALLY DEFERRED, "
            "ADD FOREIGN KEY (creator_id) REFERENCES accounts_creatorprofile (id) "
            "DEFERRABLE INITIALLY DEFERRED"
        )
    columns = ["record_id", "video_id", "day", "creator_id", *VideoDay.COUNTS, "updated_at"]
    copy_sql = f"COPY bench_floor ({', '.join(columns)}) FROM STDIN"
    rng, now = random.Random(seed), datetime.now(UTC)

    def rows() -> Iterator[tuple]:
        for video in range(1, records + 1):
            record = _video_day(video, day, rng)
            counts = (record[name] for name in VideoDay.COUNTS)
            yield (record["id"], video, day, (video - 1) % creators + 1, *counts, now)

    made = rows()
    started = time.perf_counter()
    while chunk := list(islice(made, import_activity.CHUNK)):
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.cursor.copy(copy_sql) as copy,
        ):
            for row in chunk:
                copy.write_row(row)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_floor")
    return seconds


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def run_bench(
    *, records: int, videos_per_creator: int, api_batches: int, batch_size: int, seed: int
) -> dict:
    """The whole benchmark against the current database, which it fills."""
    load_before = os.getloadavg()[0]
    rng = random.Random(seed)
    day = rewards_today() - timedelta(days=1)
    published = datetime.combine(day - timedelta(days=400), clock_time.min, UTC)
    creators = max(1, math.ceil(records / videos_per_creator))
    _fill(creators, records, published)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        path = Path(tmp) / "video_days.jsonl"
        _write_file(path, records, day, rng)
        first_s, first = _import(path)
        rerun_s, rerun = _import(path)
    if first != f"{records} accepted, 0 updated, 0 unchanged, 0 rejected":
        raise CommandError(f"The first import did not take every record: {first}")
    if rerun != f"0 accepted, 0 updated, {records} unchanged, 0 rejected":
        raise CommandError(f"The second import was not all unchanged: {rerun}")
    floor_s = _copy_floor(records, creators, day, seed)
    api = _post_batches(_batches(records, api_batches, batch_size, day, rng))
    return {
        "database": connection.vendor,
        "records": records,
        "creators": creators,
        "seconds": round(first_s, 2),
        "records_per_s": round(records / first_s),
        "unchanged_rerun_s": round(rerun_s, 2),
        "unchanged_rerun_per_s": round(records / rerun_s),
        "copy_floor_s": round(floor_s, 2) if floor_s else None,
        "copy_floor_per_s": round(records / floor_s) if floor_s else None,
        "api_batches": len(api),
        "api_batch_size": batch_size,
        "api_via": "HTTP to a wsgiref server thread running Django's WSGI handler",
        "api_batch_p50_s": round(_percentile(api, 0.5), 3),
        "api_batch_p95_s": round(_percentile(api, 0.95), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }


class Command(BaseCommand):
    help = "Benchmark activity ingestion on a throwaway database; prints one JSON line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--records", type=int, default=100_000, help="video-days to import")
        parser.add_argument("--videos-per-creator", type=int, default=10)
        parser.add_argument("--api-batches", type=int, default=20)
        parser.add_argument("--batch-size", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(
        self,
        *args: object,
        records: int,
        videos_per_creator: int,
        api_batches: int,
        batch_size: int,
        seed: int,
        **options: object,
    ) -> None:
        # As in production: no query log kept in memory.
        with throwaway_database("ingest_bench"), override_settings(DEBUG=False):
            result = run_bench(
                records=records,
                videos_per_creator=videos_per_creator,
                api_batches=api_batches,
                batch_size=batch_size,
                seed=seed,
            )
        self.stdout.write(json.dumps(result))
