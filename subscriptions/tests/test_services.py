"""Subscribing, trials, renewals and dunning, cancelling, switching, prices kept, revenue share:
subscriptions.services against the sandbox gateway and the real earnings ledger."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import CreatorFactory, FanFactory
from activity.tests.factories import VideoDayFactory, VideoFactory
from payments.models import EarningsEntry, PaymentAttempt, SandboxPayment, Source
from subscriptions import selectors, services
from subscriptions.models import (
    Billing,
    ChargeKind,
    ChargeState,
    Invitation,
    PerkCadence,
    PerkDelivery,
    Post,
    State,
    Subscription,
    SubscriptionCharge,
)
from subscriptions.tests.factories import (
    DECLINES_CHARGES,
    PackageFactory,
    SubscriptionFactory,
    card_for,
)

pytestmark = pytest.mark.django_db

TIMES_OUT = "4000000000000408"


def subscribe(fan: object, package: object, key: str = "k1", **kw: object) -> Subscription:
    return services.subscribe(
        fan=fan,
        package=package,
        billing=kw.pop("billing", Billing.MONTHLY),
        card=kw.pop("card", None) or card_for(fan),
        request_key=key,
        **kw,
    )


def entries(creator: object) -> list[tuple[str, int]]:
    return sorted(
        EarningsEntry.objects.filter(account__creator=creator).values_list("source", "amount")
    )


def test_subscribing_charges_once_and_credits_the_creator_less_the_platform_fee() -> None:
    package = PackageFactory(monthly_price_minor=999)
    fan = FanFactory()
    subscription = subscribe(fan, package)
    again = subscribe(fan, package)  # the same click twice

    assert again.pk == subscription.pk
    assert (subscription.state, subscription.price_minor, subscription.months_paid) == (
        State.ACTIVE,
        999,
        1,
    )
    [charge] = subscription.charges.all()
    assert (charge.kind, charge.state, charge.share_pct) == (
        ChargeKind.SIGNUP,
        ChargeState.SUCCEEDED,
        70,
    )
    assert (charge.creator_share_minor, charge.platform_fee_minor) == (699, 300)
    assert PaymentAttempt.objects.filter(state="succeeded").count() == 1
    # The price and the fee on lines of their own, both pending for the refund window.
    assert entries(package.creator) == [(Source.PLATFORM_FEE, -300), (Source.SUBSCRIPTION, 999)]
    assert selectors.live_subscription(fan, package.creator) == subscription
    assert subscription.founder_number == 1
    assert Notification.objects.filter(user=fan, subject__startswith="Welcome").exists()
    assert Notification.objects.filter(user=package.creator.user).exists()
    call_command("check_ledger")


def test_a_declined_card_gets_a_clear_message_no_access_and_no_money() -> None:
    package = PackageFactory()
    fan = FanFactory()
    with pytest.raises(services.SubscriptionError, match="declined"):
        subscribe(fan, package, card=card_for(fan, DECLINES_CHARGES))
    subscription = Subscription.objects.get(fan=fan)
    assert subscription.state == State.REFUSED
    assert selectors.live_subscription(fan, package.creator) is None
    assert entries(package.creator) == []
    # Another card, another try: it works, and the refusal is no "former subscription".
    assert subscribe(fan, package, key="k2").state == State.ACTIVE


def test_a_price_changed_while_paying_is_refused_before_any_charge() -> None:
    package = PackageFactory(monthly_price_minor=500)
    with pytest.raises(services.SubscriptionError, match=r"changed to 5\.00 USD"):
        subscribe(FanFactory(), package, expected_price=400)
    assert not PaymentAttempt.objects.exists()


def test_a_trial_is_granted_once_converts_at_its_end_and_never_to_a_former_subscriber() -> None:
    package = PackageFactory(has_trial=True, monthly_price_minor=500)
    fan = FanFactory()
    now = timezone.now()
    subscription = subscribe(fan, package, now=now)
    assert subscription.state == State.TRIALING
    assert subscription.current_period_end == now + timedelta(days=7)
    assert not PaymentAttempt.objects.exists()

    run = services.renew_due(now=now + timedelta(days=7, minutes=1))
    subscription.refresh_from_db()
    assert (run.renewed, subscription.state) == (1, State.ACTIVE)
    assert subscription.charges.get().kind == ChargeKind.TRIAL_END

    # Cancelled and ended: subscribing again is paid at once, no second trial.
    services.cancel(subscription=subscription)
    services.renew_due(now=subscription.current_period_end + timedelta(minutes=1))
    subscription.refresh_from_db()
    assert subscription.state == State.CANCELLED
    again = subscribe(fan, package, key="k2")
    assert again.state == State.ACTIVE and again.charges.count() == 1


def test_the_renewal_task_run_twice_charges_once() -> None:
    subscription = SubscriptionFactory()
    due = subscription.current_period_end + timedelta(hours=1)
    first = services.renew_due(now=due)
    second = services.renew_due(now=due)
    subscription.refresh_from_db()
    assert (first.renewed, second.renewed) == (1, 0)
    assert subscription.charges.filter(state=ChargeState.SUCCEEDED).count() == 1
    assert subscription.current_period_end > due
    assert subscription.months_paid == 2


def test_a_failed_renewal_retries_daily_then_lapses_and_the_perks_stop() -> None:
    fan = FanFactory()
    subscription = SubscriptionFactory(fan=fan, card=card_for(fan, DECLINES_CHARGES))
    end = subscription.current_period_end
    services.renew_due(now=end + timedelta(hours=1))
    subscription.refresh_from_db()
    assert subscription.state == State.PAST_DUE
    assert selectors.live_subscription(fan, subscription.creator) is not None  # still has perks
    services.renew_due(now=end + timedelta(hours=2))  # the same day: no second try
    assert subscription.charges.count() == 1
    for day in (1, 2):
        services.renew_due(now=end + timedelta(days=day, hours=1))
    assert subscription.charges.filter(state=ChargeState.FAILED).count() == 3
    services.renew_due(now=end + timedelta(days=3, hours=2))
    subscription.refresh_from_db()
    assert subscription.state == State.LAPSED
    assert selectors.live_subscription(fan, subscription.creator) is None
    assert Notification.objects.filter(user=fan, subject__contains="ended").exists()


def test_cancel_keeps_the_perks_to_the_period_end_and_resume_undoes_it() -> None:
    subscription = SubscriptionFactory()
    services.cancel(subscription=subscription)
    services.resume(subscription=subscription)
    services.cancel(subscription=subscription)
    services.renew_due(now=subscription.current_period_end - timedelta(minutes=1))
    subscription.refresh_from_db()
    assert subscription.state == State.ACTIVE
    services.renew_due(now=subscription.current_period_end + timedelta(minutes=1))
    subscription.refresh_from_db()
    assert subscription.state == State.CANCELLED
    assert not subscription.charges.exists()
    with pytest.raises(services.SubscriptionError, match="ended"):
        services.resume(subscription=subscription)


def test_an_upgrade_is_prorated_now_and_a_downgrade_waits_for_the_period_end() -> None:
    now = timezone.now()
    subscription = SubscriptionFactory(
        started_at=now - timedelta(days=15),
        current_period_end=now + timedelta(days=15),
        price_minor=500,
    )
    bigger = PackageFactory(creator=subscription.creator, monthly_price_minor=1_500)
    quote = services.quote_switch(subscription, bigger, Billing.MONTHLY, now)
    assert quote.immediate and quote.charge_minor == 500  # half the period left: half of 10.00
    subscription = services.switch(
        subscription=subscription,
        package=bigger,
        billing=Billing.MONTHLY,
        request_key="up",
        now=now,
    )
    assert (subscription.package, subscription.price_minor) == (bigger, 1_500)
    assert subscription.charges.get().amount_minor == 500

    smaller = PackageFactory(creator=subscription.creator, monthly_price_minor=300)
    subscription = services.switch(
        subscription=subscription,
        package=smaller,
        billing=Billing.MONTHLY,
        request_key="down",
        now=now,
    )
    assert (subscription.package, subscription.next_package) == (bigger, smaller)
    services.renew_due(now=subscription.current_period_end + timedelta(minutes=1))
    subscription.refresh_from_db()
    assert (subscription.package, subscription.price_minor) == (smaller, 300)
    assert subscription.charges.order_by("pk").last().amount_minor == 300


def test_a_price_rise_keeps_what_subscribers_pay_and_tells_them() -> None:
    subscription = SubscriptionFactory(price_minor=500)
    package = subscription.package
    services.save_package(
        creator=package.creator,
        package=package,
        name=package.name,
        description=package.description,
        currency="USD",
        monthly_price_minor=900,
        annual_price_minor=None,
        has_trial=False,
        member_cap=None,
        includes_chat=True,
        includes_emojis=True,
    )
    services.renew_due(now=subscription.current_period_end + timedelta(minutes=1))
    assert subscription.charges.get().amount_minor == 500
    assert Notification.objects.filter(
        user=subscription.fan, subject__contains="your price stays 5.00 USD"
    ).exists()


def test_a_full_package_takes_no_one_else() -> None:
    package = PackageFactory(member_cap=1)
    subscribe(FanFactory(), package)
    with pytest.raises(services.SubscriptionError, match="full"):
        subscribe(FanFactory(), package)


def test_an_unanswered_charge_is_settled_later_without_charging_twice() -> None:
    package = PackageFactory()
    fan = FanFactory()
    with pytest.raises(services.SubscriptionError, match="did not answer"):
        subscribe(fan, package, card=card_for(fan, TIMES_OUT))
    charge = SubscriptionCharge.objects.get()
    assert charge.state == ChargeState.PENDING
    SubscriptionCharge.objects.filter(pk=charge.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    assert services.finish_pending_charges() == 1
    charge.refresh_from_db()
    assert charge.state == ChargeState.SUCCEEDED
    assert SandboxPayment.objects.filter(kind="charge").count() == 1  # charged once, found
    assert Subscription.objects.get(fan=fan).state == State.ACTIVE


def test_hand_delivered_perks_are_due_per_subscriber_and_month() -> None:
    package = PackageFactory()
    package.custom_perks.create(name="Monthly shout-out", cadence=PerkCadence.MONTHLY)
    package.custom_perks.create(name="Sticker pack", cadence=PerkCadence.ONCE)
    subscription = subscribe(FanFactory(), package)
    assert PerkDelivery.objects.filter(subscription=subscription).count() == 2
    services.renew_due(now=subscription.current_period_end + timedelta(minutes=1))
    assert PerkDelivery.objects.filter(subscription=subscription).count() == 3


def test_a_creator_who_meets_the_bar_gets_the_raised_share() -> None:
    creator = CreatorFactory(followers=20_000)
    assert selectors.revenue_share(creator).pct == 70
    VideoDayFactory(video=VideoFactory(creator=creator), day=timezone.localdate(), views=150_000)
    package = PackageFactory(creator=creator)
    for n in range(3):
        post = Post.objects.create(creator=creator, title=f"Post {n}", body="Hi")
        post.packages.add(package)
    share = selectors.revenue_share(creator)
    assert share.pct == 90 and share.is_raised
    subscription = subscribe(FanFactory(), package)
    assert subscription.charges.get().platform_fee_minor == 50  # 10 % of 5.00


def test_what_a_creator_lacks_for_the_raised_share_is_spelled_out() -> None:
    share = selectors.revenue_share(CreatorFactory(followers=9_000))
    lacking = {c.label: c.detail for c in share.conditions if not c.met}
    assert lacking["10,000 followers"] == "1,000 more followers"
    assert lacking["3 subscriber-only posts in the last 30 days"] == "3 more posts"


def test_publishing_needs_an_invitation_while_invite_only() -> None:
    package = PackageFactory(published_at=None, creator__followers=5_000)
    with pytest.raises(services.SubscriptionError, match="cannot publish"):
        services.publish_package(package=package)
    Invitation.objects.create(creator=package.creator)
    assert services.publish_package(package=package).is_published


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_subscribe_requests_at_once_make_one_subscription() -> None:
    package = PackageFactory()
    fan = FanFactory()
    card = card_for(fan)
    errors: list[str] = []

    def attempt(key: str) -> None:
        try:
            subscribe(fan, package, key=key, card=card)
        except services.SubscriptionError as error:
            errors.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(f"key{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Subscription.objects.filter(fan=fan, state=State.ACTIVE).count() == 1
    assert PaymentAttempt.objects.count() == 1
    assert len(errors) == 1 and "already subscribe" in errors[0]


def test_the_renewal_run_stops_when_its_time_is_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad row is skipped, but the task's soft time limit stops the run (the next one goes
    on: every charge is keyed)."""
    from celery.exceptions import SoftTimeLimitExceeded

    subscription = SubscriptionFactory()

    def out_of_time(**kwargs: object) -> str:
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "renew_one", out_of_time)
    with pytest.raises(SoftTimeLimitExceeded):
        services.renew_due(now=subscription.current_period_end + timedelta(minutes=1))


def test_a_new_card_declined_on_subscribing_is_forgotten_and_a_good_one_kept() -> None:
    from payments import selectors as payments_selectors
    from payments.gateway import CardDetails

    fan = FanFactory()
    package = PackageFactory(has_trial=False)
    year = timezone.now().year + 2
    with pytest.raises(services.SubscriptionError):
        services.subscribe_with_new_card(
            fan=fan,
            package=package,
            billing=Billing.MONTHLY,
            card=CardDetails(number=DECLINES_CHARGES, exp_month=12, exp_year=year, cvc="123"),
            request_key="declined-new-card",
        )
    assert not payments_selectors.cards_of(fan).exists()
    subscription = services.subscribe_with_new_card(
        fan=fan,
        package=package,
        billing=Billing.MONTHLY,
        card=CardDetails(number="4242424242424242", exp_month=12, exp_year=year, cvc="123"),
        request_key="good-new-card",
    )
    assert subscription.state == State.ACTIVE
    assert list(payments_selectors.cards_of(fan)) == [subscription.card]
