"""Writing checked records, a whole batch of one type at a time.

For each type, a query or two read what the database already holds for the batch (the rows of
its record ids, or the rows holding the video-days and creator-days it would fill), the rules
that need them are applied in Python, and whatever is new or different goes in with one
INSERT ... ON CONFLICT (record_id) DO UPDATE ... WHERE <a value differs> RETURNING record_id
(on PostgreSQL from a COPY into a temporary table). The ids the database returns are the
records written: accepted when new, updated otherwise; what it does not return was not written,
and the caller says why. A statement the database refuses is retried one record at a time,
each in its own savepoint, so one bad record never takes the others down with it.
"""

import json
import logging
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from operator import itemgetter
from typing import Any, Literal, NamedTuple, TypeAlias
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import F, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower, TruncDate

from accounts import services as accounts_services
from accounts.models import CreatorProfile

from ..models import AudienceDay, CreatorDay, LiveSession, Video, VideoDay
from .records import Rejected, Values

logger = logging.getLogger(__name__)

Outcome: TypeAlias = Literal["accepted", "updated", "unchanged"]
# Index in the batch to what became of the record.
Outcomes: TypeAlias = dict[int, Outcome | Rejected]

RACE = "was being written by another batch at the same moment; send it again"
# Values per lookup query where each is a parameter (SQLite): inside Django's limit of 999.
LOOKUP_CHUNK = 900


@dataclass(frozen=True, slots=True)
class Checked:
    """A record that passed its own checks, with its place in the batch."""

    index: int
    values: Values

    @property
    def record_id(self) -> str:
        return self.values["id"]


@dataclass(frozen=True, slots=True)
class Row:
    """A record ready to write: its column values after record_id, in the order the upsert
    names them."""

    index: int
    record_id: str
    columns: tuple


def _chunks(values: Iterable[Any], size: int) -> Iterator[list[Any]]:
    values = iter(values)
    while chunk := list(islice(values, size)):
        yield chunk


def _lookups(values: Iterable[Any], sql_type: str) -> Iterator[Any]:
    """`values` as right-hand sides of `__in`, a query's worth at a time. On PostgreSQL one
    parameter, a JSON array the server takes apart (`IN (SELECT ...)`): thousands of
    placeholders, or an array adapted item by item in Python, cost more than the query itself.
    Elsewhere, lists within the parameter limit."""
    if connection.vendor == "postgresql":
        if values := list(values):
            yield RawSQL(
                f"SELECT jsonb_array_elements_text(%s::jsonb)::{sql_type}",
                [json.dumps(values, default=str)],  # dates as YYYY-MM-DD
            )
        return
    yield from _chunks(values, LOOKUP_CHUNK)


def handle_key(handle: str) -> str:
    return handle.removeprefix("@").lower()


def creators_by_handle(handles: Iterable[str]) -> dict[str, int]:
    """Creator ids by handle key (lower case, no @), for the handles that exist."""
    found: dict[str, int] = {}
    for keys in _lookups({handle_key(handle) for handle in handles}, "text"):
        # Lower(handle) is what the unique index on handles holds.
        found.update(
            CreatorProfile.objects.annotate(key=Lower("handle"))
            .filter(key__in=keys)
            .values_list("key", "pk")
            .order_by()
        )
    return found


