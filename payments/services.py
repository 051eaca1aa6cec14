"""Write use-cases for the payments gateway: the only way the portal saves a card, charges
it or refunds (the earnings ledger's use-cases are in payments.ledger).

Every charge and refund is a PaymentAttempt keyed by the caller's idempotency key and moves
through three short transactions, none of them open while waiting for anything but the
attempt's own row lock:

1. record the attempt as "started" and commit (so a crash after the gateway call leaves a
   trace to reconcile from);
2. lock the attempt's row, and unless this call has just recorded it, ask the gateway whether
   an earlier call under the key already went through (reconciliation; the gateway's own
   idempotency is never relied on, since localstripe has none); then call the gateway at
   most once, record what it answered, commit;
3. raise the domain error, if any, after the commit, so the attempt keeps what happened.

So a double click waits for the first click's row lock and returns its result; a retry after
a timeout or a crash finds the first charge instead of making a second; a key used for a
different payment is refused. An attempt that failed stays failed: to try again after a
decline, call with a new key. Callers must not wrap these in a transaction of their own
(the durable blocks refuse): the "started" record has to commit before the call.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Max, Sum, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import CreatorProfile, User
from core.clock import rewards_day_of

from . import ledger, payouts
from .gateway import CardDetails, CardInfo, PaymentGateway, get_gateway
from .gateway.errors import (
    AuthenticationRequired,
    CardDeclined,
    GatewayRefused,
    GatewayUnavailable,
    InsufficientFunds,
    InvalidAmount,
    InvalidCard,
    KeyReused,
    PaymentError,
    RefundNotAllowed,
    error_for,
)
from .models import (
    AttemptKind,
    AttemptState,
    EarningsAccount,
    PaymentAttempt,
    PaymentCustomer,
    PayoutEvent,
    PayoutMethod,
    PayoutRequest,
    PayoutState,
    SavedCard,
    Source,
)

__all__ = [
    "MAX_AMOUNT",
    "AuthenticationRequired",
    "CardDeclined",
    "GatewayRefused",
    "GatewayUnavailable",
    "InsufficientFunds",
    "InvalidAmount",
    "InvalidCard",
    "KeyReused",
    "PaymentError",
    "RefundNotAllowed",
    "attach_card",
    "charge_card",
    "create_customer",
    "forget_card",
    "is_declined",
    "pay_with_new_card",
    "reconcile_attempt",
    "refund_charge",
    "save_card",
]

T = TypeVar("T")

# The largest amount one charge may carry: Stripe's limit for most currencies (8 digits).
MAX_AMOUNT = 99_999_999


def create_customer(*, user: User) -> PaymentCustomer:
    """The user's customer at the configured gateway, created there on first use."""
    gateway = get_gateway()
    existing = PaymentCustomer.objects.filter(user=user, gateway=gateway.name).first()
    if existing is not None:
        return existing
    reference = gateway.create_customer(email=user.email, portal_id=str(user.pk))
    try:
        with transaction.atomic():
            return PaymentCustomer.objects.create(
                user=user, gateway=gateway.name, reference=reference
            )
    except IntegrityError:
        # A concurrent request created one first; the spare customer at the gateway holds
        # no card and no money.
        return PaymentCustomer.objects.get(user=user, gateway=gateway.name)


@sensitive_variables("card")
def save_card(*, user: User, card: CardDetails) -> SavedCard:
    """Save a card typed by its holder (the sandbox's form, and tests on localstripe). Only
    the gateway's reference, the brand, the last four digits and the expiry are kept."""
    check_card(card)
    customer = create_customer(user=user)
    info = get_gateway(customer.gateway).save_card(customer=customer.reference, card=card)
    return _keep_card(customer, info)


def attach_card(*, user: User, payment_method: str) -> SavedCard:
    """Save a card the gateway collected itself (Stripe's own page gives a payment method id)."""
    customer = create_customer(user=user)
    gateway = get_gateway(customer.gateway)
    info = gateway.attach_card(customer=customer.reference, payment_method=payment_method)
    return _keep_card(customer, info)


