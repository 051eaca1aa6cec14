"""Benchmark a monthly Creator Rewards Program payment run on a throwaway database.

    python manage.py bench_program --creators 100000 --videos-per-creator 2

Creates its own database next to the configured one (PostgreSQL: `<name>_program_bench`,
filled with COPY): N creators who meet the program's rule at the month's end (10,000
followers, adult, good standing, 100,000 views in the 30 days to it), V videos each published
on the month's first day (about one in five short or not original, so it earns nothing) and a
video-day for every video and day of the month. Then it times `rewards.program.pay_month` for
the month (`pay_s`), the same month again (`rerun_s`, which must write nothing) and the write
floor, prints one JSON line and drops the database.

`write_floor_s` is one committed statement: the GROUP BY of the month's video-days per
creator and video, inserting as many rows as the run wrote program lines into a scratch
table made `LIKE` the line table (its indexes and checks) with the line's four foreign keys
(statement, creator, video, rates; deferred to the commit as Django makes them). `LIKE`
copies no foreign key. `write_ratio` is `pay_s` over it.
"""

import json
import resource
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, transaction

from accounts.models import CreatorProfile, User
from activity.models import Video, VideoDay
from devdata.bench_db import copy_creators, copy_rows, copy_videos, throwaway_database
from payments.models import EarningsEntry
from rewards import program
from rewards.models import ProgramLine

# The month paid, and when: fixed, so the run is the same whatever the clock says.
MONTH = date(2026, 10, 1)
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
# Durations a video may have; 45 s is too short to earn (QUALIFIED_VIEW_MIN_DURATION_S).
DURATIONS = (45, 61, 75, 120, 300)


