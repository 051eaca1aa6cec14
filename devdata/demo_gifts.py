"""Demo fan support for seed_demo: coin packs in dollars and pounds, a gift catalog with drawn
pictures, the demo creator taking tips and gifts and live on air now, and five fans who
bought coins, sent gifts on videos and during lives, tipped, stayed anonymous, were hidden,
blocked and refunded. All through gifts' services on the sandbox gateway, so the coin ledger,
the earnings ledger and the pages tell one story; stable request keys make a re-run change
nothing."""

import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Model
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import CreatorProfile, User
from activity import ingestion
from activity.models import LiveSession, Video
from devdata.demo_subscriptions import SUCCEEDS, _card, _fan
from gifts import selectors, support
from gifts import services as gifts_services
from gifts.models import (
    CoinPack,
    CoinPurchase,
    Gift,
    GiftSent,
    PurchaseState,
    SupportBlock,
    SupporterConsent,
    Tip,
)
from payments import ledger

# coins, currency, price in minor units, name (staff edit packs in admin; the demo only adds
# the ones missing)
PACKS = [
    (100, "USD", 99, "Starter"),
    (500, "USD", 449, "Fan"),
    (1_200, "USD", 999, "Super fan"),
    (3_000, "USD", 2_299, "Mega fan"),
    (500, "GBP", 399, "Fan"),
    (1_200, "GBP", 899, "Super fan"),
]

# The demo creator's live session, on air whenever the demo has just been seeded, and one
# from before the holding period, whose gifts' money is available.
LIVE_NOW = "demo-live-now"
LIVE_MINUTES = 90
LIVE_STARTED = timedelta(minutes=6)  # before the seed
LIVE_PAST = "demo-live-past"
LIVE_PAST_AGO = timedelta(days=16)
# A re-seed puts the session back on air when less than this is left of it.
LIVE_LEFT_AT_LEAST = timedelta(minutes=45)


@dataclass(frozen=True)
class DemoFan:
    email: str
    name: str
    pack: tuple[int, str]  # the coin pack they buy: coins, currency
    shown: bool  # agrees to be named among top supporters


FANS = {
    "jordan": DemoFan("fan@example.com", "Jordan", (1_200, "USD"), shown=True),
    "ana": DemoFan("ana.fan@example.com", "Ana", (500, "USD"), shown=False),
    "ben": DemoFan("ben.fan@example.com", "Ben", (500, "USD"), shown=True),  # refunded
    "dev": DemoFan("dev.fan@example.com", "Dev", (100, "USD"), shown=False),  # blocked
    "eli": DemoFan("eli.fan@example.com", "Eli", (1_200, "GBP"), shown=True),
}


@dataclass(frozen=True)
class DemoGift:
    """A gift in the demo's story: sent `ago` on the latest video out by then, or `into` a
    live session after it started."""

    key: str
    fan: str
    gift: str
    ago: timedelta = timedelta(0)
    live: str = ""  # LIVE_NOW or LIVE_PAST
    into: timedelta = timedelta(0)
    message: str = ""
    anonymous: bool = False


# Spam: the demo creator hides this gift's message and blocks its sender.
SPAM, SPAM_FROM = "confetti-3d", "dev"
# Those older than SUPPORT_PENDING_DAYS (14) have paid the creator; the rest are pending.
GIFTS_SENT = [
    DemoGift(
        "star-21d",
        "jordan",
        "Star",
        ago=timedelta(days=21),
        message="Made this for my mum's birthday and it vanished in minutes!",
    ),
    DemoGift("rose-17d", "jordan", "Rose", ago=timedelta(days=17)),
    DemoGift("heart-2d", "jordan", "Heart", ago=timedelta(days=2), message="That glaze trick!"),
    DemoGift(
        "crown-live",
        "jordan",
        "Crown",
        live=LIVE_NOW,
        into=timedelta(minutes=4),
        message="Hello from Leeds!",
    ),
    DemoGift("confetti-30d", "ana", "Confetti", ago=timedelta(days=30), anonymous=True),
    DemoGift("rose-past-live", "ana", "Rose", live=LIVE_PAST, into=timedelta(minutes=20)),
    DemoGift(
        "heart-live",
        "ana",
        "Heart",
        live=LIVE_NOW,
        into=timedelta(minutes=2),
        message="Just joined, hi Maya!",
    ),
    DemoGift(
        "rocket-20d",
        "eli",
        "Rocket",
        ago=timedelta(days=20),
        message="Best channel on here, no contest.",
    ),
    DemoGift("heart-past-live", "eli", "Heart", live=LIVE_PAST, into=timedelta(minutes=35)),
    DemoGift("confetti-live", "eli", "Confetti", live=LIVE_NOW, into=timedelta(minutes=5)),
    DemoGift(
        SPAM,
        SPAM_FROM,
        "Confetti",
        ago=timedelta(days=3),
        message="Want 10k followers fast? DM me for a deal!!!",
    ),
]
# Sent with coins from a pack that is then refunded: the refund takes the gift back.
REFUNDED_GIFT = DemoGift("heart-refunded", "ben", "Heart")
REFUND_REASON = "Bought by mistake: meant to buy the 100-coin pack."

