"""POST /api/v1/activity/batches: tokens, limits, and per-record answers."""

import json

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory
from activity.ingestion import JSONValue
from activity.models import AudienceDay, CreatorDay, Video, VideoDay
from activity.services import create_integration

pytestmark = pytest.mark.django_db
URL = reverse("activity:ingest_batch")


@pytest.fixture
def token() -> str:
    return create_integration(name="Platform")[1]


@pytest.fixture
def maker() -> CreatorProfile:
    return CreatorFactory(handle="maker")


def post(token: str | None, body: JSONValue, raw: bytes | None = None) -> HttpResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = raw if raw is not None else json.dumps(body)
    return Client().post(URL, data=data, content_type="application/json", headers=headers)


VIDEO = {
    "type": "video",
    "id": "v1",
    "creator": "@maker",
    "title": "Pasta in 60 s",
    "published_at": "2026-11-10T09:00:00Z",
    "duration_s": 64,
    "original": True,
}
DAY = {
    "type": "video_day",
    "id": "v1-2026-11-10",
    "video": "v1",
    "date": "2026-11-10",
    "views": 5000,
    "views_5s": 4100,
    "likes": 300,
    "comments": 20,
    "shares": 11,
}


def test_a_batch_lands_and_sending_it_again_changes_nothing(
    token: str, maker: CreatorProfile
) -> None:
    batch = {
        "records": [
            VIDEO,
            DAY,
            {
                "type": "creator_day",
                "id": "c1",
                "creator": "maker",
                "date": "2026-11-10",
                "followers": 12_500,
                "replies": 4,
            },
        ]
    }
    first = post(token, batch)
    assert first.status_code == 200
    assert first.json()["accepted"] == ["v1", "v1-2026-11-10", "c1"]
    assert first.json()["rejected"] == []
    maker.refresh_from_db()
    assert maker.followers == 12_500
    again = post(token, batch).json()
    assert (again["accepted"], again["updated"], again["unchanged"]) == (
        [],
        [],
        ["v1", "v1-2026-11-10", "c1"],
    )
    assert (Video.objects.count(), VideoDay.objects.count(), CreatorDay.objects.count()) == (
        1,
        1,
        1,
    )


def test_a_record_sent_again_with_new_numbers_updates_in_place(
    token: str, maker: CreatorProfile
) -> None:
    post(token, {"records": [VIDEO, DAY]})
    answer = post(token, {"records": [{**DAY, "views": 6000, "views_5s": 5000}]}).json()
    assert answer["updated"] == ["v1-2026-11-10"]
    assert VideoDay.objects.get().views_5s == 5000


@pytest.mark.parametrize(
    ("record", "field", "reason"),
    [
        ({**DAY, "views": -5}, "views", "greater than or equal to 0"),
        ({**DAY, "views": 10**30}, "views", "less than or equal to"),
        ({**DAY, "likes": "many"}, "likes", "whole number"),
        ({**DAY, "shares": 1.5}, "shares", "whole number"),
        ({**DAY, "date": None}, "date", "required"),
        ({**DAY, "video": "nope"}, "video", "no video with id"),
        ({**VIDEO, "id": "v2", "creator": "@ghost"}, "creator", "no creator with handle"),
        ({**DAY, "date": "2999-01-01"}, "date", "in the future"),
        ({**DAY, "views_5s": 9000}, "views_5s", "more than views"),
        ({**DAY, "date": "2026-11-01"}, "date", "before the video was published"),
        ({**DAY, "type": "tweet"}, "type", "must be one of"),
        ({**VIDEO, "id": "v3", "published_at": "yesterday"}, "published_at", "valid date/time"),
        ("not an object", "record", "not a JSON object"),
        ({**DAY, "date": 20261110}, "date", "must be a text value"),
        ({**VIDEO, "id": "v4", "published_at": ["2026"]}, "published_at", "must be a text value"),
        ({**DAY, "type": ["video_day"]}, "type", "must be one of"),
    ],
)
def test_bad_records_are_rejected_by_index_and_field_while_good_ones_land(
    token: str, maker: CreatorProfile, record: JSONValue, field: str, reason: str
) -> None:
    later_day = {**DAY, "id": "v1-2026-11-11", "date": "2026-11-11"}
    answer = post(token, {"records": [VIDEO, record, later_day]}).json()
    [rejection] = answer["rejected"]
    assert (rejection["index"], rejection["field"]) == (1, field)
    assert reason in rejection["reason"]
    assert answer["accepted"] == ["v1", "v1-2026-11-11"]


def test_a_video_day_cannot_move_to_another_date(token: str, maker: CreatorProfile) -> None:
    post(token, {"records": [VIDEO, DAY]})
    moved = post(token, {"records": [{**DAY, "date": "2026-11-11"}]}).json()
    assert moved["rejected"][0]["reason"] == "a video day cannot move to another video or date"


