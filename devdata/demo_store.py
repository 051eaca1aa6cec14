"""A demo points store for seed_demo: a catalog with pictures, and redemptions in each state,
all made through the store's services so the ledger tells the same story as the pages."""

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import CreatorProfile, User
from rewards.models import Tier
from store import services as store_services
from store.models import ItemKind, Redemption, StoreItem

# name, slug, kind, summary, price, extra fields, picture colours
CATALOG = [
    (
        "Pro colour grading",
        "pro-colour-grading",
        ItemKind.TOOL,
        "Twelve film looks and manual curves in the editor, for 30 days.",
        600,
        {"entitlement_days": 30, "cooldown_days": 0},
        ("#7c3aed", "#c4b5fd"),
    ),
    (
        "Auto captions Pro",
        "auto-captions-pro",
        ItemKind.TOOL,
        "Word-by-word animated captions in 40 languages, for 30 days.",
        450,
        {"entitlement_days": 30},
        ("#4f46e5", "#a5b4fc"),
    ),
    (
        "Retro filter pack",
        "retro-filter-pack",
        ItemKind.TOOL,
        "Eight VHS and film-grain filters, for 14 days.",
        200,
        {"entitlement_days": 14},
        ("#db2777", "#f9a8d4"),
    ),
    (
        "Rising creators list",
        "rising-creators-list",
        ItemKind.PROMOTION,
        "A week on the Discover page's Rising creators list.",
        900,
        {"stock": 20, "limit_per_creator": 1, "limit_period_days": 30, "cooldown_days": 30},
        ("#e11d48", "#fda4af"),
    ),
    (
        "Holiday gift guide slot",
        "holiday-gift-guide",
        ItemKind.PROMOTION,
        "A video slot in the platform's holiday gift guide campaign.",
        1_200,
        {"stock": 12, "limit_per_creator": 1},
        ("#b91c1c", "#fca5a5"),
    ),
    (
        "Creator Summit 2027 pass",
        "creator-summit-pass",
        ItemKind.PROMOTION,
        "A seat at the Creator Summit and a spot on its demo stage.",
        700,
        {"stock": 3, "limit_per_creator": 1},
        ("#0f766e", "#5eead4"),
    ),
    (
        "£25 cash payout",
        "cash-25",
        ItemKind.CASH,
        "Turn points into £25 of earnings.",
        2_500,
        {"cash_amount_minor": 2_500, "currency": "GBP", "cooldown_days": 30},
        ("#047857", "#6ee7b7"),
    ),
    (
        "Milestone bonus £100",
        "milestone-bonus-100",
        ItemKind.CASH,
        "A £100 bonus for Gold creators, once a quarter.",
        9_000,
        {
            "cash_amount_minor": 10_000,
            "currency": "GBP",
            "limit_per_creator": 1,
            "is_milestone_bonus": True,
        },
        ("#065f46", "#34d399"),
    ),
]
SLOT_DAYS = 7


def picture(kind: str, colours: tuple[str, str]) -> ContentFile:
    """A 16:9 illustration: a two-colour gradient with soft shapes that differ by kind (the
    name is printed beside the picture, so the picture carries no text)."""
    width, height = 960, 540
    start, end = (Image.new("RGB", (1, 1), c).getpixel((0, 0)) for c in colours)
    fade = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(
        Image.new("RGB", (width, height), end), Image.new("RGB", (width, height), start), fade
    ).convert("RGBA")
    shapes = Image.new("RGBA", (width, height))
    draw = ImageDraw.Draw(shapes)
    white = (255, 255, 255, 70)
    if kind == ItemKind.TOOL:  # a lens and its rings
        for radius in (210, 150, 90):
            draw.ellipse(
                (660 - radius, 270 - radius, 660 + radius, 270 + radius), outline=white, width=18
            )
    elif kind == ItemKind.PROMOTION:  # a spotlight beam and a star
        draw.polygon([(700, 0), (860, 0), (620, 540), (300, 540)], fill=(255, 255, 255, 40))
        draw.regular_polygon((700, 300, 110), n_sides=5, rotation=18, fill=white)
    else:  # a stack of coins
        for step in range(4):
            top = 330 - step * 60
            draw.ellipse(
                (520, top, 820, top + 110), fill=white, outline=(255, 255, 255, 120), width=6
            )
    image = Image.alpha_composite(image, shapes).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue())


def seed_store(*, demo_creator: CreatorProfile, staff: User) -> int:
    """Create the catalog and its redemptions once; returns the items made (0 when present)."""
    if StoreItem.objects.exists():
        return 0
    today = timezone.localdate()
    items = {}
    for name, slug, kind, summary, price, extra, colours in CATALOG:
        item = StoreItem(name=name, slug=slug, kind=kind, summary=summary, price_points=price)
        for field, value in extra.items():
            setattr(item, field, value)
        if kind == ItemKind.PROMOTION:
            item.slot_starts_on = today + timedelta(days=14)
            item.slot_ends_on = item.slot_starts_on + timedelta(days=SLOT_DAYS - 1)
        if slug == "milestone-bonus-100":
            item.min_tier = Tier.objects.get(name="Gold")
        item.image.save(f"{slug}.png", picture(kind, colours), save=False)
        item.save()
        items[slug] = item
    now = timezone.now()

    def redeem(creator: CreatorProfile, slug: str, days_ago: float) -> Redemption:
        redemption, _ = store_services.redeem_item(
            creator=creator,
            item_id=items[slug].pk,
            request_key=f"demo{creator.pk:08d}{slug.encode().hex()}"[:40],
            now=now - timedelta(days=days_ago),
        )
        return redemption

    # The demo creator: a tool in use, one promotion fulfilled, one cancelled, one pending,
    # and cash paid into their earnings.
    redeem(demo_creator, "pro-colour-grading", 3)
    fulfilled = redeem(demo_creator, "holiday-gift-guide", 9)
    store_services.fulfil_redemption(
        redemption_id=fulfilled.pk,
        by=staff,
        note="Your slot is booked: the guide goes live on the first day of your slot.",
    )
    cancelled = redeem(demo_creator, "creator-summit-pass", 6)
    store_services.cancel_redemption(
        redemption_id=cancelled.pk,
        reason="The summit moved to March, so passes are being reissued.",
        by=staff,
    )
    redeem(demo_creator, "rising-creators-list", 1)
    # Cash from points, paid into the demo creator's earnings by staff.
    cash = redeem(demo_creator, "cash-25", 12)
    store_services.fulfil_redemption(redemption_id=cash.pk, by=staff)
    # Other creators bought every Summit pass: a sold-out item for everyone else to see.
    buyers = CreatorProfile.objects.exclude(pk=demo_creator.pk).filter(
        points_account__balance__gte=items["creator-summit-pass"].price_points
    )
    for buyer in buyers.order_by("pk")[: items["creator-summit-pass"].stock]:
        redeem(buyer, "creator-summit-pass", 2)
    return len(items)
