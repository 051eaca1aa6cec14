"""Write use-cases of subscriptions: packages, subscribing, cancelling, switching and renewing.

Money: every charge is a SubscriptionCharge with its own idempotency key, recorded before the
card is charged through payments.services (which keeps its own attempt under the same key),
and marked paid in the transaction that credits the creator through payments.ledger, the
price and the platform fee on lines of their own. So a double click, a retry after a timeout
or the renewal task run twice never charges twice, and a crash between the charge and the
commit is finished by the next call with the same key (or by `finish_pending_charges`).
"""

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.models import CreatorProfile, Role, Standing, User
from accounts.services import notify
from core import regions
from core.money import format_minor
from payments import ledger
from payments import services as payments_services
from payments.gateway import CardDetails
from payments.models import SavedCard, Source

from . import selectors
from .models import (
    LIVE_STATES,
    MAX_PACKAGES,
    TRIAL_DAYS,
    Billing,
    ChargeKind,
    ChargeState,
    ChatMessage,
    CustomPerk,
    Emoji,
    Package,
    PerkCadence,
    PerkDelivery,
    Post,
    State,
    Subscription,
    SubscriptionCharge,
)

log = logging.getLogger(__name__)


class SubscriptionError(Exception):
    """A subscription change the portal refuses; the message is safe to show."""


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def period_after(start: datetime, billing: str) -> datetime:
    """The end of a period that starts at `start`: a calendar month or year later (31 Jan
    plus a month is the last day of February)."""
    return start + (
        relativedelta(years=1) if billing == Billing.ANNUAL else relativedelta(months=1)
    )


def _period_word(billing: str) -> str:
    return "year" if billing == Billing.ANNUAL else "month"


def _day(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%-d %b %Y}"


def _money(amount: int, currency: str) -> str:
    return format_minor(amount, currency)


# --- packages ---------------------------------------------------------------------------------


def page_changed(creator_id: int) -> None:
    """What the creator's public page shows changed (its cached version goes)."""
    regions.bump(selectors.page_version_key(creator_id))


@transaction.atomic
def save_package(
    *,
    creator: CreatorProfile,
    package: Package | None = None,
    name: str,
    description: str,
    currency: str,
    monthly_price_minor: int,
    annual_price_minor: int | None,
    has_trial: bool,
    member_cap: int | None,
    includes_chat: bool,
    includes_emojis: bool,
    perks: list[tuple[str, str]] | None = None,
    now: datetime | None = None,
) -> Package:
    """Create or change one of the creator's packages (at most MAX_PACKAGES). Subscribers keep
    the price they joined at; when the price changes, each live one is told so."""
    now = _now(now)
    CreatorProfile.objects.select_for_update().get(pk=creator.pk)  # one writer of the set
    if package is None:
        if creator.packages.count() >= MAX_PACKAGES:
            raise SubscriptionError(f"You can offer at most {MAX_PACKAGES} packages.")
        position = (creator.packages.aggregate(last=Max("position"))["last"] or 0) + 1
        package = Package(creator=creator, position=position, created_at=now)
        old_prices = None
    else:
        if package.creator_id != creator.pk:
            raise SubscriptionError("That package is not yours.")
        old_prices = (package.monthly_price_minor, package.annual_price_minor, package.currency)
    if creator.packages.exclude(pk=package.pk).filter(name__iexact=name.strip()).exists():
        raise SubscriptionError(f"You already have a package called {name.strip()}.")
    live = 0
    if package.pk is not None:
        live = package.subscriptions.filter(state__in=LIVE_STATES).count()
        if currency != package.currency and live:
            raise SubscriptionError(
                "Subscribers pay this package in "
                f"{package.currency}; its currency cannot change while it has subscribers."
            )
        if member_cap is not None and member_cap < live:
            raise SubscriptionError(
                f"The package has {live} subscribers; a cap cannot be below that."
            )
    package.name = name.strip()
    package.description = description.strip()
    package.currency = currency
    package.monthly_price_minor = monthly_price_minor
    package.annual_price_minor = annual_price_minor
    package.has_trial = has_trial
    package.member_cap = member_cap
    package.includes_chat = includes_chat
    package.includes_emojis = includes_emojis
    package.updated_at = now
    package.save()
    if perks is not None:
        _replace_perks(package, perks)
    new_prices = (package.monthly_price_minor, package.annual_price_minor, package.currency)
    if old_prices is not None and new_prices != old_prices and live:
        _tell_price_kept(package)
    page_changed(creator.pk)
    return package


