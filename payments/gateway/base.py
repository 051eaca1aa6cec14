"""The interface every payments gateway implements, and the values that cross it.

A gateway knows nothing of the portal's database: it takes the gateway's own references
(customer, payment method, charge) and the portal's idempotency key, and answers with
references or raises a `PaymentError`. Amounts are integer minor units; currencies are ISO
4217 codes in capitals (a gateway that wants them otherwise converts).
"""

import abc
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class CardDetails:
    """A card as typed by its holder. It lives only for the call that hands it to the gateway:
    the number is never stored, logged or shown (the repr masks it)."""

    number: str = field(repr=False)
    exp_month: int
    exp_year: int
    cvc: str = field(repr=False)

    @property
    def last4(self) -> str:
        return self.number[-4:]

    def __repr__(self) -> str:
        return f"CardDetails(•••• {self.last4}, {self.exp_month:02d}/{self.exp_year})"


@dataclass(frozen=True)
class CardInfo:
    """What the portal keeps of a saved card: the gateway's reference and what may be shown."""

    reference: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class GatewayCharge:
    """A charge the gateway made, found by the portal's idempotency key."""

    reference: str
    idempotency_key: str
    amount: int
    currency: str


class PaymentGateway(abc.ABC):
    """Charge a saved card off-session, refund, create a customer and save a card."""

    name: str

    @abc.abstractmethod
    def create_customer(self, *, email: str, portal_id: str) -> str:
        """Create a customer at the gateway; return its reference."""

    @abc.abstractmethod
    def save_card(self, *, customer: str, card: CardDetails) -> CardInfo:
        """Save a card, typed by its holder, for later off-session charges."""

    @abc.abstractmethod
    def attach_card(self, *, customer: str, payment_method: str) -> CardInfo:
        """Save a card the gateway already holds (collected by its own page or script)."""

    @abc.abstractmethod
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
        """Charge a saved card with no cardholder present; return the charge's reference.
        Raises a `PaymentError`; one with `outcome_unknown` may have moved money."""

    @abc.abstractmethod
    def find_charges(self, *, customer: str, since: datetime) -> list[GatewayCharge]:
        """The succeeded charges on a customer made from `since` on, with the portal's keys:
        what reconciliation looks in after an attempt whose outcome is unknown."""

    @abc.abstractmethod
    def refund(self, *, charge: str, amount: int, currency: str, idempotency_key: str) -> str:
        """Give back part or all of a succeeded charge; return the refund's reference."""

    @abc.abstractmethod
    def find_refund(self, *, charge: str, idempotency_key: str) -> str | None:
        """The reference of the refund of `charge` made under the portal's key, if any."""

    def find_charge(self, *, customer: str, since: datetime, idempotency_key: str) -> str | None:
        """The reference of the succeeded charge made under the portal's key, if any."""
        for found in self.find_charges(customer=customer, since=since):
            if found.idempotency_key == idempotency_key:
                return found.reference
        return None
