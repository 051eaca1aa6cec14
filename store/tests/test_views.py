"""The store's pages and htmx endpoints: what a creator sees, what they can do, and who is
kept out."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import CreatorFactory
from conftest import _client_for
from rewards.models import CreatorTier, EntryKind, PointsAccount, Tier
from rewards.services import post_entry
from store import services
from store.models import Redemption, RedemptionState
from store.tests.factories import CashFactory, PromotionFactory, ToolFactory

pytestmark = pytest.mark.django_db
STORE = reverse("store:catalog")
HX = {"HX-Request": "true"}


def give(creator: object, points: int) -> None:
    post_entry(
        creator=creator, amount=points, kind=EntryKind.ADJUSTED, idempotency_key=f"g:{creator.pk}"
    )


def key_on(html: str) -> str:
    return re.search(r'name="request_key" value="([0-9a-f]+)"', html).group(1)


def slugs(html: str) -> list[str]:
    return re.findall(r'data-item="([^"]+)"', html)


def test_the_store_lists_items_with_the_creators_price_and_what_they_can_redeem(
    creator_client: Client, creator: object
) -> None:
    give(creator, 1_000)
    CreatorTier.objects.create(creator=creator, tier=Tier.objects.get(name="Gold"))
    ToolFactory(name="Film looks", slug="film-looks", price_points=200)
    PromotionFactory(name="Featured slot", slug="featured", price_points=2_000)
    ToolFactory(slug="hidden", is_active=False)

    html = creator_client.get(STORE).content.decode()

    assert slugs(html) == ["film-looks", "featured"]
    assert "You have <strong>1,000 points</strong>" in html
    assert "<strong>180</strong> points" in html  # 10% Gold discount on 200
    assert "You can redeem it" in html
    assert "It costs 1,800 points and you have 1,000: 800 more needed." in html


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("kind=tool", ["cheap-tool", "dear-tool"]),
        ("kind=promotion", ["promo"]),
        ("min_points=300", ["dear-tool", "promo"]),
        ("max_points=300", ["cheap-tool"]),
        ("affordable=on", ["cheap-tool", "promo"]),
        ("kind=tool&affordable=on", ["cheap-tool"]),
    ],
)
def test_the_store_filters_by_kind_price_and_what_the_creator_can_afford(
    creator_client: Client, creator: object, query: str, shown: list[str]
) -> None:
    give(creator, 500)
    ToolFactory(slug="cheap-tool", price_points=100)
    ToolFactory(slug="dear-tool", price_points=900)
    PromotionFactory(slug="promo", price_points=400)

    assert slugs(creator_client.get(f"{STORE}?{query}").content.decode()) == shown


def test_the_filters_swap_only_the_results_through_htmx(
    creator_client: Client, creator: object
) -> None:
    ToolFactory(slug="t")
    response = creator_client.get(f"{STORE}?kind=tool", headers=HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="store-results"')
    assert "<html" not in html and slugs(html) == ["t"]
    assert "HX-Request" in response["Vary"]
    # htmx restoring the pushed URL from history, its own copy gone: the whole page.
    restored = creator_client.get(
        f"{STORE}?kind=tool", headers={**HX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restored.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("min_points=500&max_points=100", "“From” must not be more than “Up to”."),
        ("max_points=-4", "Ensure this value is greater than or equal to 0."),
        ("kind=jewels", "Select a valid choice."),
        ("min_points=lots", "Enter a whole number."),
    ],
)
def test_bad_filters_answer_400_with_the_reason(
    creator_client: Client, query: str, message: str
) -> None:
    for headers in ({}, HX):
        response = creator_client.get(f"{STORE}?{query}", headers=headers)
        assert response.status_code == 400
        assert message in response.content.decode()


def test_the_store_runs_the_same_queries_for_two_items_or_forty(
    creator_client: Client, creator: object
) -> None:
    give(creator, 5_000)

    def count() -> int:
        cache.clear()  # the cold path: nothing cached yet
        with CaptureQueriesContext(connection) as queries:
            assert creator_client.get(STORE).status_code == 200
        return len(queries)

    for n in range(2):
        PromotionFactory(stock=5, min_tier=Tier.objects.get(name="Silver"), cooldown_days=n)
    few = count()
    for n in range(38):
        PromotionFactory(stock=5, min_tier=Tier.objects.get(name="Gold"), cooldown_days=n)
        services.redeem_item(
            creator=creator, item_id=ToolFactory(price_points=1).pk, request_key=f"{n:020d}"
        )
    assert count() == few <= 12


def test_an_item_page_says_plainly_why_it_cannot_be_redeemed(
    creator_client: Client, creator: object
) -> None:
    give(creator, 50)
    item = PromotionFactory(
        slug="gold-slot", price_points=100, stock=0, min_tier=Tier.objects.get(name="Gold")
    )
    html = creator_client.get(item.get_absolute_url()).content.decode()
    assert "You cannot redeem it now" in html
    assert "Sold out: every one has been redeemed." in html
    assert "For Gold tier and above; you are not in a tier yet." in html
    assert "It costs 100 points and you have 50: 50 more needed." in html
    assert 'name="request_key"' not in html


def test_a_creator_redeems_a_tool_through_the_confirmation_page_without_javascript(
    creator_client: Client, creator: object
) -> None:
    give(creator, 500)
    item = ToolFactory(slug="captions", name="Auto captions", price_points=200)
    confirm = creator_client.get(reverse("store:redeem", args=["captions"]))
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Your balance goes from 500 to 300." in html

    response = creator_client.post(
        reverse("store:redeem", args=["captions"]), {"request_key": key_on(html)}, follow=True
    )

    redemption = Redemption.objects.get(creator=creator, item=item)
    assert response.redirect_chain[-1][0] == redemption.get_absolute_url()
    page = response.content.decode()
    assert "Redeemed Auto captions: it is unlocked in My tools." in page
    assert "Unlocked from" in page
    tools = creator_client.get(reverse("store:tools")).content.decode()
    assert 'data-tool="captions"' in tools and "Unlocked" in tools


def test_the_htmx_confirmation_and_redeem_swap_the_panel(
    creator_client: Client, creator: object
) -> None:
    give(creator, 1_000)
    PromotionFactory(slug="slot", price_points=400)
    url = reverse("store:redeem", args=["slot"])
    panel = creator_client.get(url, headers=HX).content.decode()
    assert panel.lstrip().startswith('<section class="card redeem-panel" id="redeem-panel"')
    done = creator_client.post(url, {"request_key": key_on(panel)}, headers=HX)
    html = done.content.decode()
    assert done.status_code == 200
    assert "Pending: 400 points spent" in html and "<html" not in html
    assert Redemption.objects.get().state == RedemptionState.PENDING


def test_a_double_submission_makes_one_redemption_and_says_so(
    creator_client: Client, creator: object
) -> None:
    give(creator, 1_000)
    PromotionFactory(slug="slot", price_points=400)
    url = reverse("store:redeem", args=["slot"])
    key = key_on(creator_client.get(url).content.decode())
    creator_client.post(url, {"request_key": key}, headers=HX)
    again = creator_client.post(url, {"request_key": key}, headers=HX).content.decode()
    assert "Already redeemed" in again
    assert Redemption.objects.count() == 1
    assert PointsAccount.objects.get(creator=creator).balance == 600


def test_a_tampered_item_or_price_in_the_form_is_ignored(
    creator_client: Client, creator: object
) -> None:
    give(creator, 1_000)
    cheap = ToolFactory(slug="cheap", price_points=1)
    dear = ToolFactory(slug="dear", price_points=300)
    url = reverse("store:redeem", args=["dear"])
    key = key_on(creator_client.get(url).content.decode())
    creator_client.post(
        url, {"request_key": key, "item": cheap.pk, "item_id": cheap.pk, "price_points": 1}
    )
    redemption = Redemption.objects.get()
    assert (redemption.item, redemption.points_paid) == (dear, 300)


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_a_refused_redemption_answers_409_with_the_reason_and_changes_nothing(
    creator_client: Client, creator: object, headers: dict
) -> None:
    give(creator, 100)
    PromotionFactory(slug="slot", price_points=400)
    url = reverse("store:redeem", args=["slot"])
    response = creator_client.post(url, {"request_key": "e" * 32}, headers=headers)
    assert response.status_code == 409
    assert "It costs 400 points and you have 100: 300 more needed." in response.content.decode()
    assert not Redemption.objects.exists()


@pytest.mark.parametrize("data", [{}, {"request_key": "not hex!"}, {"request_key": "a" * 80}])
def test_a_redeem_form_without_a_good_key_answers_409_and_changes_nothing(
    creator_client: Client, creator: object, data: dict
) -> None:
    give(creator, 1_000)
    PromotionFactory(slug="slot")
    response = creator_client.post(reverse("store:redeem", args=["slot"]), data)
    assert response.status_code == 409
    assert "That form is out of date" in response.content.decode()
    assert not Redemption.objects.exists()


def test_an_unknown_item_is_a_404(creator_client: Client) -> None:
    assert creator_client.get(reverse("store:item", args=["nope"])).status_code == 404
    response = creator_client.post(
        reverse("store:redeem", args=["nope"]), {"request_key": "a" * 20}
    )
    assert response.status_code == 404


def test_my_redemptions_show_state_and_history(
    creator_client: Client, creator: object, staff: object
) -> None:
    give(creator, 5_000)
    pending, _ = services.redeem_item(
        creator=creator, item_id=PromotionFactory(name="Slot A").pk, request_key="a" * 20
    )
    cancelled, _ = services.redeem_item(
        creator=creator, item_id=PromotionFactory(name="Slot B").pk, request_key="b" * 20
    )
    services.cancel_redemption(redemption_id=cancelled.pk, reason="The list is full.", by=staff)
    cash, _ = services.redeem_item(creator=creator, item_id=CashFactory().pk, request_key="c" * 20)

    html = creator_client.get(reverse("store:redemptions")).content.decode()
    assert "Slot A" in html and "Slot B" in html and "The list is full." in html

    detail = creator_client.get(cancelled.get_absolute_url()).content.decode()
    assert "Cancelled: The list is full. Your 500 points were refunded." in detail
    assert "+500" in detail and "-500" in detail  # the redemption and its refund
    cash_page = creator_client.get(cash.get_absolute_url()).content.decode()
    assert "25.00 GBP is added to your earnings" in cash_page
    pending_page = creator_client.get(pending.get_absolute_url()).content.decode()
    assert "within 14 days" in pending_page


def test_pages_with_a_creators_redemptions_run_bounded_queries(
    creator_client: Client, creator: object
) -> None:
    give(creator, 100_000)

    def count(url: str) -> int:
        cache.clear()  # the cold path: nothing cached yet
        with CaptureQueriesContext(connection) as queries:
            assert creator_client.get(url).status_code == 200
        return len(queries)

    item = ToolFactory(slug="t", price_points=1)
    services.redeem_item(creator=creator, item_id=item.pk, request_key="0" * 20)
    urls = [reverse("store:redemptions"), reverse("store:tools"), item.get_absolute_url()]
    few = [count(url) for url in urls]
    for n in range(1, 30):
        services.redeem_item(
            creator=creator, item_id=ToolFactory(price_points=1).pk, request_key=f"{n:020d}"
        )
    assert [count(url) for url in urls] == few


def test_another_creators_redemptions_are_not_found(creator_client: Client) -> None:
    other = CreatorFactory()
    give(other, 1_000)
    theirs, _ = services.redeem_item(
        creator=other, item_id=PromotionFactory(name="Their slot").pk, request_key="a" * 20
    )
    for headers in ({}, HX):
        assert creator_client.get(theirs.get_absolute_url(), headers=headers).status_code == 404
    assert "Their slot" not in creator_client.get(reverse("store:redemptions")).content.decode()
    assert "Their slot" not in creator_client.get(reverse("store:tools")).content.decode()


def test_a_key_taken_by_another_creator_is_not_theirs(
    creator_client: Client, creator: object
) -> None:
    other = CreatorFactory()
    give(other, 1_000)
    give(creator, 1_000)
    item = PromotionFactory(slug="slot")
    services.redeem_item(creator=other, item_id=item.pk, request_key="f" * 32)
    creator_client.post(reverse("store:redeem", args=["slot"]), {"request_key": "f" * 32})
    assert Redemption.objects.filter(creator=creator).count() == 1


@pytest.mark.parametrize("role", ["fan", "brand"])
def test_fans_and_brands_are_kept_out_of_the_store(
    role: str, request: pytest.FixtureRequest
) -> None:
    client = request.getfixturevalue(f"{role}_client")
    item = PromotionFactory(slug="slot")
    urls = [
        STORE,
        item.get_absolute_url(),
        reverse("store:redeem", args=["slot"]),
        reverse("store:redemptions"),
        reverse("store:tools"),
    ]
    for url in urls:
        for headers in ({}, HX):
            assert client.get(url, headers=headers).status_code == 403
    assert client.post(urls[2], {"request_key": "a" * 20}, headers=HX).status_code == 403
    assert not Redemption.objects.exists()


def test_a_visitor_is_sent_to_sign_in_even_from_htmx() -> None:
    response = Client().post(
        reverse("store:redeem", args=["x"]), {"request_key": "a" * 20}, headers=HX
    )
    assert response["HX-Redirect"].startswith(reverse("account_login"))


def test_notifications_show_in_the_header_and_are_marked_read(
    creator: object, staff: object
) -> None:
    give(creator, 1_000)
    redemption, _ = services.redeem_item(
        creator=creator, item_id=PromotionFactory(name="Slot").pk, request_key="a" * 20
    )
    services.fulfil_redemption(redemption_id=redemption.pk, by=staff, note="Live on Monday.")
    client = _client_for(creator.user)
    home = client.get(reverse("store:catalog")).content.decode()
    assert re.search(r'class="notifications-count">1<', home)
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert "Slot: fulfilled" in page and "Live on Monday." in page
    client.post(reverse("accounts:notifications"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert "notifications-count" not in client.get(reverse("store:catalog")).content.decode()


def test_one_users_notifications_are_not_anothers(creator: object, fan_client: Client) -> None:
    from accounts.services import notify

    notify(user=creator.user, subject="Private matter", body="For the creator only.")
    assert (
        "Private matter" not in fan_client.get(reverse("accounts:notifications")).content.decode()
    )


def test_the_cooldown_shows_its_end_date_on_the_item_page(
    creator_client: Client, creator: object
) -> None:
    give(creator, 1_000)
    item = PromotionFactory(slug="slot", price_points=100, cooldown_days=7)
    services.redeem_item(
        creator=creator,
        item_id=item.pk,
        request_key="a" * 20,
        now=timezone.now() - timedelta(days=1),
    )
    html = creator_client.get(item.get_absolute_url()).content.decode()
    assert "you can again from" in html


def test_cached_store_pages_change_when_another_creator_takes_the_last_one(
    creator_client: Client, creator: object
) -> None:
    give(creator, 1_000)
    item = PromotionFactory(slug="last-one", price_points=100, stock=1)
    assert "You can redeem it" in creator_client.get(STORE).content.decode()
    assert "Redeem…" in creator_client.get(item.get_absolute_url()).content.decode()

    other = CreatorFactory()
    give(other, 1_000)
    services.redeem_item(creator=other, item_id=item.pk, request_key="b" * 20)

    assert "Sold out" in creator_client.get(STORE).content.decode()
    assert "Sold out" in creator_client.get(item.get_absolute_url()).content.decode()


def test_cached_store_pages_show_a_staff_edit_at_once(
    creator_client: Client, creator: object, staff_client: Client
) -> None:
    give(creator, 1_000)
    item = ToolFactory(slug="grading", name="Grading", price_points=100)
    assert "<strong>100</strong> points" in creator_client.get(STORE).content.decode()
    url = reverse("admin:store_storeitem_changelist")
    staff_client.post(
        url,
        {
            "action": "switch_off",
            "_selected_action": [item.pk],
            "apply": "1",
            "reason": "Licence lapsed",
        },
    )
    item.refresh_from_db()
    assert not item.is_active
    assert 'data-item="grading"' not in creator_client.get(STORE).content.decode()
