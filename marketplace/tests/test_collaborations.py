from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.tests.factories import BrandFactory
from marketplace import collaborations, tasks_deals
from marketplace.campaigns import DealError
from marketplace.models import Collaboration, CollabState
from payments.models import AttemptKind, AttemptState, EarningsAccount, EarningsEntry

from .factories_deals import DECLINES_CHARGES, card_details, card_for, collaboration

pytestmark = pytest.mark.django_db(transaction=True)


def states(collab: Collaboration) -> list[str]:
    return list(collab.steps.values_list("state", flat=True))


def test_the_whole_path_pay_into_hold_deliver_one_change_approve_and_credit() -> None:
    collab = collaboration(price_minor=45_000)
    brand, creator = collab.brand.user, collab.creator.user
    card = card_for(brand)

    collab = collaborations.pay(collab=collab, by=brand, card=card)
    assert collab.state == CollabState.ACCEPTED
    assert (collab.charge.amount, collab.charge.state) == (45_000, AttemptState.SUCCEEDED)
    assert not EarningsEntry.objects.exists()  # held by the portal, not yet the creator's
    # A second click charges nothing more.
    with pytest.raises(DealError, match="only once"):
        collaborations.pay(collab=collab, by=brand, card=card)
    assert collab.charge.__class__.objects.filter(kind=AttemptKind.CHARGE).count() == 1

    collaborations.deliver(collab=collab, by=creator, links="https://video.example/1\n")
    collaborations.request_changes(collab=collab, by=brand, note="Show the label.")
    collaborations.deliver(collab=collab, by=creator, links="https://video.example/2")
    collab = collaborations.approve(collab=collab, by=brand)

    assert collab.state == CollabState.PAID
    account = EarningsAccount.objects.get(creator=collab.creator, currency="USD")
    assert account.available == 45_000 - 6_750  # less the 15 % fee
    assert collab.earnings_entry.amount == 45_000
    assert states(collab) == [
        "terms",
        "terms",
        "terms",
        "accepted",
        "delivered",
        "changes",
        "delivered",
        "approved",
        "paid",
    ]
    assert collab.deliveries.count() == 2
    assert creator.notifications.filter(subject__contains="Approved and paid").exists()
    call_command("check_ledger")


def test_steps_out_of_order_are_refused_and_change_nothing() -> None:
    collab = collaboration(agreed=False)
    brand, creator = collab.brand.user, collab.creator.user
    card = card_for(brand)
    with pytest.raises(DealError, match="Both sides must agree"):
        collaborations.pay(collab=collab, by=brand, card=card)
    with pytest.raises(DealError, match="Delivery comes after the brand has paid"):
        collaborations.deliver(collab=collab, by=creator, links="https://v.example/1")
    with pytest.raises(DealError, match="Only a delivery waiting"):
        collaborations.approve(collab=collab, by=brand)
    collaborations.agree_terms(collab=collab, by=brand)
    collaborations.agree_terms(collab=collab, by=creator)
    with pytest.raises(DealError, match="Only the brand"):
        collaborations.pay(collab=collab, by=creator, card=card_for(creator))
    with pytest.raises(DealError, match="not yours"):
        collaborations.pay(collab=collab, by=BrandFactory().user, card=card)
    collab.refresh_from_db()
    assert (collab.state, collab.charge_id, collab.card_id) == (CollabState.TERMS, None, None)
    assert states(collab) == ["terms", "terms", "terms"]


def test_changed_terms_need_the_other_side_again() -> None:
    collab = collaboration()
    due = timezone.localdate() + timedelta(days=10)
    collab = collaborations.set_terms(
        collab=collab,
        by=collab.creator.user,
        deliverables="Two videos",
        due_on=due,
        price_minor=50_000,
        usage_rights="ads_30",
    )
    assert collab.creator_agreed_at is not None and collab.brand_agreed_at is None
    with pytest.raises(DealError, match="Both sides must agree"):
        collaborations.pay(collab=collab, by=collab.brand.user, card=card_for(collab.brand.user))
    collaborations.agree_terms(collab=collab, by=collab.brand.user)
    collab = collaborations.pay(
        collab=collab, by=collab.brand.user, card=card_for(collab.brand.user)
    )
    assert collab.charge.amount == 50_000


def test_a_declined_card_leaves_the_terms_and_another_card_pays() -> None:
    collab = collaboration()
    brand = collab.brand.user
    with pytest.raises(DealError):
        collaborations.pay_with_new_card(
            collab=collab, by=brand, card=card_details(DECLINES_CHARGES)
        )
    collab.refresh_from_db()
    assert (collab.state, collab.card_id, collab.charge_id) == (CollabState.TERMS, None, None)
    collab = collaborations.pay_with_new_card(collab=collab, by=brand, card=card_details())
    assert collab.state == CollabState.ACCEPTED