def forget_card(*, card: SavedCard) -> SavedCard:
    """Stop offering a card (a card just typed whose first charge was declined). The row
    stays: the attempts made with it point at it."""
    SavedCard.objects.filter(pk=card.pk, forgotten_at__isnull=True).update(
        forgotten_at=timezone.now()
    )
    card.refresh_from_db(fields=["forgotten_at"])
    return card


def is_declined(error: BaseException) -> bool:
    """Whether the gateway declined the card, as `error` or as its cause."""
    return any(isinstance(e, CardDeclined) for e in (error, error.__cause__))


def pay_with_new_card(*, user: User, card: CardDetails, pay: Callable[[SavedCard], T]) -> T:
    """Save the card the user has just typed and `pay` with it (a subscription, a coin pack, a
    tip). A card the gateway declines here is forgotten at once: it is never offered again."""
    saved = save_card(user=user, card=card)
    try:
        return pay(saved)
    except Exception as error:
        if is_declined(error):
            forget_card(card=saved)
        raise


# Apps above payments that charge saved cards say why a card cannot go yet ("your
# subscription to @maya pays with it"), registered in their AppConfig.ready(): payments
# imports none of them (DESIGN.md: a lower app learns from a higher one by a hook).
CardInUse = Callable[[SavedCard], str | None]
_card_users: list[CardInUse] = []


def register_card_in_use(check: CardInUse) -> None:
    if check not in _card_users:
        _card_users.append(check)


def remove_card(*, card: SavedCard) -> SavedCard:
    """The user no longer wants the card offered. Refused, with the reason in words, while
    something still pays with it (a live subscription): its card is changed first."""
    for check in _card_users:
        if reason := check(card):
            raise PaymentError(reason)
    return forget_card(card=card)


@sensitive_variables("card", "digits")
def check_card(card: CardDetails) -> None:
    """Refuse card details of the wrong shape before they leave the portal."""
    digits = card.number
    if not (digits.isdigit() and 12 <= len(digits) <= 19 and _luhn(digits)):
        raise InvalidCard("That card number is not valid.")
    if not 1 <= card.exp_month <= 12:
        raise InvalidCard("The expiry month must be 1 to 12.")
    today = timezone.now().date()
    if date(card.exp_year, card.exp_month, 1) < today.replace(day=1):
        raise InvalidCard("That card has expired.")
    if not (card.cvc.isdigit() and len(card.cvc) in {3, 4}):
        raise InvalidCard("The security code is 3 or 4 digits.")


def charge_card(
    *,
    card: SavedCard,
    amount: int,
    idempotency_key: str,
    currency: str = "",
    description: str = "",
) -> PaymentAttempt:
    """Charge a saved card with its holder away (a renewal, a purchase they confirmed).

    A repeated `idempotency_key` returns the first attempt if it succeeded, raises its error
    if it failed, and reconciles it with the gateway if its outcome is unknown."""
    _check_amount(amount)
    currency = _check_currency(currency)
    _check_key(idempotency_key)
    customer = card.customer
    attempt, fresh = _record(
        idempotency_key=idempotency_key,
        kind=AttemptKind.CHARGE,
        gateway=customer.gateway,
        customer=customer,
        card=card,
        amount=amount,
        currency=currency,
        description=description[:200],
    )

    def call(gateway: PaymentGateway, attempt: PaymentAttempt) -> str:
        return gateway.charge(
            customer=customer.reference,
            payment_method=card.reference,
            amount=attempt.amount,
            currency=attempt.currency,
            idempotency_key=attempt.idempotency_key,
            description=attempt.description,
        )

    return _settle(attempt, fresh=fresh, call=call, find=_find_charge)