class _Upsert:
    """INSERT ... ON CONFLICT (record_id) DO UPDATE of rows (record_id, *fixed, *changing,
    updated_at) into `model`'s table. A stored row takes the new values only while its `fixed`
    columns match and some `changing` column differs; the statement returns the record_id of
    each row it wrote. (PostgreSQL and SQLite 3.35+ alike.)"""

    def __init__(
        self, model: type[models.Model], fixed: Sequence[str], changing: Sequence[str]
    ) -> None:
        quote = connection.ops.quote_name
        column = {field.name: quote(field.column) for field in model._meta.concrete_fields}
        self.names = ["record_id", *fixed, *changing, "updated_at"]
        self.columns = ", ".join(column[name] for name in self.names)
        self.table, self.key = quote(model._meta.db_table), column["record_id"]
        self.stage = quote(f"ingest_{model._meta.db_table}")
        new_values = ", ".join(
            f"{column[name]} = EXCLUDED.{column[name]}" for name in [*changing, "updated_at"]
        )
        same = [f"stored.{column[name]} = EXCLUDED.{column[name]}" for name in fixed]
        differs = " OR ".join(f"stored.{column[n]} <> EXCLUDED.{column[n]}" for n in changing)
        self.on_conflict = (
            f"ON CONFLICT ({self.key}) DO UPDATE SET {new_values} "
            f"WHERE {' AND '.join([*same, f'({differs})'])} RETURNING {self.key}"
        )

    def __call__(self, rows: Sequence[Row], now: datetime) -> set[str]:
        """Write `rows`; the record ids the database says it wrote."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                self._stage(cursor, rows, now)
                cursor.execute(
                    f"INSERT INTO {self.table} AS stored ({self.columns}) SELECT {self.columns} "
                    f"FROM {self.stage} ORDER BY {self.key} {self.on_conflict}"
                )
                return {record_id for (record_id,) in cursor.fetchall()}
            written: set[str] = set()
            per_statement = connection.features.max_query_params // len(self.names)
            row_marks = "(" + ", ".join(["%s"] * len(self.names)) + ")"
            stamp = connection.ops.adapt_datetimefield_value(now)
            for chunk in _chunks(rows, per_statement):
                params = [
                    value
                    for row in chunk
                    for value in (row.record_id, *map(_db_value, row.columns), stamp)
                ]
                cursor.execute(
                    f"INSERT INTO {self.table} AS stored ({self.columns}) "
                    f"VALUES {', '.join([row_marks] * len(chunk))} {self.on_conflict}",
                    params,
                )
                written.update(record_id for (record_id,) in cursor.fetchall())
            return written

    def _stage(self, cursor: CursorWrapper, rows: Sequence[Row], now: datetime) -> None:
        """COPY the rows into a temporary table of the same columns, dropped at commit."""
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.stage} ON COMMIT DROP AS "
            f"SELECT {self.columns} FROM {self.table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {self.stage}")  # used before in this transaction
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {self.stage} ({self.columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row((row.record_id, *row.columns, now))


def _db_value(value: Any) -> Any:
    """Dates and times as SQLite stores them."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _write(
    model: type[models.Model],
    rows: list[Row],
    *,
    stored: Container[str],
    fixed: Sequence[str],
    changing: Sequence[str],
    now: datetime,
    outcomes: Outcomes,
) -> list[Row]:
    """Upsert `rows` and record the outcome of each one written: accepted when new, updated
    when `stored` held it. The rows not written, for the caller to explain (a fixed column that
    differs, or another batch that got there first)."""
    if not rows:
        return []
    # One order for every batch, so two batches writing the same rows never deadlock.
    rows.sort(key=lambda row: row.record_id)
    upsert = _Upsert(model, fixed, changing)
    try:
        with transaction.atomic():
            written = upsert(rows, now)
    except DatabaseError:
        logger.warning("Writing %s rows together failed; one at a time.", model, exc_info=True)
        written = set()
        for row in rows:
            try:
                with transaction.atomic():
                    written |= upsert([row], now)
            except IntegrityError:
                # A unique key taken between our read and this write.
                outcomes[row.index] = Rejected("id", RACE)
            except DatabaseError as exc:
                logger.exception("Record %r of %s could not be stored.", row.record_id, model)
                reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
                outcomes[row.index] = Rejected(
                    "record", f"could not be stored ({type(exc).__name__}: {reason})"
                )
    unwritten = []
    for row in rows:
        if row.record_id in written:
            outcomes[row.index] = "updated" if row.record_id in stored else "accepted"
        elif row.index not in outcomes:
            unwritten.append(row)
    return unwritten


def _raced(rows: Iterable[Row], outcomes: Outcomes) -> None:
    """Rows the upsert did not write although nothing stored stood in their way: another
    batch wrote them between our read and our write."""
    for row in rows:
        outcomes[row.index] = Rejected("id", RACE)