# key, fan, amount in minor units of the tip currency, message, anonymous (tips are charged
# now: the gateway dates them, so their money is all pending)
TIPS = [
    ("tip-thanks", "jordan", 500, "Your tutorials got me through exam week. Thank you!", False),
    ("tip-quiet", "ana", 300, "", True),
    ("tip-front-row", "ben", 1_000, "Sticker pack arrived, it's on my laptop already.", False),
]


@dataclass(frozen=True)
class Seeded:
    made: int  # coin packs, gifts, purchases, gifts sent, tips, consents and blocks written
    back_on_air: bool  # the live session was (re)started


def seed_gifts(*, creator: CreatorProfile, password: str) -> Seeded:
    """Give fan support something real for each role: packs and a gift catalog for staff, the
    demo creator taking tips and gifts and live now, and, on the sandbox gateway whose test
    cards pay for them, fans' purchases, gifts, tips, a hidden message, a block and a
    refund. What is already there is left alone (the live session is put back on air when
    it is nearly over), so running it again writes nothing."""
    before = _rows()
    _seed_catalog()
    if not selectors.eligibility(creator).accepts:
        # Raises, saying which condition fails, if the demo creator is not eligible.
        support.set_accepting(creator=creator, accepts=True)
    back_on_air = put_live_on_air(creator=creator)
    if settings.PAYMENTS_GATEWAY == "sandbox":
        _seed_support(creator=creator, password=password)
    # What beat does every few seconds: the gifts' money onto the creator's earnings (in a
    # transaction, or with a broker, nothing has posted them yet).
    support.post_gifts()
    # What the nightly job does: gifts older than the holding period become available.
    ledger.release_pending()
    return Seeded(made=_rows() - before, back_on_air=back_on_air)


def _rows() -> int:
    models: list[type[Model]] = [
        CoinPack,
        Gift,
        CoinPurchase,
        GiftSent,
        Tip,
        SupporterConsent,
        SupportBlock,
    ]
    return sum(model.objects.count() for model in models)


def _seed_catalog() -> None:
    for position, (coins, currency, price, name) in enumerate(PACKS, start=1):
        CoinPack.objects.get_or_create(
            coins=coins,
            currency=currency,
            defaults={"name": name, "price_minor": price, "position": position},
        )
    for position, (name, coins, colours, symbol) in enumerate(CATALOG, start=1):
        if Gift.objects.filter(name=name).exists():
            continue
        gift = Gift(name=name, coins=coins, position=position)
        gift.image.save(f"{name.lower()}.png", gift_picture(colours, symbol), save=False)
        gift.save()


def put_live_on_air(*, creator: CreatorProfile, now: datetime | None = None) -> bool:
    """Make sure the demo creator is live: their session, sent as the platform sends it
    (through ingestion, by its record id), started a few minutes ago unless it is on air with
    time to spare; and the session from two weeks ago, once. True when the live session was
    (re)started."""
    now = now or timezone.now()
    records = []
    if not LiveSession.objects.filter(record_id=LIVE_PAST).exists():
        records.append(_live_record(LIVE_PAST, creator, now - LIVE_PAST_AGO, 60, 210))
    # Read by its record id, not through gifts.selectors.live_now: that one's SQL multiplies
    # a duration, which SQLite (`make run`) refuses.
    live = LiveSession.objects.filter(record_id=LIVE_NOW).first()
    restart = (
        live is None or live.started_at + timedelta(minutes=live.minutes) < now + LIVE_LEFT_AT_LEAST
    )
    if restart:
        records.append(_live_record(LIVE_NOW, creator, now - LIVE_STARTED, LIVE_MINUTES, 340))
    if records:
        report = ingestion.ingest_records(records)
        if report.rejected:
            raise RuntimeError(f"The demo's live sessions were refused: {report.as_dict()}")
    return restart


