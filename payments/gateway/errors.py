"""The one domain error of payments, with a subclass per thing that can go wrong.

Every message is safe to show a user and to store on a PaymentAttempt: it never holds a card
number or a gateway's raw answer. `code` is stored with it, so a repeated request for a
failed attempt raises the same error again without calling the gateway.
"""


class PaymentError(Exception):
    """A payment that was refused or could not be made; the message is safe to show."""

    code = "payment_error"
    default_message = "The payment could not be made."
    # True when the gateway may have moved money even so (a timeout, a 500, a lost answer):
    # the attempt is then left "unknown" and reconciled before anything is tried again.
    outcome_unknown = False

    def __init__(self, message: str = "") -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class InvalidAmount(PaymentError):
    code = "invalid_amount"
    default_message = "That amount cannot be charged."


class InvalidCard(PaymentError):
    code = "invalid_card"
    default_message = "Those card details are not valid."


class CardDeclined(PaymentError):
    code = "card_declined"
    default_message = "The card was declined."


class InsufficientFunds(CardDeclined):
    code = "insufficient_funds"
    default_message = "The card was declined: not enough funds."


class AuthenticationRequired(PaymentError):
    code = "authentication_required"
    default_message = (
        "The card's bank asks the cardholder to confirm this payment, which cannot be done "
        "while they are away. Ask them to pay again in person or use another card."
    )


class KeyReused(PaymentError):
    code = "key_reused"
    default_message = "That request key was already used for a different payment."


class RefundNotAllowed(PaymentError):
    code = "refund_not_allowed"
    default_message = "That refund is not possible."


class GatewayUnavailable(PaymentError):
    """The gateway did not answer, or answered with an error of its own."""

    code = "gateway_unavailable"
    default_message = "The payment service did not answer. Nothing more will be charged."
    outcome_unknown = True


class GatewayRefused(PaymentError):
    """The gateway refused the request before doing anything (bad keys, bad parameters)."""

    code = "gateway_refused"
    default_message = "The payment service refused the request."


ERRORS: dict[str, type[PaymentError]] = {
    cls.code: cls
    for cls in (
        PaymentError,
        InvalidAmount,
        InvalidCard,
        CardDeclined,
        InsufficientFunds,
        AuthenticationRequired,
        KeyReused,
        RefundNotAllowed,
        GatewayUnavailable,
        GatewayRefused,
    )
}


def error_for(code: str, message: str = "") -> PaymentError:
    """The error a stored attempt failed with, to raise again."""
    return ERRORS.get(code, PaymentError)(message)
