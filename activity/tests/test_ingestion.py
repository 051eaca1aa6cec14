"""ingest_records itself: what each record type writes, and what a batch costs in queries."""

import pytest
from pytest_django import DjangoAssertNumQueries

from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory
from activity.ingestion import RECORD_TYPES, JSONValue, RecordForm, ingest_records
from activity.models import CreatorDay, LiveSession

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


def test_every_record_type_stores_itself() -> None:
    assert all(form.store is not RecordForm.store for form in RECORD_TYPES.values())


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


def test_creator_day_queries_do_not_grow_with_the_batch(
    maker: CreatorProfile, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    days = [creator_day(f"c{d}", f"2026-10-{d:02d}", 2_000 + d) for d in range(1, 21)]
    # Per record: savepoint, creator, clash check, locked read, insert, latest day,
    # profile update (each day is the newest so far), release.
    with django_assert_num_queries(8 * 20):
        report = ingest_records(days)
    assert len(report.accepted) == 20
    # Sent again: nothing is written, not even the profile.
    with django_assert_num_queries(6 * 20):
        assert len(ingest_records(days).unchanged) == 20
    assert CreatorDay.objects.count() == 20
    assert followers_shown(maker) == 2_020
