"""Closing an account: money settled first, people told, personal data gone everywhere, the
ledgers whole under the pseudonymous user, what the law keeps erased only after its day; and
the page behind a fresh sign-in, a typed confirmation and CSRF."""

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from academy import services as academy_services
from academy.models import Certificate
from academy.tests.factories import CourseFactory
from accounts.models import AuditEntry, CreatorProfile, Notification, User
from accounts.tests.factories import PASSWORD, BrandFactory, FanFactory, StaffFactory
from activity.tests.factories import VideoFactory
from core.clock import rewards_today
from gifts.models import CoinAccount, CoinEntry, CreatorSupport, Tip, TipState
from gifts.services import GiftsError
from gifts.support import send_gift
from gifts.support import tip as gifts_tip
from gifts.tests.factories import GiftFactory, eligible_creator, fan_with_coins
from marketplace import collaborations
from marketplace import services as marketplace_services
from marketplace.models import CollabState, Listing, Message, Step
from marketplace.tests.factories_deals import collaboration, listed_creator
from payments import ledger, payouts
from payments import services as payments_services
from payments.models import (
    AccountKind,
    AttemptKind,
    AttemptState,
    EarningsAccount,
    EarningsEntry,
    PaymentAttempt,
    PayoutMethod,
    PayoutRequest,
    SavedCard,
    Source,
)
from privacy import closing
from privacy.models import ClosedAccount, DataExport, ExportState, RetainedRecord
from rewards import services as rewards_services
from rewards.models import EntryKind, PointsAccount, PointsEntry
from subscriptions import services as subscriptions_services
from subscriptions.models import (
    Billing,
    ChargeState,
    ChatMessage,
    Package,
    PerkCadence,
    State,
    Subscription,
    SubscriptionCharge,
)
from subscriptions.tests.factories import PackageFactory, SubscriptionFactory, card_for

CLOSE_URL = reverse("privacy:close")


def reauthenticated(user: User, client: Client | None = None) -> Client:
    """A client signed in as `user` who has just re-entered their password (allauth's record
    of a recent reauthentication, as its reauthenticate page leaves it)."""
    client = client or Client()
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


def paid_collaboration(creator: CreatorProfile, brand=None):
    collab = collaboration(creator=creator, brand=brand)
    return collaborations.pay(collab=collab, by=collab.brand.user, card=card_for(collab.brand.user))


@pytest.fixture
def busy_creator(db: None) -> CreatorProfile:
    """A creator with points, earnings pending and available, a payout method, a package with
    two subscribers, a chat message, a Marketplace listing and a collaboration paid into hold."""
    creator = listed_creator()
    rewards_services.post_entry(
        creator=creator, amount=900, kind=EntryKind.ADJUSTED, idempotency_key="t:points:1"
    )
    ledger.credit(
        creator=creator,
        amount=4_000,
        currency="USD",
        source=Source.REWARDS_PROGRAM,
        idempotency_key="t:earn:available",
    )
    ledger.credit(
        creator=creator,
        amount=1_500,
        currency="USD",
        source=Source.SUBSCRIPTION,
        idempotency_key="t:earn:pending",
        pending_until=rewards_today() + timedelta(days=6),
    )
    payouts.set_payout_method(
        creator=creator,
        kind=AccountKind.IBAN,
        holder_name="Ana Realname",
        account_number="GB82WEST12345698765432",
        now=timezone.now() - timedelta(days=30),  # long past its payout lock
    )
    package = PackageFactory(creator=creator)
    for _ in range(2):
        SubscriptionFactory(package=package)
    ChatMessage.objects.create(creator=creator, author=creator.user, body="Hi all, Ana here")
    creator.bio = "I live in Leeds"
    creator.save(update_fields=["bio"])
    return creator


