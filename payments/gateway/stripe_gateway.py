"""The Stripe gateway, on the official `stripe` library: customers, payment methods,
PaymentIntents confirmed off-session, refunds.

Tests and CI point it at localstripe (STRIPE_API_BASE), production at Stripe. It keeps to
what both answer alike:

- a charge is one PaymentIntent created with `confirm` and `off_session` (localstripe refuses
  `off_session` on a separate confirm), carrying the portal's key in its metadata;
- the portal's key also goes as Stripe's Idempotency-Key, which Stripe honours and localstripe
  ignores: the portal's own records (PaymentAttempt) never rely on it;
- reconciliation lists the customer's charges since the attempt began (`created[gt]`, which
  both support; localstripe has no search and no customer filter on PaymentIntents) and
  reads each one's PaymentIntent for the portal's key;
- a card needing authentication is "requires_action" at localstripe and an
  `authentication_required` card error at Stripe: both are AuthenticationRequired, and an
  intent left waiting is cancelled;
- localstripe gives no `decline_code`, so "not enough funds" is a plain decline there.

Network retries are off: the portal reconciles and retries itself.
"""

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import stripe
from django.conf import settings

from .base import CardDetails, CardInfo, GatewayCharge, PaymentGateway
from .errors import (
    AuthenticationRequired,
    CardDeclined,
    GatewayRefused,
    GatewayUnavailable,
    InsufficientFunds,
    InvalidCard,
    PaymentError,
)

KEY = "portal_key"
# Clocks differ; look a little further back than the attempt's own start.
CLOCK_SLACK = timedelta(minutes=5)


@contextlib.contextmanager
def _answers(refused: type[PaymentError] = GatewayRefused) -> Iterator[None]:
    """Turn the library's errors into the portal's, with messages safe to keep."""
    try:
        yield
    except stripe.CardError as error:
        if error.code == "authentication_required":
            raise AuthenticationRequired() from None
        if getattr(error, "decline_code", None) == "insufficient_funds":
            raise InsufficientFunds() from None
        if error.code in {"incorrect_number", "invalid_number", "invalid_expiry_year"}:
            raise InvalidCard() from None
        raise CardDeclined(_safe(error.user_message) or CardDeclined.default_message) from None
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as error:
        raise GatewayUnavailable(_unavailable(error)) from None
    except (stripe.AuthenticationError, stripe.PermissionError):
        raise GatewayRefused("The payment service refused the portal's keys.") from None
    except stripe.StripeError as error:
        raise refused(_safe(error.user_message) or refused.default_message) from None


def _safe(message: str | None) -> str:
    # Stripe's user messages name no card numbers; keep them short all the same.
    return (message or "").strip().splitlines()[0][:200] if message else ""


def _unavailable(error: stripe.StripeError) -> str:
    if isinstance(error, stripe.APIConnectionError):
        return "The payment service could not be reached."
    status = getattr(error, "http_status", None)
    return f"The payment service answered with an error ({status or 'no status'})."


def _id(value: Any) -> str:
    """An expandable field: an id at Stripe, sometimes the whole object at localstripe."""
    return value if isinstance(value, str) else value.id


def _portal_key(obj: Any) -> str | None:
    metadata = obj.metadata
    return metadata[KEY] if metadata and KEY in metadata else None


class StripeGateway(PaymentGateway):
    name = "stripe"

    def __init__(self) -> None:
        if not settings.STRIPE_SECRET_KEY:
            raise GatewayRefused("Payments are not configured: STRIPE_SECRET_KEY is empty.")
        self.client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE},
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
        )

    def create_customer(self, *, email: str, portal_id: str) -> str:
        with _answers():
            customer = self.client.v1.customers.create(
                params={"email": email, "metadata": {"portal_user": portal_id}}
            )
        return customer.id

    def save_card(self, *, customer: str, card: CardDetails) -> CardInfo:
        # Raw numbers reach Stripe's API only in tests (localstripe): in production a card
        # comes from Stripe's own page as a payment method id, through `attach_card`.
        with _answers(InvalidCard):
            method = self.client.v1.payment_methods.create(
                params={
                    "type": "card",
                    "card": {
                        "number": card.number,
                        "exp_month": card.exp_month,
                        "exp_year": card.exp_year,
                        "cvc": card.cvc,
                    },
                }
            )
        return self.attach_card(customer=customer, payment_method=method.id)

    def attach_card(self, *, customer: str, payment_method: str) -> CardInfo:
        with _answers(InvalidCard):
            method = self.client.v1.payment_methods.attach(
                payment_method, params={"customer": customer}
            )
        card = method.card
        return CardInfo(
            reference=method.id,
            brand=str(card.brand),
            last4=str(card.last4),
            exp_month=int(card.exp_month),
            exp_year=int(card.exp_year),
        )

    def charge(
        self,
        *,
        customer: str,
        payment_method: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        description: str,
    ) -> str:
        with _answers():
            intent = self.client.v1.payment_intents.create(
                params={
                    "amount": amount,
                    "currency": currency.lower(),
                    "customer": customer,
                    "payment_method": payment_method,
                    "confirm": True,
                    "off_session": True,
                    # localstripe takes no `description` on an intent; metadata it keeps.
                    "metadata": {KEY: idempotency_key, "description": description[:200]},
                },
                options={"idempotency_key": idempotency_key},
            )
        if intent.status == "succeeded":
            return intent.id
        if intent.status == "requires_action":
            # No one is there to authenticate: close the intent so it can never complete.
            with contextlib.suppress(stripe.StripeError):
                self.client.v1.payment_intents.cancel(intent.id)
            raise AuthenticationRequired()
        if intent.status == "requires_payment_method":
            error = intent.last_payment_error
            raise CardDeclined(
                _safe(error.message if error else "") or CardDeclined.default_message
            )
        # "processing" and the like: the money may yet move; reconciliation will tell.
        raise GatewayUnavailable(f"The payment is {intent.status} at the payment service.")

    def find_charges(self, *, customer: str, since: datetime) -> list[GatewayCharge]:
        after = int((since - CLOCK_SLACK).timestamp())
        found = []
        with _answers():
            charges = self.client.v1.charges.list(
                params={"customer": customer, "created": {"gt": after}, "limit": 100}
            )
            for charge in charges.auto_paging_iter():
                if charge.status != "succeeded" or not charge.payment_intent:
                    continue
                intent = self.client.v1.payment_intents.retrieve(_id(charge.payment_intent))
                key = _portal_key(intent)
                if key and intent.status == "succeeded":
                    found.append(
                        GatewayCharge(
                            reference=intent.id,
                            idempotency_key=key,
                            amount=intent.amount,
                            currency=intent.currency.upper(),
                        )
                    )
        return found

    def refund(self, *, charge: str, amount: int, currency: str, idempotency_key: str) -> str:
        with _answers():
            refund = self.client.v1.refunds.create(
                params={
                    "payment_intent": charge,
                    "amount": amount,
                    "metadata": {KEY: idempotency_key},
                },
                options={"idempotency_key": idempotency_key},
            )
        if refund.status in {"failed", "canceled"}:
            raise CardDeclined("The refund was refused by the card's bank.")
        # "pending" refunds complete at Stripe's side; the money is promised back.
        return refund.id

    def find_refund(self, *, charge: str, idempotency_key: str) -> str | None:
        with _answers():
            refunds = self.client.v1.refunds.list(params={"payment_intent": charge, "limit": 100})
            for refund in refunds.auto_paging_iter():
                if _portal_key(refund) == idempotency_key:
                    return refund.id
        return None