def _by_record_id(
    queryset: models.QuerySet, record_ids: Iterable[str], fields: Sequence[str]
) -> dict[str, tuple]:
    """What the database holds for these record ids: record_id to the values of `fields`."""
    return {
        record_id: tuple(values)
        for record_id, *values in _rows(
            queryset, "record_id", record_ids, "text", ("record_id", *fields)
        )
    }


def _creator_of(item: Checked, creators: Mapping[str, int], outcomes: Outcomes) -> int | None:
    creator_id = creators.get(handle_key(item.values["creator"]))
    if creator_id is None:
        outcomes[item.index] = Rejected(
            "creator", f"no creator with handle {item.values['creator']!r}"
        )
    return creator_id


VIDEO_FIELDS = ("creator_id", "title", "published_at", "duration_s", "is_original")


def store_videos(
    items: Sequence[Checked], creators: Mapping[str, int], now: datetime, outcomes: Outcomes
) -> None:
    """A video stays with its creator; its title, time, length and originality may change."""
    stored = _by_record_id(Video.objects, (item.record_id for item in items), VIDEO_FIELDS)
    rows: list[Row] = []
    for item in items:
        creator_id = _creator_of(item, creators, outcomes)
        if creator_id is None:
            continue
        v = item.values
        columns = (creator_id, v["title"], v["published_at"], v["duration_s"], v["original"])
        before = stored.get(item.record_id)
        if before is not None and before[0] != creator_id:
            outcomes[item.index] = Rejected("creator", "a video cannot move to another creator")
        elif before == columns:
            outcomes[item.index] = "unchanged"
        else:
            rows.append(Row(item.index, item.record_id, columns))
    unwritten = _write(
        Video,
        rows,
        stored=stored,
        fixed=["creator"],
        changing=["title", "published_at", "duration_s", "is_original"],
        now=now,
        outcomes=outcomes,
    )
    _raced(unwritten, outcomes)


class _Video(NamedTuple):
    pk: int
    creator_id: int
    published_on: date


def _videos(record_ids: Iterable[str]) -> dict[str, _Video]:
    # The day of publication in SQL: loading the time itself costs more than the query.
    published_on = TruncDate("published_at", tzinfo=ZoneInfo(settings.REWARDS_DAY_TZ))
    return {
        record_id: _Video._make(video)
        for record_id, *video in _rows(
            Video.objects.annotate(published_on=published_on),
            "record_id",
            set(record_ids),
            "text",
            ("record_id", "pk", "creator_id", "published_on"),
        )
    }