def _live_record(
    record_id: str, creator: CreatorProfile, started_at: datetime, minutes: int, viewers: int
) -> dict[str, str | int]:
    return {
        "type": "live_session",
        "id": record_id,
        "creator": creator.handle,
        "started_at": started_at.isoformat(),
        "minutes": minutes,
        "peak_viewers": viewers,
    }


def _seed_support(*, creator: CreatorProfile, password: str) -> None:
    now = timezone.now()
    fans = {key: _fan(spec.email, spec.name, password) for key, spec in FANS.items()}
    gifts = {gift.name: gift for gift in Gift.objects.all()}
    lives = {
        live.record_id: live
        for live in LiveSession.objects.filter(record_id__in=[LIVE_NOW, LIVE_PAST])
    }
    for key, spec in FANS.items():
        fan = fans[key]
        if spec.shown and not selectors.shows_in_top_supporters(fan):
            support.set_consent(fan=fan, show=True)
        if key == "ben":
            continue  # bought, spent and refunded below
        coins, currency = spec.pack
        gifts_services.buy_coin_pack(
            fan=fan,
            pack=CoinPack.objects.get(coins=coins, currency=currency),
            card=_card(fan, SUCCEEDS),
            request_key=f"demo-pack-{coins}-{currency.lower()}",
        )
    made: dict[str, GiftSent] = {}
    for sent in GIFTS_SENT:
        live = lives[sent.live] if sent.live else None
        at = live.started_at + sent.into if live else now - sent.ago
        made[sent.key] = _send(sent, fans[sent.fan], creator, gifts, live=live, at=at)
    _seed_refund(fans["ben"], creator, gifts)
    for key, fan_key, amount, message, anonymous in TIPS:
        support.tip(
            fan=fans[fan_key],
            creator=creator,
            amount=amount,
            card=_card(fans[fan_key], SUCCEEDS),
            request_key=f"demo-{key}",
            message=message,
            anonymous=anonymous,
        )
    spam = made[SPAM]
    if spam.hidden_at is None:
        support.set_hidden(creator=creator, kind="gift", pk=spam.pk, hidden=True)
    support.block_fan(creator=creator, fan=fans[SPAM_FROM])


def _send(
    sent: DemoGift,
    fan: User,
    creator: CreatorProfile,
    gifts: dict[str, Gift],
    *,
    at: datetime,
    live: LiveSession | None = None,
) -> GiftSent:
    return support.send_gift(
        fan=fan,
        creator=creator,
        gift=gifts[sent.gift],
        request_key=f"demo-{sent.key}",
        video=None if live else _video_before(creator, at),
        live=live,
        message=sent.message,
        anonymous=sent.anonymous,
        now=at,
    )


def _video_before(creator: CreatorProfile, moment: datetime) -> Video:
    """The creator's latest video out an hour before `moment` (a fan watched it first)."""
    video = (
        Video.objects.filter(creator=creator, published_at__lte=moment - timedelta(hours=1))
        .order_by("-published_at")
        .first()
    )
    if video is None:
        raise RuntimeError(f"@{creator.handle} has no video from before {moment:%Y-%m-%d}.")
    return video


def _seed_refund(fan: User, creator: CreatorProfile, gifts: dict[str, Gift]) -> None:
    """Ben buys 500 coins, sends a Heart, and is refunded: 450 coins are taken back, and the
    Heart, still pending, is taken back from the demo creator. The purchase's note says so."""
    if fan.coin_purchases.filter(state=PurchaseState.REFUNDED).exists():
        # Not bought again by its key: gifts.services would mark the refunded purchase paid.
        return
    coins, currency = FANS["ben"].pack
    purchase = gifts_services.buy_coin_pack(
        fan=fan,
        pack=CoinPack.objects.get(coins=coins, currency=currency),
        card=_card(fan, SUCCEEDS),
        request_key=f"demo-pack-{coins}-{currency.lower()}",
    )
    # Now, after the purchase: a refund takes back only gifts its coins could have paid for.
    _send(REFUNDED_GIFT, fan, creator, gifts, at=timezone.now())
    gifts_services.refund_coin_purchase(purchase=purchase, reason=REFUND_REASON)


