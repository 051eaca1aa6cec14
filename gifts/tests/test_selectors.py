import pytest
from django.core.management import CommandError, call_command

from accounts.tests.factories import FanFactory
from gifts.models import CoinAccount, CoinReason
from gifts.selectors import coin_balance, coin_entries
from gifts.services import spend_coins
from gifts.tests.factories import fan_with_coins

pytestmark = pytest.mark.django_db


def test_coin_balance_is_zero_before_the_first_purchase() -> None:
    assert coin_balance(FanFactory()) == 0


def test_a_fan_sees_only_their_own_balance_and_entries_newest_first() -> None:
    fan = fan_with_coins(100)
    other = fan_with_coins(999)
    gift = spend_coins(fan=fan, amount=25, reason=CoinReason.GIFT_SENT, idempotency_key="g")

    assert coin_balance(fan) == 75
    assert coin_balance(other) == 999
    entries = list(coin_entries(fan))
    assert [entry.amount for entry in entries] == [-25, 100]
    assert entries[0] == gift


def test_check_ledger_reports_the_coin_ledger_clean(capsys: pytest.CaptureFixture) -> None:
    fan = fan_with_coins(100)
    spend_coins(fan=fan, amount=40, reason=CoinReason.GIFT_SENT, idempotency_key="g")
    fan_with_coins(5)

    call_command("check_ledger")

    assert "Coin account balances: 2 accounts, every balance equals its entries" in (
        capsys.readouterr().out
    )


def test_check_ledger_catches_a_coin_balance_that_does_not_match_its_entries(
    capsys: pytest.CaptureFixture,
) -> None:
    fan = fan_with_coins(100)
    fan_with_coins(5)
    CoinAccount.objects.filter(fan=fan).update(balance=99)

    with pytest.raises(CommandError, match="1 of 2 coin accounts"):
        call_command("check_ledger")

    assert f"coin account of user {fan.pk}: balance 99, entries sum to 100" in (
        capsys.readouterr().err
    )