def _holders(
    model: type[models.Model], owner: str, pairs: Iterable[tuple[int, date]], values: Sequence[str]
) -> dict[tuple[int, date], tuple]:
    """Who holds each (owner id, day) in the database: the pair to (record_id, *values)."""
    quote = connection.ops.quote_name
    columns = f"({quote(model._meta.get_field(owner).column)}, {quote('day')})"
    held: dict[tuple[int, date], tuple] = {}
    # The pairs themselves, not owners and days apart: looked up through the (owner, day)
    # unique index whatever the planner thinks of the table, as one join or in chunks.
    pairs = [(owner_id, day.isoformat()) for owner_id, day in set(pairs)]
    if connection.vendor == "postgresql":
        conditions = [
            RawSQL(
                f"{columns} IN (SELECT (p->>0)::bigint, (p->>1)::date "
                "FROM jsonb_array_elements(%s::jsonb) AS p)",
                [json.dumps(pairs)],
                output_field=models.BooleanField(),
            )
        ]
    else:
        conditions = [
            RawSQL(
                f"{columns} IN (VALUES {', '.join(['(%s, %s)'] * len(chunk))})",
                [value for pair in chunk for value in pair],
                output_field=models.BooleanField(),
            )
            for chunk in _chunks(pairs, LOOKUP_CHUNK // 2)
        ]
    for condition in conditions if pairs else []:
        for owner_id, day, *holder in (
            model.objects.filter(condition)
            .values_list(f"{owner}_id", "day", "record_id", *values)
            .order_by()
        ):
            held[(owner_id, day)] = tuple(holder)
    return held


def _rows(
    queryset: models.QuerySet,
    key: str,
    keys: Iterable[Any],
    array_type: str,
    fields: Sequence[str],
) -> Iterator[tuple]:
    for lookup in _lookups(keys, array_type):
        yield from queryset.filter(**{f"{key}__in": lookup}).values_list(*fields).order_by()


_counts = itemgetter(*VideoDay.COUNTS)


def store_video_days(items: Sequence[Checked], now: datetime, outcomes: Outcomes) -> None:
    """A video-day belongs to one video and one date for good; its numbers may change. One
    record per video and date."""
    videos = _videos(item.values["video"] for item in items)
    placed: list[tuple[Checked, _Video]] = []
    for item in items:
        video = videos.get(item.values["video"])
        if video is None:
            outcomes[item.index] = Rejected("video", f"no video with id {item.values['video']!r}")
        elif item.values["date"] < video.published_on:
            outcomes[item.index] = Rejected("date", "is before the video was published")
        else:
            placed.append((item, video))
    # Who holds each video and day; a record id stored elsewhere shows when the upsert, which
    # never moves a row, does not write it.
    held = _holders(
        VideoDay,
        "video",
        ((video.pk, item.values["date"]) for item, video in placed),
        ["creator_id", *VideoDay.COUNTS],
    )
    stored: set[str] = set()
    rows: list[Row] = []
    for item, video in placed:
        v, pair = item.values, (video.pk, item.values["date"])
        holder = held.setdefault(pair, (item.record_id,))
        if holder[0] != item.record_id:
            outcomes[item.index] = Rejected(
                "date", "another record already holds this video's numbers for that day"
            )
            continue
        columns = (video.creator_id, *_counts(v))
        if holder[1:] == columns:
            outcomes[item.index] = "unchanged"
            continue
        if len(holder) > 1:
            stored.add(item.record_id)
        rows.append(Row(item.index, item.record_id, (*pair, *columns)))
    unwritten = _write(
        VideoDay,
        rows,
        stored=stored,
        fixed=["video", "day"],
        changing=["creator", *VideoDay.COUNTS],
        now=now,
        outcomes=outcomes,
    )
    elsewhere = _by_record_id(VideoDay.objects, [row.record_id for row in unwritten], ())
    for row in unwritten:
        outcomes[row.index] = (
            Rejected("record", "a video day cannot move to another video or date")
            if row.record_id in elsewhere
            else Rejected("id", RACE)
        )


CREATOR_DAY_VALUES = ("followers", "replies", "live_minutes")


def store_creator_days(
    items: Sequence[Checked], creators: Mapping[str, int], now: datetime, outcomes: Outcomes
) -> set[int]:
    """One record per creator and date; a record sent again with another date or creator moves
    there, as long as no other record holds that day. The creators whose days were sent (and
    those a moved day left), whose profiles show the followers of their latest day."""
    placed = [
        (item, creator_id)
        for item in items
        if (creator_id := _creator_of(item, creators, outcomes)) is not None
    ]
    stored = _by_record_id(
        CreatorDay.objects,
        [item.record_id for item, _ in placed],
        ("creator_id", "day", *CREATOR_DAY_VALUES),
    )
    holders = {
        pair: holder[0]
        for pair, holder in _holders(
            CreatorDay,
            "creator",
            ((creator_id, item.values["date"]) for item, creator_id in placed),
            [],
        ).items()
    }
    rows: list[Row] = []
    touched: set[int] = set()
    for item, creator_id in placed:
        v, pair = item.values, (creator_id, item.values["date"])
        if holders.setdefault(pair, item.record_id) != item.record_id:
            outcomes[item.index] = Rejected(
                "date", "another record already holds this creator's numbers for that day"
            )
            continue
        touched.add(creator_id)
        columns = (*pair, *(v[name] for name in CREATOR_DAY_VALUES))
        before = stored.get(item.record_id)
        if before == columns:
            outcomes[item.index] = "unchanged"
            continue
        if before is not None:
            touched.add(before[0])
        rows.append(Row(item.index, item.record_id, columns))
    unwritten = _write(
        CreatorDay,
        rows,
        stored=stored,
        fixed=[],
        changing=["creator", "day", *CREATOR_DAY_VALUES],
        now=now,
        outcomes=outcomes,
    )
    _raced(unwritten, outcomes)
    return touched


def show_latest_followers(creator_ids: set[int]) -> None:
    """Bring each profile's followers to those of the creator's latest day, in two queries
    whatever the number of creators; profiles already showing them are not written."""
    latest = CreatorDay.objects.filter(creator=OuterRef("pk")).order_by("-day").values("followers")
    followers: dict[int, int] = {}
    for ids in _lookups(creator_ids, "bigint"):
        followers.update(
            CreatorProfile.objects.filter(pk__in=ids)
            .annotate(latest=Subquery(latest[:1]))
            .exclude(latest=None)
            .exclude(followers=F("latest"))
            .values_list("pk", "latest")
            .order_by()
        )
    accounts_services.record_followers_of_many(followers=followers)


LIVE_SESSION_VALUES = ("started_at", "minutes", "peak_viewers")


def store_live_sessions(
    items: Sequence[Checked], creators: Mapping[str, int], now: datetime, outcomes: Outcomes
) -> None:
    stored = _by_record_id(
        LiveSession.objects,
        (item.record_id for item in items),
        ("creator_id", *LIVE_SESSION_VALUES),
    )
    rows: list[Row] = []
    for item in items:
        creator_id = _creator_of(item, creators, outcomes)
        if creator_id is None:
            continue
        columns = (creator_id, *(item.values[name] for name in LIVE_SESSION_VALUES))
        if stored.get(item.record_id) == columns:
            outcomes[item.index] = "unchanged"
        else:
            rows.append(Row(item.index, item.record_id, columns))
    unwritten = _write(
        LiveSession,
        rows,
        stored=stored,
        fixed=[],
        changing=["creator", *LIVE_SESSION_VALUES],
        now=now,
        outcomes=outcomes,
    )
    _raced(unwritten, outcomes)


AUDIENCE_SPLITS = tuple(AudienceDay.SPLITS.values())


def store_audience_days(
    items: Sequence[Checked], creators: Mapping[str, int], now: datetime, outcomes: Outcomes
) -> None:
    """One record per creator and date, as creator-days: a record sent again with another date
    or creator moves there, as long as no other record holds that day; its splits may change."""
    placed = [
        (item, creator_id)
        for item in items
        if (creator_id := _creator_of(item, creators, outcomes)) is not None
    ]
    stored = _by_record_id(
        AudienceDay.objects,
        [item.record_id for item, _ in placed],
        ("creator_id", "day", *AUDIENCE_SPLITS),
    )
    holders = {
        pair: holder[0]
        for pair, holder in _holders(
            AudienceDay,
            "creator",
            ((creator_id, item.values["date"]) for item, creator_id in placed),
            [],
        ).items()
    }
    rows: list[Row] = []
    for item, creator_id in placed:
        v, pair = item.values, (creator_id, item.values["date"])
        if holders.setdefault(pair, item.record_id) != item.record_id:
            outcomes[item.index] = Rejected(
                "date", "another record already holds this creator's audience for that day"
            )
            continue
        # Splits compare as dicts here, in any key order; they are written as JSON text, which
        # PostgreSQL's COPY and SQLite alike take for a JSON column.
        if stored.get(item.record_id) == (*pair, *(v[name] for name in AUDIENCE_SPLITS)):
            outcomes[item.index] = "unchanged"
            continue
        splits = (json.dumps(_largest_first(v[name])) for name in AUDIENCE_SPLITS)
        rows.append(Row(item.index, item.record_id, (*pair, *splits)))
    unwritten = _write(
        AudienceDay,
        rows,
        stored=stored,
        fixed=[],
        changing=["creator", "day", *AUDIENCE_SPLITS],
        now=now,
        outcomes=outcomes,
    )
    _raced(unwritten, outcomes)


def _largest_first(split: Mapping[str, int]) -> dict[str, int]:
    """One key order for a split: on SQLite, where JSON is text, the upsert's comparison then
    sees the same split as the same value."""
    return dict(sorted(split.items(), key=lambda share: (-share[1], share[0])))
