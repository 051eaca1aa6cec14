"""The fan support pages as fans and creators meet them: coins, the support page with its
gift box (htmx and plain), tips with what reaches the creator, and the creator's Tips & gifts
page with its opt-in, hide and block."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory, FanFactory
from activity.models import LiveSession
from activity.tests.factories import VideoFactory
from gifts import selectors, support
from gifts.models import CoinPurchase, Gift, GiftSent, PurchaseState, Tip, TipState
from gifts.tests.factories import (
    DECLINES_CHARGES,
    SUCCEEDS,
    CoinPackFactory,
    card_for,
    fan_with_coins,
)
from payments.models import PaymentAttempt, SavedCard

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def picture() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("rose.png", buffer.getvalue(), content_type="image/png")


def gift(coins: int = 100, name: str = "Confetti") -> Gift:
    return Gift.objects.create(name=name, coins=coins, image=picture())


def accepting_creator(**fields: object) -> CreatorProfile:
    creator = CreatorFactory(display_name="Maya", **fields)
    support.set_accepting(creator=creator, accepts=True)
    return creator


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def gift_form(item: Gift, target: str, key: str = "a" * 32, **extra: str) -> dict[str, str]:
    return {"gift": str(item.pk), "target": target, "request_key": key, **extra}


def on_air(creator: CreatorProfile) -> LiveSession:
    return LiveSession.objects.create(
        record_id=f"live-{creator.pk}",
        creator=creator,
        started_at=timezone.now() - dt.timedelta(minutes=5),
        minutes=60,
    )


# --- the support page and gifts ---------------------------------------------------------------


def test_the_support_page_shows_each_gift_with_what_reaches_the_creator_and_the_live_session() -> (
    None
):
    creator = accepting_creator()
    VideoFactory(creator=creator, title="Morning routine")
    on_air(creator)
    gift(100)
    page = signed_in(fan_with_coins(500)).get(reverse("gifts:support", args=[creator.handle]))
    assert page.status_code == 200
    text = page.content.decode()
    # The first rate: 100 coins become 50 Diamonds worth 0.50 per 100, so 0.25 USD.
    assert "50 Diamonds, about 0.25 USD to Maya" in text
    assert 'data-testid="live-banner"' in text
    assert "The live session on air now" in text
    assert "Morning routine" in text
    assert "500 coins" in text


def test_a_gift_sent_with_htmx_takes_the_coins_and_answers_with_the_box_and_new_balance() -> None:
    creator = accepting_creator()
    video = VideoFactory(creator=creator)
    item = gift(100)
    fan = fan_with_coins(250)
    answer = signed_in(fan).post(
        reverse("gifts:send_gift", args=[creator.handle]),
        gift_form(item, f"video:{video.pk}", message="Loved it"),
        **HTMX,
    )
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "You sent Confetti (100 coins): 50 Diamonds, about 0.25 USD to Maya." in text
    assert "150 coins" in text
    assert "<html" not in text  # the box alone
    sent = GiftSent.objects.get()
    assert (sent.video, sent.message, sent.coins, sent.diamonds) == (video, "Loved it", 100, 50)
    assert selectors.coin_balance(fan) == 150


def test_a_gift_during_the_live_session_counts_for_it() -> None:
    creator = accepting_creator()
    live = on_air(creator)
    item = gift(100)
    answer = signed_in(fan_with_coins(100)).post(
        reverse("gifts:send_gift", args=[creator.handle]), gift_form(item, f"live:{live.pk}")
    )
    assert answer.status_code == 302
    assert GiftSent.objects.get().live == live


def test_the_same_click_twice_sends_one_gift() -> None:
    creator = accepting_creator()
    video = VideoFactory(creator=creator)
    item = gift(100)
    fan = fan_with_coins(500)
    client = signed_in(fan)
    url = reverse("gifts:send_gift", args=[creator.handle])
    for _ in range(2):
        assert client.post(url, gift_form(item, f"video:{video.pk}"), **HTMX).status_code == 200
    assert GiftSent.objects.count() == 1
    assert selectors.coin_balance(fan) == 400


def test_too_few_coins_says_so_and_offers_coins_moving_nothing() -> None:
    creator = accepting_creator()
    video = VideoFactory(creator=creator)
    item = gift(100)
    fan = fan_with_coins(40)
    client = signed_in(fan)
    url = reverse("gifts:send_gift", args=[creator.handle])
    box = client.post(url, gift_form(item, f"video:{video.pk}"), **HTMX)
    assert box.status_code == 409  # htmx swaps it in: the box says what was refused
    assert "You have 40 coins; this needs 100 coins." in box.content.decode()
    assert reverse("gifts:coins") in box.content.decode()
    page = client.post(url, gift_form(item, f"video:{video.pk}", key="b" * 32))
    assert page.status_code == 402
    assert GiftSent.objects.count() == 0
    assert selectors.coin_balance(fan) == 40


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"gift": "999999"}, "That gift is not in the catalog any more"),
        ({"target": "video:999999"}, "That video or live session cannot take gifts now"),
        ({"target": "live:1"}, "That video or live session cannot take gifts now"),
        ({"request_key": "not hex"}, "Enter a valid value"),
        ({"message": "x" * 151}, "A message can be 150 characters at most; this one has 151."),
    ],
)
def test_bad_gift_input_gets_a_clear_message_and_moves_nothing(change: dict, words: str) -> None:
    creator = accepting_creator()
    video = VideoFactory(creator=creator)
    item = gift(100)
    fan = fan_with_coins(500)
    answer = signed_in(fan).post(
        reverse("gifts:send_gift", args=[creator.handle]),
        {**gift_form(item, f"video:{video.pk}"), **change},
    )
    assert answer.status_code == 400
    assert words in answer.content.decode()
    assert GiftSent.objects.count() == 0
    assert selectors.coin_balance(fan) == 500


def test_another_creators_video_is_not_a_target() -> None:
    creator = accepting_creator()
    VideoFactory(creator=creator)
    elsewhere = VideoFactory(creator=CreatorFactory())
    item = gift(100)
    answer = signed_in(fan_with_coins(500)).post(
        reverse("gifts:send_gift", args=[creator.handle]),
        gift_form(item, f"video:{elsewhere.pk}"),
    )
    assert answer.status_code == 400
    assert GiftSent.objects.count() == 0


def test_a_creator_who_does_not_take_support_or_is_under_18_gets_nothing() -> None:
    off = CreatorFactory()
    minor = CreatorFactory(date_of_birth=timezone.now().date().replace(year=2012))
    fan = fan_with_coins(500)
    client = signed_in(fan)
    item = gift(100)
    for creator in (off, minor):
        video = VideoFactory(creator=creator)
        page = client.get(reverse("gifts:support", args=[creator.handle]))
        assert 'data-testid="not-receiving"' in page.content.decode()
        answer = client.post(
            reverse("gifts:send_gift", args=[creator.handle]), gift_form(item, f"video:{video.pk}")
        )
        assert answer.status_code == 400
        assert "tips or gifts" in answer.content.decode()
    assert GiftSent.objects.count() == 0


def test_a_blocked_fan_is_told_and_cannot_send() -> None:
    creator = accepting_creator()
    video = VideoFactory(creator=creator)
    fan = fan_with_coins(500)
    support.block_fan(creator=creator, fan=fan)
    client = signed_in(fan)
    assert (
        'data-testid="blocked"'
        in client.get(reverse("gifts:support", args=[creator.handle])).content.decode()
    )
    answer = client.post(
        reverse("gifts:send_gift", args=[creator.handle]), gift_form(gift(), f"video:{video.pk}")
    )
    assert answer.status_code == 400
    assert "does not take tips or gifts from you" in answer.content.decode()


def test_the_support_page_and_a_gift_run_a_bounded_number_of_queries(
    django_assert_max_num_queries: object,
) -> None:
    creator = accepting_creator()
    video = VideoFactory(creator=creator)
    on_air(creator)
    items = [gift(10 * n, f"Gift {n}") for n in range(1, 6)]
    fan = fan_with_coins(5_000)
    client = signed_in(fan)
    client.get(reverse("gifts:support", args=[creator.handle]))  # the rules row, cached
    with django_assert_max_num_queries(16):
        assert client.get(reverse("gifts:support", args=[creator.handle])).status_code == 200
    url = reverse("gifts:send_gift", args=[creator.handle])
    client.post(url, gift_form(items[0], f"video:{video.pk}"), **HTMX)  # the accounts made
    # A gift after that (34 queries when each gift was posted to the creator's earnings and
    # the box and wall re-read): the creator, the one target named, the request key, the
    # opt-in and block, the fan's coins locked and posted (the gift's transaction, a
    # savepoint here inside the test's, and one guarding the entry's insert), the gift, the
    # new balance.
    # The catalog and rate come from the cache, the money is posted by beat in batches, and
    # the answer is the result alone with the gift added to the wall: no re-read of either.
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(url, gift_form(items[1], f"video:{video.pk}", key="b" * 32), **HTMX)
    assert answer.status_code == 200
    assert len(queries) <= 15, "\n".join(q["sql"] for q in queries.captured_queries)
    assert 'data-testid="gift-sent"' in answer.content.decode()


# --- tips -------------------------------------------------------------------------------------


def test_the_tip_split_fragment_says_what_reaches_the_creator() -> None:
    creator = accepting_creator()
    client = signed_in(FanFactory())
    url = reverse("gifts:tip_split", args=[creator.handle])
    assert (
        "Of your 5.00 USD tip, <strong>4.00 USD reaches Maya</strong>"
        in client.get(url, {"amount": "5"}).content.decode()
    )
    assert (
        "A tip is between 1.00 USD and 500.00 USD."
        in client.get(url, {"amount": "0.50"}).content.decode()
    )
    assert "A tip is between" in client.get(url, {"amount": "abc"}).content.decode()


def test_a_tip_with_a_saved_card_is_paid_once_and_credits_the_creators_share() -> None:
    creator = accepting_creator()
    fan = FanFactory()
    card = card_for(fan)
    client = signed_in(fan)
    form = {
        "amount": "5.00",
        "message": "<b>Thanks</b> for the tips!",
        "card": str(card.pk),
        "request_key": "c" * 32,
    }
    url = reverse("gifts:tip", args=[creator.handle])
    answer = client.post(url, form)
    assert answer.status_code == 302
    assert client.post(url, form).status_code == 302  # the second click
    paid = Tip.objects.get()
    assert (paid.state, paid.amount_minor, paid.creator_share_minor, paid.fee_minor) == (
        TipState.PAID,
        500,
        400,
        100,
    )
    assert paid.message == "Thanks for the tips!"
    assert PaymentAttempt.objects.filter(idempotency_key=f"tip:{paid.pk}").count() == 1
    followed = client.get(answer.url)
    assert "4.00 USD reaches Maya" in followed.content.decode()


@pytest.mark.parametrize("amount", ["0.50", "500.01", "5.001", "-3", "lots"])
def test_a_tip_out_of_bounds_or_malformed_is_refused_in_words(amount: str) -> None:
    creator = accepting_creator()
    fan = FanFactory()
    card = card_for(fan)
    answer = signed_in(fan).post(
        reverse("gifts:tip", args=[creator.handle]),
        {"amount": amount, "card": str(card.pk), "request_key": "d" * 32},
    )
    assert answer.status_code == 400
    assert Tip.objects.filter(state=TipState.PAID).count() == 0
    text = answer.content.decode()
    assert any(
        words in text
        for words in ("A tip is between", "Enter a number", "decimal places", "greater than")
    ), text


def test_a_declined_new_card_is_told_charged_nothing_and_forgotten() -> None:
    creator = accepting_creator()
    fan = FanFactory()
    year = str(timezone.now().year + 2)
    answer = signed_in(fan).post(
        reverse("gifts:tip", args=[creator.handle]),
        {
            "amount": "5",
            "card": "new",
            "number": DECLINES_CHARGES,
            "exp_month": "12",
            "exp_year": year,
            "cvc": "123",
            "request_key": "e" * 32,
        },
    )
    assert answer.status_code == 402
    assert "Nothing was charged" in answer.content.decode()
    assert Tip.objects.get().state == TipState.FAILED
    assert not SavedCard.objects.filter(forgotten_at__isnull=True).exists()


# --- coins ------------------------------------------------------------------------------------


def test_buying_a_pack_adds_its_coins_and_a_declined_card_adds_none() -> None:
    pack = CoinPackFactory(coins=500, price_minor=449)
    fan = FanFactory()
    client = signed_in(fan)
    year = str(timezone.now().year + 2)
    new_card = {"card": "new", "exp_month": "12", "exp_year": year, "cvc": "123"}
    url = reverse("gifts:buy", args=[pack.pk])
    declined = client.post(url, {**new_card, "number": DECLINES_CHARGES, "request_key": "f" * 32})
    assert declined.status_code == 402
    assert "no coins were added" in declined.content.decode()
    assert selectors.coin_balance(fan) == 0
    paid = client.post(url, {**new_card, "number": SUCCEEDS, "request_key": "0" * 32})
    assert paid.status_code == 302
    assert selectors.coin_balance(fan) == 500
    page = client.get(reverse("gifts:coins")).content.decode()
    assert "500 coins added for 4.49 USD" in page
    assert page.count('data-testid="purchase"') == 2  # the failed one says so too


def test_a_fan_sees_only_their_own_coins_and_purchases() -> None:
    pack = CoinPackFactory()
    other = FanFactory()
    from gifts.services import buy_coin_pack

    buy_coin_pack(fan=other, pack=pack, card=card_for(other), request_key="other")
    mine = signed_in(FanFactory()).get(reverse("gifts:coins"))
    assert 'data-testid="purchase"' not in mine.content.decode()
    assert "0 <span" in mine.content.decode()


def test_the_refund_note_shows_in_the_coin_history() -> None:
    from gifts.services import buy_coin_pack, refund_coin_purchase

    fan = FanFactory()
    purchase = buy_coin_pack(
        fan=fan, pack=CoinPackFactory(coins=500), card=card_for(fan), request_key="r"
    )
    refund_coin_purchase(purchase=purchase, reason="asked by the fan")
    assert CoinPurchase.objects.get().state == PurchaseState.REFUNDED
    page = signed_in(fan).get(reverse("gifts:coins")).content.decode()
    assert "500 coins of the pack were still yours and were taken back." in page


def test_consent_to_be_shown_among_top_supporters_is_the_fans() -> None:
    fan = FanFactory()
    client = signed_in(fan)
    client.post(reverse("gifts:consent"), {"show": "1"})
    assert selectors.shows_in_top_supporters(fan)
    client.post(reverse("gifts:consent"), {"show": "0"})
    assert not selectors.shows_in_top_supporters(fan)


# --- the creator's side -----------------------------------------------------------------------


def sent_gift(creator: CreatorProfile, fan: object, **extra: object) -> GiftSent:
    return support.send_gift(
        fan=fan,
        creator=creator,
        gift=gift(100),
        video=VideoFactory(creator=creator, title="Lip tutorial"),
        request_key=f"{fan.pk:016x}",
        **extra,
    )


def test_the_creator_sees_diamonds_by_video_and_live_supporters_and_pending_money() -> None:
    creator = accepting_creator()
    fan = fan_with_coins(1_000)
    support.set_consent(fan=fan, show=True)
    sent_gift(creator, fan, message="So good")
    support.send_gift(
        fan=fan, creator=creator, gift=gift(200, "Star"), live=on_air(creator), request_key="l" * 16
    )
    page = signed_in(creator.user).get(reverse("gifts:studio")).content.decode()
    assert 'data-testid="diamonds">150 ◆' in page
    assert "Lip tutorial" in page
    assert 'data-testid="by-live"' in page
    assert fan.display_name in page
    assert "So good" in page
    # The Diamonds count at once; the money is on its way until the poster's next run.
    assert "The money of your latest 2 gifts (0.75 USD) reaches your earnings" in page
    assert 'data-testid="support-pending"' not in page
    assert support.post_gifts() == 2  # what beat runs every few seconds
    page = signed_in(creator.user).get(reverse("gifts:studio")).content.decode()
    # 0.25 + 0.50 reach the creator, held for the holding period.
    assert 'data-testid="support-pending">0.75 USD' in page
    assert 'data-testid="gifts-on-the-way"' not in page


def test_the_opt_in_is_refused_in_words_while_a_condition_is_unmet() -> None:
    creator = CreatorFactory(followers=20)
    client = signed_in(creator.user)
    answer = client.post(reverse("gifts:accept"), {"accepts": "1"}, follow=True)
    assert "Tips and gifts need: 1,000 followers." in answer.content.decode()
    assert not selectors.eligibility(creator).accepts
    CreatorProfile.objects.filter(pk=creator.pk).update(followers=5_000)
    client.post(reverse("gifts:accept"), {"accepts": "1"})
    creator.refresh_from_db()
    assert selectors.eligibility(creator).receives


def test_hiding_a_message_keeps_it_from_other_fans_and_only_its_creator_can() -> None:
    creator = accepting_creator()
    sent = sent_gift(creator, fan_with_coins(500), message="Call me")
    other = CreatorFactory()
    url = reverse("gifts:hide", args=["gift", sent.pk])
    assert signed_in(other.user).post(url, {"hidden": "1"}).status_code == 404
    row = signed_in(creator.user).post(url, {"hidden": "1"}, **HTMX)
    assert row.status_code == 200
    assert "Hidden from fans" in row.content.decode()
    wall = signed_in(FanFactory()).get(reverse("gifts:support", args=[creator.handle]))
    assert "Call me" not in wall.content.decode()


def test_a_creator_blocks_only_fans_who_sent_them_something() -> None:
    creator = accepting_creator()
    fan = fan_with_coins(500)
    sent_gift(creator, fan)
    stranger = FanFactory()
    client = signed_in(creator.user)
    assert client.post(reverse("gifts:block", args=[stranger.pk])).status_code == 404
    assert client.post(reverse("gifts:block", args=[fan.pk])).status_code == 302
    assert selectors.is_blocked(creator, fan)
    client.post(reverse("gifts:unblock", args=[fan.pk]))
    assert not selectors.is_blocked(creator, fan)


def test_anonymous_support_hides_the_name_from_fans_but_not_from_the_creator() -> None:
    creator = accepting_creator()
    fan = fan_with_coins(500)
    support.set_consent(fan=fan, show=True)
    sent_gift(creator, fan, anonymous=True, message="From afar")
    wall = signed_in(FanFactory()).get(reverse("gifts:support", args=[creator.handle]))
    text = wall.content.decode()
    assert "From afar" in text
    assert "A fan" in text
    assert fan.display_name not in text
    studio = signed_in(creator.user).get(reverse("gifts:studio")).content.decode()
    assert fan.display_name in studio


def test_the_earnings_statement_shows_gifts_and_tips_as_sources_each_with_its_fee() -> None:
    creator = accepting_creator()
    fan = fan_with_coins(500)
    sent_gift(creator, fan)
    support.post_gifts()  # what beat runs every few seconds
    support.tip(fan=fan, creator=creator, amount=500, card=card_for(fan), request_key="t" * 16)
    page = signed_in(creator.user).get(reverse("payments:statement")).content.decode()
    assert "Confetti (50 Diamonds) on “Lip tutorial”" in page
    assert "Platform&#x27;s share of a Confetti (100 coins)" in page
    assert "Platform fee (20 %) on a tip" in page
    assert page.count("Fee, pending until") == 2
    for source in ("Gifts", "Tips", "Platform fee"):  # columns of the monthly table
        assert f">{source}</th>" in page