def ledger_sums() -> tuple[int, int, int]:
    return (
        PointsEntry.objects.aggregate(s=Sum("amount"))["s"] or 0,
        EarningsEntry.objects.exclude(source=Source.PAYOUT).aggregate(s=Sum("amount"))["s"] or 0,
        CoinEntry.objects.aggregate(s=Sum("amount"))["s"] or 0,
    )


def test_closing_a_creator_settles_money_tells_subscribers_and_erases_them(
    busy_creator: CreatorProfile, django_capture_on_commit_callbacks: Callable
) -> None:
    creator = busy_creator
    user = creator.user
    real_email = user.email
    collab = paid_collaboration(creator)
    subscribers = list(Subscription.objects.filter(creator=creator))
    points_before = PointsAccount.objects.get(creator=creator).balance
    entries_before = dict(EarningsEntry.objects.values_list("pk", "amount"))
    sums_before = ledger_sums()
    mail.outbox.clear()

    preview = closing.closing_preview(user)
    assert not preview.blockers
    said = " ".join(preview.happens)
    assert "15.00 USD (held until" in said and "released now" in said
    assert "55.00 USD is requested as your final payout to IBAN •••• 5432" in said
    assert "900 points lapse" in said
    assert "Your 2 subscribers' subscriptions end today" in said
    assert "refunded to them" in said and collab.campaign.title in said
    assert any("Tax and accounting law: payout records are kept 7 years" in s for s in preview.kept)
    assert any("audit trail" in s for s in preview.kept)

    with django_capture_on_commit_callbacks(execute=True):
        closed = closing.close_account(user=user)

    # The brand got its money back, and the collaboration says why.
    collab.refresh_from_db()
    assert collab.state == CollabState.CANCELLED
    assert collab.refund.kind == AttemptKind.REFUND
    assert (collab.refund.amount, collab.refund.state) == (45_000, AttemptState.SUCCEEDED)
    # Pending money released, everything available requested as one final payout.
    account = EarningsAccount.objects.get(creator=creator)
    assert (account.available, account.pending) == (0, 0)
    final = PayoutRequest.objects.get(creator=creator)
    assert (final.final, final.amount, final.state) == (True, 5_500, "requested")
    # Ledgers whole: every old entry as it was, same account, and the books balance.
    assert dict(
        EarningsEntry.objects.filter(pk__in=entries_before).values_list("pk", "amount")
    ) == (entries_before)
    assert ledger_sums() == sums_before
    assert PointsAccount.objects.get(creator=creator).balance == points_before
    call_command("check_ledger")
    # Subscribers: ended, told, never renewed.
    for subscription in subscribers:
        subscription.refresh_from_db()
        assert subscription.state == State.CANCELLED and subscription.ended_at is not None
        assert Notification.objects.filter(
            user=subscription.fan, subject__contains="closed their account"
        ).exists()
    charges = SubscriptionCharge.objects.count()
    run = subscriptions_services.renew_due(now=timezone.now() + timedelta(days=60))
    assert run.renewed == 0 and SubscriptionCharge.objects.count() == charges
    # Personal data gone everywhere.
    user.refresh_from_db()
    creator.refresh_from_db()
    assert user.email == f"closed-{user.pk}@closed.invalid" and not user.is_active
    assert not user.has_usable_password()
    assert (creator.display_name, creator.bio) == ("Closed account", "")
    assert creator.handle == f"closed_{user.pk}" and creator.date_of_birth.year == 1900
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Notification.objects.filter(user=user).exists()
    assert ChatMessage.objects.get(author=user).body == "[removed]"
    listing = Listing.objects.get(creator=creator)
    assert listing.paused_at is not None and listing.about == "[removed]"
    assert not User.objects.filter(email__iexact=real_email).exists()
    # Kept by law, with the reason and the day: the payout method's holder, for now.
    kept = RetainedRecord.objects.get(user=user, kind="payouts")
    assert "7 years" in kept.reason
    assert kept.erase_after == rewards_today() + timedelta(days=7 * 365 + 2)
    assert PayoutMethod.objects.get(creator=creator).holder_name == "Ana Realname"
    # Told by email at the real address, once it was all done.
    sent = [m for m in mail.outbox if real_email in m.to]
    assert len(sent) == 1 and "final payout" in sent[0].body
    assert not [m for m in mail.outbox if user.email in m.to]
    assert closed.outcome == preview.outcome


