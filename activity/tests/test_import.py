import csv
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.tests.factories import CreatorFactory
from activity.models import AudienceDay, Video, VideoDay

pytestmark = pytest.mark.django_db


def test_import_jsonl_reports_bad_lines_and_keeps_good_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    CreatorFactory(handle="maker")
    lines = [
        {
            "type": "video",
            "id": "v1",
            "creator": "maker",
            "title": "T",
            "published_at": "2026-11-10T09:00:00Z",
            "duration_s": 70,
            "original": True,
        },
        {"type": "video_day", "id": "d1", "video": "v1", "date": "2026-11-10", "views": -1},
        {"type": "video_day", "id": "d2", "video": "v1", "date": "2026-11-10", "views": 10},
    ]
    path = tmp_path / "activity.jsonl"
    # A blank line in the middle must not shift the line numbers reported.
    text = "\n".join(json.dumps(line) for line in lines)
    path.write_text(text.replace("\n", "\n\n", 1) + "\n{broken\n")
    with pytest.raises(CommandError, match="2 record"):
        call_command("import_activity", str(path))
    out, err = capsys.readouterr()
    assert "2 accepted, 0 updated, 0 unchanged, 2 rejected" in out
    assert "line 3: views" in err
    assert "line 5: line is not valid JSON" in err
    assert Video.objects.count() == 1 and VideoDay.objects.get().record_id == "d2"


def test_import_csv_with_a_header_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    CreatorFactory(handle="maker")
    path = tmp_path / "days.csv"
    path.write_text(
        "type,id,creator,date,followers,replies,live_minutes\n"
        "creator_day,c1,maker,2026-11-10,15000,3,20\n"
        "creator_day,c2,maker,2026-11-11,15200,,\n"
    )
    call_command("import_activity", str(path))
    assert "2 accepted" in capsys.readouterr().out
    call_command("import_activity", str(path))
    assert "2 unchanged" in capsys.readouterr().out


def test_import_a_missing_file_says_so() -> None:
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_activity", "/nonexistent/file.jsonl")


def test_import_streams_in_batches_and_reports_lines_across_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from activity.management.commands import import_activity

    monkeypatch.setattr(import_activity, "CHUNK", 3)
    CreatorFactory(handle="maker")
    video = {
        "type": "video",
        "id": "v1",
        "creator": "maker",
        "title": "T",
        "published_at": "2026-11-01T09:00:00Z",
        "duration_s": 70,
    }
    days = [
        {"type": "video_day", "id": f"d{n}", "video": "v1", "date": f"2026-11-{n:02d}"}
        | ({"views": -1} if n in (4, 8) else {})
        for n in range(1, 11)
    ]
    path = tmp_path / "activity.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in [video, *days]) + "\n")
    with pytest.raises(CommandError, match="2 record"):
        call_command("import_activity", str(path))
    out, err = capsys.readouterr()
    assert "9 accepted, 0 updated, 0 unchanged, 2 rejected" in out
    assert err.splitlines() == [
        "line 5: views Ensure this value is greater than or equal to 0",
        "line 9: views Ensure this value is greater than or equal to 0",
    ]
    assert VideoDay.objects.count() == 8


def test_import_rejects_a_line_with_bytes_that_are_not_utf8_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    CreatorFactory(handle="maker")
    path = tmp_path / "days.csv"
    path.write_bytes(
        b"type,id,creator,date,followers\n"
        b"creator_day,c1,maker,2026-11-10,15000\n"
        b"creator_day,c2,ma\xffker,2026-11-11,15200\n"
        b"creator_day,c3,maker,2026-11-12,15300\n"
    )
    with pytest.raises(CommandError, match="1 record"):
        call_command("import_activity", str(path))
    out, err = capsys.readouterr()
    assert "2 accepted" in out
    assert "line 3: creator is not valid Unicode" in err


def test_import_takes_audiences_from_json_lines_and_csv_and_reports_bad_ones_by_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    maker = CreatorFactory(handle="maker")
    audience = {
        "type": "audience_day",
        "id": "a1",
        "creator": "maker",
        "date": "2026-11-10",
        "countries": {"GB": 55, "US": 25, "other": 20},
        "age_bands": {"18-24": 50, "25-34": 50},
        "genders": {"female": 70, "male": 30},
    }
    lines = [
        audience,
        {**audience, "id": "a2", "date": "2026-11-11", "countries": {"UK": 80, "other": 20}},
        {**audience, "id": "a3", "date": "2026-11-12", "genders": {"female": 70}},
    ]
    path = tmp_path / "audience.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    with pytest.raises(CommandError, match="2 record"):
        call_command("import_activity", str(path))
    out, err = capsys.readouterr()
    assert "1 accepted, 0 updated, 0 unchanged, 2 rejected" in out
    assert err.splitlines() == [
        "line 2: countries 'UK' is not an ISO 3166-1 alpha-2 country code or 'other'",
        "line 3: genders The shares add up to 70 %; they must add up to 100 % (± 1)",
    ]

    # In a CSV file each split is a cell holding its JSON object.
    path = tmp_path / "audience.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["type", "id", "creator", "date", "countries", "age_bands", "genders"])
        for record in (audience, {**audience, "id": "a4", "date": "2026-11-13"}):
            splits = [json.dumps(record[name]) for name in ("countries", "age_bands", "genders")]
            writer.writerow([record["type"], record["id"], "maker", record["date"], *splits])
    call_command("import_activity", str(path))
    assert "1 accepted, 0 updated, 1 unchanged, 0 rejected" in capsys.readouterr().out
    stored = AudienceDay.objects.filter(creator=maker).values_list("record_id", flat=True)
    assert sorted(stored) == ["a1", "a4"]
