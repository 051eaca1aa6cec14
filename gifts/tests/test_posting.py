"""Gifts reach the creator's earnings ledger in batches (gifts.support.post_gifts, run by
beat every few seconds): each gift once, however often or however concurrently the poster
runs; a refund before the gift is posted keeps it off the ledger, after takes it back; and
without a broker each gift is posted once its transaction commits."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django_celery_beat.models import PeriodicTask

from accounts.models import CreatorProfile, User
from accounts.tests.factories import FanFactory
from activity.tests.factories import VideoFactory
from core.clock import rewards_day_of
from gifts import selectors, support, tasks
from gifts.models import GiftSent
from gifts.services import buy_coin_pack, refund_coin_purchase
from gifts.support import post_gifts, send_gift
from gifts.tests.factories import (
    CoinPackFactory,
    GiftFactory,
    LiveSessionFactory,
    card_for,
    eligible_creator,
    fan_with_coins,
)
from payments import ledger
from payments.models import EarningsEntry, Source

PENDING_DAYS = 14  # settings.SUPPORT_PENDING_DAYS


def earnings(creator: CreatorProfile) -> tuple[int, int]:
    """(available, pending) of the creator's USD earnings."""
    found = [b for b in ledger.balances(creator) if b.currency == "USD"]
    return (found[0].available, found[0].pending) if found else (0, 0)


def gifts_to(creator: CreatorProfile, fan: User, count: int, *, coins: int = 200) -> list:
    video = VideoFactory(creator=creator, title="Wheel day")
    gift = GiftFactory(name="Rose", coins=coins)
    return [
        send_gift(fan=fan, creator=creator, gift=gift, video=video, request_key=f"k{n}")
        for n in range(count)
    ]


@pytest.mark.django_db
def test_the_poster_credits_each_gift_once_with_its_fee_line_dated_when_it_was_sent() -> None:
    maya, theo = eligible_creator(), eligible_creator()
    fan = fan_with_coins(2_000)
    to_maya = gifts_to(maya, fan, 3)
    to_theo = send_gift(
        fan=fan,
        creator=theo,
        gift=GiftFactory(name="Kiln", coins=300),
        live=LiveSessionFactory(creator=theo),
        request_key="live",
    )
    # The Diamonds count at once; the money waits for the poster.
    assert selectors.support_totals(maya).diamonds == 300
    assert selectors.on_the_way(maya) == selectors.OnTheWay(3, 150, "USD")
    assert (earnings(maya), earnings(theo)) == ((0, 0), (0, 0))

    assert post_gifts() == 4

    # 200 coins list at 2.00 and pay 0.50: a credit of 200 and a fee line of -150 each.
    assert (earnings(maya), earnings(theo)) == ((0, 150), (0, 75))
    assert selectors.on_the_way(maya) is None
    for sent in [*to_maya, to_theo]:
        sent.refresh_from_db()
        credit = sent.earnings_entry
        fee = EarningsEntry.objects.get(idempotency_key=f"{credit.idempotency_key}:fee")
        assert (credit.source, fee.source) == (Source.GIFT, Source.PLATFORM_FEE)
        assert credit.amount == sent.list_value_minor
        assert -fee.amount == sent.list_value_minor - sent.creator_value_minor
        assert credit.created_at == fee.created_at == sent.created_at
        due = rewards_day_of(sent.created_at) + timedelta(days=PENDING_DAYS)
        assert credit.pending_until == fee.pending_until == due
        assert credit.document == f"gifts.giftsent:{sent.pk}"
    assert to_maya[0].earnings_entry.memo == "Rose (100 Diamonds) on “Wheel day”"
    assert to_theo.earnings_entry.memo == "Kiln (150 Diamonds) on a live session"

    # Again, and for one creator: nothing more moves.
    assert (post_gifts(), post_gifts(creator_id=maya.pk)) == (0, 0)
    assert EarningsEntry.objects.count() == 8
    call_command("check_ledger")


@pytest.mark.django_db
def test_a_backlog_is_posted_in_batches_each_its_own_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(support, "POST_BATCH", 2)
    creator = eligible_creator()
    gifts_to(creator, fan_with_coins(1_000), 5)
    assert post_gifts() == 5
    assert not selectors.unposted_gifts().exists()
    assert earnings(creator) == (0, 250)
    call_command("check_ledger")


@pytest.mark.django_db
def test_the_poster_fixes_no_gift_twice_even_if_its_entry_exists_already() -> None:
    """A crash between the ledger's commit and the gift's cannot happen (one transaction), but
    the ledger's key would still refuse a second credit: the gift is linked to the first."""
    creator = eligible_creator()
    [sent] = gifts_to(creator, fan_with_coins(500), 1)
    credit, _ = ledger.credit_less_fee(
        creator=creator,
        gross=sent.list_value_minor,
        fee=sent.list_value_minor - sent.creator_value_minor,
        currency="USD",
        source=Source.GIFT,
        idempotency_key=sent.request_key,
        pending_until=rewards_day_of(sent.created_at) + timedelta(days=PENDING_DAYS),
    )
    assert post_gifts() == 1
    sent.refresh_from_db()
    assert sent.earnings_entry == credit
    assert EarningsEntry.objects.count() == 2
    assert earnings(creator) == (0, 50)
    call_command("check_ledger")