def test_closing_twice_does_nothing_more(busy_creator: CreatorProfile) -> None:
    user = busy_creator.user
    first = closing.close_account(user=user)
    counts = (PayoutRequest.objects.count(), EarningsEntry.objects.count(), len(mail.outbox))

    assert closing.close_account(user=user) == first
    assert (PayoutRequest.objects.count(), EarningsEntry.objects.count(), len(mail.outbox)) == (
        counts
    )
    assert ClosedAccount.objects.filter(user=user).count() == 1


def test_closing_a_fan_ends_subscriptions_keeps_coins_in_the_books(db: None) -> None:
    fan = fan_with_coins(300)
    subscription = SubscriptionFactory(fan=fan)
    ChatMessage.objects.create(creator=subscription.creator, author=fan, body="Love from Jo")
    sums_before = ledger_sums()

    preview = closing.closing_preview(fan)
    assert any("300 coins lapse" in s for s in preview.happens)
    assert any("Tax and accounting law: payment records" in s for s in preview.kept)
    closing.close_account(user=fan)

    subscription.refresh_from_db()
    assert subscription.state == State.CANCELLED
    assert Notification.objects.filter(
        user=subscription.creator.user, subject__contains="closed their account"
    ).exists()
    assert ChatMessage.objects.get(author=fan).body == "[removed]"
    assert CoinAccount.objects.get(fan=fan).balance == 300
    assert ledger_sums() == sums_before
    call_command("check_ledger")
    assert not SavedCard.objects.filter(customer__user=fan, forgotten_at__isnull=True).exists()
    fan.refresh_from_db()
    assert fan.name == "Closed account" and fan.email.endswith("@closed.invalid")
    assert RetainedRecord.objects.get(user=fan, kind="payments").erased_at is None


def test_closing_a_brand_refunds_its_payment_in_hold(db: None) -> None:
    brand = BrandFactory()
    collab = paid_collaboration(listed_creator(), brand=brand)
    Message.objects.create(collab=collab, author=brand.user, body="Our launch is 3 May")

    closing.close_account(user=brand.user)

    collab.refresh_from_db()
    assert collab.state == CollabState.CANCELLED
    refund = PaymentAttempt.objects.get(kind=AttemptKind.REFUND, refund_of=collab.charge)
    assert (refund.amount, refund.state) == (collab.price_minor, AttemptState.SUCCEEDED)
    assert Notification.objects.filter(user=collab.creator.user, subject__contains="Cancelled")
    assert Message.objects.get(collab=collab).body == "[removed]"
    brand.refresh_from_db()
    assert (brand.company_name, brand.website) == ("Closed account", "")


def test_a_creator_with_work_awaiting_the_brand_must_wait(busy_creator: CreatorProfile) -> None:
    collab = paid_collaboration(busy_creator)
    collaborations.deliver(collab=collab, by=busy_creator.user, links="https://v.example/1")

    preview = closing.closing_preview(busy_creator.user)
    assert "waits for the brand's decision" in preview.blockers[0]
    with pytest.raises(closing.ClosingError):
        closing.close_account(user=busy_creator.user)
    assert not ClosedAccount.objects.exists()
    assert busy_creator.user.__class__.objects.get(pk=busy_creator.user_id).is_active


