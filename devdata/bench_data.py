"""Creators with a year of history for the web benchmark (`make bench-web`), written in bulk.

`manage.py seed_bench_web` fills a dedicated PostgreSQL database with N creators and D days
of activity that ends yesterday: users with verified emails, profiles, videos, video-days,
creator-days, the points entries the nightly recalculation would have posted for them, one
finished recalculation run per day, balances, then the real nightly expiry and tier jobs.
Subscriptions too: every hundredth creator (1, 101, 201, ...) offers three published packages
and writes exclusive posts; fans (their own users, same password) hold live monthly
subscriptions to them, each with a saved sandbox card; creator 1's room, the busy one, has
thousands of chat messages and a tenth of the fans in it. Fan support for the gift burst: a
small gift catalog, one eligible creator taking gifts, and fans 1..GIFT_FANS with coins
(devdata/bench/gift_burst.py starts the creator's live session afresh for each run).

Speed: PostgreSQL generates every row itself from `generate_series` and a seeded hash (no
row passes through Python or crosses the wire, as it would with COPY), and the big tables
load with their secondary indexes and foreign keys dropped, then rebuilt, as PostgreSQL's
"Populating a Database" advises (the activity's before the ledger, whose day-by-day SQL reads
the activity through them). Rows go in day by day, the order the nightly jobs append
them, so one creator's history is spread over the tables as it would be in production.

Consistency: each day's entries are computed from the seeded activity by the recalculation's
own SQL (what every creator measured, the rules in force and the points arithmetic of
`rewards.points`; no second copy of any rule), with its idempotency keys; recalculating a
seeded day posts nothing (a test holds it to that), and every balance is the sum of its
entries (`check_ledger`).

A seed is recorded with a fingerprint of its parameters, the applied migrations, the rules,
this file and the recalculation's SQL: the same seed again is skipped. Everything runs in one
transaction, so a failed seed leaves the previous one in place. It refuses a database holding
accounts it did not make: a reseed wipes every account.
"""

import hashlib
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from PIL import Image

from academy import insights
from academy.models import Course, Lesson
from accounts.models import CreatorProfile, Niche, Standing, User
from activity.models import CreatorDay, Video, VideoDay
from core import markdown
from core.clock import rewards_today
from devdata import demo_academy
from gifts import selectors as gifts_selectors
from gifts import services as gifts_services
from gifts import support as gifts_support
from gifts.models import CoinReason, Gift
from payments.gateway.sandbox import PREFIX as SANDBOX_PREFIX
from payments.gateway.sandbox import Behaviour
from payments.models import EarningsAccount, Gateway, PaymentCustomer, SavedCard, Source
from rewards import expiry, points, recalculation, tiers
from rewards.models import EarningRule, EntryKind, RecalcRun
from store.models import ItemKind, StoreItem
from subscriptions.models import (
    Billing,
    ChatMessage,
    CustomPerk,
    Invitation,
    Package,
    PerkCadence,
    Post,
    State,
    Subscription,
)

EMAIL_PATTERN = "bench{n}@example.com"
FAN_EMAIL_PATTERN = "benchfan{n}@example.com"
DEFAULT_PASSWORD = "bench-web-2026"
MARKER_TABLE = "bench_web_seed"
# The store the benchmark browses, and the item it redeems.
STORE_ITEMS = 24
BENCH_TOOL = "bench-tool"
# The course every seeded creator is taking (a demo course: devdata/academy_courses.py).
BENCH_COURSE = "hooks-first-three-seconds"
# Secondary indexes and foreign keys of these tables are rebuilt after their load: the
# activity's first, since the ledger is computed from the activity through them.
ACTIVITY_TABLES = ("activity_video", "activity_videoday", "activity_creatorday")
LEDGER_TABLES = ("rewards_pointsentry",)
# A video has numbers for the day it is published and the next two, falling off.
VIEW_DECAY = (1.0, 0.45, 0.2)
TITLES = (
    "Five-minute pasta",
    "Morning routine",
    "Trying the viral trend",
    "Behind the scenes",
    "Q&A with followers",
    "Day in my life",
    "Tutorial",
    "Reacting to your comments",
)
# Tables filled with explicit ids, whose id sequences move past them afterwards.
SEQUENCED = [
    User,
    EmailAddress,
    CreatorProfile,
    CreatorProfile.niches.through,
    Video,
    VideoDay,
    CreatorDay,
    RecalcRun,
    EarningsAccount,
    PaymentCustomer,
    SavedCard,
    Invitation,
    Package,
    CustomPerk,
    Subscription,
    Post,
    Post.packages.through,
    ChatMessage,
]
COUNTRIES = ("GB", "US", "DE", "BR", "JP", "IN", "FR", "NG", "MX", "PL")
# Subscriptions: creators 1, 1 + OFFER_EVERY, ... offer PACKAGES; creator CHAT_CREATOR's room is
# the busy one. Fans default to one per creator, at least MIN_FANS (the chat benchmark's
# room holds 100 fans); a tenth of them, at least MIN_FANS, subscribe to the busy room.
OFFER_EVERY = 100
CHAT_CREATOR = 1
MIN_FANS = 100
POSTS_PER_CREATOR = 60
CHAT_MESSAGES = 5_000
# The gift burst (devdata/bench/gift_burst.py): fans 1..GIFT_FANS, GIFT_COINS coins each, send
# the catalog's BENCH_GIFTS (name, coins, colour) to one creator, the first after CHAT_CREATOR
# whom the support rules let receive gifts.
GIFT_FANS = 200
GIFT_COINS = 100_000
BENCH_GIFTS = (
    ("Bench rose", 10, "#fb7185"),
    ("Bench heart", 50, "#f87171"),
    ("Bench confetti", 100, "#c084fc"),
    ("Bench crown", 500, "#a78bfa"),
)
# name, monthly and annual price (minor units), free trial, chat, emojis, a hand-made perk
PACKAGES = (
    ("Supporter", 299, 2_990, True, False, False, ""),
    ("Insider", 799, 7_990, False, True, True, "Monthly shout-out in a video"),
    ("Front row", 2_499, None, False, True, True, "Monthly 1:1 review"),
)
POST_BODY = (
    "The long cut of this week's video, with **every product** and why I use it.\n\n"
    "1. Cleanse with lukewarm water only\n2. Vitamin C serum, two drops\n"
    "3. Moisturiser, then wait a minute\n\nQuestions? Ask in the chat on Sunday."
)
CHAT_LINES = (
    "Loved the long cut of this week's video",
    "Which serum was it in the last post?",
    "Voting for the berry colour next week!",
    "Same here, can't wait",
    "Hello from Lisbon :)",
    "The Q&A was so good",
)


