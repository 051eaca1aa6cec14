"""bench_ingest at a tiny scale: the import, the rerun and the HTTP batches all run for real."""

import pytest

from activity.models import VideoDay
from devdata.management.commands.bench_ingest import run_bench

# The HTTP batches are served by another thread, on its own connection: data must be committed.
# serialized_rollback: without it, the flush at the end re-creates the content types under new
# ids, and the next test that restores the migrations' rows (portal's health check with a real
# worker) collides with them; with it, the rows this test starts from are the migrations'.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_tiny_run_imports_reruns_and_posts_batches_and_reports_them_all() -> None:
    result = run_bench(records=60, videos_per_creator=7, api_batches=3, batch_size=25, seed=1)
    assert result["records"] == 60 and result["creators"] == 9
    for key in ("seconds", "records_per_s", "unchanged_rerun_per_s", "api_batch_p95_s"):
        assert result[key] > 0
    assert result["api_batches"] == 3
    assert result["api_batch_p95_s"] >= result["api_batch_p50_s"]
    assert result["peak_rss_mb"] > 0
    # The file's 60 days, then 3 × 25 more over the HTTP API, none twice.
    assert VideoDay.objects.count() == 60 + 75
