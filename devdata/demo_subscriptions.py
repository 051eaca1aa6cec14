"""Demo subscriptions for seed_demo: the demo creator's three packages with perks, emojis and
exclusive posts; the demo fan subscribed for three months (renewed twice, perks delivered and
due, in the chat with a badge), other fans on a trial, a yearly plan and a failing card. All
through subscriptions' services, on the sandbox gateway, so the ledger, the pages and the
notifications tell one story."""

import io
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import CreatorProfile, Role, User
from payments import ledger
from payments import services as payments_services
from payments.gateway import CardDetails
from payments.models import SavedCard
from subscriptions import chat, posts, services, studio
from subscriptions.models import (
    Billing,
    Invitation,
    Package,
    PerkCadence,
    Post,
    State,
    Subscription,
)

SUCCEEDS = "4242424242424242"
DECLINES_CHARGES = "4000000000000341"

BIO = (
    "Everyday make-up and skincare that fits in five minutes. New tutorials every Tuesday; "
    "subscribers get the long cuts, the product lists and the Sunday live chat."
)

# name, monthly, annual, trial, cap, chat, emojis, hand-delivered perks
PACKAGES = [
    ("Supporter", 299, 2_990, True, None, False, False, []),
    (
        "Insider",
        799,
        7_990,
        False,
        None,
        True,
        True,
        [("Monthly shout-out in a video", PerkCadence.MONTHLY), ("Sticker pack", PerkCadence.ONCE)],
    ),
    (
        "Front row",
        2_499,
        None,
        False,
        25,
        True,
        True,
        [("Monthly 1:1 look review", PerkCadence.MONTHLY)],
    ),
]

POSTS = [
    (
        "My five-minute morning routine, step by step",
        "The long cut of Tuesday's video, with **every product** and why I use it.\n\n"
        "1. Cleanse with lukewarm water only\n2. Vitamin C serum, two drops\n"
        "3. Moisturiser, then wait a minute\n\nQuestions? Ask in the chat on Sunday.",
        ("Supporter", "Insider", "Front row"),
        12,
    ),
    (
        "What I really paid for my kit this year",
        "Receipts, the duds and the three things I would buy again. *Spoiler:* the cheapest "
        "brush won.",
        ("Insider", "Front row"),
        6,
    ),
    (
        "Front row: next week's look, before anyone else",
        "A first look at the autumn palette tutorial, and your votes decide the lip colour.",
        ("Front row",),
        1,
    ),
]

EMOJIS = [("wave", "#f472b6"), ("glow", "#facc15"), ("heart", "#ef4444")]

# email, name, package, billing, card, days ago they joined
DEMO_FANS = [
    ("fan@example.com", "Jordan", "Insider", Billing.MONTHLY, SUCCEEDS, 70),
    ("ana.fan@example.com", "Ana", "Supporter", Billing.MONTHLY, SUCCEEDS, 2),  # on her trial
    ("ben.fan@example.com", "Ben", "Insider", Billing.ANNUAL, SUCCEEDS, 40),
    # None: joined a month and a day ago, so her first renewal failed yesterday.
    ("cleo.fan@example.com", "Cleo", "Front row", Billing.MONTHLY, DECLINES_CHARGES, None),
]

CHAT = [
    ("creator", "Sunday live chat is open! Ask me anything about the new palette :wave:"),
    ("fan@example.com", "The long cut was so good :glow: which serum was it?"),
    ("creator", "The vitamin C one from the list in the post, two drops is plenty :heart:"),
    ("ben.fan@example.com", "Voting for the berry lip colour next week!"),
    ("fan@example.com", "Same, berry all the way :heart:"),
]


def _emoji_png(colour: str) -> ContentFile:
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((4, 4, 60, 60), fill=colour)
    data = io.BytesIO()
    image.save(data, "PNG")
    return ContentFile(data.getvalue(), name="emoji.png")


def _routine_jpeg() -> ContentFile:
    """The morning routine post's picture: five product swatches on a soft background."""
    image = Image.new("RGB", (960, 540), (252, 231, 236))
    draw = ImageDraw.Draw(image)
    for n, colour in enumerate(["#f9a8d4", "#fcd34d", "#a7f3d0", "#93c5fd", "#c4b5fd"]):
        draw.rounded_rectangle((60 + n * 175, 170, 200 + n * 175, 370), radius=28, fill=colour)
    data = io.BytesIO()
    image.save(data, "JPEG", quality=85)
    return ContentFile(data.getvalue(), name="routine.jpg")