def refund_charge(
    *,
    charge: PaymentAttempt,
    idempotency_key: str,
    amount: int | None = None,
    description: str = "",
) -> PaymentAttempt:
    """Give back `amount` (by default all that is left) of a charge that succeeded.

    Refunds whose outcome is not yet known count as made, so two refunds racing each other
    never give back more than was charged."""
    if amount is not None:
        _check_amount(amount)
    _check_key(idempotency_key)
    with transaction.atomic(durable=True):
        charge = PaymentAttempt.objects.select_for_update().get(pk=charge.pk)
        attempt = PaymentAttempt.objects.filter(idempotency_key=idempotency_key).first()
        fresh = attempt is None
        if attempt is not None:
            if attempt.refund_of_id != charge.pk or amount not in {None, attempt.amount}:
                raise KeyReused()
        else:
            if charge.kind != AttemptKind.CHARGE or charge.state != AttemptState.SUCCEEDED:
                raise RefundNotAllowed("Only a charge that went through can be refunded.")
            refunded = (
                charge.refunds.exclude(state=AttemptState.FAILED).aggregate(total=Sum("amount"))[
                    "total"
                ]
                or 0
            )
            left = charge.amount - refunded
            if left <= 0:
                raise RefundNotAllowed("That charge has been refunded in full.")
            if amount is not None and amount > left:
                raise RefundNotAllowed(
                    f"At most {left:,} of {charge.amount:,} {charge.currency} minor units "
                    "is left to refund on that charge."
                )
            attempt = PaymentAttempt.objects.create(
                idempotency_key=idempotency_key,
                kind=AttemptKind.REFUND,
                gateway=charge.gateway,
                customer_id=charge.customer_id,
                refund_of=charge,
                amount=left if amount is None else amount,
                currency=charge.currency,
                description=description[:200],
            )

    def call(gateway: PaymentGateway, attempt: PaymentAttempt) -> str:
        return gateway.refund(
            charge=charge.reference,
            amount=attempt.amount,
            currency=attempt.currency,
            idempotency_key=attempt.idempotency_key,
        )

    return _settle(attempt, fresh=fresh, call=call, find=_find_refund)


def reconcile_attempt(*, attempt: PaymentAttempt) -> PaymentAttempt:
    """Settle an attempt left "started" or "unknown" (a crash, a timeout) from what the
    gateway did, without calling it to move money: succeeded if the gateway holds a charge
    or refund under the attempt's key, failed if it holds none. Raises GatewayUnavailable
    (and leaves the attempt as it was) when the gateway cannot be asked."""

    def nothing_happened(gateway: PaymentGateway, attempt: PaymentAttempt) -> str:
        raise PaymentError("The payment service holds no such payment: nothing was charged.")

    find = _find_charge if attempt.kind == AttemptKind.CHARGE else _find_refund
    try:
        return _settle(attempt, fresh=False, call=nothing_happened, find=find)
    except PaymentError:
        attempt.refresh_from_db()
        if attempt.state == AttemptState.UNKNOWN:
            raise
        return attempt


def _record(**fields: object) -> tuple[PaymentAttempt, bool]:
    """Record a charge attempt as started and commit; or find the one under the same key."""
    key = fields["idempotency_key"]
    with transaction.atomic(durable=True):
        attempt = PaymentAttempt.objects.filter(idempotency_key=key).first()
        if attempt is None:
            try:
                with transaction.atomic():
                    return PaymentAttempt.objects.create(**fields), True
            except IntegrityError:
                attempt = PaymentAttempt.objects.get(idempotency_key=key)
    same = (attempt.kind, attempt.card_id, attempt.amount, attempt.currency) == (
        fields["kind"],
        fields["card"].pk,  # type: ignore[attr-defined]
        fields["amount"],
        fields["currency"],
    )
    if not same:
        raise KeyReused()
    return attempt, False


Step = Callable[[PaymentGateway, PaymentAttempt], str | None]


