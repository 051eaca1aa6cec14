"""Payouts as a use-case: the payout method and its lock, the minimum, the balance, one request
a day, repeated keys, staff paying and rejecting, and racing requests on PostgreSQL."""

import threading
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from pytest_django import Settings

from accounts.models import CreatorProfile, Notification
from accounts.tests.factories import CreatorFactory, StaffFactory
from payments import ledger, payouts
from payments.models import (
    AccountKind,
    EarningsAccount,
    EarningsEntry,
    PayoutMethod,
    PayoutRequest,
    PayoutState,
    Source,
)

pytestmark = pytest.mark.django_db
LONG_AGO = timezone.now() - timedelta(days=30)


def earn(creator: CreatorProfile, amount: int, currency: str = "GBP", key: str = "earn") -> None:
    ledger.credit(
        creator=creator,
        amount=amount,
        currency=currency,
        source=Source.CASH_REDEMPTION,
        idempotency_key=f"{key}:{creator.pk}:{currency}",
    )


def add_method(
    creator: CreatorProfile, *, now: datetime = LONG_AGO, number: str = "31926819", kind: str = "uk"
) -> PayoutMethod:
    return payouts.set_payout_method(
        creator=creator,
        kind=kind,
        holder_name="Mia Stone",
        account_number=number,
        bank_code="601613",
        now=now,
    )


def ask(
    creator: CreatorProfile,
    amount: int,
    key: str = "a" * 16,
    currency: str = "GBP",
    now: datetime | None = None,
) -> PayoutRequest:
    return payouts.request_payout(
        creator=creator, amount=amount, currency=currency, request_key=key, now=now
    )


def available(creator: CreatorProfile, currency: str = "GBP") -> int:
    return EarningsAccount.objects.get(creator=creator, currency=currency).available


@pytest.fixture
def ready(creator: CreatorProfile) -> CreatorProfile:
    """A creator with 25.00 GBP available and a payout method past its lock."""
    earn(creator, 2_500)
    add_method(creator)
    return creator


def test_a_payout_method_keeps_only_a_reference_and_the_last_four(creator: CreatorProfile) -> None:
    method = add_method(creator, number="GB82 WEST 1234 5698 7654 32", kind=AccountKind.IBAN)

    assert method.last4 == "5432"
    assert method.reference.startswith("ba_sbx_")
    assert str(method) == "IBAN •••• 5432"
    stored = PayoutMethod.objects.filter(pk=method.pk).values_list()[0]
    assert not any("WEST" in str(value) or "56987654" in str(value) for value in stored)


def test_a_new_payout_method_replaces_the_old_one_and_locks_payouts(ready: CreatorProfile) -> None:
    old = payouts.current_method(ready)
    new = add_method(ready, now=timezone.now(), number="12345678")

    old.refresh_from_db()
    assert old.replaced_at is not None and payouts.current_method(ready) == new
    assert payouts.payouts_locked_until(new) == new.created_at + timedelta(days=5)
    with pytest.raises(payouts.PayoutError, match=r"paused .* until"):
        ask(ready, 1_000)
    assert available(ready) == 2_500
    # Five days on, the lock has ended.
    assert ask(ready, 1_000, now=timezone.now() + timedelta(days=5, minutes=1)).is_requested


def test_the_lock_follows_the_setting(creator: CreatorProfile, settings: Settings) -> None:
    settings.PAYOUT_METHOD_LOCK_DAYS = 2
    earn(creator, 2_500)
    add_method(creator, now=timezone.now() - timedelta(days=3))

    assert ask(creator, 1_000).is_requested


def test_requesting_reserves_the_money_at_once(ready: CreatorProfile) -> None:
    payout = ask(ready, 1_500)

    assert (payout.state, payout.amount, payout.currency) == ("requested", 1_500, "GBP")
    assert available(ready) == 1_000
    assert payout.entry.amount == -1_500 and payout.entry.source == Source.PAYOUT
    assert payout.entry.document == f"payments.payout:{payout.pk}"
    assert [e.state for e in payout.events.all()] == ["requested"]


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        (999, "GBP", r"smallest payout is 10\.00 GBP"),
        (2_501, "GBP", r"only 25\.00 GBP is available"),
        (1_000, "USD", "no earnings in USD"),
    ],
)
def test_a_refused_request_says_why_and_moves_nothing(
    ready: CreatorProfile, amount: int, currency: str, message: str
) -> None:
    with pytest.raises(payouts.PayoutError, match=message):
        ask(ready, amount, currency=currency)

    assert available(ready) == 2_500
    assert not PayoutRequest.objects.exists()
    assert not EarningsAccount.objects.filter(currency="USD").exists()
    call_command("check_ledger")


def test_the_minimum_follows_the_setting(ready: CreatorProfile, settings: Settings) -> None:
    settings.PAYOUT_MINIMUM_MINOR = 2_000
    with pytest.raises(payouts.PayoutError, match=r"20\.00 GBP"):
        ask(ready, 1_999)


