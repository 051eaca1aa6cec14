"""bench_recalc at a tiny scale: filled, recalculated twice, measured against both floors."""

import json
from contextlib import nullcontext
from io import StringIO

import pytest
from django.core.management import call_command

from devdata.management.commands import bench_recalc

pytestmark = pytest.mark.django_db


def test_a_tiny_run_posts_once_and_measures_its_floors(monkeypatch: pytest.MonkeyPatch) -> None:
    # The test database stands in for the throwaway one.
    monkeypatch.setattr(bench_recalc, "throwaway_database", lambda suffix: nullcontext())
    out = StringIO()
    call_command("bench_recalc", creators=30, videos_per_creator=2, stdout=out)
    result = json.loads(out.getvalue())
    assert (result["creators"], result["stat_rows"]) == (30, 60)
    assert result["first_state"] == "done"
    assert result["entries_posted"] > 0 and result["rerun_entries_posted"] == 0
    assert result["write_floor_s"] > 0 and result["write_floor_without_foreign_keys_s"] > 0