@pytest.mark.django_db
def test_a_refund_before_the_gift_is_posted_keeps_it_off_the_ledger_for_good() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    pack = CoinPackFactory(coins=500, price_minor=499, currency="USD")
    purchase = buy_coin_pack(fan=fan, pack=pack, card=card_for(fan), request_key="pack")
    [kept, refunded] = gifts_to(creator, fan, 2, coins=250)

    done = refund_coin_purchase(purchase=purchase, reason="Chargeback")

    assert "2 gifts (500 coins) were still held and were taken back" in done.refund_note
    for sent in (kept, refunded):
        sent.refresh_from_db()
        assert sent.reversed_at is not None and sent.earnings_entry is None
    assert selectors.on_the_way(creator) is None
    assert post_gifts() == 0
    assert not EarningsEntry.objects.exists()
    assert earnings(creator) == (0, 0)
    assert selectors.support_totals(creator).diamonds == 0
    call_command("check_ledger")


@pytest.mark.django_db
def test_a_refund_after_the_gift_is_posted_takes_the_money_back() -> None:
    creator = eligible_creator()
    fan = FanFactory()
    pack = CoinPackFactory(coins=200, price_minor=199, currency="USD")
    purchase = buy_coin_pack(fan=fan, pack=pack, card=card_for(fan), request_key="pack")
    [sent] = gifts_to(creator, fan, 1)
    assert post_gifts() == 1
    assert earnings(creator) == (0, 50)

    refund_coin_purchase(purchase=purchase, reason="Chargeback")

    sent.refresh_from_db()
    assert sent.reversed_at is not None and sent.earnings_entry is not None
    assert earnings(creator) == (0, 0)
    assert post_gifts() == 0
    call_command("check_ledger")


@pytest.mark.django_db
def test_without_a_broker_a_gift_is_posted_once_it_commits(
    django_capture_on_commit_callbacks: object, settings: object
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True  # `make run` without REDIS_URL
    creator = eligible_creator()
    fan = fan_with_coins(500)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        [sent] = gifts_to(creator, fan, 1)
    assert len(callbacks) == 1
    sent.refresh_from_db()
    assert sent.earnings_entry is not None
    assert earnings(creator) == (0, 50)


@pytest.mark.django_db
def test_with_a_broker_a_gift_waits_for_beats_run(
    django_capture_on_commit_callbacks: object, settings: object
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    creator = eligible_creator()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [sent] = gifts_to(creator, fan_with_coins(500), 1)
    assert callbacks == []  # nothing queued per gift: beat's run takes them all at once
    assert tasks.post_gifts.apply().get() == 1
    sent.refresh_from_db()
    assert sent.earnings_entry is not None


@pytest.mark.django_db
def test_beat_runs_the_poster_every_few_seconds() -> None:
    task = PeriodicTask.objects.get(task="gifts.post_gifts")
    assert (task.interval.every, task.interval.period, task.enabled) == (10, "seconds", True)


# --- on PostgreSQL, with real threads ---------------------------------------------------------


def at_once(count: int, work: object) -> list[object]:
    """`work()` from `count` threads at once, each on its own connection; what each returned
    (or the exception it raised)."""
    start = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = work()
        except Exception as exc:  # a deadlock or a duplicate key would land here
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="locking needs PostgreSQL")
def test_posters_running_at_once_post_each_gift_once(settings: object) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as with a broker: the gifts wait for beat
    creator = eligible_creator()
    fans = [fan_with_coins(1_000) for _ in range(3)]
    for fan in fans:
        gifts_to(creator, fan, 4)

    results = at_once(4, post_gifts)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 12, results
    assert not selectors.unposted_gifts().exists()
    assert EarningsEntry.objects.filter(source=Source.GIFT).count() == 12
    assert earnings(creator) == (0, 12 * 50)
    call_command("check_ledger")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="locking needs PostgreSQL")
def test_a_refund_racing_the_poster_never_leaves_a_reversed_gift_on_the_ledger(
    settings: object,
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as with a broker: the gifts wait for beat
    creator = eligible_creator()
    purchases = []
    for n in range(4):
        fan = FanFactory()
        pack = CoinPackFactory(coins=400, price_minor=399, currency="USD")
        purchases.append(buy_coin_pack(fan=fan, pack=pack, card=card_for(fan), request_key=f"p{n}"))
        gifts_to(creator, fan, 2)
    refunds = iter(purchases)
    lock = threading.Lock()

    def work() -> object:
        with lock:
            purchase = next(refunds, None)
        if purchase is None:
            return post_gifts()
        return refund_coin_purchase(purchase=purchase, reason="Chargeback")

    results = at_once(7, work)  # four refunds, three posters

    assert not [r for r in results if isinstance(r, Exception)], results
    post_gifts()  # whatever a poster skipped while a refund held it
    assert GiftSent.objects.filter(reversed_at__isnull=True).count() == 0
    # Each gift is either kept off the ledger or posted and taken back: nothing is owed.
    assert earnings(creator) == (0, 0)
    for sent in GiftSent.objects.filter(earnings_entry__isnull=False):
        assert EarningsEntry.objects.filter(reverses_id=sent.earnings_entry_id).exists()
    call_command("check_ledger")