def _settle(attempt: PaymentAttempt, *, fresh: bool, call: Step, find: Step) -> PaymentAttempt:
    """Under the attempt's row lock: return it if settled; else reconcile unless `fresh`,
    call the gateway if nothing was found, and record the answer. Errors raise after the
    commit, so the attempt keeps what happened."""
    error: PaymentError | None = None
    with transaction.atomic(durable=True):
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.state == AttemptState.SUCCEEDED:
            return attempt
        if attempt.state == AttemptState.FAILED:
            error = error_for(attempt.error_code, attempt.error_message)
        else:
            try:
                gateway = get_gateway(attempt.gateway)
                reference = None
                # A fresh attempt was recorded by this very call, under the lock now held,
                # so no earlier call can have gone through.
                if not (fresh and attempt.state == AttemptState.STARTED):
                    reference = find(gateway, attempt)
                if reference is None:
                    reference = call(gateway, attempt)
            except PaymentError as exc:
                error = exc
                attempt.state = AttemptState.UNKNOWN if exc.outcome_unknown else AttemptState.FAILED
                attempt.error_code = exc.code
                attempt.error_message = exc.message[:300]
            else:
                attempt.state = AttemptState.SUCCEEDED
                attempt.reference = reference or ""
                attempt.error_code = attempt.error_message = ""
            attempt.updated_at = timezone.now()
            attempt.save(
                update_fields=["state", "reference", "error_code", "error_message", "updated_at"]
            )
    if error is not None:
        raise error
    return attempt


def _find_charge(gateway: PaymentGateway, attempt: PaymentAttempt) -> str | None:
    return gateway.find_charge(
        customer=attempt.customer.reference,
        since=attempt.created_at,
        idempotency_key=attempt.idempotency_key,
    )


def _find_refund(gateway: PaymentGateway, attempt: PaymentAttempt) -> str | None:
    charge = attempt.refund_of
    assert charge is not None
    return gateway.find_refund(charge=charge.reference, idempotency_key=attempt.idempotency_key)


def _keep_card(customer: PaymentCustomer, info: CardInfo) -> SavedCard:
    card, _ = SavedCard.objects.get_or_create(
        customer=customer,
        reference=info.reference,
        defaults={
            "brand": info.brand[:20],
            "last4": info.last4,
            "exp_month": info.exp_month,
            "exp_year": info.exp_year,
        },
    )
    return card


def _check_amount(amount: int) -> None:
    # bool is an int to Python, never to a payment.
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise InvalidAmount("An amount is a whole number of minor units (cents).")
    if amount <= 0:
        raise InvalidAmount("An amount must be above zero.")
    if amount > MAX_AMOUNT:
        raise InvalidAmount(f"An amount can be at most {MAX_AMOUNT:,} minor units.")


def _check_currency(currency: str) -> str:
    code = (currency or settings.PAYMENTS_CURRENCY).upper()
    if not (len(code) == 3 and code.isascii() and code.isalpha()):
        raise InvalidAmount(f"{currency!r} is not an ISO 4217 currency code.")
    return code


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not 1 <= len(key) <= 120:
        raise PaymentError("A payment needs a request key of 1 to 120 characters.")


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


# --- closing an account (privacy.closing) -----------------------------------------------------


