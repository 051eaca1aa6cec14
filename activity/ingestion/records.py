"""Reading one record: its type, its fields, and whether every value fits the rules and every
column it reaches. Plain Python, one pass per record; what only the database can tell (does the
creator exist, has the record moved) is for `writes`.

Messages follow Django's form fields ("Enter a whole number"), which the platform's
integrations already know from earlier answers.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from django_countries import countries as iso_countries

from accounts.models import CreatorProfile
from core.clock import rewards_today

from ..models import (
    OTHER_COUNTRIES,
    AgeBand,
    AudienceGender,
    CreatorDay,
    LiveSession,
    Video,
    VideoDay,
)

# What a batch holds before it is checked: decoded JSON, or a CSV row of text.
JSONValue: TypeAlias = dict[str, "JSONValue"] | list["JSONValue"] | str | int | float | bool | None

# A checked record: field name to a value of its column's type.
Values: TypeAlias = dict[str, Any]

# Far beyond any real count; sums over many videos times points per unit stay inside the
# database's 64-bit integers (see rewards.points). Lower where a column is narrower.
MAX_COUNT = 10**11


class Rejected(Exception):
    """A record refused, naming the field and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


@dataclass(frozen=True, slots=True)
class Window:
    """The days and moments a record may speak of: from ACTIVITY_EARLIEST_DATE to now. Read
    once per batch."""

    first_day: date
    today: date
    first_moment: datetime
    now: datetime

    @classmethod
    def current(cls) -> "Window":
        first = settings.ACTIVITY_EARLIEST_DATE
        return cls(
            first_day=first,
            today=rewards_today(),
            first_moment=datetime.combine(first, time.min, tzinfo=UTC),
            now=timezone.now(),
        )

    @property
    def too_early(self) -> str:
        return f"is before {self.first_day:%Y-%m-%d}, the earliest day accepted"


def _required() -> Rejected:
    return Rejected("", "This field is required")


@dataclass(frozen=True, slots=True)
class Text:
    max_length: int

    def read(self, value: str | None, window: Window) -> str:
        # The type (text) and the encoding (no lone surrogates) were checked for the whole record.
        value = value.strip() if value is not None else ""
        if not value:
            raise _required()
        if len(value) > self.max_length:
            raise Rejected(
                "",
                f"Ensure this value has at most {self.max_length} characters (it has {len(value)})",
            )
        if "\x00" in value:
            raise Rejected("", "Null characters are not allowed")
        return value


def column_max(*fields: models.Field) -> int:
    """The largest integer every one of these columns holds, on any database Django supports."""
    ranges = BaseDatabaseOperations.integer_field_ranges
    return min(ranges[field.get_internal_type()][1] for field in fields)


_DECIMAL_TAIL = forms.IntegerField.re_decimal


@dataclass(frozen=True, slots=True)
class Count:
    """A whole number from `low` to `high`; missing means 0 unless required."""

    high: int
    low: int = 0
    required: bool = False

    @classmethod
    def into(
        cls, *columns: models.Field, high: int = MAX_COUNT, low: int = 0, required: bool = False
    ) -> "Count":
        return cls(high=min(high, column_max(*columns)), low=low, required=required)

    def read(self, value: JSONValue, window: Window) -> int:
        if type(value) is not int:
            if value is None or value == "":
                if self.required:
                    raise _required()
                return 0
            if isinstance(value, bool | list | dict):
                raise Rejected("", "Enter a whole number")
            try:
                # As Django's IntegerField reads it: "5", " 5 ", 5.0 and "5.00" are 5.
                value = int(_DECIMAL_TAIL.sub("", str(value)))
            except ValueError:
                raise Rejected("", "Enter a whole number") from None
        if self.low <= value <= self.high:
            return value
        if value < self.low:
            raise Rejected("", f"Ensure this value is greater than or equal to {self.low}")
        raise Rejected("", f"Ensure this value is less than or equal to {self.high}")


_DATE = forms.DateField()
_DATETIME = forms.DateTimeField()


_FUTURE = "is in the future"


@dataclass(frozen=True, slots=True)
class Day:
    """A calendar date, from ACTIVITY_EARLIEST_DATE to today's rewards day."""

    def read(self, value: str | None, window: Window) -> date:
        if not value:
            raise _required()
        try:
            if len(value) == 10 and value[4] == value[7] == "-":
                day = date.fromisoformat(value)
            else:  # the other spellings Django's DateField reads
                day = _DATE.to_python(value)
        except (ValueError, ValidationError):
            raise Rejected("", "Enter a valid date") from None
        if day is None:
            raise _required()
        if day > window.today:
            raise Rejected("", _FUTURE)
        if day < window.first_day:
            raise Rejected("", window.too_early)
        return day


