"""Walk every named URL of the project as each kind of user and check the answer.

Project views declare an access rule (accounts.access); the expected answer follows from
it, so a new view without a rule fails here. allauth's and admin's URLs are listed
explicitly below: adding a third-party URL means deciding who may see it.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.contrib import admin
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role
from accounts.services import notify
from accounts.tests.factories import StaffFactory
from gifts.models import CoinReason
from gifts.services import credit_coins
from portal.tests.walk_deals import POST_ONLY_DEALS, own_deals
from portal.tests.walk_fraud import POST_ONLY_FRAUD, own_flags
from portal.tests.walk_listings import POST_ONLY_LISTINGS, own_listings
from portal.tests.walk_privacy import EXPORT_OWNER_ONLY, REAUTHENTICATE_FIRST, own_privacy
from rewards.models import EntryKind
from rewards.services import post_entry
from store import services as store_services
from store.tests.factories import ToolFactory

ROLES = ["visitor", Role.FAN, Role.CREATOR, Role.BRAND, Role.STAFF]
SIGNED_IN = [Role.FAN, Role.CREATOR, Role.BRAND, Role.STAFF]
PROJECT_APPS = (
    "portal",
    "accounts",
    "activity",
    "rewards",
    "store",
    "gifts",
    "reports",
    "payments",
    "subscriptions",
    "academy",
    "marketplace",
    "privacy",
)


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    callback: object

    @property
    def module(self) -> str:
        return self.callback.__module__


def routes(patterns: list | None = None, prefix: str = "", ns: str = "") -> Iterator[Route]:
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}{p.namespace}:" if p.namespace else ns
            yield from routes(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern) and p.name:
            yield Route(ns + p.name, prefix + str(p.pattern), p.callback)


# What each allauth URL answers a plain GET, by role ("signed-in" covers every signed-in role).
# 302: allauth sends signed-in users away from entrance pages, and visitors to login from
# account pages. 200 for a bad confirmation or reset key: allauth shows an "invalid link" page.
ALLAUTH_EXPECTED: dict[str, dict[str, int]] = {
    "account_login": {"visitor": 200, "signed-in": 302},
    "account_signup": {"visitor": 200, "signed-in": 302},
    "account_logout": {"visitor": 302, "signed-in": 200},
    "account_inactive": {"visitor": 200, "signed-in": 200},
    "account_reauthenticate": {"visitor": 302, "signed-in": 200},
    "account_email": {"visitor": 302, "signed-in": 200},
    "account_email_verification_sent": {"visitor": 200, "signed-in": 200},
    "account_change_password": {"visitor": 302, "signed-in": 200},
    "account_set_password": {"visitor": 302, "signed-in": 302},
    "account_reset_password": {"visitor": 200, "signed-in": 200},
    "account_reset_password_done": {"visitor": 200, "signed-in": 200},
    "account_reset_password_from_key": {"visitor": 200, "signed-in": 200},
    "account_reset_password_from_key_done": {"visitor": 200, "signed-in": 200},
    "account_confirm_email": {"visitor": 200, "signed-in": 200},
    "account_confirm_login_code": {"visitor": 302, "signed-in": 302},
    "mfa_index": {"visitor": 302, "signed-in": 200},
    "mfa_authenticate": {"visitor": 302, "signed-in": 302},
    "mfa_reauthenticate": {"visitor": 302, "signed-in": 302},
    # Turning two-factor on asks for the password again first (allauth's reauthentication).
    "mfa_activate_totp": {"visitor": 302, "signed-in": 302},
    "mfa_generate_recovery_codes": {"visitor": 302, "signed-in": 302},
    # Managing an authenticator the user has not set up is a 404.
    "mfa_deactivate_totp": {"visitor": 302, "signed-in": 404},
    "mfa_view_recovery_codes": {"visitor": 302, "signed-in": 404},
    "mfa_download_recovery_codes": {"visitor": 302, "signed-in": 404},
}

# Arguments for URLs that take them. A new URL with arguments must be added here.
URL_KWARGS = {
    "account_confirm_email": {"key": "not-a-real-key"},
    "account_reset_password_from_key": {"uidb36": "zz", "key": "not-a-real-key"},
    "admin:app_list": {"app_label": "accounts"},
    "rewards:day": {"day": "2026-11-18"},
    "rewards:program": {"month": "2026-10"},
    "store:item": {"slug": "walk-tool"},
    "store:redeem": {"slug": "walk-tool"},
    "payments:card_remove": {"pk": 1},
}

# Project views whose plain GET sends the roles allowed in on to another page.
REDIRECTS_ALLOWED = {
    "rewards:entry",  # an entry is explained on its day's page
    "rewards:day_lookup",  # the "explain a day" form without a day: the latest day
    "subscriptions:subscribe",  # the walk's fan subscribes already: to My subscriptions
}

# Views that only take a POST (a form's target): a plain GET from a role allowed in is a 405.
POST_ONLY = {
    "subscriptions:cancel",
    "subscriptions:resume",
    "subscriptions:change_card",
    "subscriptions:package_publish",
    "subscriptions:chat_delete",
    "subscriptions:chat_mute",
    "subscriptions:chat_unmute",
    "subscriptions:emoji_delete",
    "payments:card_remove",
    "academy:enrol",
    "academy:complete_lesson",
    "academy:watch",
    "gifts:consent",
    "gifts:send_gift",
    "gifts:accept",
    "gifts:hide",
    "gifts:block",
    "gifts:unblock",
    *POST_ONLY_LISTINGS,
    *POST_ONLY_DEALS,
    *POST_ONLY_FRAUD,
    "reports:fairness_what_if",
    "reports:fairness_save_rules",
}
# A creator's subscriber chat: any signed-in user may knock, and the room itself decides. The
# walk's creator owns it and the walk's fan subscribes with chat; brand and staff are refused.
ROOM_ONLY = {"subscriptions:chat", "subscriptions:chat_messages"}
# A post's picture: its readers (the walk's creator wrote the post, the walk's fan subscribes)
# get it; any other signed-in user a 404, as for a picture that does not exist.
READERS_ONLY = {"subscriptions:post_picture"}
# Public pages that send signed-in users on to their home instead.
REDIRECTS_SIGNED_IN = {"portal:landing", "portal:home"}


# Admin pages that differ from "staff 200, everyone else to the admin login".
ADMIN_EXPECTED: dict[str, dict[str, int]] = {
    # Logging in is allauth's (portal.admin): visitors are sent there, staff on to the index,
    # and other signed-in users are refused rather than sent round in a circle.
    "admin:login": {
        "visitor": 302,
        Role.FAN: 403,
        Role.CREATOR: 403,
        Role.BRAND: 403,
        Role.STAFF: 302,
    },
    # Logging out is POST only, for staff; anyone else is sent to the admin login first.
    "admin:logout": {**dict.fromkeys(ROLES, 302), Role.STAFF: 405},
    # The autocomplete endpoint refuses a request without its app, model and field.
    "admin:autocomplete": {**dict.fromkeys(ROLES, 302), Role.STAFF: 403},
}


def admin_permission_status(route: Route, staff_user: object) -> int:
    """What staff get on an admin add/change/delete page: what its ModelAdmin allows."""
    match = re.match(r"admin/(\w+)/(\w+)/(?:<(?:\w+:)?\w+>/)?(add|change|delete)/$", route.pattern)
    if not match:
        return 200
    app_label, model_name, page = match.groups()
    model = apps.get_model(app_label, model_name)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = staff_user
    obj = None if page == "add" else model.objects.order_by("pk").first()
    allowed = {
        "add": lambda: model_admin.has_add_permission(request),
        "change": lambda: model_admin.has_view_or_change_permission(request, obj),
        "delete": lambda: model_admin.has_delete_permission(request, obj),
    }[page]()
    return 200 if allowed else 403


def expected_for(route: Route, role: str, staff_user: object) -> int:
    if route.name in ADMIN_EXPECTED:
        return ADMIN_EXPECTED[route.name][role]
    if route.name.startswith("admin:"):
        # Django admin sends visitors and non-staff users to its own login page.
        return admin_permission_status(route, staff_user) if role == Role.STAFF else 302
    if route.name in ALLAUTH_EXPECTED:
        table = ALLAUTH_EXPECTED[route.name]
        return table["visitor"] if role == "visitor" else table["signed-in"]
    rule = getattr(route.callback, "access_rule", None)
    assert rule, f"{route.name} ({route.module}) declares no access rule: use accounts.access"
    if rule == "integration-token":
        return 405  # POST only; tokens are tested in activity/tests/test_api.py
    if rule == "public":
        return 302 if role != "visitor" and route.name in REDIRECTS_SIGNED_IN else 200
    if role == "visitor":
        return 302
    if route.name in ROOM_ONLY:
        return 200 if role in (Role.CREATOR, Role.FAN) else 403
    if route.name in READERS_ONLY:
        return 200 if role in (Role.CREATOR, Role.FAN) else 404
    if route.name in EXPORT_OWNER_ONLY:
        return EXPORT_OWNER_ONLY[route.name] if role == Role.CREATOR else 404
    if route.name in REAUTHENTICATE_FIRST:
        return 302
    if rule == "signed-in":
        if route.name in POST_ONLY:
            return 405
        return 302 if route.name in REDIRECTS_SIGNED_IN else 200
    if role in rule.split("+"):
        if route.name in POST_ONLY:
            return 405
        return 302 if route.name in REDIRECTS_ALLOWED else 200
    return 403


def admin_kwargs(route: Route) -> dict[str, str]:
    """An object id for admin pages about one object: the first row of that model."""
    match = re.match(r"admin/(\w+)/(\w+)/<(?:\w+:)?(\w+)>/", route.pattern)
    if not match:
        return {}
    app_label, model_name, argument = match.groups()
    obj = apps.get_model(app_label, model_name).objects.order_by("pk").first()
    assert obj is not None, f"no {app_label}.{model_name} row to open {route.name} with"
    return {argument: str(obj.pk)}


def all_patterns(patterns: list | None = None) -> Iterator[URLPattern]:
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            yield from all_patterns(p.url_patterns)
        else:
            yield p


def test_every_project_view_declares_an_access_rule_named_or_not() -> None:
    missing = [
        str(p.pattern)
        for p in all_patterns()
        if p.callback.__module__.startswith(PROJECT_APPS)
        and not getattr(p.callback, "access_rule", None)
    ]
    assert missing == []


def test_every_url_is_known_to_the_walk() -> None:
    third_party = [
        r.name
        for r in routes()
        if not r.name.startswith("admin:")
        and not r.module.startswith(PROJECT_APPS)
        and r.name not in ALLAUTH_EXPECTED
    ]
    assert third_party == [], f"decide who may open these and add them to the table: {third_party}"


@pytest.fixture
def third_party_admin_rows(db: None) -> None:
    """A row for each admin model that no factory of ours makes, so its pages can be opened."""
    import datetime as dt

    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group
    from django.utils import timezone
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    from accounts.tests.factories import FanFactory
    from activity.models import LiveSession
    from activity.services import create_integration
    from activity.tests.factories import (
        DAY,
        AudienceDayFactory,
        CreatorDayFactory,
        VideoDayFactory,
    )
    from gifts.models import CoinPack
    from gifts.services import buy_coin_pack
    from payments import ledger as earnings
    from payments import services as payments
    from payments.gateway import CardDetails
    from payments.models import Source
    from rewards import recalculation, tiers
    from rewards.services import record_course_completion

    Group.objects.create(name="Fulfilment")
    create_integration(name="Platform")
    stat = VideoDayFactory(views=9_000, views_5s=8_000, bot_views=500)
    CreatorDayFactory(creator=stat.creator, replies=3)
    LiveSession.objects.create(
        record_id="live-1",
        creator=stat.creator,
        started_at=dt.datetime(2026, 11, 18, tzinfo=dt.UTC),
        minutes=30,
    )
    AudienceDayFactory(creator=stat.creator, day=DAY)
    record_course_completion(
        creator=stat.creator, course_key="basics", title="Basics", completed_on=DAY
    )
    recalculation.recalculate_day_in_process(day=DAY)
    tiers.recompute(DAY)
    earnings.credit(
        creator=stat.creator,
        amount=1_000,
        currency="USD",
        source=Source.TIP,
        idempotency_key="walk",
    )
    card = payments.save_card(
        user=FanFactory(),
        card=CardDetails(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123"),
    )
    payments.charge_card(card=card, amount=500, idempotency_key="walk-charge")
    # A coin pack and a purchase of it: rows for their admin pages.
    pack = CoinPack.objects.create(name="Walk pack", coins=100, price_minor=99, currency="USD")
    buy_coin_pack(fan=card.customer.user, pack=pack, card=card, request_key="walk")
    Authenticator.objects.create(
        user=FanFactory(),
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": "00", "used_mask": 0},
    )
    interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    CrontabSchedule.objects.create(minute="0", hour="2")
    SolarSchedule.objects.create(event="sunrise", latitude=51.5, longitude=0)
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    PeriodicTask.objects.create(name="example", task="example.task", interval=interval)


def own_payout(creator: object) -> object:
    """The creator's payout method and one payout request (rows for the payouts pages and
    their admin pages)."""
    import datetime as dt

    from django.utils import timezone

    from payments import ledger as earnings
    from payments import payouts
    from payments.models import AccountKind, Source

    earnings.credit(
        creator=creator, amount=2_000, currency="GBP", source=Source.TIP, idempotency_key="walk-po"
    )
    payouts.set_payout_method(
        creator=creator,
        kind=AccountKind.UK,
        holder_name="Walk",
        account_number="31926819",
        bank_code="601613",
        now=timezone.now() - dt.timedelta(days=30),
    )
    return payouts.request_payout(
        creator=creator, amount=1_000, currency="GBP", request_key="b" * 16
    )


def own_program_statement(creator: object) -> None:
    """October 2026's Creator Rewards Program paid to the creator (their statement page, and
    rows for the program's admin pages)."""
    import datetime as dt

    from accounts.models import CreatorProfile
    from activity.tests.factories import VideoDayFactory, VideoFactory
    from rewards import program

    CreatorProfile.objects.filter(pk=creator.pk).update(followers=10_000)
    VideoDayFactory(
        video=VideoFactory(creator=creator, published_at=dt.datetime(2026, 10, 5, tzinfo=dt.UTC)),
        day=dt.date(2026, 10, 31),
        views=100_000,
        views_5s=5_000,
    )
    program.pay_month(month=dt.date(2026, 10, 1), now=dt.datetime(2026, 11, 1, 5, tzinfo=dt.UTC))


