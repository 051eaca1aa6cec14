"""Brands' payments into hold whose outcome the gateway left unknown, and the sweep that
settles them (marketplace.collaborations.finish_pending_payments, every 15 minutes)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.models import User
from accounts.tests.factories import BrandFactory
from marketplace import collaborations, tasks, tasks_deals
from marketplace.collaborations import PaymentPending
from marketplace.models import Collaboration, CollabState, Step
from payments import tasks as payments_tasks
from payments.gateway.errors import GatewayUnavailable
from payments.gateway.sandbox import SandboxGateway
from payments.models import AttemptState, EarningsEntry, PaymentAttempt, SandboxPayment

from .factories_deals import card_for, collaboration

pytestmark = pytest.mark.django_db(transaction=True)

# The sandbox's own test cards (payments.gateway.sandbox): one charges but its answer times
# out, one answers 500 having charged nothing. Both leave the outcome unknown.
TIMES_OUT = "4000000000000408"
SERVER_ERROR = "4000000000000507"


def card_times_out(collab: Collaboration) -> Collaboration:
    with pytest.raises(PaymentPending):
        collaborations.pay(
            collab=collab, by=collab.brand.user, card=card_for(collab.brand.user, TIMES_OUT)
        )
    collab.refresh_from_db()
    return collab


def age(collab: Collaboration, minutes: int = 20) -> None:
    """Move the payment into the past, as if the sweep ran `minutes` later."""
    then = timezone.now() - timedelta(minutes=minutes)
    Collaboration.objects.filter(pk=collab.pk).update(updated_at=then)
    PaymentAttempt.objects.filter(
        idempotency_key__startswith=f"marketplace-collab:{collab.pk}:"
    ).update(updated_at=then, created_at=then)


def notes(collab: Collaboration) -> list[str]:
    return list(collab.steps.order_by("pk").values_list("note", flat=True))


def test_a_charge_that_timed_out_is_found_and_held_without_charging_again() -> None:
    collab = card_times_out(collaboration())
    brand, creator = collab.brand.user, collab.creator.user
    assert (collab.state, collab.charge_id) == (CollabState.TERMS, None)
    assert PaymentAttempt.objects.get().state == AttemptState.UNKNOWN
    assert collaborations.payment_under_way(collab)
    # Nothing else may happen to the money or the price until the outcome is known.
    assert collaborations.actions_for(collab, brand) == {"message"}
    with pytest.raises(PaymentPending, match="under way"):
        collaborations.cancel(collab=collab, by=creator, reason="Too slow")
    with pytest.raises(PaymentPending, match="terms stay as agreed"):
        collaborations.set_terms(
            collab=collab,
            by=creator,
            deliverables="More",
            due_on=collab.due_on,
            price_minor=90_000,
            usage_rights=collab.usage_rights,
        )
    with pytest.raises(PaymentPending, match="another card is under way"):
        collaborations.pay(collab=collab, by=brand, card=card_for(brand))

    # Too recent: the brand's request may still be waiting for the answer.
    assert collaborations.finish_pending_payments() == 0
    age(collab)
    assert tasks_deals.finish_pending_payments.run() == 1

    collab.refresh_from_db()
    assert collab.state == CollabState.ACCEPTED
    assert (collab.charge.amount, collab.charge.state) == (45_000, AttemptState.SUCCEEDED)
    assert SandboxPayment.objects.filter(kind="charge").count() == 1  # found, not charged again
    assert "The payment service confirmed" in notes(collab)[-1]
    assert creator.notifications.filter(subject__startswith="Paid into hold").count() == 1
    assert brand.notifications.filter(subject__startswith="Your payment went through").exists()
    assert not EarningsEntry.objects.exists()  # held, not yet the creator's
    # A second run, or the brand's request coming back late, records nothing more.
    assert collaborations.finish_pending_payments() == 0
    assert Step.objects.filter(collab=collab, state=CollabState.ACCEPTED).count() == 1


def test_a_charge_the_gateway_never_made_sends_the_collaboration_back_to_payment() -> None:
    collab = collaboration()
    brand = collab.brand.user
    broken = card_for(brand, SERVER_ERROR)
    with pytest.raises(PaymentPending):
        collaborations.pay(collab=collab, by=brand, card=broken)
    age(collab)
    assert collaborations.finish_pending_payments() == 1

    collab.refresh_from_db()
    assert (collab.state, collab.card_id, collab.charge_id) == (CollabState.TERMS, None, None)
    assert not collaborations.payment_under_way(collab)
    assert "pay" in collaborations.actions_for(collab, brand)
    told = brand.notifications.get(subject__startswith="Your payment did not go through")
    assert "holds no such payment: nothing was charged" in told.body
    assert "can pay again, with the same card or another" in told.body
    assert not SandboxPayment.objects.exists()
    assert collaborations.finish_pending_payments() == 0
    assert brand.notifications.filter(subject__contains="did not go through").count() == 1

    # The same card may be tried again (a new attempt, not the failed one replayed) ...
    with pytest.raises(PaymentPending):
        collaborations.pay(collab=collab, by=brand, card=broken)
    keys = sorted(PaymentAttempt.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 2 and keys[1].endswith(":again:1")
    age(collab)
    assert collaborations.finish_pending_payments() == 1
    # ... and another card pays.
    collab = collaborations.pay(collab=collab, by=brand, card=card_for(brand))
    assert collab.state == CollabState.ACCEPTED
    assert SandboxPayment.objects.filter(kind="charge").count() == 1


def test_a_payment_the_gateway_cannot_be_asked_about_waits_for_the_next_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    collab = card_times_out(collaboration())
    age(collab)

    def unreachable(self: SandboxGateway, **kwargs: object) -> list:
        raise GatewayUnavailable()

    with monkeypatch.context() as patched:
        patched.setattr(SandboxGateway, "find_charges", unreachable)
        assert collaborations.finish_pending_payments() == 0
    collab.refresh_from_db()
    assert (collab.state, collab.charge_id) == (CollabState.TERMS, None)
    assert collab.card_id is not None and collaborations.payment_under_way(collab)
    assert PaymentAttempt.objects.get().state == AttemptState.UNKNOWN
    assert not collab.brand.user.notifications.filter(subject__contains="payment").exists()

    age(collab)
    assert collaborations.finish_pending_payments() == 1
    collab.refresh_from_db()
    assert collab.state == CollabState.ACCEPTED


def test_an_attempt_the_payments_sweep_settled_first_is_still_recorded() -> None:
    collab = card_times_out(collaboration())
    age(collab)
    assert payments_tasks.settle_unsettled_attempts.run() == 1
    assert PaymentAttempt.objects.get().state == AttemptState.SUCCEEDED
    collab.refresh_from_db()
    assert collab.state == CollabState.TERMS  # payments knows, the collaboration not yet
    assert collaborations.finish_pending_payments() == 1
    collab.refresh_from_db()
    assert collab.state == CollabState.ACCEPTED and collab.charge.state == AttemptState.SUCCEEDED


def test_a_card_chosen_but_never_charged_is_released_after_a_while() -> None:
    """A crash between recording the card and charging it: no attempt at all."""
    collab = collaboration()
    brand = collab.brand.user
    collaborations._claim_payment(collab, brand, card_for(brand))
    collab.refresh_from_db()
    assert collaborations.payment_under_way(collab)  # the charge may be on its way
    with pytest.raises(PaymentPending):
        collaborations.cancel(collab=collab, by=brand, reason="Changed our mind")
    assert collaborations.finish_pending_payments() == 0

    age(collab)
    collab.refresh_from_db()
    assert not collaborations.payment_under_way(collab)
    assert collaborations.finish_pending_payments() == 1
    collab.refresh_from_db()
    assert (collab.state, collab.card_id) == (CollabState.TERMS, None)
    assert "never reached the payment service" in notes(collab)[-1]
    collab = collaborations.cancel(collab=collab, by=brand, reason="Changed our mind")
    assert collab.state == CollabState.CANCELLED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks across threads")
def test_two_sweeps_at_once_settle_each_payment_once() -> None:
    collabs = [card_times_out(collaboration()) for _ in range(3)]
    for collab in collabs:
        age(collab)
    settled: list[int] = []
    start = threading.Barrier(2)

    def sweep() -> None:
        start.wait()
        try:
            settled.append(collaborations.finish_pending_payments())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(settled) == 3
    assert Step.objects.filter(state=CollabState.ACCEPTED).count() == 3
    assert SandboxPayment.objects.filter(kind="charge").count() == 3
    for collab in collabs:
        assert collab.creator.user.notifications.filter(subject__startswith="Paid").count() == 1


def test_the_sweep_is_scheduled_every_fifteen_minutes() -> None:
    scheduled = PeriodicTask.objects.get(task="marketplace.finish_pending_payments")
    assert (scheduled.interval.every, scheduled.interval.period) == (15, "minutes")
    # Celery's autodiscovery of marketplace.tasks registers it.
    assert tasks.finish_pending_payments.name == "marketplace.finish_pending_payments"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_pay_page_sends_an_unanswered_payment_back_to_the_collaboration() -> None:
    collab = collaboration()
    brand_client = client_for(collab.brand.user)
    card = card_for(collab.brand.user, TIMES_OUT)
    pay_url = reverse("marketplace:collab_pay", args=[collab.pk])
    response = brand_client.post(pay_url, {"card": str(card.pk), "request_key": "a" * 32})
    assert response.status_code == 302
    assert response["Location"] == reverse("marketplace:collab", args=[collab.pk])
    page = brand_client.get(response["Location"]).content.decode()
    assert "did not answer in time, so the payment is under way" in page
    assert 'data-testid="payment-under-way"' in page and "card ending 0408" in page
    assert "Pay 450.00" not in page and "Cancel the collaboration" not in page
    creator_page = client_for(collab.creator.user).get(response["Location"]).content.decode()
    assert "The brand's payment of 450.00 USD is under way" in creator_page
    pay_page = brand_client.get(pay_url).content.decode()
    assert "Your payment is under way" in pay_page and 'name="card"' not in pay_page
    # Another brand cannot see that a payment is under way.
    other = client_for(BrandFactory().user)
    assert other.get(response["Location"]).status_code == 404
