"""The in-process sandbox gateway: no server, no network, test card numbers only.

Its numbers mean what they mean at Stripe (and localstripe), so one contract test suite gives
the same answers on both gateways; the last three are the sandbox's own, for the failures no
fake server can be asked for. Any other number is refused, so a real card never goes in.

| number | brand | saving it | charging it |
|---|---|---|---|
| 4242 4242 4242 4242 | visa | saved | succeeds |
| 5555 5555 5555 4444 | mastercard | saved | succeeds |
| 4000 0000 0000 0002 | visa | declined | — |
| 4000 0000 0000 9995 | visa | declined: not enough funds | — |
| 4000 0000 0000 0341 | visa | saved | declined |
| 4000 0027 6000 3184 | visa | saved | needs the cardholder to authenticate |
| 4000 0000 0000 0911 | visa | saved | declined: not enough funds (sandbox only) |
| 4000 0000 0000 0408 | visa | saved | charged, but the answer times out (sandbox only) |
| 4000 0000 0000 0507 | visa | saved | the gateway answers 500, nothing charged (sandbox only) |

Any expiry in the future and any three-digit CVC. The sandbox keeps its books in
`SandboxPayment` rows, as a real gateway keeps them on its side, so refunds and
reconciliation work across processes.
"""

import enum
import secrets
from datetime import datetime

from django.db.models import Sum
from django.utils import timezone

from payments.models import AttemptKind, SandboxPayment

from .base import CardDetails, CardInfo, GatewayCharge, PaymentGateway
from .errors import (
    AuthenticationRequired,
    CardDeclined,
    GatewayRefused,
    GatewayUnavailable,
    InsufficientFunds,
    InvalidCard,
    RefundNotAllowed,
)


class Behaviour(enum.StrEnum):
    SUCCEEDS = "ok"
    DECLINED_ON_SAVE = "declined"
    NO_FUNDS_ON_SAVE = "nofunds"
    DECLINES_CHARGES = "chargedeclined"
    NEEDS_AUTHENTICATION = "auth"
    NO_FUNDS_ON_CHARGE = "chargenofunds"
    TIMES_OUT = "timeout"
    SERVER_ERROR = "error500"


TEST_CARDS: dict[str, tuple[str, Behaviour]] = {
    "4242424242424242": ("visa", Behaviour.SUCCEEDS),
    "5555555555554444": ("mastercard", Behaviour.SUCCEEDS),
    "4000000000000002": ("visa", Behaviour.DECLINED_ON_SAVE),
    "4000000000009995": ("visa", Behaviour.NO_FUNDS_ON_SAVE),
    "4000000000000341": ("visa", Behaviour.DECLINES_CHARGES),
    "4000002760003184": ("visa", Behaviour.NEEDS_AUTHENTICATION),
    "4000000000000911": ("visa", Behaviour.NO_FUNDS_ON_CHARGE),
    "4000000000000408": ("visa", Behaviour.TIMES_OUT),
    "4000000000000507": ("visa", Behaviour.SERVER_ERROR),
}

PREFIX = "sandbox"


def _reference(kind: str, tag: str = "") -> str:
    middle = f"{tag}_" if tag else ""
    return f"{kind}_{PREFIX}_{middle}{secrets.token_hex(8)}"


class SandboxGateway(PaymentGateway):
    name = "sandbox"

    def create_customer(self, *, email: str, portal_id: str) -> str:
        return _reference("cus")

    def save_card(self, *, customer: str, card: CardDetails) -> CardInfo:
        known = TEST_CARDS.get(card.number)
        if known is None:
            raise InvalidCard(
                "The sandbox takes test card numbers only, such as 4242 4242 4242 4242."
            )
        brand, behaviour = known
        if behaviour is Behaviour.DECLINED_ON_SAVE:
            raise CardDeclined("Your card was declined.")
        if behaviour is Behaviour.NO_FUNDS_ON_SAVE:
            raise InsufficientFunds("Your card has insufficient funds.")
        # The behaviour rides in the reference, so the sandbox needs no table of cards.
        return CardInfo(
            reference=_reference("pm", behaviour.value),
            brand=brand,
            last4=card.last4,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
        )

    def attach_card(self, *, customer: str, payment_method: str) -> CardInfo:
        raise GatewayRefused("The sandbox saves cards from their numbers only.")

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
        behaviour = _behaviour(payment_method)
        if behaviour is Behaviour.DECLINES_CHARGES:
            raise CardDeclined("Your card was declined.")
        if behaviour is Behaviour.NO_FUNDS_ON_CHARGE:
            raise InsufficientFunds("Your card has insufficient funds.")
        if behaviour is Behaviour.NEEDS_AUTHENTICATION:
            raise AuthenticationRequired()
        if behaviour is Behaviour.SERVER_ERROR:
            raise GatewayUnavailable("The payment service answered with an error (500).")
        payment = SandboxPayment.objects.create(
            reference=_reference("ch"),
            kind=AttemptKind.CHARGE,
            idempotency_key=idempotency_key,
            customer=customer,
            amount=amount,
            currency=currency,
        )
        if behaviour is Behaviour.TIMES_OUT:
            # The money moved, the answer never arrived: what reconciliation is for.
            raise GatewayUnavailable("The payment service did not answer in time.")
        return payment.reference

    def find_charges(self, *, customer: str, since: datetime) -> list[GatewayCharge]:
        return [
            GatewayCharge(
                reference=p.reference,
                idempotency_key=p.idempotency_key,
                amount=p.amount,
                currency=p.currency,
            )
            for p in SandboxPayment.objects.filter(
                kind=AttemptKind.CHARGE, customer=customer, created_at__gte=since
            )
        ]

    def refund(self, *, charge: str, amount: int, currency: str, idempotency_key: str) -> str:
        original = SandboxPayment.objects.filter(kind=AttemptKind.CHARGE, reference=charge).first()
        if original is None:
            raise RefundNotAllowed("The payment service knows no such charge.")
        refunded = (
            SandboxPayment.objects.filter(kind=AttemptKind.REFUND, charge=charge).aggregate(
                total=Sum("amount")
            )["total"]
            or 0
        )
        if amount > original.amount - refunded:
            raise RefundNotAllowed("That is more than is left to refund on the charge.")
        return SandboxPayment.objects.create(
            reference=_reference("re"),
            kind=AttemptKind.REFUND,
            idempotency_key=idempotency_key,
            customer=original.customer,
            charge=charge,
            amount=amount,
            currency=currency,
            created_at=timezone.now(),
        ).reference

    def find_refund(self, *, charge: str, idempotency_key: str) -> str | None:
        found = SandboxPayment.objects.filter(
            kind=AttemptKind.REFUND, charge=charge, idempotency_key=idempotency_key
        ).first()
        return found.reference if found else None


def _behaviour(payment_method: str) -> Behaviour:
    try:
        return Behaviour(payment_method.split("_")[2])
    except (IndexError, ValueError):
        raise InvalidCard("The sandbox knows no such card.") from None