def test_a_full_size_batch_is_not_refused_by_djangos_own_limit(
    token: str, maker: CreatorProfile
) -> None:
    padding = "x" * 200
    days = [
        {**DAY, "id": f"d{i}", "date": f"2026-11-{10 + i % 10:02d}", "title": padding}
        for i in range(10)
    ]
    body = json.dumps(
        {
            "records": [
                VIDEO,
                *days,
                {
                    "type": "video",
                    "id": "pad",
                    "creator": "maker",
                    "title": "p" * 200,
                    "published_at": "2026-11-10T09:00:00Z",
                    "duration_s": 5,
                    "x": "y" * 3_000_000,
                },
            ]
        }
    )
    assert 2_621_440 < len(body) < 5 * 1024 * 1024
    assert post(token, None, raw=body.encode()).status_code == 200


def test_odd_bodies_are_400_not_500(token: str) -> None:
    assert post(token, None, raw=b"[" * 100_000).status_code == 400
    response = Client().post(
        URL,
        data=b"{}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Content-Length": "lots"},
    )
    assert response.status_code in (400, 413)


def test_original_reads_text_strictly_and_defaults_to_true(
    token: str, maker: CreatorProfile
) -> None:
    records = [
        {**VIDEO, "id": "a", "original": "0"},
        {**VIDEO, "id": "b", "original": "no"},
        {k: v for k, v in {**VIDEO, "id": "c"}.items() if k != "original"},
    ]
    post(token, {"records": records})
    assert dict(Video.objects.values_list("record_id", "is_original")) == {
        "a": False,
        "b": False,
        "c": True,
    }


def test_duplicate_ids_inside_one_batch_are_rejected(token: str, maker: CreatorProfile) -> None:
    answer = post(token, {"records": [VIDEO, DAY, {**DAY, "views": 7000}]}).json()
    assert answer["rejected"] == [
        {"index": 2, "id": "v1-2026-11-10", "field": "id", "reason": "appears twice in this batch"}
    ]
    assert VideoDay.objects.get().views == 5000


def test_missing_or_wrong_token_is_401(maker: CreatorProfile) -> None:
    assert post(None, {"records": []}).status_code == 401
    assert post("not-the-token", {"records": []}).status_code == 401
    assert Video.objects.count() == 0


def test_a_deactivated_integration_is_refused(token: str) -> None:
    from activity.models import Integration

    Integration.objects.update(is_active=False)
    assert post(token, {"records": []}).status_code == 401


def test_malformed_json_is_400(token: str) -> None:
    response = post(token, None, raw=b'{"records": [')
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]
    assert post(token, ["a", "list"]).status_code == 400


@override_settings(ACTIVITY_BATCH_MAX_RECORDS=2, ACTIVITY_BATCH_MAX_BYTES=2_000)
def test_batches_over_the_limits_are_413(token: str, maker: CreatorProfile) -> None:
    assert post(token, {"records": [VIDEO, DAY, DAY]}).status_code == 413
    big = {"records": [{**VIDEO, "title": "x" * 3_000}]}
    assert post(token, big).status_code == 413
    assert Video.objects.count() == 0


def test_only_post_is_allowed(token: str) -> None:
    assert Client().get(URL, headers={"Authorization": f"Bearer {token}"}).status_code == 405


# Point 2 of issue #11: no 500 and nothing lost, whatever a record holds.

CREATOR_DAY = {"type": "creator_day", "id": "c1", "creator": "maker", "date": "2026-11-10"}
LIVE = {
    "type": "live_session",
    "id": "l1",
    "creator": "maker",
    "started_at": "2026-11-10T20:00:00Z",
    "minutes": 30,
}
SURROGATES = [
    ({**VIDEO, "id": "v\udfff"}, "id"),
    ({**VIDEO, "id": "v2", "title": "Pasta \udfff"}, "title"),
    ({**VIDEO, "id": "v2", "creator": "@mak\udfffer"}, "creator"),
    ({**VIDEO, "id": "v2", "published_at": "2026-11-10T09:00:00\udfff"}, "published_at"),
    ({**VIDEO, "id": "v2", "original": "\ud800"}, "original"),
    ({**DAY, "video": "v\udfff"}, "video"),
    ({**DAY, "date": "2026-11-10\udfff"}, "date"),
    ({**CREATOR_DAY, "id": "\udfff"}, "id"),
    ({**CREATOR_DAY, "creator": "\udfff"}, "creator"),
    ({**LIVE, "creator": "\udfffmaker"}, "creator"),
    ({**LIVE, "started_at": "\udfff"}, "started_at"),
]