def test_at_most_two_rounds_of_changes() -> None:
    collab = collaboration()
    brand, creator = collab.brand.user, collab.creator.user
    collaborations.pay(collab=collab, by=brand, card=card_for(brand))
    for _ in range(2):
        collaborations.deliver(collab=collab, by=creator, links="https://v.example/1")
        collaborations.request_changes(collab=collab, by=brand, note="Again")
    collaborations.deliver(collab=collab, by=creator, links="https://v.example/1")
    with pytest.raises(DealError, match="2 times already"):
        collaborations.request_changes(collab=collab, by=brand, note="Once more")
    collab.refresh_from_db()
    assert (collab.state, collab.change_rounds) == (CollabState.DELIVERED, 2)


def test_cancelling_before_delivery_refunds_the_brand() -> None:
    collab = collaboration()
    brand, creator = collab.brand.user, collab.creator.user
    collaborations.pay(collab=collab, by=brand, card=card_for(brand))
    with pytest.raises(DealError, match="reason"):
        collaborations.cancel(collab=collab, by=creator, reason=" ")
    collab = collaborations.cancel(collab=collab, by=creator, reason="I am ill.")
    assert collab.state == CollabState.CANCELLED
    assert (collab.refund.amount, collab.refund.state) == (
        collab.price_minor,
        AttemptState.SUCCEEDED,
    )
    assert brand.notifications.filter(subject__startswith="Cancelled").exists()
    # Delivering a cancelled collaboration is refused; cancelling again refunds nothing more.
    with pytest.raises(DealError, match="Delivery comes after"):
        collaborations.deliver(collab=collab, by=creator, links="https://v.example/1")
    collaborations.cancel(collab=collab, by=brand, reason="")
    assert collab.refund.__class__.objects.filter(kind=AttemptKind.REFUND).count() == 1
    assert not EarningsEntry.objects.exists()


def test_no_cancelling_once_delivered() -> None:
    collab = collaboration()
    brand, creator = collab.brand.user, collab.creator.user
    collaborations.pay(collab=collab, by=brand, card=card_for(brand))
    collaborations.deliver(collab=collab, by=creator, links="https://v.example/1")
    with pytest.raises(DealError, match="only before the work is delivered"):
        collaborations.cancel(collab=collab, by=brand, reason="Changed our mind")
    collab.refresh_from_db()
    assert collab.state == CollabState.DELIVERED and collab.refund_id is None


def test_an_undecided_delivery_is_approved_nightly_after_fourteen_days() -> None:
    collab = collaboration()
    brand, creator = collab.brand.user, collab.creator.user
    collaborations.pay(collab=collab, by=brand, card=card_for(brand))
    collaborations.deliver(collab=collab, by=creator, links="https://v.example/1")
    assert tasks_deals.auto_approve_deliveries() == 0
    Collaboration.objects.filter(pk=collab.pk).update(
        delivered_at=timezone.now() - timedelta(days=14, minutes=1)
    )
    assert tasks_deals.auto_approve_deliveries() == 1
    assert tasks_deals.auto_approve_deliveries() == 0
    collab.refresh_from_db()
    assert (collab.state, collab.auto_approved) == (CollabState.PAID, True)
    assert (
        EarningsAccount.objects.get(creator=collab.creator).available == collab.creator_share_minor
    )
    assert brand.notifications.filter(subject__contains="automatically").exists()
    call_command("check_ledger")


def test_messages_reach_the_other_side_only_from_the_two_sides() -> None:
    collab = collaboration()
    message = collaborations.post_message(collab=collab, by=collab.brand.user, body=" Hello ")
    assert message.body == "Hello"
    assert collab.creator.user.notifications.filter(subject__contains="Message from").exists()
    with pytest.raises(DealError, match="not yours"):
        collaborations.post_message(collab=collab, by=BrandFactory().user, body="Hi")
    with pytest.raises(DealError, match="Write a message"):
        collaborations.post_message(collab=collab, by=collab.creator.user, body="  ")


def test_actions_for_each_side_follow_the_state() -> None:
    collab = collaboration()
    brand, creator = collab.brand.user, collab.creator.user
    assert collaborations.actions_for(collab, brand) == {"terms", "pay", "cancel", "message"}
    assert collaborations.actions_for(collab, creator) == {"terms", "cancel", "message"}
    assert collaborations.actions_for(collab, BrandFactory().user) == set()