class Command(BaseCommand):
    help = "Benchmark a monthly Creator Rewards Program run on a throwaway database; one JSON line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--creators", type=int, default=10_000)
        parser.add_argument("--videos-per-creator", type=int, default=2)

    def handle(
        self, *args: object, creators: int, videos_per_creator: int, **options: object
    ) -> None:
        if not 1 <= creators <= 10_000_000:
            raise CommandError("--creators must be between 1 and 10,000,000.")
        if not 1 <= videos_per_creator <= 100:
            raise CommandError("--videos-per-creator must be between 1 and 100.")
        with throwaway_database("program_bench"):
            result = self._bench(creators, videos_per_creator)
        self.stdout.write(json.dumps(result))

    def _fill(self, creators: int, videos: int) -> int:
        now = datetime.now(UTC)
        last = program.last_day(MONTH)
        days = [MONTH + timedelta(days=i) for i in range((last - MONTH).days + 1)]
        published = datetime.combine(MONTH, datetime.min.time(), UTC) + timedelta(hours=12)
        with connection.cursor() as cursor:
            cur = cursor.cursor if hasattr(cursor, "cursor") else cursor
            # 10,000 followers and more: the program's threshold.
            copy_creators(cur, creators, prefix="bench", followers=lambda i: 10_000 + i % 90_000)
            copy_videos(
                cur,
                (
                    (
                        v,
                        (v - 1) // videos + 1,
                        published,
                        DURATIONS[v * 7 % len(DURATIONS)],
                        v % 13 != 0,
                    )
                    for v in range(1, creators * videos + 1)
                ),
            )

            # 2,000 to 5,000 views a day per video: 100,000 in 30 days for every creator
            # even with one video; the counts follow from the views, as in bench_recalc.
            def video_days() -> Iterator[tuple]:
                n = 0
                for v in range(1, creators * videos + 1):
                    creator = (v - 1) // videos + 1
                    base = 2_000 + v * 7_919 % 3_000
                    for i, day in enumerate(days):
                        n += 1
                        views = base + (v + i * 31) % 500
                        yield (
                            n,
                            f"d{n}",
                            v,
                            creator,
                            day,
                            views,
                            views * 7 // 10,
                            views * (2 + v % 11) // 100,
                            views // 100,
                            views // 150,
                            views * (20 + v % 40),
                            0,
                            0,
                            now,
                        )

            # Columns in VideoDay.COUNTS order, the order video_days() yields them.
            rows = copy_rows(
                cur,
                "activity_videoday",
                [
                    "id",
                    "record_id",
                    "video_id",
                    "creator_id",
                    "day",
                    *VideoDay.COUNTS,
                    "updated_at",
                ],
                video_days(),
            )
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [User, CreatorProfile, Video, VideoDay]
            ):
                cursor.execute(sql)
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        return rows

    def _bench(self, creators: int, videos: int) -> dict:
        rows = self._fill(creators, videos)

        started = time.perf_counter()
        first = program.pay_month(month=MONTH, now=NOW)
        pay_s = time.perf_counter() - started
        lines = ProgramLine.objects.count()
        entries = EarningsEntry.objects.count()

        started = time.perf_counter()
        program.pay_month(month=MONTH, now=NOW)
        rerun_s = time.perf_counter() - started
        rerun_lines = ProgramLine.objects.count() - lines
        rerun_entries = EarningsEntry.objects.count() - entries

        write_floor_s = self._write_floor(lines)
        return {
            "database": connection.vendor,
            "creators": creators,
            "video_days": rows,
            "pay_s": round(pay_s, 2),
            "rerun_s": round(rerun_s, 2),
            "statements": first.statements,
            "lines_written": lines,
            "earnings_entries": entries,
            "rerun_lines_written": rerun_lines,
            "rerun_entries_written": rerun_entries,
            "write_floor_s": round(write_floor_s, 3),
            "write_ratio": round(pay_s / write_floor_s, 1) if write_floor_s else None,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }

    def _write_floor(self, lines: int) -> float:
        """The least a run that writes its lines could cost: the month's video-days grouped
        per creator and video, as many rows as the run wrote lines, inserted in one committed
        statement into a copy of the line table with its indexes, checks and foreign keys."""
        if connection.vendor != "postgresql" or not lines:
            return 0.0
        table = ProgramLine._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE bench_write_floor (LIKE {table} INCLUDING ALL)")
            for name in ("statement", "creator", "video", "rates"):
                field = ProgramLine._meta.get_field(name)
                target = field.target_field
                cursor.execute(
                    f"ALTER TABLE bench_write_floor ADD FOREIGN KEY ({field.column}) REFERENCES "
                    f"{target.model._meta.db_table} ({target.column}) "
                    "DEFERRABLE INITIALLY DEFERRED"
                )
        rates_id = program.rates_for(MONTH).pk
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO bench_write_floor (statement_id, creator_id, video_id, activity_month,
                    kind, reason, views, qualified_views, engagements, watch_time_s, rates_id,
                    country, base_rate_minor, engagement_factor, engagement_band, watch_factor,
                    watch_band, due_minor, amount_minor, created_at)
                SELECT s.id, g.creator_id, g.video_id, %(month)s, 'month', '', g.views, g.qv,
                       g.engagements, g.watch, %(rates)s, 'GB', 10, 1, '', 1, '',
                       g.qv / 100, g.qv / 100, now()
                FROM (
                    SELECT creator_id, video_id, SUM(views) AS views, SUM(views_5s) AS qv,
                           SUM(likes + comments + shares) AS engagements,
                           SUM(watch_time_s) AS watch
                    FROM activity_videoday WHERE day BETWEEN %(month)s AND %(last)s
                    GROUP BY creator_id, video_id
                ) g
                JOIN rewards_programstatement s
                  ON s.creator_id = g.creator_id AND s.month = %(month)s
                LIMIT %(lines)s
                """,
                {
                    "month": MONTH,
                    "last": program.last_day(MONTH),
                    "rates": rates_id,
                    "lines": lines,
                },
            )
        elapsed = time.perf_counter() - started
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                # Inside an outer transaction (a test's) the deferred checks are still to run.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("DROP TABLE bench_write_floor")
        return elapsed
