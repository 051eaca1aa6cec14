"""The store's rules and the life of a redemption, through store.selectors and store.services."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError
from django.test import override_settings
from django.utils import timezone

from accounts.models import Notification, Standing
from accounts.tests.factories import CreatorFactory, StaffFactory
from payments import ledger
from payments.models import EarningsEntry, Source
from rewards import tiers
from rewards.models import CreatorTier, EntryKind, PointsAccount, PointsEntry, Tier
from rewards.services import post_entry
from store import selectors, services
from store.models import Entitlement, Redemption, RedemptionState
from store.tests.factories import CashFactory, PromotionFactory, ToolFactory

pytestmark = pytest.mark.django_db


def give(creator: object, points: int, key: str = "gift") -> None:
    post_entry(
        creator=creator,
        amount=points,
        kind=EntryKind.ADJUSTED,
        idempotency_key=f"{key}:{creator.pk}",
    )


def balance(creator: object) -> int:
    return PointsAccount.objects.get(creator=creator).balance


def redeem(creator: object, item: object, key: str = "k" * 20, **kwargs: object) -> object:
    redemption, _ = services.redeem_item(
        creator=creator, item_id=item.pk, request_key=key, **kwargs
    )
    return redemption


def set_tier(creator: object, name: str) -> None:
    CreatorTier.objects.update_or_create(
        creator=creator, defaults={"tier": Tier.objects.get(name=name)}
    )


def reasons(creator: object, item: object, now: object = None) -> list[str]:
    item.refresh_from_db()
    who = selectors.shopper(creator)
    return selectors.availability(who, item, now or timezone.now()).reasons


def test_a_tool_unlocks_at_once_and_spends_the_points_in_one_ledger_entry(creator: object) -> None:
    give(creator, 300)
    tool = ToolFactory(price_points=120, entitlement_days=30)

    redemption = redeem(creator, tool)

    assert redemption.state == RedemptionState.FULFILLED
    assert balance(creator) == 180
    entry = redemption.entry
    assert (entry.amount, entry.kind) == (-120, EntryKind.REDEEMED)
    assert tool.name in entry.memo and "120 points" in entry.memo
    unlock = Entitlement.objects.get(redemption=redemption)
    assert unlock.ends_at - unlock.starts_at == timedelta(days=30)
    assert [e.state for e in redemption.events.all()] == ["pending", "fulfilled"]
    call_command("check_ledger")


def test_a_redemption_is_a_bounded_number_of_round_trips(
    creator: object, django_assert_max_num_queries: object
) -> None:
    """The store's hottest write: lock, look up, check, and write each row once in its final
    state. A savepoint or a second read of the account creeping back in fails here."""
    give(creator, 1_000)
    tool, limited = ToolFactory(price_points=100), ToolFactory(price_points=100, stock=5)
    # The account lock, the twin lookup, the item, the tier, the item's recent redemptions,
    # the entry, the balance, the redemption, the entitlement's end and insert, the events;
    # and for an item with stock, its lock and its decrement. Plus the savepoint and its
    # release that stand for BEGIN and COMMIT inside the test's transaction.
    with django_assert_max_num_queries(13):
        redeem(creator, tool, key="a" * 20)
    with django_assert_max_num_queries(15):
        redeem(creator, limited, key="b" * 20)
    assert balance(creator) == 800
    call_command("check_ledger")


def test_the_one_item_shopper_sees_what_the_page_shopper_sees(creator: object) -> None:
    give(creator, 1_000)
    tool = ToolFactory(price_points=100, cooldown_days=3, limit_per_creator=2)
    redeem(creator, tool, key="a" * 20)
    page = selectors.shopper(creator, item_ids=[tool.pk])
    one = selectors.shopper_for_item(creator, tool, balance=page.balance)
    assert one.history == page.history
    assert one.tier == page.tier
    now = timezone.now()
    assert selectors.availability(one, tool, now) == selectors.availability(page, tool, now)


def test_redeeming_a_tool_still_unlocked_extends_it_from_its_end(creator: object) -> None:
    give(creator, 300)
    tool = ToolFactory(price_points=100, entitlement_days=10)
    first = redeem(creator, tool, key="a" * 20)
    second = redeem(creator, tool, key="b" * 20)
    assert second.entitlement.starts_at == first.entitlement.ends_at
    assert second.entitlement.ends_at - first.entitlement.starts_at == timedelta(days=20)


def test_a_promotion_waits_pending_for_staff(creator: object) -> None:
    give(creator, 600)
    redemption = redeem(creator, PromotionFactory(price_points=500))
    assert redemption.state == RedemptionState.PENDING
    assert not Entitlement.objects.filter(redemption=redemption).exists()
    assert balance(creator) == 100


def test_the_same_request_key_makes_one_redemption(creator: object) -> None:
    give(creator, 1_000)
    tool = ToolFactory(price_points=100)
    first, made = services.redeem_item(creator=creator, item_id=tool.pk, request_key="same" * 5)
    again, made_again = services.redeem_item(
        creator=creator, item_id=tool.pk, request_key="same" * 5
    )
    assert (made, made_again) == (True, False)
    assert again.pk == first.pk
    assert balance(creator) == 900
    assert Redemption.objects.count() == 1


def test_a_request_key_used_for_another_item_is_refused(creator: object) -> None:
    give(creator, 1_000)
    redeem(creator, ToolFactory(), key="x" * 20)
    with pytest.raises(services.StoreError, match="another item"):
        redeem(creator, ToolFactory(), key="x" * 20)


def test_the_key_a_page_carries_changes_once_the_balance_moves(creator: object) -> None:
    give(creator, 1_000)
    tool = ToolFactory()
    before = selectors.request_key(selectors.shopper(creator), tool)
    assert selectors.request_key(selectors.shopper(creator), tool) == before  # two tabs, one key
    redeem(creator, tool, key=before)
    assert selectors.request_key(selectors.shopper(creator), tool) != before


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda item, now: setattr(item, "is_active", False), "no longer in the store"),
        (
            lambda item, now: setattr(item, "available_from", now + timedelta(days=2)),
            "Not open yet",
        ),
        (lambda item, now: setattr(item, "available_until", now - timedelta(days=1)), "Closed"),
        (lambda item, now: setattr(item, "stock", 0), "Sold out"),
        (lambda item, now: setattr(item, "min_tier", Tier.objects.get(name="Gold")), "For Gold"),
        (lambda item, now: setattr(item, "price_points", 5_000), "4,750 points and you have 1,000"),
    ],
    ids=["inactive", "not-yet-open", "closed", "sold-out", "tier-locked", "unaffordable"],
)
def test_an_item_that_cannot_be_redeemed_says_why_and_changes_nothing(
    creator: object, setup: object, reason: str
) -> None:
    give(creator, 1_000)
    set_tier(creator, "Silver")
    item = ToolFactory(price_points=100)
    setup(item, timezone.now())
    item.save()
    assert any(reason in r for r in reasons(creator, item))
    with pytest.raises(services.StoreError, match=reason):
        redeem(creator, item)
    assert balance(creator) == 1_000
    assert not Redemption.objects.exists()
    assert PointsEntry.objects.filter(kind=EntryKind.REDEEMED).count() == 0


def test_a_suspended_creator_cannot_redeem(creator: object) -> None:
    give(creator, 1_000)
    creator.standing = Standing.SUSPENDED
    creator.save()
    with pytest.raises(services.StoreError, match="suspended"):
        redeem(creator, ToolFactory())


def test_the_cooldown_counts_from_the_last_redemption_and_a_refund_does_not_reset_it(
    creator: object, staff: object
) -> None:
    give(creator, 2_000)
    item = PromotionFactory(price_points=100, cooldown_days=7)
    now = timezone.now()
    first = redeem(creator, item, key="a" * 20, now=now - timedelta(days=3))
    services.cancel_redemption(redemption_id=first.pk, reason="Slot filled.", by=staff)
    assert balance(creator) == 2_000
    with pytest.raises(services.StoreError, match="you can again from"):
        redeem(creator, item, key="b" * 20, now=now)
    assert redeem(creator, item, key="c" * 20, now=now + timedelta(days=4, minutes=1))


def test_the_per_creator_limit_counts_the_period_and_not_cancelled_ones(
    creator: object, staff: object
) -> None:
    give(creator, 5_000)
    item = ToolFactory(price_points=10, limit_per_creator=2, limit_period_days=30)
    now = timezone.now()
    redeem(creator, item, key="a" * 20, now=now - timedelta(days=40))  # outside the period
    redeem(creator, item, key="b" * 20, now=now - timedelta(days=10))
    redeem(creator, item, key="c" * 20, now=now - timedelta(days=5))
    with pytest.raises(services.StoreError, match="2 times in the last 30 days"):
        redeem(creator, item, key="d" * 20, now=now)
    # The next is possible once the older of the two leaves the period.
    assert redeem(creator, item, key="e" * 20, now=now + timedelta(days=21))


def test_a_tier_discount_applies_to_the_price_shown_and_charged(creator: object) -> None:
    give(creator, 1_000)
    set_tier(creator, "Gold")  # 10% off, from the tiers migration
    item = PromotionFactory(price_points=555)
    who = selectors.shopper(creator)
    offer = selectors.availability(who, item, timezone.now())
    assert (offer.price.points, offer.price.saving) == (500, 55)

    redemption = redeem(creator, item)

    assert (redemption.list_price, redemption.discount_percent, redemption.points_paid) == (
        555,
        10,
        500,
    )
    assert redemption.entry.amount == -500
    assert "Gold discount of 10% on 555" in redemption.entry.memo
    assert balance(creator) == 500


def test_a_staff_floor_tier_gives_its_discount(creator: object) -> None:
    give(creator, 1_000)
    CreatorTier.objects.create(
        creator=creator,
        floor_tier=Tier.objects.get(name="Platinum"),
        floor_until=timezone.now().date() + timedelta(days=30),
        floor_reason="Launch partner",
    )
    tiers.recompute(timezone.now().date(), creator=creator)
    assert redeem(creator, ToolFactory(price_points=100)).points_paid == 85


def test_stock_goes_down_and_a_cancellation_puts_it_back(creator: object, staff: object) -> None:
    give(creator, 1_000)
    item = PromotionFactory(price_points=100, stock=1)
    redemption = redeem(creator, item)
    item.refresh_from_db()
    assert item.stock == 0 and item.is_sold_out
    services.cancel_redemption(redemption_id=redemption.pk, reason="Campaign moved.", by=staff)
    item.refresh_from_db()
    assert item.stock == 1


def test_cancelling_refunds_with_a_ledger_entry_and_tells_the_creator(
    creator: object, staff: object, django_capture_on_commit_callbacks: object
) -> None:
    give(creator, 1_000)
    redemption = redeem(creator, PromotionFactory(price_points=400))
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_redemption(
            redemption_id=redemption.pk, reason="The featured list is full.", by=staff
        )
    redemption.refresh_from_db()
    assert redemption.state == RedemptionState.CANCELLED
    assert redemption.decided_by == staff
    assert (redemption.refund_entry.amount, redemption.refund_entry.kind) == (400, "refunded")
    assert balance(creator) == 1_000
    note = Notification.objects.get(user=creator.user)
    assert "cancelled" in note.subject and "featured list is full" in note.body
    assert note.link == redemption.get_absolute_url()
    assert len(mail.outbox) == 1 and "featured list is full" in mail.outbox[0].body
    call_command("check_ledger")


def test_fulfilling_tells_the_creator_and_cannot_happen_twice(
    creator: object, staff: object, django_capture_on_commit_callbacks: object
) -> None:
    give(creator, 1_000)
    redemption = redeem(creator, PromotionFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.fulfil_redemption(redemption_id=redemption.pk, by=staff, note="Live on 1 Dec.")
    redemption.refresh_from_db()
    assert redemption.state == RedemptionState.FULFILLED
    assert mail.outbox[0].subject.endswith("fulfilled")
    with pytest.raises(services.StoreError, match="already fulfilled"):
        services.fulfil_redemption(redemption_id=redemption.pk, by=staff)
    with pytest.raises(services.StoreError, match="already fulfilled"):
        services.cancel_redemption(redemption_id=redemption.pk, reason="Oops.", by=staff)
    assert balance(creator) == 500


def test_a_cancellation_needs_a_reason(creator: object, staff: object) -> None:
    give(creator, 1_000)
    redemption = redeem(creator, PromotionFactory())
    with pytest.raises(services.StoreError, match="Say why"):
        services.cancel_redemption(redemption_id=redemption.pk, reason="  ", by=staff)


def test_fulfilling_cash_credits_the_earnings_ledger_in_the_same_transaction(
    creator: object, staff: object
) -> None:
    give(creator, 5_000)
    item = CashFactory(cash_amount_minor=2_500, currency="GBP")
    redemption = redeem(creator, item)
    assert redemption.is_pending and redemption.cash_display == "25.00 GBP"
    # Staff change the item afterwards: the creator is paid what they redeemed it for.
    item.cash_amount_minor = 1_000
    item.save()

    services.fulfil_redemption(redemption_id=redemption.pk, by=staff)

    [entry] = EarningsEntry.objects.all()
    assert (entry.amount, entry.account.currency, entry.source) == (
        2_500,
        "GBP",
        Source.CASH_REDEMPTION,
    )
    assert entry.document == f"store.redemption:{redemption.pk}"
    assert ledger.balances(creator) == [ledger.Balance("GBP", 2_500, 0)]
    redemption.refresh_from_db()
    assert redemption.state == RedemptionState.FULFILLED
    assert "25.00 GBP added to your earnings." in redemption.events.last().note
    assert "25.00 GBP added to your earnings." in Notification.objects.get(user=creator.user).body
    with pytest.raises(services.StoreError, match="already fulfilled"):
        services.fulfil_redemption(redemption_id=redemption.pk, by=staff)
    assert EarningsEntry.objects.count() == 1
    call_command("check_ledger")


def test_a_milestone_bonus_is_labelled_so_in_the_earnings(creator: object, staff: object) -> None:
    give(creator, 5_000)
    redemption = redeem(creator, CashFactory(is_milestone_bonus=True))
    services.fulfil_redemption(redemption_id=redemption.pk, by=staff)
    assert EarningsEntry.objects.get().source == Source.MILESTONE_BONUS


def test_a_cash_payment_the_ledger_refuses_leaves_the_redemption_pending(
    creator: object, staff: object
) -> None:
    give(creator, 5_000)
    redemption = redeem(creator, CashFactory(currency="GBP"))
    # A redemption whose amount was lost (as one made before amounts were kept might be).
    Redemption.objects.filter(pk=redemption.pk).update(cash_amount_minor=None)
    with pytest.raises(services.StoreError, match="no cash amount"):
        services.fulfil_redemption(redemption_id=redemption.pk, by=staff)
    redemption.refresh_from_db()
    assert redemption.is_pending and not EarningsEntry.objects.exists()


@override_settings(STORE_PENDING_MAX_DAYS=14)
def test_the_nightly_clean_up_cancels_and_refunds_what_waited_too_long(
    creator: object,
) -> None:
    give(creator, 5_000)
    now = timezone.now()
    stale = redeem(creator, PromotionFactory(), key="a" * 20, now=now - timedelta(days=15))
    fresh = redeem(creator, PromotionFactory(), key="b" * 20, now=now - timedelta(days=13))
    cash = redeem(creator, CashFactory(), key="c" * 20, now=now - timedelta(days=30))

    # Cash no longer waits for a ledger: left undecided, it is cancelled like the rest.
    assert services.cancel_stale_redemptions(now) == 2
    assert services.cancel_stale_redemptions(now) == 0  # nothing twice

    stale.refresh_from_db(), fresh.refresh_from_db(), cash.refresh_from_db()
    assert (stale.state, cash.state) == (RedemptionState.CANCELLED, RedemptionState.CANCELLED)
    assert "Not fulfilled within 14 days" in stale.reason
    assert stale.decided_by is None
    assert fresh.state == RedemptionState.PENDING
    assert balance(creator) == 5_000 - fresh.points_paid
    call_command("check_ledger")


def test_the_database_refuses_a_refund_on_a_redemption_that_is_not_cancelled(
    creator: object,
) -> None:
    give(creator, 1_000)
    redemption = redeem(creator, PromotionFactory())
    refund = post_entry(
        creator=creator, amount=1, kind=EntryKind.REFUNDED, idempotency_key="stray-refund"
    )
    with pytest.raises(IntegrityError):
        Redemption.objects.filter(pk=redemption.pk).update(refund_entry=refund)


def test_spending_uses_the_points_closest_to_expiry_first(creator: object) -> None:
    from rewards import expiry

    today = timezone.now().date()
    post_entry(
        creator=creator,
        amount=300,
        kind=EntryKind.ADJUSTED,
        idempotency_key="old",
        activity_date=today - timedelta(days=340),
    )
    post_entry(
        creator=creator,
        amount=300,
        kind=EntryKind.ADJUSTED,
        idempotency_key="new",
        activity_date=today - timedelta(days=10),
    )
    redeem(creator, ToolFactory(price_points=250))
    # The older lot paid: only 50 of it are left to expire next month.
    assert [e.points for e in expiry.expiring_soon(creator, today, days=30)] == [50]


def test_another_creator_is_unaffected(creator: object) -> None:
    other = CreatorFactory()
    give(creator, 1_000)
    give(other, 1_000)
    redeem(creator, ToolFactory())
    assert balance(other) == 1_000
    assert list(selectors.my_redemptions(other)) == []
    assert list(selectors.my_tools(other)) == []


def test_cancel_records_who_decided(creator: object) -> None:
    give(creator, 1_000)
    redemption = redeem(creator, PromotionFactory())
    boss = StaffFactory()
    services.cancel_redemption(redemption_id=redemption.pk, reason="Duplicate.", by=boss)
    event = redemption.events.last()
    assert event.by_staff and event.state == "cancelled"


def test_migrations_schedule_every_nightly_task_under_a_registered_name() -> None:
    from celery import current_app
    from django_celery_beat.models import PeriodicTask

    hours = dict(PeriodicTask.objects.values_list("task", "crontab__hour"))
    assert hours["rewards.recalculate_yesterday"] == "2"
    assert hours["rewards.expire_points"] == "3"
    assert hours["store.cancel_stale_redemptions"] == "4"
    current_app.loader.import_default_modules()  # every installed app's tasks.py
    assert set(hours) <= set(current_app.tasks)


def test_the_nightly_task_runs_the_clean_up(creator: object) -> None:
    from store import tasks

    give(creator, 1_000)
    old = redeem(creator, PromotionFactory(), now=timezone.now() - timedelta(days=30))
    assert tasks.cancel_stale_redemptions.delay().get() == 1
    old.refresh_from_db()
    assert old.state == RedemptionState.CANCELLED