# --- the gift catalog's pictures ---------------------------------------------------------------

SIZE = 128
SCALE = 4  # drawn four times larger, then shrunk: smooth edges without an anti-aliasing pass
WHITE = "#ffffff"
GOLD = "#fcd34d"
AMBER = "#f59e0b"
CORAL = "#f87171"
SKY = "#60a5fa"
# Draws a gift's symbol on a transparent layer, in coordinates of a 128-pixel picture times s.
Symbol = Callable[[Image.Image, int], None]


def _box(x: float, y: float, r: float, s: int) -> tuple[float, float, float, float]:
    """The bounding box of a circle of radius r around (x, y), scaled by s."""
    return ((x - r) * s, (y - r) * s, (x + r) * s, (y + r) * s)


def _scaled(points: list[tuple[float, float]], s: int) -> list[tuple[float, float]]:
    return [(x * s, y * s) for x, y in points]


def _rose(layer: Image.Image, s: int) -> None:
    """A flower: five round petals around a golden heart, on a stem with a leaf."""
    draw = ImageDraw.Draw(layer)
    draw.line(_scaled([(64, 70), (64, 108)], s), fill="#bbf7d0", width=6 * s)
    draw.ellipse((66 * s, 88 * s, 86 * s, 100 * s), fill="#bbf7d0")
    for n in range(5):
        angle = n * 2 * math.pi / 5
        draw.ellipse(_box(64 + 17 * math.sin(angle), 52 - 17 * math.cos(angle), 15, s), WHITE)
    draw.ellipse(_box(64, 52, 10, s), fill=GOLD)


def _heart(layer: Image.Image, s: int) -> None:
    draw = ImageDraw.Draw(layer)
    draw.ellipse(_box(47, 52, 19, s), fill=WHITE)
    draw.ellipse(_box(81, 52, 19, s), fill=WHITE)
    draw.polygon(_scaled([(29, 58), (99, 58), (64, 100)], s), fill=WHITE)


def _confetti(layer: Image.Image, s: int) -> None:
    """A party popper with confetti flying out of it."""
    draw = ImageDraw.Draw(layer)
    draw.polygon(_scaled([(28, 102), (48, 58), (72, 82)], s), fill=GOLD)
    draw.line(_scaled([(38, 80), (56, 92)], s), fill=AMBER, width=4 * s)
    rng = random.Random(7)  # the same picture on every seed
    colours = [WHITE, GOLD, "#f9a8d4", "#a7f3d0", "#bae6fd"]
    for n in range(16):
        angle = -math.pi / 2 + (n / 15) * (math.pi / 2) + rng.uniform(-0.1, 0.1) + 0.35
        reach = rng.uniform(24, 52)
        x, y = 58 + reach * math.cos(angle), 70 + reach * math.sin(angle)
        r = rng.uniform(2.5, 4.5)
        if n % 2:
            draw.ellipse(_box(x, y, r, s), fill=colours[n % 5])
        else:
            draw.regular_polygon(
                (x * s, y * s, r * 1.3 * s), 4, rotation=rng.uniform(0, 90), fill=colours[n % 5]
            )


def _rainbow(layer: Image.Image, s: int) -> None:
    """The bands of a rainbow rising from two clouds."""
    draw = ImageDraw.Draw(layer)
    for n, colour in enumerate([CORAL, "#fb923c", "#facc15", "#4ade80", SKY, "#a78bfa"]):
        draw.pieslice(_box(64, 82, 44 - n * 5, s), 180, 360, fill=colour)
    draw.pieslice(_box(64, 82, 14, s), 180, 360, fill=(0, 0, 0, 0))  # the sky shows through
    for cx in (30, 98):
        for dx, dy, r in ((-8, 2, 8), (0, -3, 10), (9, 2, 8)):
            draw.ellipse(_box(cx + dx, 84 + dy, r, s), fill=WHITE)
        draw.rectangle(((cx - 16) * s, 84 * s, (cx + 17) * s, 94 * s), fill=WHITE)


