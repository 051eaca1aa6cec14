"""The gateway's contract: the same tests, with the same answers, on the sandbox and on
the Stripe gateway against localstripe (the `payments_gateway` fixture runs each twice)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from payments import services
from payments.gateway import CardDetails, get_gateway
from payments.models import (
    AttemptKind,
    AttemptState,
    PaymentAttempt,
    PaymentCustomer,
    SavedCard,
)

pytestmark = pytest.mark.usefixtures("payments_gateway")

VISA = "4242424242424242"
DECLINED = "4000000000000002"
NO_FUNDS = "4000000000009995"
DECLINES_CHARGES = "4000000000000341"
NEEDS_AUTHENTICATION = "4000002760003184"


def card(number: str = VISA) -> CardDetails:
    return CardDetails(number=number, exp_month=12, exp_year=timezone.now().year + 3, cvc="123")


def charges_at_gateway(saved: SavedCard) -> list[str]:
    since = timezone.now() - timedelta(hours=1)
    found = get_gateway().find_charges(customer=saved.customer.reference, since=since)
    return sorted(charge.idempotency_key for charge in found)


def test_saved_card_keeps_only_reference_brand_last4_and_expiry(
    fan: User, payments_gateway: str
) -> None:
    saved = services.save_card(user=fan, card=card())

    assert (saved.brand, saved.last4, saved.exp_month) == ("visa", "4242", 12)
    assert saved.reference.startswith("pm_")
    assert saved.customer.gateway == payments_gateway
    assert saved.customer.reference.startswith("cus_")
    rows = [
        *PaymentCustomer.objects.values_list(),
        *SavedCard.objects.values_list(),
    ]
    assert VISA not in repr(rows)
    assert "123" not in {str(value) for row in rows for value in row}


def test_second_card_reuses_the_customer(fan: User) -> None:
    first = services.save_card(user=fan, card=card())
    second = services.save_card(user=fan, card=card("5555555555554444"))

    assert first.customer == second.customer
    assert fan.payment_customers.count() == 1


@pytest.mark.parametrize("number", [DECLINED, NO_FUNDS])
def test_declined_card_is_not_saved(fan: User, number: str) -> None:
    with pytest.raises(services.CardDeclined):
        services.save_card(user=fan, card=card(number))

    assert not SavedCard.objects.exists()


@pytest.mark.parametrize(
    ("number", "exp_month", "cvc"),
    [("4242424242424241", 12, "123"), ("42424242", 12, "123"), (VISA, 13, "123"), (VISA, 12, "1")],
)
def test_malformed_card_never_reaches_the_gateway(
    fan: User, number: str, exp_month: int, cvc: str
) -> None:
    details = CardDetails(number=number, exp_month=exp_month, exp_year=2040, cvc=cvc)

    with pytest.raises(services.InvalidCard):
        services.save_card(user=fan, card=details)

    assert not PaymentCustomer.objects.exists()


def test_charge_succeeds_and_is_recorded(fan: User) -> None:
    saved = services.save_card(user=fan, card=card())

    attempt = services.charge_card(
        card=saved, amount=1250, idempotency_key="order-1", description="Gold package"
    )

    assert attempt.state == AttemptState.SUCCEEDED
    assert (attempt.kind, attempt.amount, attempt.currency) == (AttemptKind.CHARGE, 1250, "USD")
    assert attempt.reference
    assert (attempt.error_code, attempt.error_message) == ("", "")
    assert charges_at_gateway(saved) == ["order-1"]


def test_repeated_key_returns_the_first_charge_and_charges_once(fan: User) -> None:
    saved = services.save_card(user=fan, card=card())

    first = services.charge_card(card=saved, amount=500, idempotency_key="click")
    second = services.charge_card(card=saved, amount=500, idempotency_key="click")

    assert second.pk == first.pk
    assert second.reference == first.reference
    assert PaymentAttempt.objects.count() == 1
    assert charges_at_gateway(saved) == ["click"]


def test_key_reused_for_another_amount_is_refused(fan: User) -> None:
    saved = services.save_card(user=fan, card=card())
    services.charge_card(card=saved, amount=500, idempotency_key="k")

    with pytest.raises(services.KeyReused):
        services.charge_card(card=saved, amount=900, idempotency_key="k")

    assert charges_at_gateway(saved) == ["k"]
    assert PaymentAttempt.objects.get().amount == 500


@pytest.mark.parametrize("amount", [0, -100, services.MAX_AMOUNT + 1, 12.5, True, "100"])
def test_wrong_amount_is_refused_before_anything_is_recorded(fan: User, amount: object) -> None:
    saved = services.save_card(user=fan, card=card())

    with pytest.raises(services.InvalidAmount):
        services.charge_card(card=saved, amount=amount, idempotency_key="bad")  # type: ignore[arg-type]

    assert not PaymentAttempt.objects.exists()
    assert charges_at_gateway(saved) == []


def test_largest_amount_is_charged(fan: User) -> None:
    saved = services.save_card(user=fan, card=card())

    attempt = services.charge_card(card=saved, amount=services.MAX_AMOUNT, idempotency_key="big")

    assert attempt.state == AttemptState.SUCCEEDED


def test_card_declined_at_charge_moves_no_money_and_says_so(fan: User) -> None:
    saved = services.save_card(user=fan, card=card(DECLINES_CHARGES))

    with pytest.raises(services.CardDeclined) as raised:
        services.charge_card(card=saved, amount=700, idempotency_key="renewal-1")

    attempt = PaymentAttempt.objects.get(idempotency_key="renewal-1")
    assert attempt.state == AttemptState.FAILED
    assert attempt.error_code == "card_declined"
    assert attempt.error_message == raised.value.message
    assert attempt.reference == ""
    assert charges_at_gateway(saved) == []


def test_failed_key_raises_the_same_error_again(fan: User) -> None:
    saved = services.save_card(user=fan, card=card(DECLINES_CHARGES))
    with pytest.raises(services.CardDeclined):
        services.charge_card(card=saved, amount=700, idempotency_key="renewal-1")

    with pytest.raises(services.CardDeclined):
        services.charge_card(card=saved, amount=700, idempotency_key="renewal-1")

    assert PaymentAttempt.objects.get().state == AttemptState.FAILED


def test_card_needing_authentication_is_not_charged(fan: User) -> None:
    saved = services.save_card(user=fan, card=card(NEEDS_AUTHENTICATION))

    with pytest.raises(services.AuthenticationRequired):
        services.charge_card(card=saved, amount=300, idempotency_key="tip-1")

    attempt = PaymentAttempt.objects.get()
    assert (attempt.state, attempt.error_code) == (AttemptState.FAILED, "authentication_required")
    assert charges_at_gateway(saved) == []


def test_crash_after_the_call_is_reconciled_without_charging_again(fan: User) -> None:
    """A process recorded the attempt, called the gateway, and died before recording the
    answer: the retry finds the charge at the gateway instead of making a second one."""
    saved = services.save_card(user=fan, card=card())
    crashed = PaymentAttempt.objects.create(
        idempotency_key="crash",
        kind=AttemptKind.CHARGE,
        gateway=saved.customer.gateway,
        customer=saved.customer,
        card=saved,
        amount=800,
        currency="USD",
    )
    reference = get_gateway().charge(
        customer=saved.customer.reference,
        payment_method=saved.reference,
        amount=800,
        currency="USD",
        idempotency_key="crash",
        description="",
    )

    attempt = services.charge_card(card=saved, amount=800, idempotency_key="crash")

    assert attempt.pk == crashed.pk
    assert (attempt.state, attempt.reference) == (AttemptState.SUCCEEDED, reference)
    assert charges_at_gateway(saved) == ["crash"]


def test_crash_before_the_call_charges_once_on_retry(fan: User) -> None:
    saved = services.save_card(user=fan, card=card())
    PaymentAttempt.objects.create(
        idempotency_key="early",
        kind=AttemptKind.CHARGE,
        gateway=saved.customer.gateway,
        customer=saved.customer,
        card=saved,
        amount=800,
        currency="USD",
    )

    attempt = services.charge_card(card=saved, amount=800, idempotency_key="early")

    assert attempt.state == AttemptState.SUCCEEDED
    assert charges_at_gateway(saved) == ["early"]


def test_reconcile_marks_an_attempt_that_never_reached_the_gateway_failed(fan: User) -> None:
    saved = services.save_card(user=fan, card=card())
    lost = PaymentAttempt.objects.create(
        idempotency_key="lost",
        kind=AttemptKind.CHARGE,
        gateway=saved.customer.gateway,
        customer=saved.customer,
        card=saved,
        amount=800,
        currency="USD",
        state=AttemptState.UNKNOWN,
    )

    attempt = services.reconcile_attempt(attempt=lost)

    assert attempt.state == AttemptState.FAILED
    assert charges_at_gateway(saved) == []


def test_full_and_partial_refunds(fan: User) -> None:
    saved = services.save_card(user=fan, card=card())
    charge = services.charge_card(card=saved, amount=1000, idempotency_key="c")

    part = services.refund_charge(charge=charge, amount=300, idempotency_key="r1")
    rest = services.refund_charge(charge=charge, idempotency_key="r2")

    assert (part.state, part.amount, part.kind) == (AttemptState.SUCCEEDED, 300, "refund")
    assert (rest.state, rest.amount) == (AttemptState.SUCCEEDED, 700)
    assert part.reference.startswith("re_") and rest.reference != part.reference
    with pytest.raises(services.RefundNotAllowed):
        services.refund_charge(charge=charge, amount=1, idempotency_key="r3")


def test_refund_above_what_is_left_is_refused(fan: User) -> None:
    saved = services.save_card(user=fan, card=card())
    charge = services.charge_card(card=saved, amount=1000, idempotency_key="c")
    services.refund_charge(charge=charge, amount=600, idempotency_key="r1")

    with pytest.raises(services.RefundNotAllowed, match="At most 400"):
        services.refund_charge(charge=charge, amount=401, idempotency_key="r2")

    assert not PaymentAttempt.objects.filter(idempotency_key="r2").exists()


def test_repeated_refund_key_refunds_once(fan: User) -> None:
    saved = services.save_card(user=fan, card=card())
    charge = services.charge_card(card=saved, amount=1000, idempotency_key="c")

    first = services.refund_charge(charge=charge, amount=200, idempotency_key="r")
    again = services.refund_charge(charge=charge, amount=200, idempotency_key="r")

    assert again.pk == first.pk and again.reference == first.reference
    assert charge.refunds.count() == 1


def test_failed_charge_cannot_be_refunded(fan: User) -> None:
    saved = services.save_card(user=fan, card=card(DECLINES_CHARGES))
    with pytest.raises(services.CardDeclined):
        services.charge_card(card=saved, amount=700, idempotency_key="c")

    with pytest.raises(services.RefundNotAllowed):
        services.refund_charge(
            charge=PaymentAttempt.objects.get(idempotency_key="c"), idempotency_key="r"
        )


def test_refund_crash_after_the_call_is_reconciled(fan: User) -> None:
    saved = services.save_card(user=fan, card=card())
    charge = services.charge_card(card=saved, amount=1000, idempotency_key="c")
    PaymentAttempt.objects.create(
        idempotency_key="r",
        kind=AttemptKind.REFUND,
        gateway=charge.gateway,
        customer=charge.customer,
        refund_of=charge,
        amount=400,
        currency="USD",
    )
    reference = get_gateway().refund(
        charge=charge.reference, amount=400, currency="USD", idempotency_key="r"
    )

    attempt = services.refund_charge(charge=charge, amount=400, idempotency_key="r")

    assert (attempt.state, attempt.reference) == (AttemptState.SUCCEEDED, reference)
    # Had it refunded again, 200 more would exceed the 1,000 charged.
    assert services.refund_charge(charge=charge, amount=600, idempotency_key="r2").amount == 600
