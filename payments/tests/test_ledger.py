"""The creator earnings ledger: credits pending and available, the daily release, reversals,
debits that never overdraw (also when they race), append-only rows, and check_ledger."""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from accounts.tests.factories import CreatorFactory
from payments import ledger
from payments.models import EarningsAccount, EarningsEntry, Source

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)


def credit(creator: object, amount: int, key: str, **kwargs: object) -> EarningsEntry:
    return ledger.credit(
        creator=creator,
        amount=amount,
        currency="USD",
        source=kwargs.pop("source", Source.CASH_REDEMPTION),
        idempotency_key=key,
        **kwargs,
    )


def account(creator: object, currency: str = "USD") -> EarningsAccount:
    return EarningsAccount.objects.get(creator=creator, currency=currency)


def test_a_credit_is_available_at_once_unless_it_waits_for_a_date(creator: object) -> None:
    credit(creator, 1_500, "a", document="store.redemption:1", memo="Cash for points")
    credit(creator, 2_000, "b", pending_until=TODAY + dt.timedelta(days=30))
    assert ledger.balances(creator) == [ledger.Balance("USD", 1_500, 2_000)]
    call_command("check_ledger")


def test_the_daily_release_moves_matured_pending_money_once(creator: object) -> None:
    credit(creator, 2_000, "b", pending_until=TODAY)
    credit(creator, 700, "c", pending_until=TODAY + dt.timedelta(days=1))
    assert ledger.release_pending(today=TODAY) == 1
    assert (account(creator).available, account(creator).pending) == (2_000, 700)
    # Again the same day: nothing moves twice.
    ledger.release_pending(today=TODAY)
    assert (account(creator).available, account(creator).pending) == (2_000, 700)
    ledger.release_pending(today=TODAY + dt.timedelta(days=1))
    assert (account(creator).available, account(creator).pending) == (2_700, 0)
    # Money dated before the last release is available at once.
    credit(creator, 100, "d", pending_until=TODAY)
    assert (account(creator).available, account(creator).pending) == (2_800, 0)
    call_command("check_ledger")


def test_a_repeated_key_moves_money_once_and_a_reused_key_is_refused(creator: object) -> None:
    first = credit(creator, 1_000, "same")
    assert credit(creator, 1_000, "same").pk == first.pk
    assert account(creator).available == 1_000
    with pytest.raises(ledger.LedgerError, match="different movement"):
        credit(creator, 999, "same")
    with pytest.raises(ledger.LedgerError, match="different movement"):
        credit(CreatorFactory(), 1_000, "same")


def test_many_credits_at_once_follow_the_same_rules_as_one(creator: object) -> None:
    other = CreatorFactory()
    credit(creator, 500, "before")
    ledger.release_pending(today=TODAY)

    def many(key: str, who: object, amount: int, **kw: object) -> ledger.Credit:
        return ledger.Credit(who.pk, amount, "USD", Source.REWARDS_PROGRAM, key, **kw)

    later = TODAY + dt.timedelta(days=15)
    batch = [
        many("m1", creator, 1_000, pending_until=later),
        many("m2", creator, 200),  # no date: available at once
        many("m3", other, 3_000, pending_until=TODAY),  # other has never had a release
        many("before", creator, 500),  # used already, for the same movement: returned as it was
    ]
    entries = ledger.credit_many(batch)
    assert entries["before"].pk == EarningsEntry.objects.get(idempotency_key="before").pk
    assert ledger.balances(creator) == [ledger.Balance("USD", 700, 1_000)]
    assert ledger.balances(other) == [ledger.Balance("USD", 0, 3_000)]
    # The same batch again moves nothing.
    assert ledger.credit_many(batch) == entries
    assert EarningsEntry.objects.count() == 4
    call_command("check_ledger")