def walk_picture() -> object:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    return SimpleUploadedFile("walk.png", buffer.getvalue(), content_type="image/png")


def own_subscriptions(creator: object, fan: object) -> dict[str, dict]:
    """The creator's package (with chat) that the walk's fan subscribes to, a post for it, a
    chat message, a muted fan and an emoji: the subscription pages' rows."""
    from accounts.tests.factories import FanFactory
    from subscriptions import chat, posts, selectors, services
    from subscriptions.models import ChatMessage, Emoji, Invitation
    from subscriptions.tests.factories import PackageFactory, SubscriptionFactory

    selectors.rules()  # the staff-set rules' one row
    Invitation.objects.create(creator=creator)
    package = PackageFactory(creator=creator)
    subscription = SubscriptionFactory(fan=fan, package=package)
    services.renew_due(now=subscription.current_period_end)  # a charge, for its admin page
    post = posts.publish_post(
        creator=creator, title="Walked", body="A post.", packages=[package], image=walk_picture()
    )
    message = ChatMessage.objects.create(creator=creator, author=creator.user, body="Walked")
    muted = chat.mute_fan(creator=creator, fan=FanFactory(), until=None)
    emoji = Emoji.objects.create(creator=creator, code="walk", image="emojis/walk.png")
    handle = {"handle": creator.handle}
    return {
        "subscriptions:creator_page": handle,
        "subscriptions:subscribe": {**handle, "package_id": package.pk},
        "subscriptions:chat": handle,
        "subscriptions:chat_messages": handle,
        "subscriptions:post": {**handle, "post_id": post.pk},
        "subscriptions:post_picture": {**handle, "post_id": post.pk},
        "subscriptions:post_edit": {"post_id": post.pk},
        "subscriptions:post_delete": {"post_id": post.pk},
        "subscriptions:package_edit": {"package_id": package.pk},
        "subscriptions:package_publish": {"package_id": package.pk},
        "subscriptions:cancel": {"subscription_id": subscription.pk},
        "subscriptions:resume": {"subscription_id": subscription.pk},
        "subscriptions:switch": {"subscription_id": subscription.pk},
        "subscriptions:change_card": {"subscription_id": subscription.pk},
        "subscriptions:chat_delete": {"message_id": message.pk},
        "subscriptions:chat_mute": {"message_id": message.pk},
        "subscriptions:chat_unmute": {"mute_id": muted.pk},
        "subscriptions:emoji_delete": {"emoji_id": emoji.pk},
    }