def _star(layer: Image.Image, s: int) -> None:
    draw = ImageDraw.Draw(layer)
    draw.polygon(
        [
            (
                (64 + (42 if n % 2 == 0 else 18) * math.sin(n * math.pi / 5)) * s,
                (67 - (42 if n % 2 == 0 else 18) * math.cos(n * math.pi / 5)) * s,
            )
            for n in range(10)
        ],
        fill=GOLD,
    )
    for x, y, r in ((98, 30, 4), (30, 34, 3), (100, 98, 3)):  # twinkles
        draw.ellipse(_box(x, y, r, s), fill=WHITE)


def _crown(layer: Image.Image, s: int) -> None:
    draw = ImageDraw.Draw(layer)
    tips = [(26, 44), (64, 36), (102, 44)]
    draw.polygon(
        _scaled([(30, 88), tips[0], (46, 64), tips[1], (82, 64), tips[2], (98, 88)], s), GOLD
    )
    draw.rectangle((30 * s, 86 * s, 98 * s, 98 * s), fill=AMBER)
    for x, y in tips:
        draw.ellipse(_box(x, y, 6, s), fill=GOLD)
    for x, colour in ((46, "#f472b6"), (64, SKY), (82, "#34d399")):
        draw.ellipse(_box(x, 76, 5, s), fill=colour)


def _rocket(layer: Image.Image, s: int) -> None:
    """A rocket climbing to the upper right, its flame behind it."""
    upright = Image.new("RGBA", layer.size)
    draw = ImageDraw.Draw(upright)
    draw.polygon(_scaled([(55, 94), (73, 94), (64, 122)], s), fill="#fb923c")
    draw.polygon(_scaled([(59, 94), (69, 94), (64, 110)], s), fill=GOLD)
    draw.polygon(_scaled([(50, 66), (34, 96), (52, 90)], s), fill=CORAL)
    draw.polygon(_scaled([(78, 66), (94, 96), (76, 90)], s), fill=CORAL)
    draw.ellipse((48 * s, 12 * s, 80 * s, 100 * s), fill=WHITE)
    draw.rectangle((50 * s, 70 * s, 78 * s, 94 * s), fill=WHITE)
    draw.ellipse(_box(64, 46, 8, s), fill=SKY, outline="#1e3a8a", width=3 * s)
    draw.polygon(_scaled([(61, 84), (67, 84), (66, 98), (62, 98)], s), fill=CORAL)
    layer.alpha_composite(
        upright.rotate(-35, resample=Image.Resampling.BICUBIC, center=(64 * s, 64 * s))
    )


# name, coins, the background's light and dark colours, the symbol
CATALOG: list[tuple[str, int, tuple[str, str], Symbol]] = [
    ("Rose", 10, ("#fb7185", "#be123c"), _rose),
    ("Heart", 50, ("#f87171", "#b91c1c"), _heart),
    ("Confetti", 100, ("#c084fc", "#7e22ce"), _confetti),
    ("Rainbow", 150, ("#7dd3fc", "#0284c7"), _rainbow),
    ("Star", 250, ("#818cf8", "#3730a3"), _star),
    ("Crown", 500, ("#a78bfa", "#5b21b6"), _crown),
    ("Rocket", 1_000, ("#334155", "#0f172a"), _rocket),
]


def gift_picture(colours: tuple[str, str], symbol: Symbol) -> ContentFile:
    """A 128 × 128 PNG: a round badge shaded from top to bottom, the gift's symbol on it,
    transparent around the circle (the gift picker shows it on any background)."""
    big = SIZE * SCALE
    light, dark = (Image.new("RGB", (1, 1), c).getpixel((0, 0)) for c in colours)
    shade = Image.linear_gradient("L").resize((big, big))
    badge = Image.composite(
        Image.new("RGBA", (big, big), dark), Image.new("RGBA", (big, big), light), shade
    )
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).ellipse((2 * SCALE, 2 * SCALE, big - 2 * SCALE, big - 2 * SCALE), 255)
    picture = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    picture.paste(badge, mask=mask)
    symbol_layer = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    symbol(symbol_layer, SCALE)
    # A soft shadow under the symbol lifts it off the badge.
    shadow = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    shadow.putalpha(symbol_layer.getchannel("A").point(lambda a: a * 45 // 255))
    picture.alpha_composite(shadow, dest=(0, 3 * SCALE))
    picture.alpha_composite(symbol_layer)
    picture = picture.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    data = io.BytesIO()
    picture.save(data, "PNG", optimize=True)
    return ContentFile(data.getvalue())