def _replace_perks(package: Package, perks: list[tuple[str, str]]) -> None:
    """The package's hand-delivered perks become `perks` [(name, cadence)]: kept by name, so a
    perk's delivery history survives an edit."""
    wanted = {name.strip(): cadence for name, cadence in perks if name.strip()}
    for perk in package.custom_perks.all():
        if perk.name not in wanted:
            perk.delete()
        else:
            if perk.cadence != wanted[perk.name]:
                perk.cadence = wanted[perk.name]
                perk.save(update_fields=["cadence"])
            del wanted[perk.name]
    for name, cadence in wanted.items():
        package.custom_perks.create(name=name[:80], cadence=cadence)


def _tell_price_kept(package: Package) -> None:
    for subscription in package.subscriptions.filter(state__in=LIVE_STATES).select_related("fan"):
        notify(
            user=subscription.fan,
            subject=f"{package.name}: your price stays {subscription.price_display}",
            body=(
                f"@{package.creator.handle} changed the price of {package.name} for new "
                f"subscribers. You keep paying {subscription.price_display} a "
                f"{'year' if subscription.billing == Billing.ANNUAL else 'month'} until you "
                "change package."
            ),
            link=reverse("subscriptions:mine"),
        )


@transaction.atomic
def publish_package(*, package: Package, now: datetime | None = None) -> Package:
    """Offer the package to fans: only while the creator may offer subscriptions."""
    if not selectors.may_publish(package.creator):
        raise SubscriptionError(
            "You cannot publish packages yet: see what is missing under Eligibility."
        )
    Package.objects.filter(pk=package.pk).update(published_at=_now(now))
    package.refresh_from_db()
    page_changed(package.creator_id)
    return package


@transaction.atomic
def unpublish_package(*, package: Package) -> Package:
    """Stop offering the package to new fans; its subscribers keep it and keep renewing."""
    Package.objects.filter(pk=package.pk).update(published_at=None)
    package.refresh_from_db()
    page_changed(package.creator_id)
    return package


# --- subscribing ------------------------------------------------------------------------------


def _check_offer(fan: User, package: Package, billing: str, expected_price: int | None) -> int:
    if fan.role != Role.FAN:
        raise SubscriptionError("Only fan accounts can subscribe.")
    if not package.is_published:
        raise SubscriptionError("That package is not offered any more.")
    if package.creator.standing == Standing.SUSPENDED:
        raise SubscriptionError("That creator's page is not available.")
    price = package.price(billing)
    if price is None:
        raise SubscriptionError(f"{package.name} has no {billing} price; choose monthly billing.")
    if expected_price is not None and expected_price != price:
        raise SubscriptionError(
            f"The price of {package.name} changed to {_money(price, package.currency)} while "
            "you were paying. Nothing was charged: check the new price and confirm again."
        )
    if package.member_cap is not None:
        members = package.subscriptions.filter(state__in=(*LIVE_STATES, State.INCOMPLETE)).count()
        if members >= package.member_cap:
            raise SubscriptionError(f"{package.name} is full ({package.member_cap} members).")
    return price


