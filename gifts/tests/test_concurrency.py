"""Gifts racing each other on PostgreSQL: real threads, real connections, real locks.

SQLite serialises every write, so it would hide exactly the bugs these tests look for.
"""

import threading
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Sum

from accounts.models import User
from accounts.tests.factories import FanFactory
from gifts.models import CoinAccount, CoinEntry, CoinReason
from gifts.services import GiftsError, credit_coins, spend_coins
from gifts.tests.factories import fan_with_coins

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="locking needs PostgreSQL"),
]

PRICE = 100


def race(keys: list[str], move: Callable[[str], object]) -> list[str]:
    """Call `move(key)` for every key at once, each from its own thread and connection;
    return what each got: "ok" or the refusal's message."""
    start = threading.Barrier(len(keys))
    results: list[str] = [""] * len(keys)

    def attempt(index: int, key: str) -> None:
        try:
            start.wait()
            move(key)
            results[index] = "ok"
        except GiftsError as exc:
            results[index] = str(exc)
        except Exception as exc:  # a deadlock or constraint error would land here
            results[index] = f"ERROR {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i, key)) for i, key in enumerate(keys)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def entries_sum(fan: User) -> int:
    return CoinEntry.objects.filter(account__fan=fan).aggregate(total=Sum("amount"))["total"]


def test_twenty_racing_gifts_spend_only_the_coins_there_are() -> None:
    fan = fan_with_coins(5 * PRICE)  # covers 5 of the 20

    def gift(key: str) -> object:
        return spend_coins(fan=fan, amount=PRICE, reason=CoinReason.GIFT_SENT, idempotency_key=key)

    results = race([f"gift-{n}" for n in range(20)], gift)

    assert not [r for r in results if r.startswith("ERROR")], results
    assert results.count("ok") == 5, results
    assert all(r == "ok" or r.startswith("You have 0 coins; this needs 100") for r in results)
    balance = CoinAccount.objects.get(fan=fan).balance
    assert balance == 0
    assert entries_sum(fan) == balance
    assert CoinEntry.objects.filter(reason=CoinReason.GIFT_SENT).count() == 5
    call_command("check_ledger")


def test_the_same_gift_sent_many_times_at_once_spends_once() -> None:
    fan = fan_with_coins(10 * PRICE)

    def gift(key: str) -> object:
        return spend_coins(fan=fan, amount=PRICE, reason=CoinReason.GIFT_SENT, idempotency_key=key)

    results = race(["the-one-gift"] * 12, gift)

    assert results == ["ok"] * 12, results
    assert CoinEntry.objects.filter(idempotency_key="the-one-gift").count() == 1
    assert CoinAccount.objects.get(fan=fan).balance == 9 * PRICE
    call_command("check_ledger")


def test_first_purchases_racing_on_a_fan_with_no_account_all_land() -> None:
    fan = FanFactory()

    def buy(key: str) -> object:
        return credit_coins(fan=fan, amount=PRICE, reason=CoinReason.PURCHASE, idempotency_key=key)

    results = race([f"buy-{n}" for n in range(8)], buy)

    assert results == ["ok"] * 8, results
    assert CoinAccount.objects.get(fan=fan).balance == 8 * PRICE == entries_sum(fan)
    call_command("check_ledger")
