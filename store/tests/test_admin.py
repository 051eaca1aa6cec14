"""The fulfilment queue in admin: staff fulfil or cancel, one or many, always with a reason."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import CreatorFactory, UserFactory
from rewards.models import EntryKind, PointsAccount
from rewards.services import post_entry
from store import services
from store.models import Redemption, RedemptionState
from store.tests.factories import PromotionFactory, ToolFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("admin:store_redemption_changelist")


def pending(count: int) -> list[Redemption]:
    made = []
    for _ in range(count):
        creator = CreatorFactory()
        post_entry(
            creator=creator, amount=1_000, kind=EntryKind.ADJUSTED, idempotency_key=f"f{creator.pk}"
        )
        redemption, _ = services.redeem_item(
            creator=creator, item_id=PromotionFactory(price_points=300).pk, request_key="a" * 20
        )
        made.append(redemption)
    return made


def act(client: Client, action: str, redemptions: list[Redemption], **extra: str) -> object:
    return client.post(
        QUEUE,
        {"action": action, "_selected_action": [r.pk for r in redemptions], **extra},
        follow=True,
    )


def test_fulfilling_asks_for_a_note_first_then_fulfils_every_selected(
    staff_client: Client,
) -> None:
    redemptions = pending(3)
    ask = act(staff_client, "fulfil", redemptions)
    assert "Note to the creator" in ask.content.decode()
    assert Redemption.objects.filter(state=RedemptionState.PENDING).count() == 3

    done = act(staff_client, "fulfil", redemptions, apply="1", reason="Booked for Monday.")

    assert "3 redemptions fulfilled." in done.content.decode()
    assert set(Redemption.objects.values_list("state", flat=True)) == {"fulfilled"}
    assert Redemption.objects.filter(reason="Booked for Monday.").count() == 3


def test_cancelling_without_a_reason_changes_nothing(staff_client: Client) -> None:
    redemptions = pending(1)
    response = act(staff_client, "cancel", redemptions, apply="1", reason="")
    assert "Say why: the creator reads it." in response.content.decode()
    assert Redemption.objects.get().state == RedemptionState.PENDING


def test_cancelling_in_bulk_refunds_each_and_skips_what_is_decided(staff_client: Client) -> None:
    first, second = pending(2)
    services.fulfil_redemption(redemption_id=second.pk, by=UserFactory(role=Role.STAFF))

    response = act(staff_client, "cancel", [first, second], apply="1", reason="Campaign off.")

    html = response.content.decode()
    assert "1 redemption cancelled and refunded." in html
    assert f"Redemption {second.pk} is already fulfilled." in html
    first.refresh_from_db()
    assert first.state == RedemptionState.CANCELLED
    assert PointsAccount.objects.get(creator=first.creator).balance == 1_000
    call_command("check_ledger")


def test_staff_without_the_change_permission_cannot_decide() -> None:
    [redemption] = pending(1)
    user = UserFactory(role=Role.STAFF, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_redemption"))
    client = Client()
    client.force_login(user)
    assert "Cancel and refund" not in client.get(QUEUE).content.decode()
    act(client, "cancel", [redemption], apply="1", reason="No.")
    redemption.refresh_from_db()
    assert redemption.state == RedemptionState.PENDING


def test_a_redeemed_item_cannot_be_deleted_only_switched_off(staff_client: Client) -> None:
    creator = CreatorFactory()
    post_entry(creator=creator, amount=500, kind=EntryKind.ADJUSTED, idempotency_key="g")
    item = ToolFactory()
    services.redeem_item(creator=creator, item_id=item.pk, request_key="b" * 20)
    url = reverse("admin:store_storeitem_delete", args=[item.pk])
    assert staff_client.get(url).status_code == 403


def test_the_stale_filter_lists_what_the_nightly_task_would_cancel(staff_client: Client) -> None:
    from datetime import timedelta

    from django.utils import timezone

    [redemption] = pending(1)
    Redemption.objects.filter(pk=redemption.pk).update(
        created_at=timezone.now() - timedelta(days=20)
    )
    pending(1)
    html = staff_client.get(QUEUE + "?waiting=stale").content.decode()
    assert "1 redemption" in html
