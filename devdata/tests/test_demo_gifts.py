"""The demo's fan support (devdata.demo_gifts): what each role finds, through the services,
and a second seed that writes nothing."""

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image
from pytest_django import Settings

from accounts.models import CreatorProfile, User
from accounts.tests.factories import CreatorFactory
from activity.models import LiveSession
from activity.tests.factories import VideoFactory
from devdata import demo_gifts
from gifts import selectors
from gifts.models import (
    CoinPack,
    CoinPurchase,
    Gift,
    GiftSent,
    PurchaseState,
    SupportBlock,
    Tip,
    TipState,
)
from gifts.services import GiftsError
from payments import ledger
from payments.models import EarningsEntry, PaymentAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator(settings: Settings, tmp_path: Path) -> CreatorProfile:
    """The demo creator as seed_demo leaves them before fan support: an adult in good
    standing with followers and a video every three days for six weeks."""
    settings.MEDIA_ROOT = tmp_path
    creator = CreatorFactory(
        handle="mayamakes",
        display_name="Maya Makes",
        date_of_birth=date(1998, 4, 12),
        followers=18_400,
    )
    now = timezone.now()
    for n in range(14):
        VideoFactory(creator=creator, published_at=now - timedelta(days=3 * n, hours=5))
    return creator


def seed(creator: CreatorProfile) -> demo_gifts.Seeded:
    return demo_gifts.seed_gifts(creator=creator, password="portal-demo-2026")


def state() -> dict[str, object]:
    """Everything the demo writes, to compare a re-seed with."""
    return {
        "rows": [
            list(model.objects.order_by("pk").values_list("pk", flat=True))
            for model in (CoinPack, Gift, CoinPurchase, GiftSent, Tip, SupportBlock, LiveSession)
        ],
        "attempts": PaymentAttempt.objects.count(),
        "earnings": EarningsEntry.objects.count(),
        "live": list(LiveSession.objects.values_list("record_id", "started_at")),
        "hidden": list(GiftSent.objects.values_list("pk", "hidden_at")),
    }


def test_the_demo_gives_staff_the_creator_and_fans_fan_support_then_a_reseed_writes_nothing(
    creator: CreatorProfile, settings: Settings
) -> None:
    first = seed(creator)
    assert first.made > 0 and first.back_on_air

    # Staff: coin packs in dollars and pounds, and a catalog of gifts with their pictures.
    assert list(CoinPack.objects.filter(currency="USD").values_list("coins", "price_minor")) == [
        (100, 99),
        (500, 449),
        (1_200, 999),
        (3_000, 2_299),
    ]
    assert CoinPack.objects.filter(currency="GBP").count() == 2
    gifts = list(selectors.gift_catalog())
    assert [(g.name, g.coins) for g in gifts[:3]] == [
        ("Rose", 10),
        ("Heart", 50),
        ("Confetti", 100),
    ]
    assert len(gifts) == len(demo_gifts.CATALOG)
    for gift in gifts:
        with gift.image.open("rb") as stored, Image.open(io.BytesIO(stored.read())) as picture:
            assert (picture.format, picture.size, picture.mode) == ("PNG", (128, 128), "RGBA")
            assert len(picture.getcolors(128 * 128)) > 50  # drawn, not one flat colour

    # The creator: taking tips and gifts, live now, with Diamonds on videos and lives.
    assert selectors.eligibility(creator).receives
    live = selectors.live_now(creator)
    assert live is not None and (live.record_id, live.minutes) == (demo_gifts.LIVE_NOW, 90)
    assert timezone.now() - live.started_at < timedelta(minutes=10)
    by_live = {row["live_id"]: row for row in selectors.diamonds_by_live(creator)}
    assert by_live[live.pk]["gifts"] == 3  # Jordan's Crown, Ana's Heart, Eli's Confetti
    assert len(by_live) == 2 and len(selectors.diamonds_by_video(creator)) >= 3
    assert [s.name for s in selectors.top_supporters(creator)] == ["Eli", "Jordan", "Ben"]
    shown = selectors.public_support(creator)
    assert not any(item.message.startswith("Want 10k") for item in shown)  # hidden
    assert any(item.anonymous and item.kind == "tip" for item in shown)

    # The demo fan: a pack bought with the success card, gifts on videos and on the live,
    # a tip with a message, shown among top supporters.
    jordan = User.objects.get(email="fan@example.com")
    [purchase] = jordan.coin_purchases.all()
    assert (purchase.state, purchase.coins, purchase.card.last4) == ("paid", 1_200, "4242")
    assert selectors.coin_balance(jordan) == 1_200 - 250 - 10 - 50 - 500
    sent = GiftSent.objects.filter(fan=jordan)
    assert sent.filter(video__isnull=False).count() == 3
    assert sent.get(live=live).message == "Hello from Leeds!"
    [thanks] = jordan.tips_sent.all()
    assert (thanks.state, thanks.amount_minor) == (TipState.PAID, 500) and thanks.message
    assert selectors.shows_in_top_supporters(jordan)

    # Other fans: an anonymous gift, a spammer hidden and blocked, a refunded pack.
    assert GiftSent.objects.filter(fan__email="ana.fan@example.com", anonymous=True).exists()
    dev = User.objects.get(email="dev.fan@example.com")
    assert GiftSent.objects.get(fan=dev).hidden_at is not None
    assert selectors.is_blocked(creator, dev)
    ben = User.objects.get(email="ben.fan@example.com")
    [refunded] = ben.coin_purchases.all()
    assert refunded.state == PurchaseState.REFUNDED
    assert "450 coins" in refunded.refund_note and "taken back from the creators" in (
        refunded.refund_note
    )
    assert GiftSent.objects.get(fan=ben).reversed_at is not None
    assert selectors.coin_balance(ben) == 0

    # Money: gifts older than the holding period are available, the rest and the tips pending.
    cutoff = timezone.now() - timedelta(days=settings.SUPPORT_PENDING_DAYS)
    kept = GiftSent.objects.filter(creator=creator, reversed_at__isnull=True)
    old = sum(g.creator_value_minor for g in kept if g.created_at < cutoff)
    recent = sum(g.creator_value_minor for g in kept if g.created_at >= cutoff)
    tips = sum(t.creator_share_minor for t in Tip.objects.filter(creator=creator))
    assert old > 0 and recent > 0
    assert ledger.balances(creator) == [ledger.Balance("USD", old, recent + tips)]
    call_command("check_ledger")

    before = state()
    again = seed(creator)
    assert again == demo_gifts.Seeded(made=0, back_on_air=False)
    assert state() == before


def test_a_reseed_puts_the_live_session_back_on_air_once_it_is_nearly_over(
    creator: CreatorProfile,
) -> None:
    seed(creator)
    ended = datetime.now(UTC) - timedelta(hours=2)
    LiveSession.objects.filter(record_id=demo_gifts.LIVE_NOW).update(started_at=ended)
    assert selectors.live_now(creator) is None

    again = seed(creator)

    assert again == demo_gifts.Seeded(made=0, back_on_air=True)
    live = LiveSession.objects.get(record_id=demo_gifts.LIVE_NOW)
    assert selectors.live_now(creator) == live and live.started_at > ended
    assert GiftSent.objects.filter(live=live).count() == 3  # the same gifts, none sent again


def test_the_demo_creator_must_be_eligible_and_the_seed_says_why_not(
    creator: CreatorProfile,
) -> None:
    CreatorProfile.objects.filter(pk=creator.pk).update(followers=20)
    creator.refresh_from_db()
    with pytest.raises(GiftsError, match="1,000 followers"):
        seed(creator)
    assert not GiftSent.objects.exists()