def _fan(email: str, name: str, password: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, role=Role.FAN)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if not user.name:
        user.name = name  # the name creators and other subscribers see
        user.save(update_fields=["name"])
    return user


def seed_subscriptions(*, creator: CreatorProfile, staff: User, password: str) -> int:
    """Give the demo creator packages, posts, emojis and subscribers; returns how many
    subscriptions were made (0 when the demo already has them or the gateway is not the
    sandbox, whose test cards the demo pays with)."""
    if creator.packages.exists() or settings.PAYMENTS_GATEWAY != "sandbox":
        return 0
    now = timezone.now()
    if not creator.bio:
        CreatorProfile.objects.filter(pk=creator.pk).update(bio=BIO)
    Invitation.objects.get_or_create(
        creator=creator, defaults={"invited_by": staff, "note": "Demo: one of the first"}
    )
    packages: dict[str, Package] = {}
    for name, monthly, annual, trial, cap, has_chat, emojis, perks in PACKAGES:
        package = services.save_package(
            creator=creator,
            name=name,
            description={
                "Supporter": "Say thanks and read the long cuts of every tutorial.",
                "Insider": "Everything in Supporter, the Sunday chat with emojis, a monthly "
                "shout-out and a sticker pack.",
                "Front row": "Everything in Insider, first looks and a monthly 1:1 review "
                "of your own look. 25 places.",
            }[name],
            currency="USD",
            monthly_price_minor=monthly,
            annual_price_minor=annual,
            has_trial=trial,
            member_cap=cap,
            includes_chat=has_chat,
            includes_emojis=emojis,
            perks=perks,
        )
        packages[name] = services.publish_package(package=package)
    for code, colour in EMOJIS:
        chat.add_emoji(creator=creator, code=code, image=_emoji_png(colour))
    for n, (title, body, audience, days_ago) in enumerate(POSTS):
        post = posts.publish_post(
            creator=creator,
            title=title,
            body=body,
            packages=[packages[name] for name in audience],
            image=_routine_jpeg() if n == 0 else None,  # served only to its readers
        )
        # Backdated so the demo feed reads like weeks of posting.
        Post.objects.filter(pk=post.pk).update(published_at=now - timedelta(days=days_ago))

    made = 0
    for email, name, package_name, billing, number, days_ago in DEMO_FANS:
        fan = _fan(email, name, password)
        subscription = services.subscribe(
            fan=fan,
            package=packages[package_name],
            billing=billing,
            card=_card(fan, SUCCEEDS),
            request_key=f"demo{fan.pk:012x}",
            now=now - timedelta(days=days_ago)
            if days_ago is not None
            else now - timedelta(days=1) - relativedelta(months=1),
        )
        if number != SUCCEEDS:
            # Paid with a good card, then moved to one that declines: past due at renewal.
            services.change_card(subscription=subscription, card=_card(fan, number))
        made += 1
    # Every renewal the demo's history owes, in order: the demo fan is on their third month,
    # the failing card is past due and being retried.
    _renew_history(since=now - timedelta(days=80), until=now)
    ledger.release_pending()

    fan = User.objects.get(email="fan@example.com")
    mine = Subscription.objects.get(fan=fan, creator=creator)
    delivered = mine.perk_deliveries.order_by("due_on", "pk")[:2]
    studio.mark_perks_delivered(creator=creator, delivery_ids=[d.pk for d in delivered])

    for minutes_ago, (who, body) in zip(range(len(CHAT) * 7, 0, -7), CHAT, strict=True):
        author = creator.user if who == "creator" else User.objects.get(email=who)
        chat.post_message(
            creator=creator, author=author, body=body, now=now - timedelta(minutes=minutes_ago)
        )
    return made


def _card(user: User, number: str) -> SavedCard:
    """The user's sandbox card ending like `number`, saved if they have none."""
    found = SavedCard.objects.filter(customer__user=user, last4=number[-4:]).first()
    return found or payments_services.save_card(
        user=user,
        card=CardDetails(number=number, exp_month=12, exp_year=timezone.now().year + 3, cvc="123"),
    )


def _renew_history(*, since: datetime, until: datetime) -> None:
    day = since
    while day <= until:
        services.renew_due(now=day)
        day += timedelta(days=1)
    assert Subscription.objects.filter(state=State.INCOMPLETE).count() == 0