def test_no_payout_without_a_payout_method(creator: CreatorProfile) -> None:
    earn(creator, 2_500)
    with pytest.raises(payouts.PayoutError, match="Add a payout method"):
        ask(creator, 1_000)


def test_one_request_a_day_and_a_rejected_one_gives_the_day_back(ready: CreatorProfile) -> None:
    first = ask(ready, 1_000)
    with pytest.raises(payouts.PayoutError, match="already requested a payout today"):
        ask(ready, 1_000, key="b" * 16)
    assert available(ready) == 1_500

    payouts.reject_payout(payout_id=first.pk, by=StaffFactory(), reason="Name mismatch.")

    assert ask(ready, 1_000, key="c" * 16).is_requested
    assert ask(ready, 1_000, key="d" * 16, now=timezone.now() + timedelta(days=1)).is_requested


def test_a_repeated_key_returns_the_first_request_and_moves_nothing(ready: CreatorProfile) -> None:
    first = ask(ready, 1_000)
    again = ask(ready, 1_000)

    assert again == first
    assert PayoutRequest.objects.count() == 1 and available(ready) == 1_500


def test_approving_pays_it_records_history_and_tells_the_creator(ready: CreatorProfile) -> None:
    payout = ask(ready, 1_000)
    staff = StaffFactory()

    paid = payouts.approve_payout(payout_id=payout.pk, by=staff, note="Sent on Friday's run.")

    assert paid.state == PayoutState.PAID and paid.transfer_reference.startswith("tr_sbx_")
    assert (paid.decided_by, paid.reason) == (staff, "Sent on Friday's run.")
    assert available(ready) == 1_500  # the money left when it was requested
    assert [e.state for e in paid.events.all()] == ["requested", "paid"]
    note = Notification.objects.get(user=ready.user)
    assert note.subject == "Payout of 10.00 GBP: paid" and note.link == paid.get_absolute_url()
    with pytest.raises(payouts.PayoutError, match="already paid"):
        payouts.reject_payout(payout_id=payout.pk, by=staff, reason="Too late.")


def test_rejecting_puts_the_money_back_with_a_reversal(ready: CreatorProfile) -> None:
    payout = ask(ready, 1_000)

    rejected = payouts.reject_payout(payout_id=payout.pk, by=StaffFactory(), reason="Wrong name.")

    assert rejected.state == PayoutState.REJECTED and available(ready) == 2_500
    refund = rejected.refund_entry
    assert (refund.amount, refund.source, refund.reverses_id) == (
        1_000,
        "correction",
        payout.entry_id,
    )
    assert "Wrong name." in Notification.objects.get(user=ready.user).body
    assert EarningsEntry.objects.filter(account__creator=ready).count() == 3
    call_command("check_ledger")
    with pytest.raises(payouts.PayoutError, match="already rejected"):
        payouts.approve_payout(payout_id=payout.pk, by=StaffFactory())


def test_rejecting_needs_a_reason(ready: CreatorProfile) -> None:
    payout = ask(ready, 1_000)
    with pytest.raises(payouts.PayoutError, match="needs a reason"):
        payouts.reject_payout(payout_id=payout.pk, by=StaffFactory(), reason="  ")
    payout.refresh_from_db()
    assert payout.is_requested and available(ready) == 1_500


def race(creator_id: int, requests: list[dict]) -> list[str]:
    """Run each request in its own thread and connection at once; what each came to."""
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(requests))

    def run(kwargs: dict) -> None:
        try:
            creator = CreatorProfile.objects.get(pk=creator_id)
            start.wait()
            ask(creator, **kwargs)
            result = "requested"
        except payouts.PayoutError:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(kwargs,)) for kwargs in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_requests_never_take_more_than_is_available() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    creator = CreatorFactory()
    earn(creator, 3_500)
    add_method(creator)
    # On different days, so the one-a-day rule stays out of the way and only money limits.
    now = timezone.now()
    requests = [
        {"amount": 1_000, "key": f"{n:016x}", "now": now + timedelta(days=n)} for n in range(10)
    ]

    outcomes = race(creator.pk, requests)

    assert outcomes == ["refused"] * 7 + ["requested"] * 3
    assert available(creator) == 500
    assert PayoutRequest.objects.filter(creator=creator).count() == 3
    call_command("check_ledger")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_requests_on_one_day_make_one_request() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    creator = CreatorFactory()
    earn(creator, 2_000, "GBP")
    earn(creator, 2_000, "EUR")
    add_method(creator)
    # Different currencies lock different accounts: the database's one-a-day rule decides.
    requests = [
        {"amount": 1_000, "key": f"{n:016x}", "currency": "GBP" if n % 2 else "EUR"}
        for n in range(8)
    ]

    outcomes = race(creator.pk, requests)

    assert outcomes == ["refused"] * 7 + ["requested"]
    assert available(creator, "GBP") + available(creator, "EUR") == 3_000
    call_command("check_ledger")