def test_retained_records_are_erased_only_after_their_day(busy_creator: CreatorProfile) -> None:
    user = busy_creator.user
    SubscriptionFactory(fan=FanFactory())  # someone else's cards stay as they are
    card_for(user)
    closing.close_account(user=user)
    record = RetainedRecord.objects.get(user=user, kind="payouts")

    assert closing.erase_due_records(today=record.erase_after) == 0
    assert PayoutMethod.objects.get(creator=busy_creator).holder_name == "Ana Realname"

    assert closing.erase_due_records(today=record.erase_after + timedelta(days=1)) == 2
    method = PayoutMethod.objects.get(creator=busy_creator)
    assert (method.holder_name, method.last4) == ("", "XXXX")
    assert method.reference.startswith("erased-")
    card = SavedCard.objects.get(customer__user=user)
    assert (card.brand, card.last4) == ("", "0000")
    assert SavedCard.objects.exclude(customer__user=user).exclude(brand="").exists()
    assert not RetainedRecord.objects.filter(user=user, erased_at__isnull=True).exists()
    # Nightly again: nothing more.
    assert closing.erase_due_records(today=record.erase_after + timedelta(days=2)) == 0
    call_command("check_ledger")


def test_the_audit_trail_is_kept(busy_creator: CreatorProfile, staff: User) -> None:
    AuditEntry.objects.create(
        actor=staff,
        app_label="accounts",
        model="creatorprofile",
        object_id=str(busy_creator.pk),
        object_repr="@x",
        action="changed",
        creator=busy_creator,
    )
    closing.close_account(user=busy_creator.user)
    assert AuditEntry.objects.filter(creator=busy_creator).count() == 1


# --- money whose outcome is not known yet, the payout lock, and the last personal data ---------

TIMES_OUT = "4000000000000408"  # the sandbox card whose charge the gateway leaves unanswered


def unanswered_signup(fan: User, package: Package) -> Subscription:
    """A subscription whose first payment the gateway left unanswered: incomplete, its
    charge pending."""
    with pytest.raises(subscriptions_services.SubscriptionError, match="did not answer"):
        subscriptions_services.subscribe(
            fan=fan,
            package=package,
            billing=Billing.MONTHLY,
            card=card_for(fan, TIMES_OUT),
            request_key="unanswered",
        )
    subscription = Subscription.objects.get(fan=fan, package=package)
    assert subscription.state == State.INCOMPLETE
    return subscription


def test_a_fan_whose_first_subscription_payment_is_unanswered_must_wait(db: None) -> None:
    fan = FanFactory()
    package = PackageFactory()
    unanswered_signup(fan, package)

    blockers = closing.closing_preview(fan).blockers
    assert any(
        f"A payment for your subscription to {package.name}" in b and "settled" in b
        for b in blockers
    )
    with pytest.raises(closing.ClosingError):
        closing.close_account(user=fan)
    assert not ClosedAccount.objects.exists()


def test_a_creator_whose_subscribers_payments_are_unanswered_must_wait(
    busy_creator: CreatorProfile,
) -> None:
    package = busy_creator.packages.get()
    unanswered_signup(FanFactory(), package)  # a first payment
    renewing = SubscriptionFactory(package=package)  # and a renewal, both unanswered
    Subscription.objects.filter(pk=renewing.pk).update(card=card_for(renewing.fan, TIMES_OUT))
    subscriptions_services.renew_due(now=renewing.current_period_end + timedelta(minutes=1))
    assert renewing.charges.get().state == ChargeState.PENDING

    blockers = closing.closing_preview(busy_creator.user).blockers
    assert any(
        "Payments from 2 subscribers are still waiting for the payment service" in b
        for b in blockers
    )
    with pytest.raises(closing.ClosingError):
        closing.close_account(user=busy_creator.user)


