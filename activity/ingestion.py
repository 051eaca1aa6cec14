"""Taking in batches of activity records, from the API and from import_activity alike.

Each record is checked on its own: good records land even when others in the batch are
bad, and each rejection names the record's index, the field and the reason. A record id
seen before updates that row in place, so re-sending a batch changes nothing.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, TypeAlias

from django import forms
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import CreatorProfile
from core.clock import rewards_day_of, rewards_today

from .models import CreatorDay, LiveSession, Video, VideoDay

# What a batch holds before it is checked: decoded JSON, or a CSV row of text.
JSONValue: TypeAlias = dict[str, "JSONValue"] | list["JSONValue"] | str | int | float | bool | None

# Names one of IngestReport's lists, so a record's store() can answer nothing else.
Outcome: TypeAlias = Literal["accepted", "updated", "unchanged"]


@dataclass
class Rejection:
    index: int
    record_id: str | None
    field: str
    reason: str

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "id": self.record_id,
            "field": self.field,
            "reason": self.reason,
        }


@dataclass
class IngestReport:
    accepted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [r.as_dict() for r in self.rejected],
            "summary": self.summary,
        }

    @property
    def summary(self) -> str:
        return (
            f"{len(self.accepted)} accepted, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.rejected)} rejected"
        )


class _Reject(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def _creator(handle: str) -> CreatorProfile:
    creator = CreatorProfile.objects.filter(handle__iexact=handle.removeprefix("@")).first()
    if creator is None:
        raise _Reject("creator", f"no creator with handle {handle!r}")
    return creator


def _upsert(model: type[models.Model], record_id: str, values: dict) -> Outcome:
    """Insert or update by record id; say which, or that nothing changed."""
    # Compare foreign keys by id, so an unchanged record reads no related rows.
    values = {
        (f"{k}_id" if isinstance(v, models.Model) else k): (
            v.pk if isinstance(v, models.Model) else v
        )
        for k, v in values.items()
    }
    row = model.objects.select_for_update().filter(record_id=record_id).first()
    if row is None:
        model.objects.create(record_id=record_id, **values)
        return "accepted"
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if not changed:
        return "unchanged"
    for name in changed:
        setattr(row, name, values[name])
    row.save(update_fields=[*changed, "updated_at"])
    return "updated"


def _refresh_followers(creator: CreatorProfile) -> None:
    """The profile shows the followers of the latest day the platform reported."""
    latest = creator.days.order_by("-day").values_list("followers", flat=True).first()
    if latest is not None:
        accounts_services.record_followers(creator=creator, followers=latest)


class RecordForm(forms.Form):
    """One record type: its fields, and how a valid record of that type is written."""

    id = forms.CharField(max_length=64)

    def clean_date(self) -> date:
        day = self.cleaned_data["date"]
        if day > rewards_today():
            raise forms.ValidationError("is in the future")
        return day

    def _not_in_future(self, name: str) -> None:
        value = self.cleaned_data.get(name)
        if value and value > timezone.now():
            self.add_error(name, "is in the future")

    def store(self) -> Outcome:
        """Write the valid record, or raise _Reject for what only the database can tell."""
        raise NotImplementedError


# Far beyond any real count; sums over many videos times points per unit stay inside the
# database's 64-bit integers (see rewards.points).
MAX_COUNT = 10**11


def _count(max_value: int = MAX_COUNT) -> forms.IntegerField:
    return forms.IntegerField(min_value=0, max_value=max_value, required=False)


class VideoRecord(RecordForm):
    creator = forms.CharField(max_length=25, help_text="the creator's @handle")
    title = forms.CharField(max_length=200)
    published_at = forms.DateTimeField()
    duration_s = forms.IntegerField(min_value=1, max_value=24 * 60 * 60)
    original = forms.TypedChoiceField(
        choices=[(v, v) for v in ("true", "false", "1", "0", "yes", "no")],
        coerce=lambda v: v in ("true", "1", "yes"),
        required=False,
        empty_value=True,
    )

    def clean(self) -> dict:
        self._not_in_future("published_at")
        return self.cleaned_data

    def store(self) -> Outcome:
        data = self.cleaned_data
        values = {
            "creator": _creator(data["creator"]),
            "title": data["title"],
            "published_at": data["published_at"],
            "duration_s": data["duration_s"],
            "is_original": data["original"],
        }
        existing = Video.objects.filter(record_id=data["id"]).values_list("creator_id", flat=True)
        if existing and existing[0] != values["creator"].pk:
            raise _Reject("creator", "a video cannot move to another creator")
        return _upsert(Video, data["id"], values)


class VideoDayRecord(RecordForm):
    video = forms.CharField(max_length=64, help_text="the video's platform id")
    date = forms.DateField()
    views = _count()
    views_5s = _count()
    likes = _count()
    comments = _count()
    shares = _count()
    watch_time_s = _count()
    bot_views = _count()
    bot_likes = _count()

    def clean(self) -> dict:
        data = self.cleaned_data
        views = data.get("views") or 0
        for name in ("views_5s", "bot_views"):
            if (data.get(name) or 0) > views:
                self.add_error(name, "is more than views")
        if (data.get("bot_likes") or 0) > (data.get("likes") or 0):
            self.add_error("bot_likes", "is more than likes")
        return data

    def store(self) -> Outcome:
        data = self.cleaned_data
        record_id = data["id"]
        video = (
            Video.objects.filter(record_id=data["video"])
            .only("id", "creator_id", "published_at")
            .first()
        )
        if video is None:
            raise _Reject("video", f"no video with id {data['video']!r}")
        if data["date"] < rewards_day_of(video.published_at):
            raise _Reject("date", "is before the video was published")
        moved = (
            VideoDay.objects.filter(record_id=record_id)
            .exclude(video=video, day=data["date"])
            .exists()
        )
        if moved:
            raise _Reject("record", "a video day cannot move to another video or date")
        clash = VideoDay.objects.filter(video=video, day=data["date"]).exclude(record_id=record_id)
        if clash.exists():
            raise _Reject("date", "another record already holds this video's numbers for that day")
        counts = {name: data[name] or 0 for name in VideoDay.COUNTS}
        return _upsert(
            VideoDay,
            record_id,
            {"video": video, "creator_id": video.creator_id, "day": data["date"], **counts},
        )


class CreatorDayRecord(RecordForm):
    creator = forms.CharField(max_length=25)
    date = forms.DateField()
    followers = _count()
    replies = _count()
    live_minutes = _count(max_value=24 * 60)

    def store(self) -> Outcome:
        data = self.cleaned_data
        record_id = data["id"]
        creator = _creator(data["creator"])
        clash = CreatorDay.objects.filter(creator=creator, day=data["date"]).exclude(
            record_id=record_id
        )
        if clash.exists():
            raise _Reject(
                "date", "another record already holds this creator's numbers for that day"
            )
        values = {
            "creator": creator,
            "day": data["date"],
            "followers": data["followers"] or 0,
            "replies": data["replies"] or 0,
            "live_minutes": data["live_minutes"] or 0,
        }
        outcome = _upsert(CreatorDay, record_id, values)
        _refresh_followers(creator)
        return outcome


class LiveSessionRecord(RecordForm):
    creator = forms.CharField(max_length=25)
    started_at = forms.DateTimeField()
    minutes = forms.IntegerField(min_value=1, max_value=24 * 60)
    peak_viewers = _count()

    def clean(self) -> dict:
        self._not_in_future("started_at")
        return self.cleaned_data

    def store(self) -> Outcome:
        data = self.cleaned_data
        values = {
            "creator": _creator(data["creator"]),
            "started_at": data["started_at"],
            "minutes": data["minutes"],
            "peak_viewers": data["peak_viewers"] or 0,
        }
        return _upsert(LiveSession, data["id"], values)


RECORD_TYPES: dict[str, type[RecordForm]] = {
    "video": VideoRecord,
    "video_day": VideoDayRecord,
    "creator_day": CreatorDayRecord,
    "live_session": LiveSessionRecord,
}


# Fields Django parses from text; a number or a list there is a wrong type, not a 500.
TEXT_FIELDS = ("id", "creator", "video", "title", "date", "published_at", "started_at")


def _wrong_type(record: Mapping) -> str | None:
    for name in TEXT_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            return name
    return None


def ingest_records(records: Iterable[JSONValue]) -> IngestReport:
    """Validate and store each record in its own savepoint; one bad record spoils nothing else."""
    report = IngestReport()
    seen: set[tuple[str, str]] = set()
    for index, record in enumerate(records):
        if not isinstance(record, Mapping):
            report.rejected.append(Rejection(index, None, "record", "is not a JSON object"))
            continue
        record_id = record.get("id") if isinstance(record.get("id"), str) else None
        kind = record.get("type")
        if not isinstance(kind, str) or kind not in RECORD_TYPES:
            reason = f"must be one of {', '.join(RECORD_TYPES)}"
            report.rejected.append(Rejection(index, record_id, "type", reason))
            continue
        wrong_type = _wrong_type(record)
        if wrong_type:
            report.rejected.append(Rejection(index, record_id, wrong_type, "must be a text value"))
            continue
        # JSON booleans read like their text (CSV) spelling, so both parse by the same rules.
        data = {
            k: {True: "true", False: "false"}.get(v, v) if isinstance(v, bool) else v
            for k, v in record.items()
        }
        form = RECORD_TYPES[kind](data=data)
        if not form.is_valid():
            name, errors = next(iter(form.errors.items()))
            name = "record" if name == "__all__" else name
            report.rejected.append(Rejection(index, record_id, name, str(errors[0]).rstrip(".")))
            continue
        key = (kind, form.cleaned_data["id"])
        if key in seen:
            report.rejected.append(Rejection(index, key[1], "id", "appears twice in this batch"))
            continue
        seen.add(key)
        try:
            with transaction.atomic():
                outcome = form.store()
        except _Reject as rejection:
            report.rejected.append(Rejection(index, key[1], rejection.field, rejection.reason))
            continue
        except IntegrityError:
            # Another batch wrote the same record between our check and insert.
            reason = "was being written by another batch at the same moment; send it again"
            report.rejected.append(Rejection(index, key[1], "id", reason))
            continue
        getattr(report, outcome).append(key[1])
    return report