def test_many_credits_with_fees_post_each_fee_line_as_credit_less_fee_does(creator: object) -> None:
    """The gift poster's batch: each credit with the platform's share as its own line, under
    `<key>:fee`, pending as the credit is and dated when given; take_back_pending finds it."""
    when = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    later = TODAY + dt.timedelta(days=14)

    def gift(key: str, gross: int, fee: int) -> ledger.Credit:
        return ledger.Credit(
            creator.pk,
            gross,
            "USD",
            Source.GIFT,
            key,
            memo=f"Gift {key}",
            fee=fee,
            fee_memo=f"Share of {key}",
            pending_until=later,
            at=when,
        )

    batch = [gift("g1", 200, 150), gift("g2", 100, 0), gift("g3", 40, 40)]
    entries = ledger.credit_many(batch)

    assert sorted(entries) == ["g1", "g1:fee", "g2", "g3", "g3:fee"]
    assert [(entries[k].amount, entries[k].source) for k in ("g1", "g1:fee")] == [
        (200, Source.GIFT),
        (-150, Source.PLATFORM_FEE),
    ]
    assert entries["g1:fee"].memo == "Share of g1"
    assert {entry.created_at for entry in entries.values()} == {when}
    assert {entry.pending_until for entry in entries.values()} == {later}
    assert ledger.balances(creator) == [ledger.Balance("USD", 0, 50 + 100 + 0)]
    # Again: nothing more.
    assert ledger.credit_many(batch).keys() == entries.keys()
    assert EarningsEntry.objects.count() == 5
    # A refund finds the fee line by its key and mends both.
    assert ledger.take_back_pending(entry_id=entries["g1"].pk, reason="refunded")
    assert ledger.balances(creator) == [ledger.Balance("USD", 0, 100)]
    call_command("check_ledger")


@pytest.mark.parametrize("fee", [-1, 201])
def test_a_fee_outside_the_credit_is_refused_and_nothing_moves(creator: object, fee: int) -> None:
    batch = [ledger.Credit(creator.pk, 200, "USD", Source.GIFT, "g", fee=fee)]
    with pytest.raises(ledger.LedgerError, match="A fee is between nothing and the whole"):
        ledger.credit_many(batch)
    assert not EarningsEntry.objects.exists()


@pytest.mark.parametrize(
    ("amount", "key", "message"),
    [
        (0, "new", "positive amount"),
        (100, "", "request key"),
        (999, "before", "already used for a different movement"),
    ],
)
def test_a_bad_credit_in_a_batch_moves_nothing_at_all(
    creator: object, amount: int, key: str, message: str
) -> None:
    credit(creator, 500, "before")
    batch = [
        ledger.Credit(creator.pk, 100, "USD", Source.REWARDS_PROGRAM, "fine"),
        ledger.Credit(creator.pk, amount, "USD", Source.REWARDS_PROGRAM, key),
    ]
    with pytest.raises(ledger.LedgerError, match=message):
        ledger.credit_many(batch)
    assert ledger.balances(creator) == [ledger.Balance("USD", 500, 0)]
    assert not EarningsEntry.objects.filter(idempotency_key="fine").exists()


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        (0, "USD", "positive amount"),
        (-5, "USD", "positive amount"),
        (10**12, "USD", "at most"),
        (100, "US", "not a currency code"),
        (100, "", "not a currency code"),
        (100, "€€€", "not a currency code"),
    ],
)
def test_bad_amounts_and_currencies_are_refused_and_move_nothing(
    creator: object, amount: int, currency: str, message: str
) -> None:
    with pytest.raises(ledger.LedgerError, match=message):
        ledger.credit(
            creator=creator,
            amount=amount,
            currency=currency,
            source=Source.TIP,
            idempotency_key="k",
        )
    assert not EarningsEntry.objects.exists()


def test_currencies_are_kept_apart(creator: object) -> None:
    credit(creator, 1_000, "usd")
    ledger.credit(
        creator=creator, amount=900, currency="eur", source=Source.TIP, idempotency_key="eur"
    )
    assert sorted(ledger.balances(creator), key=lambda b: b.currency) == [
        ledger.Balance("EUR", 900, 0),
        ledger.Balance("USD", 1_000, 0),
    ]


