"""Benchmark the nightly recalculation on a throwaway database filled in bulk.

    python manage.py bench_recalc --creators 100000 --videos-per-creator 10

Creates its own database next to the configured one (PostgreSQL: `<name>_bench`, filled with
COPY), loads N creators with V videos each and one day of numbers per video, recalculates the
day twice, prints one JSON line and drops the database. `sql_floor_s` is one GROUP BY over
the same rows: the least any recalculation of that day could read. `write_floor_s` is that
GROUP BY inserting as many rows as the run posted into a copy of the entries table (its
indexes, checks and foreign keys): the least a recalculation that writes its entries could
cost.
"""

import json
import random
import resource
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.core.management.color import no_style
from django.db import connection

from accounts.models import CreatorProfile, User
from activity.models import CreatorDay, Video, VideoDay
from devdata.bench_db import copy_creators, copy_rows, copy_videos, throwaway_database
from rewards.models import EntryKind, Metric, PointsAccount, PointsEntry
from rewards.points import rules_in_force


class Command(BaseCommand):
    help = "Benchmark the points recalculation on a throwaway database; prints one JSON line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--creators", type=int, default=10_000)
        parser.add_argument("--videos-per-creator", type=int, default=10)
        parser.add_argument("--seed", type=int, default=7)

    def handle(
        self, *args: object, creators: int, videos_per_creator: int, seed: int, **options: object
    ) -> None:
        with throwaway_database("bench"):
            result = self._bench(creators, videos_per_creator, seed)
        self.stdout.write(json.dumps(result))

    def _fill(self, creators: int, videos: int, day: date, rng: random.Random) -> int:
        now = datetime.now(UTC)
        published = datetime.combine(day - timedelta(days=3), datetime.min.time(), UTC)
        with connection.cursor() as cursor:
            cur = cursor.cursor if hasattr(cursor, "cursor") else cursor
            copy_creators(
                cur, creators, prefix="bench", followers=lambda _: rng.randint(100, 500_000)
            )
            copy_videos(
                cur,
                (
                    (
                        v,
                        (v - 1) // videos + 1,
                        published,
                        rng.choice((15, 45, 61, 75, 120, 300)),
                        rng.random() > 0.1,
                    )
                    for v in range(1, creators * videos + 1)
                ),
            )

            def stat_rows() -> Iterator[tuple]:
                for v in range(1, creators * videos + 1):
                    views = min(int(rng.lognormvariate(6, 1.6)), 5_000_000)
                    bots = views // 2 if rng.random() < 0.01 else 0
                    likes = views * rng.randint(2, 12) // 100
                    yield (
                        v,
                        f"d{v}",
                        v,
                        (v - 1) // videos + 1,
                        day,
                        views,
                        views * 7 // 10,
                        likes,
                        views // 100,
                        views // 150,
                        views * 12,
                        bots,
                        0,
                        now,
                    )

            # Columns in VideoDay.COUNTS order, the order stat_rows() yields them.
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
                stat_rows(),
            )
            copy_rows(
                cur,
                "activity_creatorday",
                [
                    "id",
                    "record_id",
                    "creator_id",
                    "day",
                    "followers",
                    "replies",
                    "live_minutes",
                    "updated_at",
                ],
                (
                    (i, f"c{i}", i, day, 1000, rng.randint(0, 30), rng.choice((0, 0, 0, 45)), now)
                    for i in range(1, creators + 1)
                ),
            )
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [User, CreatorProfile, Video, VideoDay, CreatorDay]
            ):
                cursor.execute(sql)
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        return rows

    def _bench(self, creators: int, videos: int, seed: int) -> dict:
        from rewards import recalculation

        day = date(2026, 11, 20)
        rows = self._fill(creators, videos, day, random.Random(seed))

        started = time.perf_counter()
        first = recalculation.recalculate_day_in_process(day=day)
        recalc_s = time.perf_counter() - started
        rerun = recalculation.recalculate_day_in_process(day=day)

        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM (SELECT creator_id, SUM(views_5s), SUM(likes), "
                "SUM(comments), SUM(shares) FROM activity_videoday WHERE day = %s "
                "GROUP BY creator_id) floor",
                [day],
            )
            cursor.fetchone()
        sql_floor_s = time.perf_counter() - started
        write_floor_s = self._write_floor(day, first.entries_posted, first.pk)
        # The same without the foreign keys, as LIKE alone would make it: what checking each
        # entry's account, rule and run costs is the difference.
        unchecked_floor_s = self._write_floor(
            day, first.entries_posted, first.pk, foreign_keys=False
        )
        return {
            "database": connection.vendor,
            "creators": creators,
            "stat_rows": rows,
            "recalc_s": round(recalc_s, 2),
            "sql_floor_s": round(sql_floor_s, 3),
            "ratio": round(recalc_s / sql_floor_s, 1),
            "write_floor_s": round(write_floor_s, 3),
            "write_ratio": round(recalc_s / write_floor_s, 1) if write_floor_s else None,
            "write_floor_without_foreign_keys_s": round(unchecked_floor_s, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "entries_posted": first.entries_posted,
            "rerun_entries_posted": rerun.entries_posted,
            "first_state": first.state,
        }

    def _write_floor(
        self, day: date, entries: int, run_id: int, *, foreign_keys: bool = True
    ) -> float:
        """The least a recalculation that writes could cost: the floor's GROUP BY, unpivoted
        into as many rows as the run posted entries, inserted in one statement (committed)
        into a scratch table made LIKE the entries table, with its indexes and checks, and
        the same three foreign keys (LIKE copies none), deferred to the commit as Django
        makes them: the ledger pays for checking each entry's account, rule and run, so the
        floor does too."""
        if connection.vendor != "postgresql" or not entries:
            return 0.0
        rule_of_metric = {metric: rule.pk for metric, rule in rules_in_force(day).items()}
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_write_floor (LIKE rewards_pointsentry INCLUDING ALL)"
            )
            for field in ("account", "rule", "run") if foreign_keys else ():
                target = PointsEntry._meta.get_field(field).target_field
                cursor.execute(
                    f"ALTER TABLE bench_write_floor ADD FOREIGN KEY ({field}_id) REFERENCES "
                    f"{target.model._meta.db_table} ({target.column}) "
                    "DEFERRABLE INITIALLY DEFERRED"
                )
            metrics = (
                (Metric.QUALIFIED_VIEWS, "views"),
                (Metric.LIKES, "likes"),
                (Metric.COMMENTS, "comments"),
                (Metric.SHARES, "shares"),
                (Metric.UPLOADS, "videos"),
                (Metric.REPLIES, "videos"),
                (Metric.LIVE_MINUTES, "videos"),
                (Metric.STREAK, "videos"),
            )
            per_metric = ", ".join(
                f"('{metric}', {column}, {rule_of_metric.get(metric, 'NULL')}::bigint)"
                for metric, column in metrics
            )
            started = time.perf_counter()
            cursor.execute(
                f"""
                INSERT INTO bench_write_floor (account_id, amount, kind, metric, rule_id,
                    activity_date, measured, idempotency_key, memo, created_at, run_id)
                SELECT creator_id, GREATEST(total / 100, 1), '{EntryKind.EARNED}', metric,
                       rule_id, %(day)s, total, 'floor:' || creator_id || ':' || metric, '',
                       now(), %(run)s
                FROM (
                    SELECT creator_id, SUM(views_5s) AS views, SUM(likes) AS likes,
                           SUM(comments) AS comments, SUM(shares) AS shares, COUNT(*) AS videos
                    FROM activity_videoday WHERE day = %(day)s GROUP BY creator_id
                ) floor
                -- Only creators with an account: the run opens one for each creator it pays.
                JOIN {PointsAccount._meta.db_table} account USING (creator_id)
                CROSS JOIN LATERAL (VALUES {per_metric}) AS per_metric (metric, total, rule_id)
                LIMIT %(entries)s
                """,
                {"day": day, "entries": entries, "run": run_id},
            )
            # The deferred checks run at the commit; inside a transaction (a test), now.
            if not connection.get_autocommit():
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            elapsed = time.perf_counter() - started
            cursor.execute("DROP TABLE bench_write_floor")
        return elapsed
