"""Redemptions racing each other on PostgreSQL: real threads, real connections, real locks.

SQLite serialises every write, so it would hide exactly the bugs these tests look for.
"""

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import connection, connections

from accounts.tests.factories import CreatorFactory
from rewards.models import EntryKind, PointsAccount, PointsEntry
from rewards.services import post_entry
from store import services
from store.models import Redemption, StoreItem
from store.tests.factories import PromotionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="locking needs PostgreSQL"),
]

PRICE = 100


def race(attempts: list[tuple[object, str]], item: StoreItem) -> list[str]:
    """Fire every (creator, request key) at once, each from its own thread and connection;
    return what each got: "ok", "again" (a repeated key) or the refusal's message."""
    start = threading.Barrier(len(attempts))
    results: list[str] = [""] * len(attempts)

    def attempt(index: int, creator: object, key: str) -> None:
        try:
            start.wait()
            _, created = services.redeem_item(creator=creator, item_id=item.pk, request_key=key)
            results[index] = "ok" if created else "again"
        except services.StoreError as exc:
            results[index] = str(exc)
        except Exception as exc:  # a deadlock or constraint error would land here
            results[index] = f"ERROR {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=attempt, args=(i, creator, key))
        for i, (creator, key) in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def funded(points: int) -> object:
    creator = CreatorFactory()
    post_entry(
        creator=creator,
        amount=points,
        kind=EntryKind.ADJUSTED,
        idempotency_key=f"fund:{creator.pk}",
    )
    return creator


def balance(creator: object) -> int:
    return PointsAccount.objects.get(creator=creator).balance


def kinds(results: list[str], classify: Callable[[str], str]) -> Counter:
    return Counter(classify(r) for r in results)


def test_fifty_concurrent_redemptions_never_oversell_or_overspend() -> None:
    item = PromotionFactory(price_points=PRICE, stock=10)
    poor = funded(3 * PRICE)  # can afford 3
    rich = [funded(100 * PRICE) for _ in range(4)]
    attempts = [(poor, f"{'a' * 30}{n:02d}") for n in range(10)]
    attempts += [(c, f"{'b' * 30}{i}{n:02d}") for i, c in enumerate(rich) for n in range(10)]

    results = race(attempts, item)

    assert not [r for r in results if r.startswith("ERROR")], results
    outcome = kinds(
        results,
        lambda r: (
            "ok"
            if r == "ok"
            else "sold out"
            if r.startswith("Sold out")
            else "poor"
            if r.startswith("It costs")
            else r
        ),
    )
    assert outcome["ok"] == 10, outcome
    assert set(outcome) <= {"ok", "sold out", "poor"}, outcome
    item.refresh_from_db()
    assert item.stock == 0
    poor_made = Redemption.objects.filter(creator=poor).count()
    assert poor_made <= 3
    if poor_made < 3:
        assert outcome["poor"] == 0  # the poor creator only ever lost to the stock
    assert balance(poor) == 3 * PRICE - poor_made * PRICE
    for creator in rich:
        made = Redemption.objects.filter(creator=creator).count()
        assert balance(creator) == 100 * PRICE - made * PRICE
    assert Redemption.objects.count() == 10
    assert PointsEntry.objects.filter(kind=EntryKind.REDEEMED).count() == 10
    call_command("check_ledger")


def test_a_creator_who_can_afford_three_gets_exactly_three() -> None:
    item = PromotionFactory(price_points=PRICE, stock=None)
    poor = funded(3 * PRICE)

    results = race([(poor, f"{'c' * 30}{n:02d}") for n in range(20)], item)

    assert results.count("ok") == 3, results
    assert all(r == "ok" or r.startswith("It costs") for r in results), results
    assert balance(poor) == 0
    call_command("check_ledger")


def test_the_same_submission_sent_many_times_at_once_makes_one_redemption() -> None:
    item = PromotionFactory(price_points=PRICE, stock=5)
    creator = funded(10 * PRICE)

    results = race([(creator, "d" * 32)] * 12, item)

    assert results.count("ok") == 1 and results.count("again") == 11, results
    assert Redemption.objects.count() == 1
    item.refresh_from_db()
    assert item.stock == 4
    assert balance(creator) == 9 * PRICE