@dataclass(frozen=True, slots=True)
class Moment:
    """A time with its zone (UTC when none is given), from ACTIVITY_EARLIEST_DATE to now."""

    def read(self, value: str | None, window: Window) -> datetime:
        if not value:
            raise _required()
        try:
            moment = _DATETIME.to_python(value)
        except (ValueError, ValidationError):
            raise Rejected("", "Enter a valid date/time") from None
        if moment is None:
            raise _required()
        try:
            # Near year 1 or 9999 an offset can carry the time past the calendar's ends,
            # where PostgreSQL would store a date it cannot give back.
            moment = moment.astimezone(UTC)
        except OverflowError:
            raise Rejected("", _FUTURE if moment.year == 9999 else window.too_early) from None
        if moment > window.now:
            raise Rejected("", _FUTURE)
        if moment < window.first_moment:
            raise Rejected("", window.too_early)
        return moment


_FLAG_TEXT = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


@dataclass(frozen=True, slots=True)
class Flag:
    """true/false, 1/0, yes/no (JSON booleans too); missing means true."""

    def read(self, value: JSONValue, window: Window) -> bool:
        if value is None or value == "":
            return True
        if isinstance(value, bool):
            return value
        flag = _FLAG_TEXT.get(str(value)) if isinstance(value, str | int) else None
        if flag is None:
            raise Rejected(
                "", f"Select a valid choice. {value} is not one of the available choices"
            )
        return flag


def format_bp(bp: int) -> str:
    """Basis points as a percentage without trailing zeros: 4150 is "41.5"."""
    whole, rest = divmod(bp, 100)
    return f"{whole}.{rest:02d}".rstrip("0") if rest else str(whole)


WHOLE_PERCENT = 100  # basis points
# How far a split's shares may add up from 100 %: rounding each share leaves the sum a little off.
SPLIT_TOLERANCE = 1 * WHOLE_PERCENT
_HUNDRED = Decimal(100)


def _country(key: str) -> str | None:
    code = key.strip().upper()
    if code == OTHER_COUNTRIES.upper():
        return OTHER_COUNTRIES
    return code if len(code) == 2 and code in iso_countries else None


def _one_of(choices: type[models.TextChoices]) -> Callable[[str], str | None]:
    keys = frozenset(choices.values)

    def known(key: str) -> str | None:
        key = key.strip().lower()
        return key if key in keys else None

    return known


@dataclass(frozen=True, slots=True)
class Shares:
    """One split of an audience: a JSON object of keys to percentages (numbers with at most
    two decimals, or text of such a number), adding up to 100 % within SPLIT_TOLERANCE; in a
    CSV cell, the object as JSON text. Read as keys to basis points."""

    known: Callable[[str], str | None]  # the key as stored, or None when it is not one
    what: str  # what a key is, for the message naming one that is not

    def read(self, value: JSONValue, window: Window) -> dict[str, int]:
        if isinstance(value, str):
            if not value.strip():
                raise _required()
            try:
                value = json.loads(value)
            except (ValueError, RecursionError):
                value = None
            if not isinstance(value, dict):
                raise Rejected("", _NOT_AN_OBJECT)
        if value is None:
            raise _required()
        if not isinstance(value, Mapping):
            raise Rejected("", _NOT_AN_OBJECT)
        if not value:
            raise _required()
        split: dict[str, int] = {}
        for key, share in value.items():
            stored = self.known(key) if isinstance(key, str) else None
            if stored is None:
                raise Rejected("", f"{key!r} is not {self.what}")
            if stored in split:
                raise Rejected("", f"{key!r} appears twice")
            split[stored] = _basis_points(key, share)
        total = sum(split.values())
        if abs(total - 100 * WHOLE_PERCENT) > SPLIT_TOLERANCE:
            raise Rejected(
                "",
                f"The shares add up to {format_bp(total)} %; they must add up to 100 % "
                f"(± {format_bp(SPLIT_TOLERANCE)})",
            )
        return split


_NOT_AN_OBJECT = 'Enter a JSON object of shares in percent, such as {"female": 60, "male": 40}'


def _basis_points(key: str, share: JSONValue) -> int:
    """A percentage from 0 to 100 with at most two decimals, as basis points."""
    if isinstance(share, bool) or not isinstance(share, int | float | str):
        raise Rejected("", f"{key!r}: Enter a number")
    try:
        if isinstance(share, int):
            percent = Decimal(share)
        else:
            # repr: the float as the JSON wrote it (41.5, not its binary neighbour).
            percent = Decimal(repr(share) if isinstance(share, float) else share.strip())
    except InvalidOperation:
        raise Rejected("", f"{key!r}: Enter a number") from None
    if not percent.is_finite():
        raise Rejected("", f"{key!r}: Enter a number")
    if percent < 0:
        raise Rejected("", f"{key!r}: Ensure this value is greater than or equal to 0")
    if percent > _HUNDRED:
        raise Rejected("", f"{key!r}: Ensure this value is less than or equal to 100")
    bp = percent * WHOLE_PERCENT
    if bp != bp.to_integral_value():
        raise Rejected("", f"{key!r}: Ensure that there are no more than 2 decimal places")
    return int(bp)