def own_academy(creator: object) -> dict[str, dict]:
    """A published course the creator has completed (a lesson, a video, a quiz passed, a
    certificate and a badge), and a peer band: the Academy's pages and admin rows."""
    import datetime as dt

    from academy import services
    from academy.models import PeerBand
    from academy.tests.factories import (
        CourseFactory,
        LessonFactory,
        ModuleFactory,
        QuizFactory,
        VideoLessonFactory,
        question,
    )
    from accounts.models import Badge

    badge = Badge.objects.create(slug="walk-ready", name="Walk-ready", description="Walked.")
    course = CourseFactory(slug="walk-course", badge=badge)
    module = ModuleFactory(course=course)
    lesson = LessonFactory(module=module)
    video = VideoLessonFactory(module=module)
    quiz = QuizFactory(module=module)
    q = question(quiz, "Walked?", ("Yes", True), ("No", False))
    enrolment = services.enrol(
        creator=creator, course=course, now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    services.complete_lesson(enrolment=enrolment, lesson=lesson)
    services.record_watching(enrolment=enrolment, lesson=video, stretches=[(0, 100)])
    services.submit_quiz(
        enrolment=enrolment, quiz=quiz, answers={q.pk: {q.choices.get(is_correct=True).pk}}
    )
    PeerBand.objects.create(
        min_followers=0, day=dt.date(2026, 11, 18), creators=1, median_engagement_bp=500
    )
    slug = {"slug": course.slug}
    code = {"code": enrolment.certificate.code}
    return {
        "academy:course": slug,
        "academy:enrol": slug,
        "academy:lesson": {**slug, "lesson_id": lesson.pk},
        "academy:complete_lesson": {**slug, "lesson_id": lesson.pk},
        "academy:watch": {**slug, "lesson_id": video.pk},
        "academy:quiz": {**slug, "quiz_id": quiz.pk},
        "academy:certificate": code,
        "academy:verify": code,
    }


def own_support(creator: object, fan: object) -> dict[str, dict]:
    """The creator taking tips and gifts, a gift in the catalog the walk's fan sent on one of
    their videos, a tip, and a blocked fan: the support pages' rows and their admin pages."""
    import datetime as dt

    from accounts.models import CreatorProfile
    from accounts.tests.factories import FanFactory
    from activity.tests.factories import VideoFactory
    from gifts import support
    from gifts.models import CoinPack, Gift
    from gifts.tests.factories import card_for

    CreatorProfile.objects.filter(pk=creator.pk).update(
        followers=50_000, date_of_birth=dt.date(1990, 1, 1)
    )
    creator.refresh_from_db()
    support.set_accepting(creator=creator, accepts=True)
    gift = Gift.objects.create(name="Walk rose", coins=10, image=walk_picture())
    video = VideoFactory(creator=creator)
    sent = support.send_gift(
        fan=fan, creator=creator, gift=gift, video=video, request_key="c" * 16, message="Hi"
    )
    support.tip(fan=fan, creator=creator, amount=500, card=card_for(fan), request_key="d" * 16)
    other = FanFactory()
    support.block_fan(creator=creator, fan=other)
    handle = {"handle": creator.handle}
    return {
        "gifts:buy": {"pack_id": CoinPack.objects.order_by("pk").first().pk},
        "gifts:support": handle,
        "gifts:send_gift": handle,
        "gifts:tip": handle,
        "gifts:tip_split": handle,
        "gifts:hide": {"kind": "gift", "pk": sent.pk},
        "gifts:block": {"fan_id": fan.pk},
        "gifts:unblock": {"fan_id": other.pk},
    }


@pytest.fixture
def url_kwargs(
    creator: object, fan: object, brand: object, third_party_admin_rows: None
) -> dict[str, dict]:
    """The rows the walk opens pages about, and URL_KWARGS with their ids."""
    # The creator's own entry: another creator's would be a 404 (rewards/tests/test_views.py).
    own_entry = post_entry(
        creator=creator, amount=5, kind=EntryKind.ADJUSTED, idempotency_key="walk"
    )
    # An item the creator can redeem, and their own redemption of it.
    tool = ToolFactory(slug="walk-tool", price_points=1)
    redemption, _ = store_services.redeem_item(
        creator=creator, item_id=tool.pk, request_key="a" * 20
    )
    notify(user=creator.user, subject="Walked", body="A notification to list.")
    # The fan's coins: rows for the coin ledger's admin pages.
    credit_coins(fan=fan, amount=100, reason=CoinReason.PURCHASE, idempotency_key="walk")
    payout = own_payout(creator)
    own_program_statement(creator)
    return {
        **URL_KWARGS,
        **own_subscriptions(creator, fan),
        **own_academy(creator),
        **own_support(creator, fan),
        **own_listings(creator, brand),
        **own_deals(creator, brand),
        **own_flags(creator),
        **own_privacy(creator),
        "payments:payout": {"pk": payout.pk},
        "rewards:entry": {"pk": own_entry.pk},
        "store:redemption": {"pk": redemption.pk},
    }


@pytest.mark.django_db
def test_every_named_url_answers_each_role_as_its_access_rule_says(
    creator: object, fan: object, brand: object, staff: object, url_kwargs: dict[str, dict]
) -> None:
    users = {Role.CREATOR: creator.user, Role.FAN: fan, Role.BRAND: brand.user, Role.STAFF: staff}
    clients = {"visitor": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)

    wrong, checked = [], 0
    for route in routes():
        kwargs = url_kwargs.get(route.name) or admin_kwargs(route)
        if route.name == "admin:view_on_site":
            continue  # a redirect helper that takes a content type, not a page
        url = reverse(route.name, kwargs=kwargs or None)
        for role in ROLES:
            status = clients[role].get(url).status_code
            checked += 1
            expected = expected_for(route, role, staff)
            if status != expected:
                wrong.append(f"{route.name} as {role}: {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)
    assert checked > 100


@pytest.mark.django_db
@override_settings(STAFF_REQUIRE_MFA=True)
def test_with_two_factor_required_staff_open_admin_only_with_an_authenticator_app(
    fan: object, brand: object, staff: object, url_kwargs: dict[str, dict]
) -> None:
    """Every admin page, as staff without an authenticator app (refused: sent to admin's
    login, which says how to turn one on) and as staff with one (as the walk above)."""
    with_app = StaffFactory()
    TOTP.activate(with_app, generate_totp_secret())
    without, allowed = Client(), Client()
    without.force_login(staff)
    allowed.force_login(with_app)
    admin_login = reverse("admin:login")
    wrong, checked = [], 0
    for route in routes():
        if not route.name.startswith("admin:") or route.name == "admin:view_on_site":
            continue
        url = reverse(route.name, kwargs=url_kwargs.get(route.name) or admin_kwargs(route) or None)
        refused = without.get(url)
        if route.name == "admin:login":
            ok = refused.status_code == 403 and b"Turn on two-factor" in refused.content
        elif route.name == "admin:logout":
            ok = refused.status_code == 302  # admin sends a refused logout to its index
        else:
            ok = refused.status_code == 302 and refused["Location"].startswith(admin_login)
        if not ok:
            wrong.append(f"{route.name} without an authenticator: {refused.status_code}")
        status, expected = allowed.get(url).status_code, expected_for(route, Role.STAFF, with_app)
        if status != expected:
            wrong.append(f"{route.name} with an authenticator: {status}, expected {expected}")
        checked += 1
    assert not wrong, "\n".join(wrong)
    assert checked > 50


@pytest.mark.django_db
def test_project_views_answer_htmx_visitors_with_a_client_redirect_to_login() -> None:
    response = Client().get(reverse("rewards:dashboard"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("account_login"))
