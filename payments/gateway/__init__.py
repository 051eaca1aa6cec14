"""The payments gateway: one interface (base.PaymentGateway), two implementations chosen by
the PAYMENTS_GATEWAY setting. Only payments.services calls a gateway."""

from django.conf import settings

from .base import CardDetails, CardInfo, GatewayCharge, PaymentGateway
from .errors import PaymentError


def get_gateway(name: str = "") -> PaymentGateway:
    """The gateway called `name`, or the configured one (read at call time, not import)."""
    name = name or settings.PAYMENTS_GATEWAY
    if name == "sandbox":
        from .sandbox import SandboxGateway

        return SandboxGateway()
    if name == "stripe":
        from .stripe_gateway import StripeGateway

        return StripeGateway()
    raise PaymentError(f"No payments gateway is called {name!r}.")


__all__ = [
    "CardDetails",
    "CardInfo",
    "GatewayCharge",
    "PaymentError",
    "PaymentGateway",
    "get_gateway",
]
