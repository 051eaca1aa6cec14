"""bench_authenticity at a tiny scale: generated, loaded, judged day by day, measured, printed."""

import json
from contextlib import nullcontext
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from devdata.management.commands import bench_authenticity

pytestmark = pytest.mark.django_db


def test_a_tiny_run_prints_one_line_per_category_and_a_summary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The test database stands in for the throwaway one.
    monkeypatch.setattr(bench_authenticity, "throwaway_database", lambda suffix: nullcontext())
    out = StringIO()
    call_command("bench_authenticity", creators=20, days=30, seed=3, stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line.get("category") for line in lines[:-1]] == list(bench_authenticity.CATEGORIES)
    by_category = {line["category"]: line for line in lines[:-1]}
    assert sum(line["video_days"] for line in lines[:-1]) == lines[-1]["video_days"] > 20 * 30
    assert by_category["normal"]["video_days"] > 0
    for line in lines[:-1]:
        assert 0 <= line["flagged"] <= line["video_days"]
        assert "recall" in line or "false_flag_rate" in line
        assert line["points_excluded"] >= 0
    assert lines[-1]["summary"] is True and lines[-1]["creators"] == 20


def test_the_population_is_the_same_for_the_same_seed() -> None:
    first = bench_authenticity.generate(5, 10, 3, bench_authenticity.rewards_today(), seed=4)
    again = bench_authenticity.generate(5, 10, 3, bench_authenticity.rewards_today(), seed=4)
    assert first.days == again.days and len(first.days) >= 5 * 13


@pytest.mark.parametrize(("option", "value"), [("creators", 0), ("days", 10_000)])
def test_sizes_out_of_range_are_refused(option: str, value: int) -> None:
    with pytest.raises(CommandError, match=option):
        call_command("bench_authenticity", **{option: value})
