"""A gateway that times out, answers 500, is stopped or refuses the portal's keys; a double
click racing itself. Each moves no money twice, and the attempt row says what happened."""

import logging
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from pytest_django import Settings

from accounts.models import User
from payments import services
from payments.gateway import CardDetails, get_gateway
from payments.models import AttemptState, PaymentAttempt, SandboxPayment, SavedCard

from . import localstripe

VISA = "4242424242424242"


def card(number: str = VISA) -> CardDetails:
    return CardDetails(number=number, exp_month=12, exp_year=timezone.now().year + 3, cvc="123")


def charges_at_gateway(saved: SavedCard) -> list[str]:
    since = timezone.now() - timedelta(hours=1)
    found = get_gateway().find_charges(customer=saved.customer.reference, since=since)
    return sorted(charge.idempotency_key for charge in found)


@pytest.fixture
def stripe_gateway(settings: Settings, localstripe_url: str) -> None:
    settings.PAYMENTS_GATEWAY = "stripe"
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_SECRET_KEY = localstripe.TEST_SECRET_KEY


# The sandbox's fault cards.


def test_timeout_after_charging_is_reconciled_on_retry(fan: User) -> None:
    saved = services.save_card(user=fan, card=card("4000000000000408"))

    with pytest.raises(services.GatewayUnavailable):
        services.charge_card(card=saved, amount=900, idempotency_key="slow")

    attempt = PaymentAttempt.objects.get()
    assert (attempt.state, attempt.error_code) == (AttemptState.UNKNOWN, "gateway_unavailable")
    assert attempt.reference == ""
    # The money moved at the gateway; the retry finds it instead of charging again.
    retried = services.charge_card(card=saved, amount=900, idempotency_key="slow")
    assert retried.state == AttemptState.SUCCEEDED
    assert retried.reference == SandboxPayment.objects.get().reference
    assert charges_at_gateway(saved) == ["slow"]


def test_server_error_charges_nothing_and_stays_unknown_until_reconciled(fan: User) -> None:
    saved = services.save_card(user=fan, card=card("4000000000000507"))

    for _ in range(2):
        with pytest.raises(services.GatewayUnavailable, match="500"):
            services.charge_card(card=saved, amount=900, idempotency_key="boom")

    assert PaymentAttempt.objects.get().state == AttemptState.UNKNOWN
    assert not SandboxPayment.objects.exists()
    settled = services.reconcile_attempt(attempt=PaymentAttempt.objects.get())
    assert settled.state == AttemptState.FAILED


def test_lack_of_funds_at_charge(fan: User) -> None:
    saved = services.save_card(user=fan, card=card("4000000000000911"))

    with pytest.raises(services.InsufficientFunds):
        services.charge_card(card=saved, amount=900, idempotency_key="poor")

    attempt = PaymentAttempt.objects.get()
    assert (attempt.state, attempt.error_code) == (AttemptState.FAILED, "insufficient_funds")
    assert not SandboxPayment.objects.exists()


def test_sandbox_refuses_numbers_that_are_not_test_cards(fan: User) -> None:
    with pytest.raises(services.InvalidCard, match="test card"):
        services.save_card(user=fan, card=card("4111111111111111"))


def test_sandbox_distinguishes_lack_of_funds_when_saving(fan: User) -> None:
    with pytest.raises(services.InsufficientFunds):
        services.save_card(user=fan, card=card("4000000000009995"))


# The Stripe gateway with localstripe stopped, unreachable or refusing.


@pytest.mark.usefixtures("stripe_gateway")
def test_stopped_localstripe_charges_nothing_and_leaves_the_attempt_unknown(
    fan: User, settings: Settings
) -> None:
    with localstripe.running() as own:
        settings.STRIPE_API_BASE = own.url
        saved = services.save_card(user=fan, card=card())
        own.stop()

        with pytest.raises(services.GatewayUnavailable, match="could not be reached"):
            services.charge_card(card=saved, amount=900, idempotency_key="down")
        attempt = PaymentAttempt.objects.get()
        assert (attempt.state, attempt.reference) == (AttemptState.UNKNOWN, "")
        # Nor can it be settled while the gateway is away.
        with pytest.raises(services.GatewayUnavailable):
            services.reconcile_attempt(attempt=attempt)
        assert PaymentAttempt.objects.get().state == AttemptState.UNKNOWN


@pytest.mark.usefixtures("stripe_gateway")
def test_unreachable_stripe_then_back_charges_exactly_once(
    fan: User, settings: Settings, localstripe_url: str
) -> None:
    saved = services.save_card(user=fan, card=card())
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{localstripe.free_port()}"
    with pytest.raises(services.GatewayUnavailable):
        services.charge_card(card=saved, amount=900, idempotency_key="flaky")
    assert PaymentAttempt.objects.get().state == AttemptState.UNKNOWN

    settings.STRIPE_API_BASE = localstripe_url
    attempt = services.charge_card(card=saved, amount=900, idempotency_key="flaky")
    again = services.charge_card(card=saved, amount=900, idempotency_key="flaky")

    assert attempt.state == AttemptState.SUCCEEDED and again.reference == attempt.reference
    assert charges_at_gateway(saved) == ["flaky"]


@pytest.mark.usefixtures("stripe_gateway")
def test_stripe_without_a_key_is_a_clear_error(fan: User, settings: Settings) -> None:
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(services.GatewayRefused, match="STRIPE_SECRET_KEY"):
        services.save_card(user=fan, card=card())


@pytest.mark.usefixtures("stripe_gateway")
def test_card_number_never_reaches_the_logs(fan: User, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    saved = services.save_card(user=fan, card=card())
    services.charge_card(card=saved, amount=900, idempotency_key="logged")

    assert VISA not in caplog.text
    assert "cvc" not in caplog.text


# Two requests with one key at the same moment (a double click), on PostgreSQL's row locks.


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("payments_gateway")
def test_double_click_charges_once(fan: User) -> None:
    saved = services.save_card(user=fan, card=card())
    start = threading.Barrier(2)
    results: list[object] = []

    def click() -> None:
        try:
            start.wait()
            results.append(services.charge_card(card=saved, amount=900, idempotency_key="dbl"))
        except Exception as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(isinstance(result, PaymentAttempt) for result in results), results
    assert {result.reference for result in results} == {PaymentAttempt.objects.get().reference}  # type: ignore[union-attr]
    assert charges_at_gateway(saved) == ["dbl"]
