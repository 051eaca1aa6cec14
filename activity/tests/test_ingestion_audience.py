"""The audience_day record: a creator's audience on one day, split by country, age band and
gender, each split in percent adding up to 100 % (± 1); stored in basis points."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory
from activity.ingestion import JSONValue, ingest_records
from activity.models import AudienceDay

pytestmark = pytest.mark.django_db

AUDIENCE: dict[str, JSONValue] = {
    "type": "audience_day",
    "id": "aud-maker-2026-11-10",
    "creator": "@maker",
    "date": "2026-11-10",
    "countries": {"GB": 41.5, "US": 22, "IE": "6.25", "other": 30.25},
    "age_bands": {"13-17": 8, "18-24": 46, "25-34": 31, "35-44": 10, "45-54": 3, "55+": 2},
    "genders": {"female": 61, "male": 36, "other": 3},
}


@pytest.fixture
def maker() -> CreatorProfile:
    return CreatorFactory(handle="maker")


def later(record: dict[str, JSONValue], day: int = 11) -> dict[str, JSONValue]:
    return {**record, "id": f"aud-maker-2026-11-{day:02d}", "date": f"2026-11-{day:02d}"}


def test_an_audience_lands_in_basis_points(maker: CreatorProfile) -> None:
    assert ingest_records([AUDIENCE]).accepted == ["aud-maker-2026-11-10"]
    audience = AudienceDay.objects.get()
    assert (audience.creator_id, audience.day) == (maker.pk, dt.date(2026, 11, 10))
    assert audience.countries == {"GB": 4150, "US": 2200, "IE": 625, "other": 3025}
    assert audience.age_bands == {
        "13-17": 800,
        "18-24": 4600,
        "25-34": 3100,
        "35-44": 1000,
        "45-54": 300,
        "55+": 200,
    }
    assert audience.genders == {"female": 6100, "male": 3600, "other": 300}


def test_sending_an_audience_again_changes_nothing_and_new_shares_update_it_in_place(
    maker: CreatorProfile,
) -> None:
    ingest_records([AUDIENCE])
    stamp = AudienceDay.objects.get().updated_at
    # The same split, its keys in another order and spelled otherwise, is the same split.
    reordered = {**AUDIENCE, "countries": {"other": "30.25", "ie": 6.25, "us": 22.0, "GB": 41.5}}
    assert ingest_records([AUDIENCE, later(AUDIENCE)]).unchanged == [AUDIENCE["id"]]
    assert ingest_records([reordered]).unchanged == [AUDIENCE["id"]]
    assert AudienceDay.objects.get(record_id=AUDIENCE["id"]).updated_at == stamp

    moved = {**AUDIENCE, "genders": {"female": 58, "male": 39, "other": 3}}
    assert ingest_records([moved]).updated == [AUDIENCE["id"]]
    assert AudienceDay.objects.count() == 2
    assert AudienceDay.objects.get(record_id=AUDIENCE["id"]).genders["female"] == 5800


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        # Shares that do not add up to 100 % within one point.
        ({"genders": {"female": 61, "male": 36}}, "genders", "add up to 97 %"),
        ({"genders": {"female": 61, "male": 37.01, "other": 3}}, "genders", "add up to 101.01 %"),
        ({"countries": {"GB": 50, "US": 20}}, "countries", "add up to 70 %"),
        ({"age_bands": {"18-24": 100, "25-34": 10}}, "age_bands", "add up to 110 %"),
        # Keys outside each dimension's choices.
        ({"countries": {"XX": 60, "other": 40}}, "countries", "'XX' is not an ISO 3166-1"),
        ({"countries": {"GBR": 60, "other": 40}}, "countries", "'GBR' is not an ISO 3166-1"),
        ({"countries": {"England": 100}}, "countries", "'England' is not"),
        ({"age_bands": {"18-25": 60, "25-34": 40}}, "age_bands", "'18-25' is not an age band"),
        ({"age_bands": {"65+": 100}}, "age_bands", "'65+' is not an age band"),
        ({"genders": {"female": 50, "nonbinary": 50}}, "genders", "'nonbinary' is not a gender"),
        ({"countries": {"gb": 50, "GB": 50}}, "countries", "'GB' appears twice"),
        # Shares that are not percentages of two decimals.
        ({"genders": {"female": "lots", "male": 100}}, "genders", "'female': Enter a number"),
        ({"genders": {"female": True, "male": 100}}, "genders", "'female': Enter a number"),
        ({"genders": {"female": None, "male": 100}}, "genders", "'female': Enter a number"),
        ({"genders": {"female": 60.125, "male": 39.875}}, "genders", "2 decimal places"),
        ({"genders": {"female": -10, "male": 110}}, "genders", "greater than or equal to 0"),
        ({"genders": {"female": 101}}, "genders", "less than or equal to 100"),
        ({"genders": {"female": float("nan")}}, "genders", "'female': Enter a number"),
        # Splits that are not objects.
        ({"genders": [["female", 100]]}, "genders", "Enter a JSON object of shares"),
        ({"genders": "female=100"}, "genders", "Enter a JSON object of shares"),
        ({"genders": 100}, "genders", "Enter a JSON object of shares"),
        # Missing fields.
        ({"countries": None}, "countries", "required"),
        ({"age_bands": {}}, "age_bands", "required"),
        ({"genders": ""}, "genders", "required"),
        ({"date": None}, "date", "required"),
        ({"creator": None}, "creator", "required"),
        ({"id": None}, "id", "required"),
        # What only the database can tell.
        ({"creator": "@ghost"}, "creator", "no creator with handle '@ghost'"),
        ({"date": "2999-01-01"}, "date", "in the future"),
    ],
)
def test_a_bad_audience_is_rejected_by_index_and_field_while_good_ones_land(
    maker: CreatorProfile, change: dict[str, JSONValue], field: str, reason: str
) -> None:
    bad = {**AUDIENCE, **change}
    report = ingest_records([later(AUDIENCE, 9), bad, later(AUDIENCE, 11)])
    [rejection] = report.rejected
    assert (rejection.index, rejection.field) == (1, field)
    assert reason in rejection.reason
    assert report.accepted == ["aud-maker-2026-11-09", "aud-maker-2026-11-11"]
    assert not AudienceDay.objects.filter(day=dt.date(2026, 11, 10)).exists()


def test_a_missing_split_is_rejected_naming_it(maker: CreatorProfile) -> None:
    for name in ("countries", "age_bands", "genders"):
        record = {key: value for key, value in AUDIENCE.items() if key != name}
        [rejection] = ingest_records([record]).rejected
        assert (rejection.field, rejection.reason) == (name, "This field is required")
    assert not AudienceDay.objects.exists()


@pytest.mark.parametrize(
    ("male", "lands"), [(35, True), (37, True), (34.99, False), (37.01, False)]
)
def test_shares_may_add_up_to_one_point_either_side_of_100_percent(
    maker: CreatorProfile, male: float, lands: bool
) -> None:
    record = {**AUDIENCE, "genders": {"female": 61, "male": male, "other": 3}}
    report = ingest_records([record])
    assert bool(report.accepted) is lands
    if not lands:
        assert "they must add up to 100 % (± 1)" in report.rejected[0].reason


def test_keys_are_read_in_any_case_and_a_csv_cell_may_hold_the_split_as_json(
    maker: CreatorProfile,
) -> None:
    record = {
        **AUDIENCE,
        "countries": '{"gb": 70, "Other": 30}',
        "genders": {" Female ": 50, "MALE": 50},
    }
    assert ingest_records([record]).accepted == [AUDIENCE["id"]]
    audience = AudienceDay.objects.get()
    assert audience.countries == {"GB": 7000, "other": 3000}
    assert audience.genders == {"female": 5000, "male": 5000}


def test_a_lone_surrogate_in_a_key_is_rejected_and_the_answer_stays_printable(
    maker: CreatorProfile,
) -> None:
    record = {**AUDIENCE, "countries": {"G\udfff": 100}}
    [rejection] = ingest_records([record]).rejected
    assert rejection.field == "countries"
    assert "\\udfff" in rejection.reason and "\udfff" not in rejection.reason


def test_one_audience_per_creator_and_day_and_a_record_may_move_to_a_free_day(
    maker: CreatorProfile,
) -> None:
    ingest_records([AUDIENCE])
    clash = ingest_records([{**AUDIENCE, "id": "another"}])
    assert [(r.field, r.reason) for r in clash.rejected] == [
        ("date", "another record already holds this creator's audience for that day")
    ]
    twice = ingest_records([later(AUDIENCE), {**later(AUDIENCE), "id": "twin"}])
    assert [(r.index, r.field) for r in twice.rejected] == [(1, "date")]
    moved = ingest_records([{**AUDIENCE, "date": "2026-11-08"}])
    assert moved.updated == [AUDIENCE["id"]]
    assert sorted(AudienceDay.objects.values_list("day", flat=True)) == [
        dt.date(2026, 11, 8),
        dt.date(2026, 11, 11),
    ]


def test_a_batch_of_audiences_costs_the_same_queries_whatever_its_size(
    maker: CreatorProfile,
) -> None:
    def batch(size: int, first: int) -> list[dict[str, JSONValue]]:
        return [
            {**AUDIENCE, "id": f"a{size}-{n}", "date": f"2026-10-{first + n:02d}"}
            for n in range(size)
        ]

    def queries(records: list[dict[str, JSONValue]]) -> int:
        with CaptureQueriesContext(connection) as captured:
            report = ingest_records(records)
        assert not report.rejected, report.rejected
        return len(captured)

    # The batch's savepoint and the creators' handles (3); the type's savepoint (2); the
    # audiences stored by id and the rows holding their days (2); the write's savepoint (2)
    # and the upsert (1), on PostgreSQL after making and emptying the table it is copied into.
    staging = 2 if connection.vendor == "postgresql" else 0
    small, large = batch(3, 1), batch(15, 5)
    assert queries(small) == queries(large) == 10 + staging
    # Sent again: only the reads.
    assert queries(small) == queries(large) == 7