class BenchSeedError(Exception):
    """The seed cannot run here; the message says why."""


@dataclass(frozen=True)
class Plan:
    creators: int
    days: int
    seed: int = 7
    password: str = DEFAULT_PASSWORD
    last_day: date | None = None  # default: yesterday, the last day the nightly run posted
    fans: int | None = None  # default: one per creator, at least MIN_FANS

    @property
    def last(self) -> date:
        return self.last_day or rewards_today() - timedelta(days=1)

    @property
    def fan_count(self) -> int:
        return self.fans if self.fans is not None else max(MIN_FANS, self.creators)

    @property
    def room_fans(self) -> int:
        """Fans 1..room_fans subscribe to the busy room (CHAT_CREATOR's package with chat)."""
        return min(self.fan_count, max(MIN_FANS, self.fan_count // 10))

    @property
    def first(self) -> date:
        return self.last - timedelta(days=self.days - 1)


def fingerprint(plan: Plan) -> str:
    """What makes one seed differ from another; the same fingerprint means nothing to do."""
    facts = {
        "creators": plan.creators,
        "days": plan.days,
        "fans": plan.fan_count,
        "seed": plan.seed,
        "last_day": plan.last.isoformat(),
        "password": hashlib.sha256(plan.password.encode()).hexdigest(),
        "migrations": sorted(
            f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
        ),
        "rules": [
            [str(v) for v in rule]
            for rule in EarningRule.objects.order_by("pk").values_list(
                "metric",
                "valid_from",
                "is_active",
                "unit_size",
                "points_per_unit",
                "daily_cap",
                "taper_above",
                "taper_percent",
            )
        ],
        "settings": [
            settings.REWARDS_DAY_TZ,
            settings.QUALIFIED_VIEW_MIN_DURATION_S,
            settings.REWARDS_STREAK_DAYS,
        ],
        "generator": [
            hashlib.sha256(Path(path).read_bytes()).hexdigest()
            for path in (__file__, recalculation.__file__, points.__file__)
        ],
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def stored_seed() -> tuple[str, dict] | None:
    """The fingerprint and summary of the seed this database holds, if any."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT fingerprint, summary FROM {MARKER_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return None
    summary = row[1] if isinstance(row[1], dict) else json.loads(row[1])
    return row[0], summary


def seed(
    plan: Plan, *, reseed: bool = False, progress: Callable[[str], None] = lambda _: None
) -> tuple[bool, dict]:
    """Fill the database for `plan` unless it already holds that seed (or `reseed`).
    Returns whether it seeded, and the summary of the seed now in place."""
    if connection.vendor != "postgresql":
        raise BenchSeedError("seed_bench_web fills PostgreSQL only (it generates rows in SQL).")
    if plan.creators < 1 or plan.days < 1:
        raise BenchSeedError("Seed at least one creator and one day.")
    if plan.fan_count < 1:
        raise BenchSeedError("Seed at least one fan.")
    plan = replace(plan, last_day=plan.last)  # one "yesterday", even across midnight
    digest = fingerprint(plan)
    stored = stored_seed()
    if stored is not None and stored[0] == digest and not reseed:
        return False, stored[1]
    if stored is None and User.objects.exists():
        raise BenchSeedError(
            "This database holds accounts seed_bench_web did not make, and a seed replaces "
            "every account: point DATABASE_URL at a dedicated database."
        )
    started = perf_counter()
    with transaction.atomic():
        summary = _Fill(plan, progress).run()
        summary["seconds"] = round(perf_counter() - started, 1)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (id integer PRIMARY KEY, "
                "fingerprint text NOT NULL, summary jsonb NOT NULL, seeded_at timestamptz NOT NULL)"
            )
            cursor.execute(
                f"INSERT INTO {MARKER_TABLE} VALUES (1, %s, %s, now()) ON CONFLICT (id) DO UPDATE "
                "SET fingerprint = excluded.fingerprint, summary = excluded.summary, "
                "seeded_at = excluded.seeded_at",
                [digest, json.dumps(summary)],
            )
    return True, summary


@contextmanager
def _indexes_rebuilt_after(
    cursor: CursorWrapper, tables: tuple[str, ...], progress: Callable[[str], None]
) -> Iterator[None]:
    """Drop the tables' unique constraints, foreign keys and secondary indexes (not their
    primary keys, which other tables reference), and recreate them from their own definitions
    afterwards: one sorted build each instead of millions of single-row updates."""
    quote = connection.ops.quote_name
    saved = []
    for table in tables:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT EXISTS ("
            "  SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid"
            "  AND c.conrelid = x.indrelid) ORDER BY i.relname",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
        saved.append((table, constraints, indexes))
    yield
    # Unique constraints and indexes first; foreign keys (validated as they are added) last.
    for _table, _constraints, indexes in saved:
        for name, definition in indexes:
            started = perf_counter()
            cursor.execute(definition)
            progress(f"index {name}: {perf_counter() - started:.1f} s")
    for table, constraints, _indexes in saved:
        for name, definition in sorted(constraints, key=lambda c: "FOREIGN" in c[1]):
            started = perf_counter()
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
            progress(f"constraint {name}: {perf_counter() - started:.1f} s")


class _Fill:
    """The fill itself: one statement per table, each generating its rows in SQL."""

    def __init__(self, plan: Plan, progress: Callable[[str], None]) -> None:
        self.plan = plan
        self.progress = progress
        self.now = timezone.now()
        # One hash for every seeded account, creators and fans alike.
        self.password_hash = make_password(plan.password)
        self.params = {
            "creators": plan.creators,
            "days": plan.days,
            "first": plan.first,
            "last": plan.last,
            "tz": settings.REWARDS_DAY_TZ,
            "now": self.now,
        }

    def u(self, key: str, salt: int) -> str:
        """SQL for a number in [0, 1) fixed by the seed, `key` and `salt`."""
        return (
            f"((hashint8extended(({key})::bigint, {self.plan.seed * 1000 + salt}) "
            "& 2147483647)::float8 / 2147483648.0)"
        )

    def at(self, day_sql: str, clock: str) -> str:
        """SQL for `clock` o'clock on a day in REWARDS_DAY_TZ, never later than now."""
        return f"LEAST(%(now)s, (({day_sql}) + TIME '{clock}') AT TIME ZONE %(tz)s)"

    def execute(
        self, cursor: CursorWrapper, label: str, sql: str, params: dict | None = None
    ) -> int:
        started = perf_counter()
        cursor.execute(sql, {**self.params, **(params or {})})
        self.progress(
            f"{label}: {max(cursor.rowcount, 0):,} rows in {perf_counter() - started:.1f} s"
        )
        return cursor.rowcount

    def run(self) -> dict:
        with connection.cursor() as cursor:
            # Check anything deferred now: the tables are about to be truncated and altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # Sorts and hash tables of millions of rows stay in memory, off the disk.
            cursor.execute("SET LOCAL work_mem = '1GB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '2GB'")
            cursor.execute("SET LOCAL synchronous_commit = off")
            # Each statement runs once over millions of rows: compiling it would not pay.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("TRUNCATE accounts_user, django_session CASCADE")
            self.creators(cursor)
            started = perf_counter()
            with _indexes_rebuilt_after(cursor, ACTIVITY_TABLES, self.progress):
                counts = self.activity(cursor)
                self.progress("rebuilding the activity's indexes and foreign keys")
            # The ledger's day-by-day statements are planned from these statistics.
            cursor.execute(f"ANALYZE {', '.join(ACTIVITY_TABLES)}")
            with _indexes_rebuilt_after(cursor, LEDGER_TABLES, self.progress):
                counts["entries"] = self.ledger(cursor)
                self.progress("rebuilding the ledger's indexes and foreign keys")
            self.progress(
                f"activity and ledger loaded, indexes and foreign keys rebuilt, after "
                f"{perf_counter() - started:.1f} s"
            )
            self.execute(cursor, "run totals", RUN_TOTALS_SQL)
            counts["earnings_entries"] = self.earnings(cursor)
            counts.update(self.subscriptions(cursor))
            cursor.execute("DROP TABLE bench_creator")
            for sql in connection.ops.sequence_reset_sql(no_style(), SEQUENCED):
                cursor.execute(sql)
            started = perf_counter()
            cursor.execute("ANALYZE")
            self.progress(f"statistics: {perf_counter() - started:.1f} s")
        today = self.plan.last + timedelta(days=1)
        started = perf_counter()
        expired = expiry.expire(today)
        tiers.recompute(self.plan.last)
        self.progress(f"nightly expiry and tiers: {perf_counter() - started:.1f} s")
        self.store()
        academy = self.academy()
        gifts = self.gifts()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("ANALYZE rewards_pointsentry, rewards_creatortier")
        return {
            "creators": self.plan.creators,
            "days": self.plan.days,
            "seed": self.plan.seed,
            "first_day": self.plan.first.isoformat(),
            "last_day": self.plan.last.isoformat(),
            "email_pattern": EMAIL_PATTERN,
            "fans": self.plan.fan_count,
            "fan_email_pattern": FAN_EMAIL_PATTERN,
            "room_fans": self.plan.room_fans,
            "chat_handle": f"bench{CHAT_CREATOR}",
            **counts,
            **academy,
            **gifts,
            "points_expired": expired,
        }

    def store(self) -> None:
        """A store of STORE_ITEMS items; the benchmark redeems BENCH_TOOL, which any seeded
        creator can afford again and again (one point, no stock, limit or cooldown)."""
        first_slot = self.plan.last + timedelta(days=14)
        kinds = [ItemKind.TOOL, ItemKind.PROMOTION, ItemKind.CASH]
        for n in range(STORE_ITEMS):
            kind = kinds[n % 3]
            StoreItem.objects.update_or_create(
                slug=BENCH_TOOL if n == 0 else f"bench-item-{n}",
                defaults={
                    "name": f"Bench item {n}",
                    "kind": kind,
                    "summary": "An item for the web benchmark.",
                    "price_points": 1 if n == 0 else 100 * n,
                    "stock": None if n % 2 == 0 else 1_000_000,
                    "limit_per_creator": 5 if n and n % 4 == 0 else None,
                    "cooldown_days": 7 if n and n % 5 == 0 else 0,
                    "entitlement_days": 30 if kind == ItemKind.TOOL else None,
                    "slot_starts_on": first_slot if kind == ItemKind.PROMOTION else None,
                    "slot_ends_on": first_slot + timedelta(days=6)
                    if kind == ItemKind.PROMOTION
                    else None,
                    "cash_amount_minor": 1_000 * n if kind == ItemKind.CASH else None,
                    "currency": "GBP" if kind == ItemKind.CASH else "",
                },
            )
        self.progress(f"store: {STORE_ITEMS} items")

    def academy(self) -> dict:
        """The Academy the benchmark reads: the demo's five courses (kept between seeds), every
        creator enrolled in BENCH_COURSE with its first lesson done, and the peer bands the
        insight cards compare with, as the nightly task computes them."""
        demo_academy.seed_courses()
        course = Course.objects.get(slug=BENCH_COURSE)
        first = Lesson.objects.filter(module__course=course).order_by(
            "module__position", "position"
        )[0]
        at = self.at("%(last)s", "12:00")
        with connection.cursor() as cursor:
            enrolled = self.execute(
                cursor,
                "academy enrolments",
                f"""
                INSERT INTO academy_enrolment (creator_id, course_id, enrolled_at, last_lesson_id,
                                               last_seen_at)
                SELECT id, %(course)s, {at}, %(lesson)s, {at} FROM accounts_creatorprofile
                """,
                {"course": course.pk, "lesson": first.pk},
            )
            self.execute(
                cursor,
                "lessons done",
                """
                INSERT INTO academy_lessonprogress (enrolment_id, lesson_id, watched,
                                                    watched_seconds, completed_at)
                SELECT id, %(lesson)s, '[]', 0, enrolled_at FROM academy_enrolment
                WHERE course_id = %(course)s
                """,
                {"course": course.pk, "lesson": first.pk},
            )
        insights.refresh_peer_bands(self.plan.last)
        return {
            "academy_enrolments": enrolled,
            "academy_course": BENCH_COURSE,
            "academy_lesson": first.pk,
        }

    def gifts(self) -> dict:
        """Fan support for the gift burst, through gifts' own services: the BENCH_GIFTS catalog
        (kept between seeds, a tiny PNG each), the first creator after CHAT_CREATOR whom the
        support rules let receive gifts, opted in, and fans 1..GIFT_FANS with GIFT_COINS coins
        each (credited as bought packs). The Diamond rate is the migrations' own. Without a
        rate in force or a creator who may receive gifts (a tiny seed), no creator takes
        gifts and the summary says so (gift_handle empty)."""
        for position, (name, coins, colour) in enumerate(BENCH_GIFTS, start=1):
            if Gift.objects.filter(name=name).exists():
                continue
            # One picture a gift for every seed and database: written once, then reused.
            picture = f"gifts/{name.lower().replace(' ', '-')}.png"
            if not default_storage.exists(picture):
                picture = default_storage.save(picture, _gift_png(colour))
            Gift.objects.create(name=name, coins=coins, position=position, image=picture)
        rules = gifts_selectors.rules()
        candidates = CreatorProfile.objects.filter(
            pk__gt=CHAT_CREATOR, standing=Standing.GOOD, followers__gte=rules.min_followers
        ).order_by("pk")
        creator = next(
            (c for c in candidates[:100] if gifts_selectors.eligibility(c).eligible), None
        )
        if creator is None or gifts_selectors.rate_on(self.plan.last + timedelta(days=1)) is None:
            self.progress("gifts: no Diamond rate in force or no creator who may receive gifts")
            return {"gift_handle": "", "gift_fans": 0, "gift_coins": 0}
        gifts_support.set_accepting(creator=creator, accepts=True)
        fans = User.objects.filter(
            email__in=[
                FAN_EMAIL_PATTERN.format(n=n)
                for n in range(1, min(GIFT_FANS, self.plan.fan_count) + 1)
            ]
        )
        started = perf_counter()
        for fan in fans:
            gifts_services.credit_coins(
                fan=fan,
                amount=GIFT_COINS,
                reason=CoinReason.PURCHASE,
                idempotency_key=f"bench-coins:{fan.pk}:seed",
                memo="Bench coins",
            )
        self.progress(
            f"gifts: {len(BENCH_GIFTS)} in the catalog, @{creator.handle} taking them, "
            f"{len(fans)} fans with {GIFT_COINS:,} coins in {perf_counter() - started:.1f} s"
        )
        return {
            "gift_handle": creator.handle,
            "gift_fans": len(fans),
            "gift_coins": GIFT_COINS,
        }

    def creators(self, cursor: CursorWrapper) -> None:
        u = self.u
        niches = list(Niche.objects.order_by("pk").values_list("pk", flat=True))
        cursor.execute("DROP TABLE IF EXISTS bench_creator")
        # Reach: first-day views of a new video, 250 to a million, most creators small.
        self.execute(
            cursor,
            "creator traits",
            f"""
            CREATE TEMP TABLE bench_creator AS
            SELECT n AS id,
                   GREATEST(50, round(power(10, 2.4 + 3.6 * power({u("n", 1)}, 2))))::bigint
                       AS reach,
                   0.2 + 0.6 * {u("n", 2)} AS upload_share,
                   3 + floor(9 * {u("n", 3)})::int AS like_pct,
                   8 + floor(12 * {u("n", 4)})::int AS watch_s,
                   {u("n", 5)} AS standing_draw,
                   2 + 18 * {u("n", 6)} AS followers_per_view,
                   0.55 + 0.4 * {u("n", 7)} AS followers_start_share
            FROM generate_series(1, %(creators)s) n
            """,
        )
        cursor.execute(
            "ALTER TABLE bench_creator ADD COLUMN followers bigint, "
            "ADD COLUMN followers_start bigint"
        )
        cursor.execute(
            "UPDATE bench_creator SET followers = round(reach * followers_per_view), "
            "followers_start = round(reach * followers_per_view * followers_start_share)"
        )
        joined = {"joined": self.now - timedelta(days=self.plan.days + 30)}
        self.execute(
            cursor,
            "users",
            f"""
            INSERT INTO accounts_user (id, password, last_login, is_superuser, is_staff,
                                       is_active, date_joined, email, role)
            SELECT id, %(password)s, NULL, FALSE, FALSE, TRUE, %(joined)s,
                   {_email_sql("id")}, 'creator'
            FROM bench_creator ORDER BY id
            """,
            {"password": self.password_hash, **joined},
        )
        self.execute(
            cursor,
            "verified emails",
            f"""
            INSERT INTO account_emailaddress (id, email, verified, "primary", user_id)
            SELECT id, {_email_sql("id")}, TRUE, TRUE, id FROM bench_creator ORDER BY id
            """,
        )
        self.execute(
            cursor,
            "creator profiles",
            f"""
            INSERT INTO accounts_creatorprofile (id, user_id, handle, display_name, date_of_birth,
                country, followers, standing, standing_reason, standing_changed_at, created_at)
            SELECT id, id, 'bench' || id, 'Bench Creator ' || id,
                   DATE '1970-01-01' + floor({u("id", 8)} * 14600)::int,
                   (%(countries)s::text[])[1 + floor({u("id", 9)} * %(n_countries)s)::int],
                   followers,
                   CASE WHEN standing_draw < 0.01 THEN 'suspended'
                        WHEN standing_draw < 0.03 THEN 'warned' ELSE 'good' END,
                   CASE WHEN standing_draw < 0.03 THEN 'Reposted other creators'' videos'
                        ELSE '' END,
                   NULL, %(joined)s
            FROM bench_creator ORDER BY id
            """,
            {"countries": list(COUNTRIES), "n_countries": len(COUNTRIES), **joined},
        )
        if niches:
            self.execute(
                cursor,
                "creator niches",
                f"""
                INSERT INTO accounts_creatorprofile_niches (id, creatorprofile_id, niche_id)
                SELECT id, id, (%(niches)s::bigint[])[1 + floor({u("id", 10)} * %(n_niches)s)::int]
                FROM bench_creator ORDER BY id
                """,
                {"niches": niches, "n_niches": len(niches)},
            )

    def activity(self, cursor: CursorWrapper) -> dict:
        u = self.u
        key = "c.id * 65536 + d"
        videos = self.execute(
            cursor,
            "videos",
            f"""
            INSERT INTO activity_video (id, record_id, creator_id, title, published_at,
                                        duration_s, is_original, updated_at)
            SELECT id, 'bench-v' || id, creator_id, title, published_at, duration_s,
                   is_original, published_at
            FROM (
                SELECT d * %(creators)s + c.id AS id, c.id AS creator_id, d,
                       (%(titles)s::text[])[1 + floor({u(key, 11)} * %(n_titles)s)::int]
                           || ' #' || (d + 1) AS title,
                       ((%(first)s::date + d) + make_interval(
                           mins => (480 + floor(840 * {u(key, 12)}))::int)) AT TIME ZONE %(tz)s
                           AS published_at,
                       (ARRAY[15, 45, 61, 75, 120, 300])[1 + floor(6 * {u(key, 13)})::int]
                           AS duration_s,
                       {u(key, 14)} >= 0.08 AS is_original
                FROM generate_series(0, %(days)s - 1) d CROSS JOIN bench_creator c
                WHERE {u(key, 15)} < c.upload_share
            ) v
            ORDER BY id
            """,
            {"titles": list(TITLES), "n_titles": len(TITLES)},
        )
        decay = ", ".join(str(share) for share in VIEW_DECAY)
        video_days = self.execute(
            cursor,
            "video-days",
            f"""
            INSERT INTO activity_videoday (id, record_id, video_id, creator_id, day, views,
                views_5s, likes, comments, shares, watch_time_s, bot_views, bot_likes, updated_at)
            SELECT id, 'bench-vd' || id, video_id, creator_id, day, views, views * 7 / 10,
                   views * like_pct / 100, views / 100, views / 150, views * watch_s, 0, 0,
                   {self.at("day + 1", "00:30")}
            FROM (
                SELECT ((v.day + a - %(first)s::date) * %(creators)s + v.creator_id - 1)
                           * {len(VIEW_DECAY)} + a + 1 AS id,
                       v.id AS video_id, v.creator_id,
                       v.day + a AS day, c.like_pct, c.watch_s,
                       floor(c.reach * (0.4 + 1.2 * {u("v.id * 4 + a", 16)})
                             * (ARRAY[{decay}])[a + 1])::bigint AS views
                FROM (SELECT id, creator_id, (published_at AT TIME ZONE %(tz)s)::date AS day
                      FROM activity_video) v
                JOIN bench_creator c ON c.id = v.creator_id
                CROSS JOIN generate_series(0, {len(VIEW_DECAY) - 1}) a
                WHERE v.day + a <= %(last)s
            ) s
            ORDER BY id
            """,
        )
        creator_days = self.execute(
            cursor,
            "creator-days",
            f"""
            INSERT INTO activity_creatorday (id, record_id, creator_id, day, followers, replies,
                                             live_minutes, updated_at)
            SELECT d * %(creators)s + c.id, 'bench-cd' || (d * %(creators)s + c.id),
                   c.id, %(first)s::date + d,
                   c.followers_start
                       + (c.followers - c.followers_start) * d / GREATEST(%(days)s - 1, 1),
                   CASE WHEN {u(key, 17)} < 0.7 THEN floor(15 * {u(key, 18)})::int ELSE 0 END,
                   CASE WHEN {u(key, 19)} < 0.12 THEN 10 + floor(80 * {u(key, 20)})::int
                        ELSE 0 END,
                   {self.at("%(first)s::date + d + 1", "00:30")}
            FROM generate_series(0, %(days)s - 1) d CROSS JOIN bench_creator c
            ORDER BY d, c.id
            """,
        )
        return {"videos": videos, "video_days": video_days, "creator_days": creator_days}

    def ledger(self, cursor: CursorWrapper) -> int:
        """One finished run per day, then what each run posted: for every (creator, day,
        metric) the rule in force gives points for, one entry, as the recalculation computes
        and keys it. Day by day, because the recalculation's SQL computes one day."""
        started = self.at("day + 1", "02:00")
        self.execute(
            cursor,
            "recalculation runs",
            f"""
            INSERT INTO rewards_recalcrun (id, day, state, shard_count, shards_planned,
                shards_posted, entries_posted, points_delta, day_total_due, previous_day_total,
                max_creator_change, held_reason, error, started_at, heartbeat_at, finished_at)
            SELECT d + 1, day, 'done', 0, 0, 0, 0, 0, 0, 0, 0, '', '', {started}, {started},
                   {started}
            FROM (SELECT d, %(first)s::date + d AS day FROM generate_series(0, %(days)s - 1) d) days
            ORDER BY day
            """,
        )
        # The recalculation's SQL finds a day's videos through their primary key, one lookup
        # per video-day; the activity just written is in memory, where such a lookup costs
        # about what a page read in sequence does (the planner's default assumes a disk and
        # reads every video on the platform for each day instead).
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        entries = 0
        for first, last, rules in self._rule_periods():
            period_started, period_entries = perf_counter(), 0
            for day in (first + timedelta(days=i) for i in range((last - first).days + 1)):
                # Every seeded creator in one go: their ids are 1..creators.
                shard = {"lo": 1, "hi": self.plan.creators}
                # The day's tally first (what each metric measured and carried from the day
                # before), as the run's planning writes it; then the entries from it.
                tally, tally_params = recalculation.tally_sql(day, rules)
                cursor.execute(tally, {**self.params, **tally_params, **shard})
                due, due_params = recalculation.due_sql(day)
                cursor.execute(
                    ENTRIES_SQL.format(due=due, posted_at=self.at("%(day)s::date + 1", "02:00")),
                    {
                        **self.params,
                        **due_params,
                        **shard,
                        "day_text": day.isoformat(),
                        # The day's run (numbered by day above), posting when it started.
                        "run": (day - self.plan.first).days + 1,
                    },
                )
                period_entries += cursor.rowcount
            self.progress(
                f"points entries {first} to {last}: {period_entries:,} rows in "
                f"{perf_counter() - period_started:.1f} s"
            )
            entries += period_entries
        cursor.execute("SET LOCAL random_page_cost TO DEFAULT")
        self.execute(
            cursor,
            "points accounts",
            """
            INSERT INTO rewards_pointsaccount (creator_id, balance, updated_at)
            SELECT c.id, COALESCE(e.total, 0), %(now)s
            FROM bench_creator c
            LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM rewards_pointsentry
                       GROUP BY account_id) e ON e.account_id = c.id
            ORDER BY c.id
            """,
        )
        return entries

    def earnings(self, cursor: CursorWrapper) -> int:
        """A year of money for the earnings statement: per creator and finished month, a cash
        redemption (available at once) and, for about four creators in ten, the month's
        Creator Rewards Program credit, posted on the next month's first day and pending
        until its 15th. Each account's available and pending are its entries' sums, as
        check_ledger reads them, with pending released through the last seeded day."""
        u = self.u
        params = {"currency": settings.PAYMENTS_CURRENCY}
        # The months the seed covers that have ended by its last day, numbered.
        cursor.execute(
            """
            CREATE TEMP TABLE bench_month AS
            SELECT (row_number() OVER (ORDER BY month))::int AS n, month::date AS month
            FROM generate_series(date_trunc('month', %(first)s::date),
                                 date_trunc('month', %(last)s::date + 1) - interval '1 month',
                                 interval '1 month') month
            """,
            self.params,
        )
        self.execute(
            cursor,
            "earnings accounts",
            """
            INSERT INTO payments_earningsaccount (id, creator_id, currency, available, pending,
                                                  released_through, updated_at)
            SELECT id, id, %(currency)s, 0, 0, %(last)s, %(now)s FROM bench_creator ORDER BY id
            """,
            params,
        )
        key = "c.id * 4096 + m.n"
        entries = self.execute(
            cursor,
            "earnings entries",
            f"""
            INSERT INTO payments_earningsentry (account_id, amount, source, pending_until,
                document, memo, idempotency_key, created_at)
            SELECT account_id, amount, source, pending_until, '', memo, key, created_at
            FROM (
                SELECT c.id AS account_id, 500 + floor(4500 * {u(key, 30)})::bigint AS amount,
                       '{Source.CASH_REDEMPTION}' AS source, NULL::date AS pending_until,
                       'Cash redeemed from points' AS memo,
                       'bench-cash:' || c.id || ':' || to_char(m.month, 'YYYY-MM') AS key,
                       {self.at("m.month + floor(28 * " + u(key, 31) + ")::int", "12:00")}
                           AS created_at
                FROM bench_creator c CROSS JOIN bench_month m
                UNION ALL
                SELECT c.id, 1000 + floor(20000 * {u(key, 32)})::bigint,
                       '{Source.REWARDS_PROGRAM}', (m.month + interval '1 month')::date + 14,
                       'Creator Rewards Program, ' || to_char(m.month, 'FMMonth YYYY'),
                       'bench-program:' || c.id || ':' || to_char(m.month, 'YYYY-MM'),
                       {self.at("(m.month + interval '1 month')::date", "03:00")}
                FROM bench_creator c CROSS JOIN bench_month m
                WHERE {u("c.id", 33)} < 0.4
            ) e
            ORDER BY created_at, account_id
            """,
            params,
        )
        self.execute(
            cursor,
            "earnings balances",
            """
            UPDATE payments_earningsaccount a
            SET available = e.available, pending = e.pending
            FROM (
                SELECT account_id,
                       SUM(amount) FILTER (WHERE pending_until IS NULL
                                           OR pending_until <= %(last)s) AS available,
                       COALESCE(SUM(amount) FILTER (WHERE pending_until > %(last)s), 0)
                           AS pending
                FROM payments_earningsentry GROUP BY account_id
            ) e
            WHERE a.id = e.account_id
            """,
        )
        cursor.execute("DROP TABLE bench_month")
        return entries

    def subscriptions(self, cursor: CursorWrapper) -> dict:
        """Creators 1, 1 + OFFER_EVERY, ... offer PACKAGES (published a year ago, invited,
        with a bio, a hand-made monthly perk on the packages with chat) and wrote
        POSTS_PER_CREATOR exclusive posts over the last year, each for one to three of their
        packages. Fans (a verified email, the creators' password, a sandbox card saved as the
        sandbox saves one) hold live monthly subscriptions started within the last 330 days
        and paid to a period that ends after now, the first ten of each creator founders:
        fans 1..room_fans to CHAT_CREATOR's first package with chat, and every fan to one to
        three other offering creators. CHAT_CREATOR's room holds CHAT_MESSAGES messages from
        the last fortnight, a few removed. No charge history: the pages measured read none,
        and the earnings ledger stays what earnings() made it."""
        u = self.u
        fans = self.plan.fan_count
        opened = self.now - timedelta(days=365)
        names, monthly, annual, trial, chat, emojis, perks = map(list, zip(*PACKAGES, strict=True))
        room_package = 1 + chat.index(True)
        params = {
            "fans": fans,
            "room_fans": self.plan.room_fans,
            "every": OFFER_EVERY,
            "chat_creator": CHAT_CREATOR,
            "room_package": room_package,
            "n_packages": len(PACKAGES),
            "currency": settings.PAYMENTS_CURRENCY,
            "password": self.password_hash,
            "opened": opened,
            "joined": opened - timedelta(days=30),
            "gateway": Gateway.SANDBOX.value,
            # The sandbox reads what a card does from its reference: these charge like the
            # cards it saves itself from 4242 4242 4242 4242.
            "card_prefix": f"pm_{SANDBOX_PREFIX}_{Behaviour.SUCCEEDS.value}_bench",
            "customer_prefix": f"cus_{SANDBOX_PREFIX}_bench",
            "exp_year": self.now.year + 3,
            "active": State.ACTIVE.value,
            "monthly_billing": Billing.MONTHLY.value,
            "posts": POSTS_PER_CREATOR,
            "messages": CHAT_MESSAGES,
            "titles": list(TITLES),
            "n_titles": len(TITLES),
            "lines": list(CHAT_LINES),
            "n_lines": len(CHAT_LINES),
        }
        counts = {}
        self.execute(
            cursor,
            "fans",
            f"""
            INSERT INTO accounts_user (id, password, last_login, is_superuser, is_staff,
                                       is_active, date_joined, email, role, name)
            SELECT %(creators)s + n, %(password)s, NULL, FALSE, FALSE, TRUE, %(joined)s,
                   {_email_sql("n", FAN_EMAIL_PATTERN)}, 'fan', 'Bench Fan ' || n
            FROM generate_series(1, %(fans)s) n ORDER BY n
            """,
            params,
        )
        self.execute(
            cursor,
            "fans' verified emails",
            f"""
            INSERT INTO account_emailaddress (id, email, verified, "primary", user_id)
            SELECT %(creators)s + n, {_email_sql("n", FAN_EMAIL_PATTERN)}, TRUE, TRUE,
                   %(creators)s + n
            FROM generate_series(1, %(fans)s) n ORDER BY n
            """,
            params,
        )
        self.execute(
            cursor,
            "fans' sandbox customers",
            """
            INSERT INTO payments_paymentcustomer (id, user_id, gateway, reference, created_at)
            SELECT n, %(creators)s + n, %(gateway)s, %(customer_prefix)s || n, %(joined)s
            FROM generate_series(1, %(fans)s) n ORDER BY n
            """,
            params,
        )
        self.execute(
            cursor,
            "fans' saved cards",
            """
            INSERT INTO payments_savedcard (id, customer_id, reference, brand, last4, exp_month,
                                            exp_year, created_at)
            SELECT n, n, %(card_prefix)s || n, 'visa', '4242', 12, %(exp_year)s, %(joined)s
            FROM generate_series(1, %(fans)s) n ORDER BY n
            """,
            params,
        )
        cursor.execute(
            """
            CREATE TEMP TABLE bench_offer AS
            SELECT (row_number() OVER (ORDER BY id))::int AS k, id AS creator_id
            FROM generate_series(1, %(creators)s) id WHERE mod(id - 1, %(every)s) = 0
            """,
            {**self.params, **params},
        )
        params["offers"] = counts["offering_creators"] = cursor.rowcount
        self.execute(
            cursor,
            "invitations",
            """
            INSERT INTO subscriptions_invitation (id, creator_id, invited_by_id, note, created_at)
            SELECT k, creator_id, NULL, 'Web benchmark', %(opened)s FROM bench_offer ORDER BY k
            """,
            params,
        )
        cursor.execute(
            "UPDATE accounts_creatorprofile SET bio = %(bio)s "
            "WHERE id IN (SELECT creator_id FROM bench_offer)",
            {"bio": "Everyday looks in five minutes. Subscribers get the long cuts and the chat."},
        )
        counts["packages"] = self.execute(
            cursor,
            "packages",
            """
            INSERT INTO subscriptions_package (id, creator_id, name, description, currency,
                monthly_price_minor, annual_price_minor, has_trial, member_cap, includes_chat,
                includes_emojis, position, published_at, created_at, updated_at)
            SELECT (o.k - 1) * %(n_packages)s + p.position, o.creator_id, p.name,
                   'Exclusive posts' || CASE WHEN p.chat THEN ' and the subscriber chat' ELSE ''
                   END || '.', %(currency)s, p.monthly, p.annual, p.trial, NULL, p.chat,
                   p.emojis, p.position, %(opened)s, %(opened)s, %(opened)s
            FROM bench_offer o CROSS JOIN unnest(%(names)s::text[], %(monthly)s::int[],
                %(annual)s::int[], %(trial)s::bool[], %(chat)s::bool[], %(emojis)s::bool[])
                WITH ORDINALITY AS p(name, monthly, annual, trial, chat, emojis, position)
            ORDER BY 1
            """,
            {
                **params,
                "names": names,
                "monthly": monthly,
                "annual": annual,
                "trial": trial,
                "chat": chat,
                "emojis": emojis,
            },
        )
        self.execute(
            cursor,
            "hand-made perks",
            """
            INSERT INTO subscriptions_customperk (id, package_id, name, description, cadence,
                                                  created_at)
            SELECT pkg.id, pkg.id, p.perk, '', %(cadence)s, %(opened)s
            FROM subscriptions_package pkg
            JOIN unnest(%(perks)s::text[]) WITH ORDINALITY AS p(perk, position)
              ON p.position = pkg.position
            WHERE p.perk <> '' ORDER BY pkg.id
            """,
            {**params, "perks": perks, "cadence": PerkCadence.MONTHLY.value},
        )
        # Who subscribes to which offering creator (k) and package: the busy room's fans
        # first, then one to three other creators for every fan, consecutive k, so distinct.
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_sub AS
            SELECT fan, k, position,
                   %(now)s - make_interval(mins => floor(330 * 1440 * {u("fan * 65536 + k", 40)})
                                                   ::int) AS started
            FROM (
                SELECT n AS fan, 1 AS k, %(room_package)s AS position
                FROM generate_series(1, %(room_fans)s) n
                UNION ALL
                SELECT n, 2 + mod(floor({u("n", 41)} * (%(offers)s - 1))::int + j - 1,
                                  %(offers)s - 1),
                       CASE WHEN {u("n * 4 + j", 42)} < 0.5 THEN 1
                            WHEN {u("n * 4 + j", 42)} < 0.85 THEN 2 ELSE 3 END
                FROM generate_series(1, %(fans)s) n CROSS JOIN generate_series(1, 3) j
                WHERE %(offers)s > 1
                  AND j <= LEAST(%(offers)s - 1, 1 + floor(3 * {u("n", 43)})::int)
            ) s
            """,
            {**self.params, **params},
        )
        counts["subscriptions"] = self.execute(
            cursor,
            "subscriptions",
            """
            INSERT INTO subscriptions_subscription (id, fan_id, creator_id, package_id, billing,
                price_minor, currency, card_id, state, started_at, current_period_start,
                current_period_end, cancel_at_period_end, next_package_id, next_billing,
                past_due_since, ended_at, founder_number, months_paid, request_key, created_at,
                updated_at)
            SELECT row_number() OVER (ORDER BY s.started, s.fan, s.k), %(creators)s + s.fan,
                   o.creator_id, pkg.id, %(monthly_billing)s, pkg.monthly_price_minor,
                   pkg.currency, s.fan, %(active)s, s.started,
                   s.started + s.months * interval '1 month',
                   s.started + (s.months + 1) * interval '1 month',
                   FALSE, NULL, '', NULL, NULL, CASE WHEN s.rank <= 10 THEN s.rank END,
                   s.months + 1, '', s.started, %(now)s
            FROM (
                -- The periods paid before this one: whole months since it started, one more
                -- where a month's end (31 January plus a month...) makes age() count short.
                SELECT a.*, a.aged + (a.started + (a.aged + 1) * interval '1 month' <= %(now)s)
                           ::int AS months
                FROM (
                    SELECT b.*, row_number() OVER (PARTITION BY b.k ORDER BY b.started, b.fan)
                               AS rank,
                           (date_part('year', age(%(now)s, b.started)) * 12
                            + date_part('month', age(%(now)s, b.started)))::int AS aged
                    FROM bench_sub b
                ) a
            ) s
            JOIN bench_offer o ON o.k = s.k
            JOIN subscriptions_package pkg ON pkg.id = (s.k - 1) * %(n_packages)s + s.position
            ORDER BY 1
            """,
            params,
        )
        counts["posts"] = self.execute(
            cursor,
            "exclusive posts",
            f"""
            INSERT INTO subscriptions_post (id, creator_id, title, body, body_html, teaser,
                                            image, video_url, published_at, created_at)
            SELECT id, creator_id, title, %(body)s, %(body_html)s, %(teaser)s, '', '',
                   published, published
            FROM (
                SELECT (o.k - 1) * %(posts)s + j AS id, o.creator_id,
                       (%(titles)s::text[])[1 + floor({u("o.k * 4096 + j", 44)} * %(n_titles)s)
                           ::int] || ' #' || (%(posts)s - j + 1) AS title,
                       %(now)s - make_interval(
                           hours => ((j - 1) * 146 + floor(24 * {u("o.k * 4096 + j", 45)}))::int)
                           AS published
                FROM bench_offer o CROSS JOIN generate_series(1, %(posts)s) j
            ) p
            ORDER BY id
            """,
            # Rendered and sanitised as publishing a post renders it.
            {
                **params,
                "body": POST_BODY,
                "body_html": markdown.render_markdown(POST_BODY),
                "teaser": markdown.teaser(POST_BODY),
            },
        )
        self.execute(
            cursor,
            "posts' packages",
            f"""
            INSERT INTO subscriptions_post_packages (id, post_id, package_id)
            SELECT row_number() OVER (ORDER BY p.id, pkg.position), p.id, pkg.id
            FROM subscriptions_post p
            JOIN subscriptions_package pkg ON pkg.creator_id = p.creator_id
            WHERE pkg.position >= 1 + floor({u("p.id", 46)} * %(n_packages)s)::int
            ORDER BY 1
            """,
            params,
        )
        counts["chat_messages"] = self.execute(
            cursor,
            "chat messages",
            f"""
            INSERT INTO subscriptions_chatmessage (id, creator_id, author_id, body, created_at,
                                                   deleted_at)
            SELECT i, %(chat_creator)s, author, body, created,
                   CASE WHEN {u("i", 47)} < 0.01 THEN created + interval '5 minutes' END
            FROM (
                SELECT i,
                       CASE WHEN {u("i", 48)} < 0.1 THEN c.user_id
                            ELSE %(creators)s + 1 + floor({u("i", 49)} * %(room_fans)s)::int
                       END AS author,
                       (%(lines)s::text[])[1 + floor({u("i", 50)} * %(n_lines)s)::int] AS body,
                       %(now)s - make_interval(secs => (%(messages)s - i) * 14 * 86400.0
                                                       / %(messages)s + 60) AS created
                FROM generate_series(1, %(messages)s) i
                CROSS JOIN accounts_creatorprofile c
                WHERE c.id = %(chat_creator)s
            ) m
            ORDER BY i
            """,
            params,
        )
        cursor.execute("DROP TABLE bench_offer, bench_sub")
        return counts

    def _rule_periods(self) -> list[tuple[date, date, list[EarningRule]]]:
        """The seeded days cut where the rules in force change."""
        periods: list[tuple[date, date, list[EarningRule]]] = []
        for i in range(self.plan.days):
            day = self.plan.first + timedelta(days=i)
            rules = [r for _, r in sorted(points.rules_in_force(day).items())]
            if periods and [r.pk for r in periods[-1][2]] == [r.pk for r in rules]:
                periods[-1] = (periods[-1][0], day, rules)
            else:
                periods.append((day, day, rules))
        return [period for period in periods if period[2]]


def _gift_png(colour: str) -> ContentFile:
    """A tiny PNG of one colour: the gift's picture (its bytes do not matter here)."""
    data = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(data, "PNG")
    return ContentFile(data.getvalue())


def _email_sql(column: str, pattern: str = EMAIL_PATTERN) -> str:
    before, after = pattern.split("{n}")
    return f"'{before}' || {column} || '{after}'"


# A day's entries from the recalculation's amounts (`amounts(creator_id, metric, measured)`
# for creators lo..hi on `day`): what is due under the rules in force, as its plan computes
# it, posted as its first run of the day posts it. (The seed runs no authenticity pass: its
# numbers never look like bots, so the pass would flag nothing.) Sorted narrow, then widened:
# the key strings are built after the sort.
# What the nightly run would have posted for a day on an empty ledger: every amount due,
# from the recalculation's own SQL (recalculation.due_sql), as a first EARNED entry.
ENTRIES_SQL = f"""
    WITH {{due}}
    INSERT INTO rewards_pointsentry (account_id, amount, kind, metric, rule_id, activity_date,
        measured, carried_in, idempotency_key, memo, created_at, run_id)
    SELECT creator_id, due, '{EntryKind.EARNED}', metric, rule_id, %(day)s, measured, carried_in,
           'recalc:' || creator_id || ':' || %(day_text)s || ':' || metric || ':0',
           '', {{posted_at}}, %(run)s
    FROM (SELECT * FROM due WHERE due > 0 ORDER BY creator_id) posted
"""

# Each run's figures, as the recalculation would have recorded them.
RUN_TOTALS_SQL = """
    UPDATE rewards_recalcrun run
    SET entries_posted = t.n, points_delta = t.total, day_total_due = t.total,
        previous_day_total = COALESCE(t.previous, 0)
    FROM (
        SELECT activity_date, COUNT(*) AS n, SUM(amount) AS total,
               LAG(SUM(amount)) OVER (ORDER BY activity_date) AS previous
        FROM rewards_pointsentry GROUP BY activity_date
    ) t
    WHERE run.day = t.activity_date
"""
