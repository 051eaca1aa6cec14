"""bench_renewals at a tiny scale: filled, renewed, renewed again (nothing charged), checked,
printed."""

import json
from contextlib import nullcontext
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from devdata.management.commands import bench_renewals
from payments.models import SandboxPayment
from subscriptions.models import Subscription, SubscriptionCharge

pytestmark = pytest.mark.django_db


def test_a_tiny_run_charges_every_subscription_once_and_prints_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The test database stands in for the throwaway one.
    monkeypatch.setattr(bench_renewals, "throwaway_database", lambda suffix: nullcontext())
    out = StringIO()
    call_command("bench_renewals", subscriptions=20, stdout=out)
    [line] = [json.loads(text) for text in out.getvalue().splitlines()]
    assert line["subscriptions"] == line["renewed"] == 20
    assert line["not_renewed"] == 0
    counts = ("charges", "attempts", "sandbox_payments", "charged_once", "paid_charges")
    assert [line[key] for key in counts] == [20] * len(counts)
    assert line["succeeded_attempts"] == line["payments_with_charge_key"] == 20
    assert line["rerun_renewed"] == line["rerun_charges"] == line["rerun_sandbox_payments"] == 0
    assert line["check_ledger"] == "passed"
    assert line["renew_s"] > 0 and line["per_subscription_ms"] > 0
    assert line["queries_per_subscription"] > 0 and line["peak_rss_mb"] > 0
    # What the line says is what the database holds.
    assert SubscriptionCharge.objects.filter(state="succeeded").count() == 20
    assert SandboxPayment.objects.count() == 20
    assert not Subscription.objects.filter(months_paid=1).exists()


def test_sizes_out_of_range_are_refused() -> None:
    with pytest.raises(CommandError, match="subscriptions"):
        call_command("bench_renewals", subscriptions=0)