Reader: TypeAlias = Text | Count | Day | Moment | Flag | Shares


@dataclass(frozen=True)
class RecordType:
    """One kind of record: its fields in the order they are checked, and the rules between
    them."""

    name: str
    fields: dict[str, Reader]
    rules: Callable[[Values], None] | None = None


def _counts_consistent(values: Values) -> None:
    for name in ("views_5s", "bot_views"):
        if values[name] > values["views"]:
            raise Rejected(name, "is more than views")
    if values["bot_likes"] > values["likes"]:
        raise Rejected("bot_likes", "is more than likes")


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)  # type: ignore[return-value]


_RECORD_ID = Text(max_length=64)

RECORD_TYPES: dict[str, RecordType] = {
    kind.name: kind
    for kind in (
        RecordType(
            "video",
            {
                "id": _RECORD_ID,
                "creator": Text(max_length=25),  # the creator's @handle
                "title": Text(max_length=_field(Video, "title").max_length),
                "published_at": Moment(),
                "duration_s": Count.into(
                    _field(Video, "duration_s"), low=1, high=24 * 60 * 60, required=True
                ),
                "original": Flag(),
            },
        ),
        RecordType(
            "video_day",
            {
                "id": _RECORD_ID,
                "video": Text(max_length=64),  # the video's platform id
                "date": Day(),
                **{name: Count.into(_field(VideoDay, name)) for name in VideoDay.COUNTS},
            },
            rules=_counts_consistent,
        ),
        RecordType(
            "creator_day",
            {
                "id": _RECORD_ID,
                "creator": Text(max_length=25),
                "date": Day(),
                # The latest day's count is also shown on the profile.
                "followers": Count.into(
                    _field(CreatorDay, "followers"), _field(CreatorProfile, "followers")
                ),
                "replies": Count.into(_field(CreatorDay, "replies")),
                "live_minutes": Count.into(_field(CreatorDay, "live_minutes"), high=24 * 60),
            },
        ),
        RecordType(
            "live_session",
            {
                "id": _RECORD_ID,
                "creator": Text(max_length=25),
                "started_at": Moment(),
                "minutes": Count.into(
                    _field(LiveSession, "minutes"), low=1, high=24 * 60, required=True
                ),
                "peak_viewers": Count.into(_field(LiveSession, "peak_viewers")),
            },
        ),
        RecordType(
            "audience_day",
            {
                "id": _RECORD_ID,
                "creator": Text(max_length=25),
                "date": Day(),
                "countries": Shares(
                    _country, f"an ISO 3166-1 alpha-2 country code or {OTHER_COUNTRIES!r}"
                ),
                "age_bands": Shares(
                    _one_of(AgeBand), f"an age band ({', '.join(map(repr, AgeBand.values))})"
                ),
                "genders": Shares(
                    _one_of(AudienceGender),
                    f"a gender ({', '.join(map(repr, AudienceGender.values))})",
                ),
            },
        ),
    )
}

# Fields read as text; a number or a list there is a wrong type. Checked on every record,
# whatever its type, as before the schema was plain Python.
TEXT_FIELDS = ("id", "creator", "video", "title", "date", "published_at", "started_at")


def is_text(value: str) -> bool:
    """Whether `value` can be stored as text: JSON's \\ud800-\\udfff escapes and undecodable
    file bytes come in as lone surrogates, which no database encoding takes."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


NOT_TEXT = "is not valid Unicode text (it holds a lone surrogate, such as \\udfff)"


def reported_id(record: JSONValue) -> str | None:
    """The record's id as an answer may repeat it: text that is valid Unicode, or None."""
    if isinstance(record, Mapping):
        record_id = record.get("id")
        if isinstance(record_id, str) and is_text(record_id):
            return record_id
    return None


def check_record(record: JSONValue, window: Window) -> tuple[RecordType, Values]:
    """The record's type and its values, each of its column's type and within its bounds; or
    Rejected for the first field at fault. (Runs for every record of a million-record file:
    plain loops, no per-field exceptions on the way through.)"""
    if type(record) is not dict and not isinstance(record, Mapping):
        raise Rejected("record", "is not a JSON object")
    get = record.get
    kind_name = get("type")
    kind = RECORD_TYPES.get(kind_name) if type(kind_name) is str else None
    if kind is None:
        raise Rejected("type", f"must be one of {', '.join(RECORD_TYPES)}")
    for name in TEXT_FIELDS:
        value = get(name)
        if value is not None and type(value) is not str and not isinstance(value, str):
            raise Rejected(name, "must be a text value")
    values: Values = {}
    for name, reader in kind.fields.items():
        value = get(name)
        if type(value) is str and not value.isascii() and not is_text(value):
            raise Rejected(name, NOT_TEXT)
        try:
            values[name] = reader.read(value, window)
        except Rejected as rejected:
            raise Rejected(name, rejected.reason) from None
    if kind.rules is not None:
        kind.rules(values)
    return kind, values
