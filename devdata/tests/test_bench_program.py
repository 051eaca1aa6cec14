"""bench_program at a tiny scale: filled, paid, paid again (nothing written), measured, printed."""

import json
from contextlib import nullcontext
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from devdata.management.commands import bench_program

pytestmark = pytest.mark.django_db


def test_a_tiny_run_pays_every_creator_once_and_prints_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The test database stands in for the throwaway one.
    monkeypatch.setattr(bench_program, "throwaway_database", lambda suffix: nullcontext())
    out = StringIO()
    call_command("bench_program", creators=20, videos_per_creator=3, stdout=out)
    [line] = [json.loads(text) for text in out.getvalue().splitlines()]
    assert line["creators"] == 20
    assert line["video_days"] == 20 * 3 * 31
    # Every creator meets the rule; some videos are too short or not original to earn.
    assert line["statements"] == line["earnings_entries"] == 20
    assert 20 <= line["lines_written"] < 20 * 3
    assert line["rerun_lines_written"] == line["rerun_entries_written"] == 0
    assert line["pay_s"] > 0 and line["rerun_s"] > 0
    if line["database"] == "postgresql":
        assert line["write_floor_s"] > 0 and line["write_ratio"] > 0


def test_sizes_out_of_range_are_refused() -> None:
    with pytest.raises(CommandError, match="creators"):
        call_command("bench_program", creators=0)
