"""Taking back a credit and its fee line while the money is still pending (a refunded coin
purchase takes back the gifts it paid for): corrections for both, once; nothing once the
money has been released."""

import datetime as dt

import pytest
from django.core.management import call_command

from accounts.models import CreatorProfile
from payments import ledger
from payments.models import EarningsAccount, EarningsEntry, Source

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)
DUE = TODAY + dt.timedelta(days=14)


def gift_credit(
    creator: CreatorProfile,
    key: str = "gift:1:k",
    *,
    gross: int = 200,
    fee: int = 150,
    **kwargs: object,
) -> tuple[EarningsEntry, EarningsEntry | None]:
    """A gift's money as gifts.support credits it: the list value, less the platform's share."""
    return ledger.credit_less_fee(
        creator=creator,
        gross=gross,
        fee=fee,
        currency="USD",
        source=Source.GIFT,
        idempotency_key=key,
        document="gifts.giftsent:1",
        memo="Rose (100 Diamonds)",
        pending_until=kwargs.pop("pending_until", DUE),
        **kwargs,
    )


def money(creator: CreatorProfile) -> tuple[int, int]:
    account = EarningsAccount.objects.get(creator=creator, currency="USD")
    return account.available, account.pending


def test_a_pending_credit_and_its_fee_line_are_both_reversed(creator: CreatorProfile) -> None:
    credit, fee = gift_credit(creator)
    assert money(creator) == (0, 50)

    assert ledger.take_back_pending(entry_id=credit.pk, reason="the fan's coins were refunded")

    assert money(creator) == (0, 0)
    undo_fee, undo_credit = EarningsEntry.objects.filter(source=Source.CORRECTION).order_by("pk")
    assert (undo_fee.amount, undo_fee.reverses, undo_fee.pending_until) == (150, fee, DUE)
    assert (undo_credit.amount, undo_credit.reverses, undo_credit.pending_until) == (
        -200,
        credit,
        DUE,
    )
    assert undo_credit.memo == f"Reverses entry {credit.pk}: the fan's coins were refunded"
    assert undo_credit.document == "gifts.giftsent:1"
    call_command("check_ledger")


def test_taking_back_twice_moves_nothing_more(creator: CreatorProfile) -> None:
    credit, _ = gift_credit(creator)
    assert ledger.take_back_pending(entry_id=credit.pk, reason="refunded")
    assert ledger.take_back_pending(entry_id=credit.pk, reason="refunded again")
    assert EarningsEntry.objects.filter(source=Source.CORRECTION).count() == 2
    assert money(creator) == (0, 0)
    call_command("check_ledger")


def test_released_money_is_not_taken_back(creator: CreatorProfile) -> None:
    credit, _ = gift_credit(creator)
    ledger.release_pending(today=DUE)
    assert money(creator) == (50, 0)

    assert ledger.take_back_pending(entry_id=credit.pk, reason="refunded") is False

    assert money(creator) == (50, 0)
    assert not EarningsEntry.objects.filter(source=Source.CORRECTION).exists()
    assert EarningsEntry.objects.count() == 2
    call_command("check_ledger")


def test_money_available_at_once_is_not_taken_back(creator: CreatorProfile) -> None:
    credit, _ = gift_credit(creator, pending_until=None)
    assert money(creator) == (50, 0)
    assert ledger.take_back_pending(entry_id=credit.pk, reason="refunded") is False
    assert money(creator) == (50, 0)
    assert EarningsEntry.objects.count() == 2


def test_a_release_up_to_the_day_before_leaves_it_pending_and_reversible(
    creator: CreatorProfile,
) -> None:
    credit, _ = gift_credit(creator)
    ledger.release_pending(today=DUE - dt.timedelta(days=1))
    assert ledger.take_back_pending(entry_id=credit.pk, reason="refunded")
    assert money(creator) == (0, 0)
    # The day it would have matured, nothing arrives.
    ledger.release_pending(today=DUE)
    assert money(creator) == (0, 0)
    call_command("check_ledger")


def test_a_credit_without_a_fee_line_is_reversed_alone(creator: CreatorProfile) -> None:
    credit, fee = gift_credit(creator, gross=300, fee=0)
    assert fee is None
    assert ledger.take_back_pending(entry_id=credit.pk, reason="refunded")
    [undo] = EarningsEntry.objects.filter(source=Source.CORRECTION)
    assert (undo.amount, undo.reverses) == (-300, credit)
    assert money(creator) == (0, 0)


def test_only_the_credit_taken_back_moves_the_rest_stays_pending(
    creator: CreatorProfile,
) -> None:
    first, _ = gift_credit(creator, "gift:1:a")
    gift_credit(creator, "gift:1:b", gross=400, fee=300)
    ledger.credit(
        creator=creator,
        amount=1_000,
        currency="USD",
        source=Source.SUBSCRIPTION,
        idempotency_key="sub:1",
    )
    assert money(creator) == (1_000, 150)

    assert ledger.take_back_pending(entry_id=first.pk, reason="refunded")

    assert money(creator) == (1_000, 100)
    ledger.release_pending(today=DUE)
    assert money(creator) == (1_100, 0)
    call_command("check_ledger")