@override_settings(DEBUG=False)
@pytest.mark.parametrize(("record", "field"), SURROGATES, ids=[f for _, f in SURROGATES])
def test_a_lone_surrogate_in_any_text_field_is_rejected_in_a_json_answer(
    token: str, maker: CreatorProfile, record: JSONValue, field: str
) -> None:
    later_day = {**DAY, "id": "v1-2026-11-11", "date": "2026-11-11"}
    # json.dumps writes the surrogate as the escape \udfff, which JSON allows.
    response = Client(raise_request_exception=False).post(
        URL,
        data=json.dumps({"records": [VIDEO, record, later_day]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    [rejection] = answer["rejected"]
    assert (rejection["index"], rejection["field"]) == (1, field)
    assert "not valid Unicode" in rejection["reason"]
    if field == "id":
        assert rejection["id"] is None
    assert answer["accepted"] == ["v1", "v1-2026-11-11"]


def test_an_overflowing_follower_count_is_one_rejection_not_a_lost_batch(
    token: str, maker: CreatorProfile
) -> None:
    batch = [
        {**CREATOR_DAY, "followers": 12_000},
        {**CREATOR_DAY, "id": "c2", "date": "2026-11-11", "followers": 10**11},
        {**CREATOR_DAY, "id": "c3", "date": "2026-11-12", "followers": 12_500},
        VIDEO,
    ]
    response = Client(raise_request_exception=False).post(
        URL,
        data=json.dumps({"records": batch}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["accepted"] == ["c1", "c3", "v1"]
    assert [(r["index"], r["field"]) for r in answer["rejected"]] == [(1, "followers")]
    assert sorted(CreatorDay.objects.values_list("record_id", flat=True)) == ["c1", "c3"]
    maker.refresh_from_db()
    assert maker.followers == 12_500


def test_a_time_before_the_calendar_is_rejected_and_later_days_of_the_video_still_land(
    token: str, maker: CreatorProfile
) -> None:
    ancient = {**VIDEO, "published_at": "0001-01-01T00:00:00+14:00"}
    answer = post(token, {"records": [ancient, {**LIVE, "started_at": ancient["published_at"]}]})
    assert [r["field"] for r in answer.json()["rejected"]] == ["published_at", "started_at"]
    post(token, {"records": [VIDEO]})
    assert post(token, {"records": [DAY]}).json()["accepted"] == ["v1-2026-11-10"]
    assert Video.objects.get().published_at.year == 2026


def test_every_record_is_answered_for(token: str, maker: CreatorProfile) -> None:
    batch = [VIDEO, DAY, {**DAY, "views": -1}, "junk", {**DAY, "id": "x", "video": "nope"}]
    post(token, {"records": [VIDEO]})
    answer = post(token, {"records": batch}).json()
    answered = sorted([*answer["accepted"], *answer["updated"], *answer["unchanged"]]) + sorted(
        r["index"] for r in answer["rejected"]
    )
    assert answered == ["v1", "v1-2026-11-10", 2, 3, 4]
    assert answer["summary"] == "1 accepted, 0 updated, 1 unchanged, 3 rejected"


def test_a_database_that_fails_the_whole_batch_is_a_json_503(
    token: str, maker: CreatorProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    import activity.ingestion as ingestion

    def lose_the_server(handles: object) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(ingestion, "creators_by_handle", lose_the_server)
    response = Client(raise_request_exception=False).post(
        URL,
        data=json.dumps({"records": [VIDEO, DAY]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 503
    assert "nothing in it was stored" in response.json()["error"]
    assert not Video.objects.exists()


AUDIENCE = {
    "type": "audience_day",
    "id": "aud-maker-2026-11-10",
    "creator": "@maker",
    "date": "2026-11-10",
    "countries": {"GB": 41.5, "US": 22, "IE": 6.5, "other": 30},
    "age_bands": {"13-17": 8, "18-24": 46, "25-34": 31, "35-44": 10, "45-54": 3, "55+": 2},
    "genders": {"female": 61, "male": 36, "other": 3},
}


def test_an_audience_batch_lands_says_what_is_wrong_by_index_and_field_and_repeats_harmlessly(
    token: str, maker: CreatorProfile
) -> None:
    unknown_band = {
        **AUDIENCE,
        "id": "aud-bad",
        "date": "2026-11-11",
        "age_bands": {"18-24": 60, "25-35": 40},
    }
    later = {**AUDIENCE, "id": "aud-maker-2026-11-12", "date": "2026-11-12"}
    batch = {"records": [AUDIENCE, unknown_band, later]}
    first = post(token, batch).json()
    assert first["accepted"] == ["aud-maker-2026-11-10", "aud-maker-2026-11-12"]
    assert first["rejected"] == [
        {
            "index": 1,
            "id": "aud-bad",
            "field": "age_bands",
            "reason": "'25-35' is not an age band ('13-17', '18-24', '25-34', '35-44', "
            "'45-54', '55+')",
        }
    ]
    again = post(token, batch).json()
    assert again["unchanged"] == ["aud-maker-2026-11-10", "aud-maker-2026-11-12"]
    assert AudienceDay.objects.filter(creator=maker).count() == 2
    assert AudienceDay.objects.get(day="2026-11-12").countries["GB"] == 4150