def test_a_debit_never_takes_more_than_is_available(creator: object) -> None:
    credit(creator, 1_000, "a")
    credit(creator, 5_000, "b", pending_until=TODAY + dt.timedelta(days=9))
    with pytest.raises(ledger.LedgerError, match=r"only 10\.00 USD is available"):
        ledger.debit(
            creator=creator,
            amount=1_001,
            currency="USD",
            source=Source.PAYOUT,
            idempotency_key="p1",
        )
    ledger.debit(
        creator=creator, amount=1_000, currency="USD", source=Source.PAYOUT, idempotency_key="p2"
    )
    assert (account(creator).available, account(creator).pending) == (0, 5_000)
    call_command("check_ledger")


def test_a_reversal_takes_back_from_where_the_money_sits_and_happens_once(
    creator: object,
) -> None:
    pending = credit(creator, 2_000, "a", pending_until=TODAY + dt.timedelta(days=5))
    available = credit(creator, 300, "b")
    undo = ledger.reverse(entry_id=pending.pk, reason="Counted twice")
    assert (undo.amount, undo.source, undo.reverses) == (-2_000, Source.CORRECTION, pending)
    assert "Counted twice" in undo.memo
    assert ledger.reverse(entry_id=pending.pk, reason="again").pk == undo.pk
    ledger.reverse(entry_id=available.pk, reason="Sent to the wrong creator")
    assert (account(creator).available, account(creator).pending) == (0, 0)
    with pytest.raises(ledger.LedgerError, match="cannot itself be reversed"):
        ledger.reverse(entry_id=undo.pk, reason="no")
    with pytest.raises(ledger.LedgerError, match="needs a reason"):
        ledger.reverse(entry_id=available.pk, reason=" ")
    with pytest.raises(ledger.LedgerError, match="no earnings entry"):
        ledger.reverse(entry_id=10**9, reason="missing")
    call_command("check_ledger")


def test_a_reversal_of_money_already_paid_out_is_refused(creator: object) -> None:
    entry = credit(creator, 1_000, "a")
    ledger.debit(
        creator=creator, amount=800, currency="USD", source=Source.PAYOUT, idempotency_key="p"
    )
    with pytest.raises(ledger.LedgerError, match=r"only 2\.00 USD is available"):
        ledger.reverse(entry_id=entry.pk, reason="mistake")


def test_entries_are_append_only_on_postgresql(creator: object) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    entry = credit(creator, 1_000, "a")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        EarningsEntry.objects.filter(pk=entry.pk).update(amount=5)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        EarningsEntry.objects.filter(pk=entry.pk).delete()


def test_the_database_refuses_a_negative_balance_whatever_the_code_does(creator: object) -> None:
    credit(creator, 1_000, "a")
    with pytest.raises(DatabaseError), transaction.atomic():
        EarningsAccount.objects.filter(creator=creator).update(available=-1)


def test_check_ledger_fails_on_an_account_that_does_not_add_up(creator: object) -> None:
    credit(creator, 1_000, "a")
    EarningsAccount.objects.filter(creator=creator).update(available=999)
    with pytest.raises(CommandError, match="1 of 1 earnings account do not balance"):
        call_command("check_ledger")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_payouts_never_overdraw_the_available_balance() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    creator = CreatorFactory()
    credit(creator, 1_000, "a")
    outcomes: list[str] = []
    lock = threading.Lock()

    def request(n: int) -> None:
        try:
            ledger.debit(
                creator=creator,
                amount=300,
                currency="USD",
                source=Source.PAYOUT,
                idempotency_key=f"race:{n}",
            )
            result = "paid"
        except ledger.LedgerError:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["paid"] * 3 + ["refused"] * 9
    assert account(creator).available == 100
    call_command("check_ledger")
