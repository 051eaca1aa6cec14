"""Attempts a crash or a timeout left unsettled: settled by the scheduled task and by staff
in admin, from what the gateway holds, never by charging again."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from payments import services, tasks
from payments.gateway import CardDetails
from payments.models import AttemptState, PaymentAttempt, SandboxPayment

pytestmark = pytest.mark.django_db


def unsettled(user: User, key: str) -> PaymentAttempt:
    """A charge whose gateway answered 500: unknown until settled."""
    saved = services.save_card(
        user=user,
        card=CardDetails(number="4000000000000507", exp_month=12, exp_year=2030, cvc="123"),
    )
    with pytest.raises(services.GatewayUnavailable):
        services.charge_card(card=saved, amount=900, idempotency_key=key)
    return PaymentAttempt.objects.get(idempotency_key=key)


def test_the_task_settles_old_unsettled_attempts_and_leaves_young_ones(fan: User) -> None:
    old, young = unsettled(fan, "old"), unsettled(fan, "young")
    PaymentAttempt.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - timedelta(minutes=11)
    )
    assert tasks.settle_unsettled_attempts() == 1
    old.refresh_from_db(), young.refresh_from_db()
    assert (old.state, young.state) == (AttemptState.FAILED, AttemptState.UNKNOWN)
    assert not SandboxPayment.objects.exists()  # nothing was charged to settle it


def test_staff_settle_attempts_from_admin(fan: User, staff_client: Client) -> None:
    attempt = unsettled(fan, "boom")
    response = staff_client.post(
        reverse("admin:payments_paymentattempt_changelist"),
        {"action": "reconcile", "_selected_action": [attempt.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Settled 1 attempt." in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FAILED