@transaction.atomic
def settle_earnings_on_closing(
    *, creator: CreatorProfile, now: datetime | None = None
) -> list[PayoutRequest]:
    """Pay a closing creator everything the ledger holds for them: pending money is released
    at once (the account will never be there to ask for it when it matures), then the whole
    available balance of each currency is requested as a final payout to the current payout
    method, for staff to approve like any payout. The usual minimum and the one-a-day rule do
    not apply: there is no later request to wait for, and staff still decide each payout.
    The wait after a payout method is added or changed does apply (it is the time to notice
    a hijacked account, which could otherwise send the whole balance to a new method and
    close the account): while it lasts this raises PayoutError and requests nothing
    (privacy.closing refuses to close before then). Without a payout method nothing is
    requested and the money stays on the account. A second call requests nothing more (one
    final payout per currency, by its key). Returns the final payouts made by this call."""
    now = now or timezone.now()
    method = creator.payout_methods.filter(replaced_at__isnull=True).first()
    locked_until = payouts.payouts_locked_until(method, now)
    made = []
    for account in EarningsAccount.objects.select_for_update().filter(creator=creator):
        if account.pending:
            # Every entry dated up to `released_through` counts as available (the ledger's
            # rule), so moving it to the last pending day releases them all, each once.
            last = account.entries.aggregate(last=Max("pending_until"))["last"]
            EarningsAccount.objects.filter(pk=account.pk).update(
                available=F("available") + F("pending"),
                pending=0,
                released_through=max(last, account.released_through or last),
                updated_at=now,
            )
            account.refresh_from_db()
        key = f"closing:{account.currency}"
        if (
            method is None
            or account.available <= 0
            or creator.payout_requests.filter(request_key=key).exists()
        ):
            continue
        if locked_until is not None:
            raise payouts.PayoutError(
                f"Payouts to {method}, added on {timezone.localtime(method.created_at):%-d %b %Y}, "
                f"wait until {timezone.localtime(locked_until):%-d %b %Y, %H:%M}: no final "
                "payout can go to it before then."
            )
        payout = PayoutRequest.objects.create(
            creator=creator,
            method=method,
            amount=account.available,
            currency=account.currency,
            requested_on=rewards_day_of(now),
            request_key=key,
            final=True,
            created_at=now,
        )
        payout.entry = ledger.debit(
            creator=creator,
            amount=payout.amount,
            currency=payout.currency,
            source=Source.PAYOUT,
            idempotency_key=f"payments.payout:{payout.pk}",
            document=f"payments.payout:{payout.pk}",
            memo=f"Final payout to {method}: account closed",
            now=now,
        )
        payout.save(update_fields=["entry"])
        PayoutEvent.objects.create(
            request=payout,
            state=PayoutState.REQUESTED,
            note=f"Final payout of {payout.amount_display} to {method}: the account was closed.",
            at=now,
        )
        made.append(payout)
    return made


def forget_cards_of(*, user: User) -> int:
    """Stop offering any of the user's saved cards (their account is closing). The rows stay,
    as the charges made with them point at them; how many were still offered."""
    return SavedCard.objects.filter(customer__user=user, forgotten_at__isnull=True).update(
        forgotten_at=timezone.now()
    )


@transaction.atomic
def erase_card_details(*, user: User) -> int:
    """Erase what identifies a closed account's cards once the law no longer makes the portal
    keep it: the saved cards' brand, last four digits and references, the gateway's customer
    reference. Amounts, currencies and dates stay, so the books still add up. Running it again
    changes nothing more. Returns how many rows were erased."""
    erased = 0
    for card in SavedCard.objects.filter(customer__user=user).exclude(brand=""):
        card.brand = ""
        card.last4 = "0000"
        card.reference = f"erased-{card.pk}"
        card.forgotten_at = card.forgotten_at or timezone.now()
        card.save(update_fields=["brand", "last4", "reference", "forgotten_at"])
        erased += 1
    erased += (
        PaymentCustomer.objects.filter(user=user)
        .exclude(reference__startswith="erased-")
        .update(reference=Concat(Value("erased-"), Cast("pk", CharField())))
    )
    return erased


@transaction.atomic
def erase_payout_details(*, user: User) -> int:
    """Erase a closed account's bank details once the law no longer makes the portal keep
    them: each payout method's holder name, bank reference and last four characters (the
    payouts keep their amounts and dates). Running it again changes nothing more."""
    erased = 0
    for method in PayoutMethod.objects.filter(creator__user=user).exclude(holder_name=""):
        method.holder_name = ""
        method.reference = f"erased-{method.pk}"
        method.last4 = "XXXX"
        method.save(update_fields=["holder_name", "reference", "last4"])
        erased += 1
    return erased