def subscribe(
    *,
    fan: User,
    package: Package,
    billing: str,
    card: SavedCard,
    request_key: str,
    expected_price: int | None = None,
    now: datetime | None = None,
) -> Subscription:
    """Subscribe the fan to the package: a 7-day free trial where the package has one and
    the fan never subscribed to this creator, else the first period charged now. A repeated
    request_key returns the same subscription and charges once. Not inside a transaction:
    the charge's record commits before the card is charged."""
    now = _now(now)
    if card.customer.user_id != fan.pk:
        raise SubscriptionError("Choose one of your own cards.")
    if not request_key or len(request_key) > 64:
        raise SubscriptionError("The form was incomplete; reload the page and try again.")
    key = f"subscribe:{fan.pk}:{request_key}"
    existing = SubscriptionCharge.objects.select_related("subscription").filter(idempotency_key=key)
    if (charge := existing.first()) is not None:
        return _collect(charge, now=now)
    if (made := Subscription.objects.filter(fan=fan, request_key=key).first()) is not None:
        return made  # a free trial this request started
    price = _check_offer(fan, package, billing, expected_price)
    try:
        with transaction.atomic(durable=True):
            # One subscribe at a time per fan: the checks below hold until the commit.
            User.objects.select_for_update().get(pk=fan.pk)
            live = Subscription.objects.filter(
                fan=fan, creator=package.creator, state__in=(*LIVE_STATES, State.INCOMPLETE)
            ).first()
            if live is not None:
                raise SubscriptionError(
                    f"You already subscribe to @{package.creator.handle}"
                    + (
                        "; a payment for it is in progress."
                        if live.state == State.INCOMPLETE
                        else f" ({live.package.name}). Change package from My subscriptions."
                    )
                )
            trial = package.has_trial and not selectors.had_subscription(fan, package.creator)
            end = now + timedelta(days=TRIAL_DAYS) if trial else period_after(now, billing)
            subscription = Subscription.objects.create(
                fan=fan,
                creator=package.creator,
                package=package,
                billing=billing,
                price_minor=price,
                currency=package.currency,
                card=card,
                state=State.TRIALING if trial else State.INCOMPLETE,
                started_at=now,
                current_period_start=now,
                current_period_end=end,
                request_key=key,
                created_at=now,
                updated_at=now,
            )
            if trial:
                _welcome(subscription, now=now)
                return subscription
            charge = SubscriptionCharge.objects.create(
                subscription=subscription,
                kind=ChargeKind.SIGNUP,
                idempotency_key=key,
                period_start=now,
                period_end=end,
                amount_minor=price,
                currency=package.currency,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        # The same click twice, in two requests: the other one recorded it first.
        if (charge := existing.first()) is not None:
            return _collect(charge, now=now)
        raise SubscriptionError(f"You already subscribe to @{package.creator.handle}.") from None
    return _collect(charge, now=now)


def subscribe_with_new_card(*, fan: User, card: CardDetails, **order: object) -> Subscription:
    """Subscribe (as `subscribe`) with the card the fan has just typed, saved first; a card
    the gateway declines here is forgotten at once."""
    return payments_services.pay_with_new_card(
        user=fan, card=card, pay=lambda saved: subscribe(fan=fan, card=saved, **order)
    )


def _collect(charge: SubscriptionCharge, *, now: datetime) -> Subscription:
    """Charge the card for `charge` (once, whatever happened before) and record the outcome:
    paid (the creator credited, the period advanced) or refused. Raises SubscriptionError
    with the gateway's message when the card was refused or the outcome is not known yet."""
    if charge.state == ChargeState.SUCCEEDED:
        return charge.subscription
    subscription = charge.subscription
    try:
        attempt = payments_services.charge_card(
            card=subscription.card,
            amount=charge.amount_minor,
            currency=charge.currency,
            idempotency_key=charge.idempotency_key,
            description=f"{subscription.package.name} (@{subscription.creator.handle})",
        )
    except payments_services.PaymentError as error:
        if error.outcome_unknown:
            raise SubscriptionError(
                "The payment service did not answer in time. Nothing more will be charged: "
                "we check again in a few minutes and tell you the outcome."
            ) from error
        _record_refused(charge, error.message, now=now)
        raise SubscriptionError(error.message) from error
    return _record_paid(charge, attempt, now=now)


@transaction.atomic
def _record_paid(charge: SubscriptionCharge, attempt: object, *, now: datetime) -> Subscription:
    """Record a charge the card paid: the creator credited, the period advanced, the fan's
    perks due. A charge settled late (finish_pending_charges) for a subscription cancelled
    meanwhile (its fan or creator closed their account) records the money and nothing more:
    reviving it would charge the card again every period."""
    subscription = Subscription.objects.select_for_update().get(pk=charge.subscription_id)
    charge = SubscriptionCharge.objects.select_for_update().get(pk=charge.pk)
    if charge.state == ChargeState.SUCCEEDED:
        return subscription
    creator = subscription.creator
    pct = selectors.creator_share_pct(creator)
    share = charge.amount_minor * pct // 100
    fee = charge.amount_minor - share
    entry, _ = ledger.credit_less_fee(
        creator=creator,
        gross=charge.amount_minor,
        fee=fee,
        currency=charge.currency,
        source=Source.SUBSCRIPTION,
        idempotency_key=f"subscription-charge:{charge.pk}",
        document=f"subscriptions.subscriptioncharge:{charge.pk}",
        memo=f"{subscription.package.name}: {charge.get_kind_display().lower()}",
        fee_memo=f"Platform fee ({100 - pct} %) on {subscription.package.name}",
        pending_until=(now + timedelta(days=settings.SUBSCRIPTIONS_PENDING_DAYS)).date(),
        now=now,
    )
    charge.state = ChargeState.SUCCEEDED
    charge.attempt = attempt
    charge.share_pct = pct
    charge.creator_share_minor = share
    charge.platform_fee_minor = fee
    charge.earnings_entry_id = entry.pk
    charge.failure = ""
    charge.updated_at = now
    charge.save()
    if subscription.state == State.CANCELLED:
        return subscription
    first = subscription.state in (State.INCOMPLETE, State.TRIALING)
    was_past_due = subscription.state == State.PAST_DUE
    if charge.kind != ChargeKind.SWITCH:
        subscription.current_period_start = charge.period_start
        subscription.current_period_end = charge.period_end
        subscription.months_paid += 12 if subscription.billing == Billing.ANNUAL else 1
    subscription.state = State.ACTIVE
    subscription.past_due_since = None
    subscription.updated_at = now
    subscription.save()
    _perks_due(subscription)
    paid = f"{charge.amount_display} paid"
    if first and charge.kind == ChargeKind.SIGNUP:
        _welcome(subscription, now=now)
    elif charge.kind == ChargeKind.TRIAL_END:
        notify(
            user=subscription.fan,
            subject=f"Your free trial of {subscription.package.name} became a subscription",
            body=f"{paid}; it renews on {_day(subscription.current_period_end)}.",
            link=reverse("subscriptions:mine"),
        )
    elif charge.kind == ChargeKind.RENEWAL:
        notify(
            user=subscription.fan,
            subject=f"{subscription.package.name} renewed",
            body=f"{paid} to @{creator.handle}; next renewal on "
            f"{_day(subscription.current_period_end)}."
            + (" Your subscription is active again." if was_past_due else ""),
            link=reverse("subscriptions:mine"),
        )
    elif was_past_due:
        notify(
            user=subscription.fan,
            subject=f"Payment for {subscription.package.name} went through",
            body=f"Your subscription to @{creator.handle} is active again.",
            link=reverse("subscriptions:mine"),
        )
    return subscription


@transaction.atomic
def _record_refused(charge: SubscriptionCharge, message: str, *, now: datetime) -> None:
    subscription = Subscription.objects.select_for_update().get(pk=charge.subscription_id)
    charge = SubscriptionCharge.objects.select_for_update().get(pk=charge.pk)
    if charge.state != ChargeState.PENDING:
        return
    charge.state = ChargeState.FAILED
    charge.failure = message[:300]
    charge.updated_at = now
    charge.save(update_fields=["state", "failure", "updated_at"])
    if charge.kind == ChargeKind.SIGNUP:
        subscription.state = State.REFUSED
        subscription.ended_at = now
    elif charge.kind == ChargeKind.SWITCH:
        return  # the fan keeps the package they had; the view shows why
    elif subscription.state != State.PAST_DUE:
        subscription.state = State.PAST_DUE
        subscription.past_due_since = now
        notify(
            user=subscription.fan,
            subject=f"Payment for {subscription.package.name} failed",
            body=(
                f"{message} We try again every day for {settings.SUBSCRIPTIONS_RETRY_DAYS} "
                f"days; update your card to keep your perks with @{subscription.creator.handle}."
            ),
            link=reverse("subscriptions:mine"),
        )
    subscription.updated_at = now
    subscription.save()


def _welcome(subscription: Subscription, *, now: datetime) -> None:
    """A new subscriber: a founder number if one of the creator's first ten, the perks due,
    and both sides told."""
    creator = CreatorProfile.objects.select_for_update().get(pk=subscription.creator_id)
    if subscription.founder_number is None and selectors.founder_slots_left(creator):
        taken = Subscription.objects.filter(creator=creator, founder_number__isnull=False)
        subscription.founder_number = taken.count() + 1
        subscription.save(update_fields=["founder_number"])
    page_changed(creator.pk)  # one subscriber more, perhaps a founder place fewer
    _perks_due(subscription)
    trial = subscription.state == State.TRIALING
    notify(
        user=subscription.fan,
        subject=f"Welcome to {subscription.package.name}",
        body=(
            f"You subscribe to @{creator.handle}"
            + (
                f": your free trial ends on {_day(subscription.current_period_end)}."
                if trial
                else f" for {subscription.price_display} a {_period_word(subscription.billing)}."
            )
        ),
        link=reverse("subscriptions:creator_page", kwargs={"handle": creator.handle}),
    )
    notify(
        user=creator.user,
        subject=f"New subscriber: {subscription.fan.display_name}",
        body=f"{subscription.fan.display_name} joined {subscription.package.name}"
        + (" on a free trial." if trial else "."),
        link=reverse("subscriptions:subscribers"),
    )


def _perks_due(subscription: Subscription) -> None:
    """The hand-delivered perks the current period owes: monthly ones for each month of it,
    one-time ones once."""
    start = timezone.localtime(subscription.current_period_start).date().replace(day=1)
    rows = []
    for perk in subscription.package.custom_perks.all():
        if perk.cadence == PerkCadence.ONCE:
            if not PerkDelivery.objects.filter(perk=perk, subscription=subscription).exists():
                rows.append(PerkDelivery(perk=perk, subscription=subscription, due_on=start))
        else:
            rows.append(PerkDelivery(perk=perk, subscription=subscription, due_on=start))
    PerkDelivery.objects.bulk_create(rows, ignore_conflicts=True)


# --- the fan's changes ------------------------------------------------------------------------


@transaction.atomic
def cancel(*, subscription: Subscription, now: datetime | None = None) -> Subscription:
    """Stop renewing: the perks last until the period's end. A trial ends without a charge."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.state not in LIVE_STATES:
        raise SubscriptionError("That subscription has already ended.")
    if subscription.cancel_at_period_end:
        return subscription
    subscription.cancel_at_period_end = True
    subscription.updated_at = _now(now)
    subscription.save(update_fields=["cancel_at_period_end", "updated_at"])
    until = f"{timezone.localtime(subscription.current_period_end):%-d %b %Y}"
    notify(
        user=subscription.fan,
        subject=f"{subscription.package.name} cancelled",
        body=f"Your perks with @{subscription.creator.handle} last until {until}; "
        "you can resume before then.",
        link=reverse("subscriptions:mine"),
    )
    notify(
        user=subscription.creator.user,
        subject=f"{subscription.fan.display_name} cancelled {subscription.package.name}",
        body=f"Their subscription ends on {until}.",
        link=reverse("subscriptions:subscribers"),
    )
    return subscription


@transaction.atomic
def resume(*, subscription: Subscription, now: datetime | None = None) -> Subscription:
    """Undo a cancellation before the period ends."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.state not in LIVE_STATES or subscription.current_period_end <= _now(now):
        raise SubscriptionError("That subscription has ended; subscribe again instead.")
    if not subscription.cancel_at_period_end:
        return subscription
    subscription.cancel_at_period_end = False
    subscription.updated_at = _now(now)
    subscription.save(update_fields=["cancel_at_period_end", "updated_at"])
    notify(
        user=subscription.fan,
        subject=f"{subscription.package.name} resumed",
        body=f"It renews on {timezone.localtime(subscription.current_period_end):%-d %b %Y}.",
        link=reverse("subscriptions:mine"),
    )
    return subscription


def change_card(
    *, subscription: Subscription, card: SavedCard, now: datetime | None = None
) -> Subscription:
    """Pay with another of the fan's cards from now on. A past-due subscription is charged on
    the new card at once (the card in the charge's key, so it is a new attempt)."""
    now = _now(now)
    if card.customer.user_id != subscription.fan_id:
        raise SubscriptionError("Choose one of your own cards.")
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if locked.state not in LIVE_STATES:
            raise SubscriptionError("That subscription has ended; subscribe again instead.")
        locked.card = card
        locked.updated_at = now
        locked.save(update_fields=["card", "updated_at"])
    if locked.state == State.PAST_DUE:
        renew_one(subscription_id=locked.pk, now=now)
        locked.refresh_from_db()
    return locked


@dataclass(frozen=True)
class SwitchQuote:
    """What a change of package costs now and when it takes effect."""

    immediate: bool
    charge_minor: int  # prorated difference charged now (0 when it waits for the period end)
    new_price_minor: int
    currency: str
    explanation: str


def quote_switch(
    subscription: Subscription, package: Package, billing: str, now: datetime | None = None
) -> SwitchQuote:
    """An upgrade on the same billing takes effect now, charging the new price's difference
    for what is left of the period; anything else (cheaper, or another billing period) takes
    effect when the period ends, at the new price."""
    now = _now(now)
    if package.creator_id != subscription.creator_id:
        raise SubscriptionError("Choose one of this creator's packages.")
    if (package.pk, billing) == (subscription.package_id, subscription.billing):
        raise SubscriptionError("That is the package you have.")
    if not package.is_published:
        raise SubscriptionError("That package is not offered any more.")
    new_price = package.price(billing)
    if new_price is None:
        raise SubscriptionError(f"{package.name} has no {billing} price.")
    if package.currency != subscription.currency:
        raise SubscriptionError("That package is priced in another currency.")
    end = subscription.current_period_end
    if subscription.state == State.TRIALING:
        return SwitchQuote(True, 0, new_price, package.currency, "Your free trial continues on it.")
    if billing == subscription.billing and new_price > subscription.price_minor:
        total = (end - subscription.current_period_start).total_seconds()
        left = max(0.0, (end - now).total_seconds())
        difference = (new_price - subscription.price_minor) * int(left) // int(total)
        return SwitchQuote(
            True,
            difference,
            new_price,
            package.currency,
            f"You pay {_money(difference, package.currency)} now for the rest of this period, "
            f"then {_money(new_price, package.currency)} from "
            f"{timezone.localtime(end):%-d %b %Y}.",
        )
    return SwitchQuote(
        False,
        0,
        new_price,
        package.currency,
        f"It starts when this period ends, on {timezone.localtime(end):%-d %b %Y}, at "
        f"{_money(new_price, package.currency)} a {_period_word(billing)}.",
    )


def switch(
    *,
    subscription: Subscription,
    package: Package,
    billing: str,
    request_key: str,
    now: datetime | None = None,
) -> Subscription:
    """Move the fan to another of the creator's packages (quote_switch says how)."""
    now = _now(now)
    if subscription.state not in LIVE_STATES:
        raise SubscriptionError("That subscription has ended; subscribe again instead.")
    key = f"switch:{subscription.pk}:{request_key}"
    if (charge := SubscriptionCharge.objects.filter(idempotency_key=key).first()) is not None:
        _collect(charge, now=now)
        return _apply_switch(subscription, package, billing, now=now)
    quote = quote_switch(subscription, package, billing, now)
    if not quote.immediate:
        with transaction.atomic():
            locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
            locked.next_package = package
            locked.next_billing = billing
            locked.updated_at = now
            locked.save(update_fields=["next_package", "next_billing", "updated_at"])
        notify(
            user=subscription.fan,
            subject=f"Change to {package.name} booked",
            body=quote.explanation,
            link=reverse("subscriptions:mine"),
        )
        return locked
    if quote.charge_minor > 0:
        charge = SubscriptionCharge.objects.create(
            subscription=subscription,
            kind=ChargeKind.SWITCH,
            idempotency_key=key,
            period_start=now,
            period_end=subscription.current_period_end,
            amount_minor=quote.charge_minor,
            currency=subscription.currency,
            created_at=now,
            updated_at=now,
        )
        _collect(charge, now=now)
    return _apply_switch(subscription, package, billing, now=now)


@transaction.atomic
def _apply_switch(
    subscription: Subscription, package: Package, billing: str, *, now: datetime
) -> Subscription:
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.package_id == package.pk and subscription.billing == billing:
        return subscription
    subscription.package = package
    subscription.billing = billing
    subscription.price_minor = package.price(billing) or subscription.price_minor
    subscription.next_package = None
    subscription.next_billing = ""
    subscription.updated_at = now
    subscription.save()
    page_changed(subscription.creator_id)  # the packages' member counts
    _perks_due(subscription)
    notify(
        user=subscription.fan,
        subject=f"You are now on {package.name}",
        body=f"Your subscription to @{subscription.creator.handle} moved to {package.name}.",
        link=reverse("subscriptions:mine"),
    )
    return subscription


# --- renewals ---------------------------------------------------------------------------------


@dataclass
class RenewalRun:
    renewed: int = 0
    failed: int = 0
    ended: int = 0
    lapsed: int = 0
    waiting: int = 0  # outcome not known yet: settled by a later run
    skipped: int = 0  # no longer due (a batch delivered twice, or changed since it was queued)


def renew_due(*, now: datetime | None = None) -> RenewalRun:
    """What the daily task does: every live subscription whose period has ended is renewed
    (charged for the next period), ended (cancelled at period end), retried (past due, once a
    day) or lapsed (past due for SUBSCRIPTIONS_RETRY_DAYS). Running it twice the same day
    charges each subscription once: the charge's key names the period and the retry day."""
    now = _now(now)
    return renew_batch(subscription_ids=due_for_renewal(now=now), now=now)


def due_for_renewal(*, now: datetime) -> list[int]:
    """The live subscriptions whose period has ended by `now`, the longest due first."""
    return list(
        Subscription.objects.filter(state__in=LIVE_STATES, current_period_end__lte=now)
        .order_by("current_period_end", "pk")
        .values_list("pk", flat=True)
    )


def renew_batch(*, subscription_ids: list[int], now: datetime) -> RenewalRun:
    """Renew (or end, retry, lapse) each of the subscriptions, one transaction each, as of
    `now`: what one of the daily task's batches does. A subscription renewed already, or no
    longer due, is passed over (renew_one checks), so a batch can run twice."""
    run = RenewalRun()
    for pk in subscription_ids:
        try:
            outcome = renew_one(subscription_id=pk, now=now)
        except SoftTimeLimitExceeded:
            raise  # the task's time is up: stop here; the next run goes on (keys make it safe)
        except Exception:  # one bad row must not stop the others; it is logged and retried
            log.exception("renewing subscription %s failed", pk)
            outcome = "waiting"
        setattr(run, outcome, getattr(run, outcome) + 1)
    return run


def renew_one(*, subscription_id: int, now: datetime) -> str:
    """Renew one due subscription; returns which RenewalRun count it adds to."""
    with transaction.atomic(durable=True):
        subscription = (
            Subscription.objects.select_for_update()
            .select_related("package", "creator", "fan")
            .get(pk=subscription_id)
        )
        if subscription.state not in LIVE_STATES or subscription.current_period_end > now:
            return "skipped"
        if subscription.cancel_at_period_end:
            _end(subscription, State.CANCELLED, now=now)
            return "ended"
        retry_days = settings.SUBSCRIPTIONS_RETRY_DAYS
        if (
            subscription.state == State.PAST_DUE
            and subscription.past_due_since is not None
            and now - subscription.past_due_since >= timedelta(days=retry_days)
        ):
            _end(subscription, State.LAPSED, now=now)
            return "lapsed"
        if subscription.next_package_id:
            subscription.package = subscription.next_package
            subscription.billing = subscription.next_billing or subscription.billing
            subscription.price_minor = (
                subscription.package.price(subscription.billing) or subscription.price_minor
            )
            subscription.next_package = None
            subscription.next_billing = ""
            subscription.save()
        start = subscription.current_period_end
        retry = (now - start).days
        kind = ChargeKind.TRIAL_END if subscription.state == State.TRIALING else ChargeKind.RENEWAL
        charge, _ = SubscriptionCharge.objects.get_or_create(
            # The period, the retry day and the card: one attempt each, however often the
            # task runs; a new card is a new attempt.
            idempotency_key=(
                f"renew:{subscription.pk}:{start:%Y%m%dT%H%M%S}:{retry}:{subscription.card_id}"
            ),
            defaults={
                "subscription": subscription,
                "kind": kind,
                "period_start": start,
                "period_end": period_after(start, subscription.billing),
                "amount_minor": subscription.price_minor,
                "currency": subscription.currency,
                "created_at": now,
                "updated_at": now,
            },
        )
    if charge.state == ChargeState.FAILED:
        return "failed"  # today's retry was made already
    try:
        _collect(charge, now=now)
    except SubscriptionError:
        charge.refresh_from_db()
        return "failed" if charge.state == ChargeState.FAILED else "waiting"
    return "renewed"


def _end(subscription: Subscription, state: State, *, now: datetime) -> None:
    subscription.state = state
    subscription.ended_at = now
    subscription.updated_at = now
    subscription.save(update_fields=["state", "ended_at", "updated_at"])
    page_changed(subscription.creator_id)
    why = (
        "it was cancelled"
        if state == State.CANCELLED
        else f"payment failed for {settings.SUBSCRIPTIONS_RETRY_DAYS} days"
    )
    for user, link in (
        (subscription.fan, reverse("subscriptions:mine")),
        (subscription.creator.user, reverse("subscriptions:subscribers")),
    ):
        notify(
            user=user,
            subject=f"Subscription to {subscription.package.name} ended",
            body=f"{subscription.fan.display_name}'s subscription to "
            f"@{subscription.creator.handle} ended: {why}.",
            link=link,
        )


def finish_pending_charges(*, older_than: timedelta = timedelta(minutes=15)) -> int:
    """Charges left pending (a crash or a timeout between the card and the commit): settle
    each from what the gateway did, without charging again. Returns how many were settled."""
    settled = 0
    cutoff = timezone.now() - older_than
    for charge in SubscriptionCharge.objects.filter(
        state=ChargeState.PENDING, created_at__lt=cutoff
    ).select_related("subscription"):
        with contextlib.suppress(SubscriptionError):  # the outcome is on the charge
            _collect(charge, now=timezone.now())
        charge.refresh_from_db()
        settled += charge.state != ChargeState.PENDING
    return settled


# --- closing an account (privacy.closing) -----------------------------------------------------

REMOVED = "[removed]"


def _end_at_once(subscription: Subscription, *, now: datetime) -> None:
    """End a live subscription now, for good: never renewed, never charged again."""
    subscription.state = State.CANCELLED
    subscription.cancel_at_period_end = True
    subscription.next_package = None
    subscription.next_billing = ""
    subscription.ended_at = now
    subscription.updated_at = now
    subscription.save(
        update_fields=[
            "state",
            "cancel_at_period_end",
            "next_package",
            "next_billing",
            "ended_at",
            "updated_at",
        ]
    )


@transaction.atomic
def end_fan_subscriptions(*, fan: User, now: datetime | None = None) -> list[Subscription]:
    """End every live subscription of a fan who closes their account, at once and without a
    further charge (what was paid for the current period is not refunded, as with any
    cancellation); each creator is told a subscriber left. Returns those ended."""
    now = _now(now)
    ended = list(
        Subscription.objects.select_for_update(of=("self",))
        .filter(fan=fan, state__in=LIVE_STATES)
        .select_related("package", "creator__user")
    )
    for subscription in ended:
        _end_at_once(subscription, now=now)
        page_changed(subscription.creator_id)
        notify(
            user=subscription.creator.user,
            subject=f"A subscriber of {subscription.package.name} closed their account",
            body="Their subscription ended today; they will not be charged again.",
            link=reverse("subscriptions:subscribers"),
        )
    return ended


@transaction.atomic
def close_creator_subscriptions(
    *, creator: CreatorProfile, now: datetime | None = None
) -> list[Subscription]:
    """A creator closes their account: their packages are no longer offered, and every live
    subscription to them ends at once, is never renewed or charged again, and each subscriber
    is told in the portal and by email. Returns the subscriptions ended."""
    now = _now(now)
    Package.objects.filter(creator=creator, published_at__isnull=False).update(
        published_at=None, updated_at=now
    )
    ended = list(
        Subscription.objects.select_for_update(of=("self",))
        .filter(creator=creator, state__in=LIVE_STATES)
        .select_related("package", "fan")
    )
    for subscription in ended:
        _end_at_once(subscription, now=now)
        notify(
            user=subscription.fan,
            subject=f"@{creator.handle} closed their account: {subscription.package.name} ended",
            body=(
                f"@{creator.handle} has left the portal, so your subscription to "
                f"{subscription.package.name} ended today. You will not be charged for it "
                "again; there is nothing you need to do."
            ),
            link=reverse("subscriptions:mine"),
        )
    page_changed(creator.pk)
    return ended


@transaction.atomic
def erase_texts_of(*, user: User) -> int:
    """Replace what a closing user wrote with "[removed]": their subscriber chat messages
    and, for a creator, their exclusive posts (title, body, picture, video link), packages'
    and custom perks' descriptions, and custom emojis (deleted with their pictures). The
    rows stay, so counts and history still add up. Returns how many rows changed."""
    changed = ChatMessage.objects.filter(author=user).exclude(body=REMOVED).update(body=REMOVED)
    creator = getattr(user, "creator", None)
    if creator is None:
        return changed
    posts = Post.objects.filter(creator=creator).exclude(body=REMOVED)
    storage = Post._meta.get_field("image").storage
    for name in posts.exclude(image="").values_list("image", flat=True):
        transaction.on_commit(partial(storage.delete, name))
    changed += posts.update(
        title=REMOVED,
        body=REMOVED,
        body_html=f"<p>{REMOVED}</p>",
        teaser=REMOVED,
        image="",
        video_url="",
    )
    changed += (
        Package.objects.filter(creator=creator).exclude(description="").update(description="")
    )
    changed += (
        CustomPerk.objects.filter(package__creator=creator)
        .exclude(description="")
        .update(description="")
    )
    for emoji in Emoji.objects.filter(creator=creator):
        transaction.on_commit(partial(emoji.image.storage.delete, emoji.image.name))
        emoji.delete()
        changed += 1
    page_changed(creator.pk)
    return changed
