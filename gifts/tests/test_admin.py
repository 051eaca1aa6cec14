"""Staff's side of fan support in admin: gift pictures checked before they are stored, the
support rules that never let a minor receive money, Diamond rates kept as dated versions,
and refunding coin purchases with the outcome written for the fan."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.models import AuditEntry
from gifts.models import CoinPurchase, DiamondRate, Gift, PurchaseState, SupportRules
from gifts.selectors import coin_balance, rate_on
from gifts.services import buy_coin_pack
from gifts.tests.factories import CoinPackFactory, card_for

pytestmark = pytest.mark.django_db


def png(side: int = 64, *, noise: bool = False) -> bytes:
    buffer = io.BytesIO()
    picture = (
        Image.effect_noise((side, side), 90).convert("RGB")
        if noise
        else Image.new("RGB", (side, side), "gold")
    )
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def add_gift(client: Client, name: str, content: bytes, filename: str = "star.png") -> object:
    return client.post(
        reverse("admin:gifts_gift_add"),
        {
            "name": name,
            "coins": "250",
            "image": SimpleUploadedFile(filename, content),
            "is_active": "on",
            "position": "1",
        },
    )


def test_a_gift_picture_is_stored_under_its_real_type(staff_client: Client) -> None:
    answer = add_gift(staff_client, "Star", png(), filename="star.gif")
    assert answer.status_code == 302
    assert Gift.objects.get().image.name.endswith(".png")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"<script>alert(1)</script>", "Upload a valid image"),
        (png(600), "600 × 600 pixels; a gift can be 512 × 512 at most"),
        (png(512, noise=True), "a gift can be 200 KB at most"),
    ],
)
def test_a_bad_gift_picture_is_refused_in_words(
    staff_client: Client, content: bytes, words: str
) -> None:
    answer = add_gift(staff_client, "Star", content)
    assert answer.status_code == 200
    assert words in answer.content.decode()
    assert not Gift.objects.exists()


def test_staff_cannot_let_minors_receive_support(staff_client: Client) -> None:
    SupportRules.objects.create(pk=1)
    answer = staff_client.post(
        reverse("admin:gifts_supportrules_change", args=[1]),
        {
            "min_age": "16",
            "needs_good_standing": "on",
            "min_followers": "100",
            "tip_currency": "USD",
            "tip_min_minor": "100",
            "tip_max_minor": "10000",
        },
    )
    assert answer.status_code == 200
    assert "greater than or equal to 18" in answer.content.decode()
    assert SupportRules.objects.get().min_age == 18


def test_a_rate_in_force_is_kept_and_a_new_one_takes_effect_on_its_day(
    staff_client: Client,
) -> None:
    first = DiamondRate.objects.get()  # the migration's
    assert (
        staff_client.get(reverse("admin:gifts_diamondrate_change", args=[first.pk])).status_code
        == 200
    )
    refused = staff_client.post(
        reverse("admin:gifts_diamondrate_change", args=[first.pk]),
        {
            "effective_from": first.effective_from.isoformat(),
            "currency": "USD",
            "diamonds_per_100_coins": "90",
            "diamond_value_minor_per_100": "50",
            "coin_value_minor_per_100": "100",
        },
    )
    assert refused.status_code == 403
    later = dt.date(2030, 1, 1)
    added = staff_client.post(
        reverse("admin:gifts_diamondrate_add"),
        {
            "effective_from": later.isoformat(),
            "currency": "USD",
            "diamonds_per_100_coins": "60",
            "diamond_value_minor_per_100": "50",
            "coin_value_minor_per_100": "100",
            "audit_reason": "Diamonds for 2030",
        },
    )
    assert added.status_code == 302
    entry = AuditEntry.objects.get(model="diamondrate")
    assert (entry.action, entry.reason) == ("added", "Diamonds for 2030")
    assert rate_on(later - dt.timedelta(days=1)).pk == first.pk
    assert rate_on(later).diamonds_per_100_coins == 60


def test_refunding_a_purchase_from_admin_writes_the_outcome_for_the_fan(
    staff_client: Client, fan: object
) -> None:
    purchase = buy_coin_pack(
        fan=fan, pack=CoinPackFactory(coins=300), card=card_for(fan), request_key="adm"
    )
    answer = staff_client.post(
        reverse("admin:gifts_coinpurchase_changelist"),
        {
            "action": "refund",
            "_selected_action": [purchase.pk],
            "apply": "1",
            "reason": "Bought by mistake",
        },
        follow=True,
    )
    assert "1 coin purchase refunded." in answer.content.decode()
    purchase = CoinPurchase.objects.get()
    assert purchase.state == PurchaseState.REFUNDED
    assert "300 coins of the pack were still yours" in purchase.refund_note
    assert coin_balance(fan) == 0
    entry = AuditEntry.objects.get(model="coinpurchase")
    assert (entry.action, entry.changes, entry.reason) == (
        "refunded",
        {"state": ["paid", "refunded"]},
        "Bought by mistake",
    )