def test_a_charge_settled_after_its_subscription_ended_does_not_revive_it(db: None) -> None:
    subscription = SubscriptionFactory()
    fan = subscription.fan
    Subscription.objects.filter(pk=subscription.pk).update(card=card_for(fan, TIMES_OUT))
    subscriptions_services.renew_due(now=subscription.current_period_end + timedelta(minutes=1))
    charge = subscription.charges.get()
    assert charge.state == ChargeState.PENDING
    subscriptions_services.end_fan_subscriptions(fan=fan)  # what closing does

    SubscriptionCharge.objects.filter(pk=charge.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    assert subscriptions_services.finish_pending_charges() == 1

    charge.refresh_from_db()
    subscription.refresh_from_db()
    assert charge.state == ChargeState.SUCCEEDED  # the money the card paid is recorded
    assert EarningsEntry.objects.filter(pk=charge.earnings_entry_id).exists()
    assert (subscription.state, subscription.cancel_at_period_end) == (State.CANCELLED, True)
    charges = SubscriptionCharge.objects.count()
    run = subscriptions_services.renew_due(now=timezone.now() + timedelta(days=90))
    assert run.renewed == 0 and SubscriptionCharge.objects.count() == charges


def gifts_creator() -> CreatorProfile:
    """A creator who takes tips and gifts, with a payout method past its lock."""
    creator = eligible_creator()
    payouts.set_payout_method(
        creator=creator,
        kind=AccountKind.IBAN,
        holder_name="Bo Realname",
        account_number="GB82WEST12345698765432",
        now=timezone.now() - timedelta(days=30),
    )
    return creator


def test_gifts_not_yet_posted_are_in_the_final_payout_and_no_more_arrive(db: None) -> None:
    creator = gifts_creator()
    fan = fan_with_coins(1_000)
    sent = send_gift(
        fan=fan,
        creator=creator,
        gift=GiftFactory(coins=500),
        video=VideoFactory(creator=creator),
        request_key="g1",
    )
    assert sent.earnings_entry_id is None  # waiting for the poster's next batch

    closing.close_account(user=creator.user)

    sent.refresh_from_db()
    assert sent.earnings_entry_id is not None
    final = PayoutRequest.objects.get(creator=creator, final=True)
    assert final.amount == sent.creator_value_minor
    account = EarningsAccount.objects.get(creator=creator)
    assert (account.available, account.pending) == (0, 0)
    assert not CreatorSupport.objects.get(creator=creator).accepts
    with pytest.raises(GiftsError):
        send_gift(
            fan=fan,
            creator=creator,
            gift=GiftFactory(coins=100),
            video=VideoFactory(creator=creator),
            request_key="g2",
        )
    call_command("check_ledger")


def test_a_creator_with_a_tip_whose_payment_is_unanswered_must_wait(db: None) -> None:
    creator = gifts_creator()
    fan = FanFactory()
    with pytest.raises(GiftsError):
        gifts_tip(
            fan=fan, creator=creator, amount=500, card=card_for(fan, TIMES_OUT), request_key="t"
        )
    assert Tip.objects.get().state == TipState.PENDING

    blockers = closing.closing_preview(creator.user).blockers
    assert any("has not yet confirmed 1 tip a fan sent you" in b for b in blockers)
    with pytest.raises(closing.ClosingError):
        closing.close_account(user=creator.user)
    assert not PayoutRequest.objects.exists()


def test_no_final_payout_goes_to_a_payout_method_changed_within_its_lock(
    busy_creator: CreatorProfile,
) -> None:
    changed_at = timezone.now() - timedelta(days=1)
    method = payouts.set_payout_method(
        creator=busy_creator,
        kind=AccountKind.IBAN,
        holder_name="Someone Else",
        account_number="GB33BUKB20201555555555",
        now=changed_at,
    )
    allowed_from = timezone.localtime(method.created_at + timedelta(days=5))

    blockers = closing.closing_preview(busy_creator.user).blockers
    assert (
        f"Your payout method changed on {timezone.localdate(changed_at):%-d %b %Y}; closing is "
        f"possible from {allowed_from:%-d %b %Y, %H:%M}, when payouts to it are allowed"
    ) in blockers[0]
    with pytest.raises(closing.ClosingError):
        closing.close_account(user=busy_creator.user)
    # The final payout itself refuses a locked method, whoever calls it.
    with pytest.raises(payouts.PayoutError):
        payments_services.settle_earnings_on_closing(creator=busy_creator)
    assert not PayoutRequest.objects.exists()
    assert EarningsAccount.objects.get(creator=busy_creator).pending == 1_500


def test_a_collaboration_whose_payment_is_under_way_stops_closing_before_anything(
    busy_creator: CreatorProfile,
) -> None:
    paid = paid_collaboration(busy_creator)
    paying = collaboration(creator=busy_creator)
    with pytest.raises(collaborations.PaymentPending):
        collaborations.pay(
            collab=paying, by=paying.brand.user, card=card_for(paying.brand.user, TIMES_OUT)
        )

    blockers = closing.closing_preview(busy_creator.user).blockers
    assert any(f"payment for “{paying.campaign.title}” is under way" in b for b in blockers)
    with pytest.raises(closing.ClosingError):
        closing.close_account(user=busy_creator.user)
    paid.refresh_from_db()
    assert (paid.state, paid.refund_id) == (CollabState.ACCEPTED, None)  # nothing half done
    # Nor does the settling itself cancel some deals before finding the one being paid.
    with pytest.raises(collaborations.PaymentPending):
        marketplace_services.settle_collaborations_on_closing(user=busy_creator.user)
    paid.refresh_from_db()
    assert paid.state == CollabState.ACCEPTED


def test_certificates_step_notes_and_perk_descriptions_lose_the_personal_words(
    busy_creator: CreatorProfile,
) -> None:
    enrolment = academy_services.enrol(creator=busy_creator, course=CourseFactory())
    certificate = Certificate.objects.create(
        enrolment=enrolment, name="Ana Realname", course_title="Hooks", issued_on=rewards_today()
    )
    perk = busy_creator.packages.get().custom_perks.create(
        name="Postcard", description="Signed by Ana, from Leeds", cadence=PerkCadence.ONCE
    )
    brand = BrandFactory()
    collab = paid_collaboration(listed_creator(), brand=brand)
    collaborations.deliver(collab=collab, by=collab.creator.user, links="https://v.example/1")
    collaborations.request_changes(
        collab=collab, by=brand.user, note="Mention our Leeds shop on Kirkgate"
    )
    assert Step.objects.filter(by=brand.user, note__contains="Kirkgate").exists()

    closing.close_account(user=busy_creator.user)
    closing.close_account(user=brand.user)

    certificate.refresh_from_db()
    assert certificate.name == "Closed account"
    verify = Client().get(certificate.get_verify_url())
    assert b"Closed account" in verify.content and b"Realname" not in verify.content
    perk.refresh_from_db()
    assert perk.description == ""
    assert set(Step.objects.filter(by=brand.user).values_list("note", flat=True)) == {"[removed]"}
    assert not Step.objects.filter(note__contains="Kirkgate").exists()
    # The creator's steps keep their words: they are not the brand's.
    assert Step.objects.filter(collab=collab, by=collab.creator.user).exclude(note="[removed]")


def test_the_users_data_exports_are_removed_with_their_archives(
    busy_creator: CreatorProfile, django_capture_on_commit_callbacks: Callable
) -> None:
    user = busy_creator.user
    storage = storages["private"]
    name = storage.save(f"exports/{user.pk}/mine.zip", ContentFile(b"PK-personal-data"))
    now = timezone.now()
    ready = DataExport.objects.create(
        user=user,
        state=ExportState.READY,
        archive=name,
        size_bytes=16,
        finished_at=now,
        expires_at=now + timedelta(hours=72),
    )
    building = DataExport.objects.create(user=user, state=ExportState.BUILDING, progress=40)
    others = storage.save("exports/0/theirs.zip", ContentFile(b"PK-someone-else"))

    with django_capture_on_commit_callbacks(execute=True):
        closing.close_account(user=user)

    for export in (ready, building):
        export.refresh_from_db()
        assert (export.state, export.archive) == (ExportState.EXPIRED, "")
        assert export.expires_at <= timezone.now()
    assert not storage.exists(name)
    assert storage.exists(others)
    storage.delete(others)


# --- the pages ----------------------------------------------------------------------------------


def test_an_old_sign_in_is_sent_to_reauthenticate_first(busy_creator: CreatorProfile) -> None:
    poster = Client()
    poster.force_login(busy_creator.user)
    response = poster.post(CLOSE_URL, {"confirm": "CLOSE", "understood": "on"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert not ClosedAccount.objects.exists()

    client = Client()
    client.force_login(busy_creator.user)
    response = client.get(CLOSE_URL)
    assert response.status_code == 302
    assert (
        response.url == f"{reverse('account_reauthenticate')}?next={CLOSE_URL.replace('/', '%2F')}"
    )
    # Re-entering the password opens the page.
    response = client.post(response.url, {"password": PASSWORD})
    assert response.status_code == 302 and response.url == CLOSE_URL
    page = client.get(CLOSE_URL)
    assert page.status_code == 200
    assert b"final payout" in page.content and b"Close my account" in page.content
    assert not ClosedAccount.objects.exists()


def test_visitors_go_to_login(client: Client) -> None:
    response = client.get(CLOSE_URL)
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_post_without_the_typed_word_changes_nothing(busy_creator: CreatorProfile) -> None:
    client = reauthenticated(busy_creator.user)

    response = client.post(CLOSE_URL, {"confirm": "close it", "understood": "on"})
    assert response.status_code == 400
    assert b"Type CLOSE to close your account." in response.content
    response = client.post(CLOSE_URL, {"confirm": "CLOSE"})
    assert response.status_code == 400
    assert b"Tick the box" in response.content
    assert not ClosedAccount.objects.exists()
    assert User.objects.get(pk=busy_creator.user_id).is_active


def test_post_without_csrf_token_is_refused(busy_creator: CreatorProfile) -> None:
    client = reauthenticated(busy_creator.user, Client(enforce_csrf_checks=True))

    response = client.post(CLOSE_URL, {"confirm": "CLOSE", "understood": "on"})

    assert response.status_code == 403
    assert not ClosedAccount.objects.exists()


def test_closing_signs_out_and_the_account_cannot_sign_in_again(
    busy_creator: CreatorProfile,
) -> None:
    user = busy_creator.user
    email = user.email
    client = reauthenticated(user)
    other_session = Client()
    other_session.force_login(user)

    response = client.post(CLOSE_URL, {"confirm": "close", "understood": "on"})

    assert response.status_code == 302 and response.url == reverse("privacy:closed")
    assert SESSION_KEY not in client.session
    closed_page = client.get(reverse("privacy:closed"))
    assert closed_page.status_code == 200 and b"Your account is closed" in closed_page.content
    assert ClosedAccount.objects.get(user=user).closed_by is None
    # Another session of the account is no longer signed in (the backend refuses inactive).
    assert other_session.get(reverse("accounts:profile")).status_code == 302
    # Neither the old address nor the new one signs in.
    assert not Client().login(email=email, password=PASSWORD)
    login = Client().post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert login.status_code == 200  # the form again, with its error


def test_staff_cannot_close_their_own_account_here(db: None) -> None:
    staff = StaffFactory()
    client = reauthenticated(staff)

    page = client.get(CLOSE_URL)
    assert page.status_code == 200 and b"an administrator removes them" in page.content
    assert b"Close my account" not in page.content
    response = client.post(CLOSE_URL, {"confirm": "CLOSE", "understood": "on"})
    assert response.status_code == 403
    with pytest.raises(closing.ClosingError):
        closing.close_account(user=staff)
    assert User.objects.get(pk=staff.pk).is_active


def test_the_closed_page_is_public(client: Client) -> None:
    response = client.get(reverse("privacy:closed"))
    assert response.status_code == 200 and b"What happens next" in response.content
