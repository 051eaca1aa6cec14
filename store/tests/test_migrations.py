"""The store moved out of rewards (issue #10): a database made by the old layout keeps every
row, id and link when it migrates (and the move migrates back: the test starts by doing so)."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.tests.factories import CreatorFactory
from rewards.models import PointsEntry
from store.models import Entitlement, Redemption, RedemptionEvent, StoreItem

OLD_LAYOUT = [("rewards", "0009_ledger_writes_less"), ("store", None)]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="migrations are checked on PostgreSQL"
    ),
]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader sees what is applied now


def _fill_old_layout(creator_id: int) -> dict[str, int]:
    """What a creator had in the store before the move, written through the old models."""
    old = MigrationExecutor(connection).loader.project_state(OLD_LAYOUT[:1]).apps
    now = timezone.now()
    account = old.get_model("rewards", "PointsAccount").objects.create(
        creator_id=creator_id, balance=600
    )
    entries = old.get_model("rewards", "PointsEntry").objects
    earned = entries.create(account=account, amount=1_000, kind="adjusted", idempotency_key="g")
    spent = entries.create(account=account, amount=-400, kind="redeemed", idempotency_key="r")
    tool = old.get_model("rewards", "StoreItem").objects.create(
        name="Old tool",
        slug="old-tool",
        kind="tool",
        summary="s",
        price_points=400,
        stock=3,
        entitlement_days=30,
    )
    redemption = old.get_model("rewards", "Redemption").objects.create(
        creator_id=creator_id,
        item=tool,
        request_key="k" * 20,
        list_price=400,
        points_paid=400,
        state="fulfilled",
        entry=spent,
        decided_at=now,
    )
    event = old.get_model("rewards", "RedemptionEvent").objects.create(
        redemption=redemption, state="fulfilled", note="Unlocked."
    )
    entitlement = old.get_model("rewards", "Entitlement").objects.create(
        creator_id=creator_id,
        item=tool,
        redemption=redemption,
        starts_at=now,
        ends_at=now + timedelta(days=30),
    )
    return {
        "earned": earned.pk,
        "spent": spent.pk,
        "item": tool.pk,
        "redemption": redemption.pk,
        "event": event.pk,
        "entitlement": entitlement.pk,
    }


def test_a_database_of_the_old_layout_keeps_every_store_row_through_the_move() -> None:
    # A transactional test before this one may have flushed the content types without
    # re-creating them (serialized_rollback does): the move below needs them.
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
    creator = CreatorFactory()
    _migrate(OLD_LAYOUT)
    try:
        # Migrating back gave the content types (and permissions) back to rewards.
        assert ContentType.objects.filter(app_label="rewards", model="redemption").exists()
        ids = _fill_old_layout(creator.pk)
    finally:
        call_command("migrate", verbosity=0)

    item = StoreItem.objects.get(pk=ids["item"])
    assert (item.slug, item.stock) == ("old-tool", 3)
    redemption = Redemption.objects.select_related("entry").get(pk=ids["redemption"])
    assert redemption.item == item and redemption.creator == creator
    assert redemption.entry.pk == ids["spent"] and redemption.entry.amount == -400
    assert RedemptionEvent.objects.get(pk=ids["event"]).redemption == redemption
    assert Entitlement.objects.get(pk=ids["entitlement"]).redemption == redemption
    assert PointsEntry.objects.filter(account_id=creator.pk).count() == 2
    # New rows continue the old ids instead of colliding with them.
    assert (
        StoreItem.objects.create(
            name="New",
            slug="new",
            kind="cash",
            summary="s",
            price_points=1,
            cash_amount_minor=100,
            currency="GBP",
        ).pk
        > ids["item"]
    )
    # The moved models keep their content type, so staff permissions on them stay.
    assert ContentType.objects.filter(app_label="rewards", model="redemption").count() == 0
    assert ContentType.objects.filter(app_label="store", model="redemption").count() == 1
    tasks = set(PeriodicTask.objects.values_list("task", flat=True))
    assert "store.cancel_stale_redemptions" in tasks
    assert "rewards.cancel_stale_redemptions" not in tasks
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    assert {"store_storeitem", "store_redemption"} <= tables
    assert not {"rewards_storeitem", "rewards_redemption"} & tables
