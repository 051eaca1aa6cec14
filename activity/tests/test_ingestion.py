"""ingest_records itself: what each record type writes, and what a batch costs in queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory
from activity.ingestion import RECORD_TYPES, JSONValue, ingest_records
from activity.ingestion.records import Count
from activity.models import CreatorDay, LiveSession, Video, VideoDay
from core.clock import rewards_today

pytestmark = pytest.mark.django_db


def creator_day(record_id: str, day: str, followers: int) -> dict[str, JSONValue]:
    return {
        "type": "creator_day",
        "id": record_id,
        "creator": "maker",
        "date": day,
        "followers": followers,
    }


@pytest.fixture
def maker() -> CreatorProfile:
    return CreatorFactory(handle="maker", followers=1_000)


def followers_shown(creator: CreatorProfile) -> int:
    creator.refresh_from_db()
    return creator.followers


def test_the_profile_shows_the_followers_of_the_latest_day_in_whatever_order_days_arrive(
    maker: CreatorProfile,
) -> None:
    ingest_records(
        [creator_day("c11", "2026-11-11", 15_200), creator_day("c10", "2026-11-10", 15_000)]
    )
    assert followers_shown(maker) == 15_200
    ingest_records([creator_day("c10", "2026-11-10", 14_000)])
    assert followers_shown(maker) == 15_200
    ingest_records([creator_day("c11", "2026-11-11", 15_300)])
    assert followers_shown(maker) == 15_300


def test_an_unchanged_creator_day_still_brings_a_stale_profile_back_to_the_latest_day(
    maker: CreatorProfile,
) -> None:
    ingest_records([creator_day("c10", "2026-11-10", 15_000)])
    CreatorProfile.objects.filter(pk=maker.pk).update(followers=3)
    report = ingest_records([creator_day("c10", "2026-11-10", 15_000)])
    assert report.unchanged == ["c10"]
    assert followers_shown(maker) == 15_000


def test_a_live_session_lands_with_its_numbers(maker: CreatorProfile) -> None:
    record = {
        "type": "live_session",
        "id": "l1",
        "creator": "@Maker",
        "started_at": "2026-11-10T18:00:00Z",
        "minutes": 45,
    }
    assert ingest_records([record]).accepted == ["l1"]
    live = LiveSession.objects.get()
    assert (live.creator_id, live.minutes, live.peak_viewers) == (maker.pk, 45, 0)


def queries(records: list[dict[str, JSONValue]]) -> int:
    with CaptureQueriesContext(connection) as captured:
        report = ingest_records(records)
    assert not report.rejected, report.rejected
    return len(captured)


def test_a_batch_costs_the_same_queries_whatever_its_size(maker: CreatorProfile) -> None:
    def batch(size: int, day: int) -> list[dict[str, JSONValue]]:
        video = {
            "type": "video",
            "creator": "maker",
            "title": "T",
            "published_at": "2026-10-01T09:00:00Z",
            "duration_s": 70,
        }
        return [
            *({**video, "id": f"v{size}-{n}"} for n in range(size)),
            *(
                {"type": "video_day", "id": f"d{size}-{n}", "video": f"v{size}-{n}"}
                | {"date": f"2026-10-{day:02d}", "views": n}
                for n in range(size)
            ),
            *(creator_day(f"c{size}-{n}", f"2026-10-{day + n:02d}", n) for n in range(size)),
        ]

    # The batch's savepoint and the creators' handles (4); per type a savepoint (6), the
    # videos and creator-days stored by id (2), the rows holding the days (2) and the videos
    # the days name (1); per write a savepoint (6) and the upsert (3), on PostgreSQL after
    # making and emptying the table it is copied into (6); the creators' latest days (1) and
    # their profiles (1).
    staging = 6 if connection.vendor == "postgresql" else 0
    small, large = batch(5, 1), batch(20, 6)
    assert queries(small) == queries(large) == 25 + staging
    # Sent again: only the reads (and the profile already shows the latest day).
    assert queries(small) == queries(large) == 15
    assert followers_shown(maker) == 19


def test_a_video_day_may_come_before_its_video_in_the_batch(maker: CreatorProfile) -> None:
    """Videos are written first, whatever their place in the batch."""
    day = {"type": "video_day", "id": "d1", "video": "v1", "date": "2026-11-10", "views": 9}
    video = {
        "type": "video",
        "id": "v1",
        "creator": "maker",
        "title": "T",
        "published_at": "2026-11-10T09:00:00Z",
        "duration_s": 70,
    }
    assert ingest_records([day, video]).accepted == ["d1", "v1"]
    assert VideoDay.objects.get().video.record_id == "v1"


def test_a_video_cannot_move_to_another_creator(maker: CreatorProfile) -> None:
    CreatorFactory(handle="other")
    video = {
        "type": "video",
        "id": "v1",
        "creator": "maker",
        "title": "T",
        "published_at": "2026-11-10T09:00:00Z",
        "duration_s": 70,
    }
    ingest_records([video])
    report = ingest_records([{**video, "creator": "other", "title": "New"}])
    assert [(r.field, r.reason) for r in report.rejected] == [
        ("creator", "a video cannot move to another creator")
    ]
    assert Video.objects.get().title == "T"
    assert ingest_records([{**video, "title": "New"}]).updated == ["v1"]


def test_two_records_for_one_day_of_one_video_keep_the_first(maker: CreatorProfile) -> None:
    video = {
        "type": "video",
        "id": "v1",
        "creator": "maker",
        "title": "T",
        "published_at": "2026-11-10T09:00:00Z",
        "duration_s": 70,
    }
    day = {"type": "video_day", "id": "d1", "video": "v1", "date": "2026-11-10", "views": 9}
    report = ingest_records([video, day, {**day, "id": "d2"}])
    assert report.accepted == ["v1", "d1"]
    assert [(r.index, r.field) for r in report.rejected] == [(2, "date")]
    report = ingest_records([{**day, "id": "d3"}])
    assert report.rejected[0].reason == (
        "another record already holds this video's numbers for that day"
    )
    assert list(VideoDay.objects.values_list("record_id", flat=True)) == ["d1"]


def test_a_creator_day_sent_with_another_date_moves_and_the_profile_follows(
    maker: CreatorProfile,
) -> None:
    ingest_records([creator_day("c1", "2026-11-10", 100), creator_day("c2", "2026-11-11", 200)])
    assert followers_shown(maker) == 200
    report = ingest_records([creator_day("c2", "2026-11-09", 200)])
    assert report.updated == ["c2"]
    assert followers_shown(maker) == 100
    clash = ingest_records([creator_day("c2", "2026-11-10", 200)])
    assert clash.rejected[0].field == "date"


def test_a_live_session_sent_again_with_new_numbers_updates_in_place(
    maker: CreatorProfile,
) -> None:
    record = {
        "type": "live_session",
        "id": "l1",
        "creator": "maker",
        "started_at": "2026-11-10T18:00:00+01:00",
        "minutes": 45,
    }
    ingest_records([record])
    assert ingest_records([record]).unchanged == ["l1"]
    assert ingest_records([{**record, "peak_viewers": 70}]).updated == ["l1"]
    live = LiveSession.objects.get()
    assert (live.started_at.hour, live.peak_viewers) == (17, 70)


# Point 2 of issue #11: every number that passes fits every column it reaches.

BASES: dict[str, dict[str, JSONValue]] = {
    "video": {
        "creator": "maker",
        "title": "T",
        "published_at": "2026-11-10T09:00:00Z",
        "duration_s": 70,
    },
    "video_day": {"video": "v0", "date": "2026-11-10"},
    "creator_day": {"creator": "maker", "date": "2026-11-10"},
    "live_session": {"creator": "maker", "started_at": "2026-11-10T20:00:00Z", "minutes": 30},
}
MODELS = {"video": Video, "video_day": VideoDay, "creator_day": CreatorDay}
COUNTS = [
    (kind.name, name)
    for kind in RECORD_TYPES.values()
    for name, reader in kind.fields.items()
    if isinstance(reader, Count)
]


@pytest.fixture
def video(maker: CreatorProfile) -> None:
    ingest_records([{"type": "video", "id": "v0", **BASES["video"]}])


@pytest.mark.parametrize(("kind", "name"), COUNTS, ids=[f"{k}.{n}" for k, n in COUNTS])
def test_every_count_up_to_its_bound_lands_and_reads_back_and_one_more_is_rejected(
    maker: CreatorProfile, video: None, kind: str, name: str
) -> None:
    high = RECORD_TYPES[kind].fields[name].high
    # Views and likes bound the counts of views and likes that follow them.
    bounds = {"views": high, "likes": high} if kind == "video_day" else {}
    record = {"type": kind, "id": "at-bound", **BASES[kind], **bounds, name: high}
    too_big = {**record, "id": "past-bound", name: high + 1}
    # Earlier, for creator-days: the profile shows the latest day's followers.
    after = {**record, "id": "after", name: 1}
    after["date"] = "2026-11-09" if kind == "creator_day" else "2026-11-11"

    report = ingest_records([record, too_big, after])

    assert report.accepted == ["at-bound", "after"]
    [rejection] = report.rejected
    assert (rejection.index, rejection.field) == (1, name)
    assert rejection.reason == f"Ensure this value is less than or equal to {high}"
    row = (MODELS.get(kind) or LiveSession).objects.get(record_id="at-bound")
    assert getattr(row, name) == high
    if name == "followers":
        assert followers_shown(maker) == high == 2**31 - 1


def test_followers_beyond_the_profiles_column_are_rejected_and_the_batch_still_lands(
    maker: CreatorProfile,
) -> None:
    batch = [
        creator_day("c1", "2026-11-10", 12_000),
        creator_day("c2", "2026-11-11", 10**11),
        creator_day("c3", "2026-11-12", 12_500),
    ]
    report = ingest_records(batch)
    assert report.accepted == ["c1", "c3"]
    assert [(r.index, r.field) for r in report.rejected] == [(1, "followers")]
    assert followers_shown(maker) == 12_500


MOMENTS = [
    ("video", "published_at", "0001-01-01T00:00:00+14:00", "earliest day accepted"),
    ("video", "published_at", "0001-01-01T00:00:00", "earliest day accepted"),
    ("video", "published_at", "2004-12-31T23:59:59Z", "earliest day accepted"),
    ("video", "published_at", "9999-12-31T23:59:59-14:00", "in the future"),
    ("live_session", "started_at", "0001-01-01T00:00:00+14:00", "earliest day accepted"),
    ("live_session", "started_at", "9999-12-31T23:59:59+14:00", "in the future"),
    ("video_day", "date", "0001-01-01", "earliest day accepted"),
    ("creator_day", "date", "2004-12-31", "earliest day accepted"),
]


@pytest.mark.parametrize(("kind", "name", "value", "reason"), MOMENTS)
def test_days_and_times_outside_the_window_are_rejected(
    maker: CreatorProfile, video: None, kind: str, name: str, value: str, reason: str
) -> None:
    report = ingest_records([{"type": kind, "id": "odd", **BASES[kind], name: value}])
    [rejection] = report.rejected
    assert rejection.field == name
    assert reason in rejection.reason
    assert not (MODELS.get(kind) or LiveSession).objects.filter(record_id="odd").exists()


def test_the_first_day_accepted_is_a_setting_and_the_window_ends_now(
    maker: CreatorProfile,
) -> None:
    record = {"type": "video", "id": "v1", **BASES["video"], "published_at": "2005-01-01T00:00Z"}
    assert ingest_records([record]).accepted == ["v1"]
    assert Video.objects.get().published_at.year == 2005
    with override_settings(ACTIVITY_EARLIEST_DATE=rewards_today() - timedelta(days=3)):
        old = {**record, "id": "v2", "published_at": "2026-01-01T00:00Z"}
        assert ingest_records([old]).rejected[0].reason.startswith("is before")
    soon = timezone.now() + timedelta(minutes=5)
    late = {**record, "id": "v3", "published_at": soon.isoformat()}
    assert ingest_records([late]).rejected[0].reason == "is in the future"


def test_a_record_the_database_refuses_is_rejected_alone(
    maker: CreatorProfile, video: None
) -> None:
    """Whatever fails inside one record costs that record only; the batch is answered whole."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION pg_temp.poison() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN IF NEW.record_id = 'poison' THEN "
                "RAISE EXCEPTION 'poisoned record' USING ERRCODE = 'data_exception'; "
                "END IF; RETURN NEW; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER poison BEFORE INSERT OR UPDATE ON activity_videoday "
                "FOR EACH ROW EXECUTE FUNCTION pg_temp.poison()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER poison BEFORE INSERT ON activity_videoday "
                "WHEN NEW.record_id = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END"
            )
    days = [
        {"type": "video_day", "id": record_id, "video": "v0", "date": f"2026-11-{day}"}
        for record_id, day in (("a", 10), ("poison", 11), ("b", 12))
    ]
    report = ingest_records(days)
    assert report.accepted == ["a", "b"]
    [rejection] = report.rejected
    assert (rejection.index, rejection.record_id) == (1, "poison")
    assert sorted(VideoDay.objects.values_list("record_id", flat=True)) == ["a", "b"]


def test_a_fault_while_storing_one_type_undoes_that_type_and_answers_for_each_record(
    maker: CreatorProfile, video: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import activity.ingestion as ingestion

    real = ingestion.store_video_days

    def store_then_fail(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("a bug of ours, after the rows were written")

    monkeypatch.setattr(ingestion, "store_video_days", store_then_fail)
    days = [
        {"type": "video_day", "id": f"d{day}", "video": "v0", "date": f"2026-11-{day}"}
        for day in (10, 11)
    ]
    report = ingest_records([*days, creator_day("c1", "2026-11-10", 5)])
    assert report.accepted == ["c1"]
    assert [(r.index, r.field) for r in report.rejected] == [(0, "record"), (1, "record")]
    assert "fault of ours" in report.rejected[0].reason
    assert not VideoDay.objects.exists()
    assert CreatorDay.objects.get().record_id == "c1"
