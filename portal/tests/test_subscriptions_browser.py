"""Subscriptions in a real browser (issue 14's point 8): a fan finds a creator on Discover,
pays for a package with a new card, reads the exclusive post and chats with an emoji; the
creator sees the message with the fan's name and badge, live; a second fan's card is declined
and opens nothing."""

import io
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import BrowserContext, ConsoleMessage, Locator, Page, Route, expect

from accounts.tests.factories import PASSWORD, CreatorFactory, FanFactory
from conftest import CSP_CONSOLE, REPORT_VIOLATION, SHOTS
from subscriptions import chat, services
from subscriptions.models import (
    LIVE_STATES,
    ChargeState,
    Invitation,
    State,
    Subscription,
    SubscriptionCharge,
)
from subscriptions.posts import publish_post

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SECRET = "Cone 6, two coats, and a slow cool overnight"
POST_BODY = f"""The glaze everyone asked about, step by step.

I tried eleven versions of it this winter before one came out of the kiln the way I wanted:
a deep green that breaks to amber on the rims.

**The recipe.** {SECRET}. The rest is patience.
"""


def sign_in(page: Page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/)"))


def serve_media(context: BrowserContext, base: str) -> None:
    """The live server runs with DEBUG off, so nothing serves uploads (a web server does in
    production); the browser gets them from MEDIA_ROOT here, or every emoji is a broken image."""
    root = Path(settings.MEDIA_ROOT).resolve()

    def fulfil(route: Route) -> None:
        path = (root / unquote(urlsplit(route.request.url).path).removeprefix("/media/")).resolve()
        if root in path.parents and path.is_file():
            route.fulfill(path=path)
        else:
            route.fulfill(status=404)

    context.route(f"{base}/media/**", fulfil)


def watch_csp(tab: Page) -> list[str]:
    """What conftest's `csp_violations` does for `page`, for a second browser's page."""
    seen: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if CSP_CONSOLE.search(message.text):
            seen.append(f"console: {message.text}")

    tab.on("console", on_console)
    tab.expose_function("reportCspViolation", lambda text: seen.append(f"event: {text}"))
    tab.add_init_script(REPORT_VIOLATION)
    return seen


def emoji_png() -> SimpleUploadedFile:
    picture = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    ImageDraw.Draw(picture).ellipse((4, 4, 60, 60), fill=(13, 148, 136, 255))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return SimpleUploadedFile("clay.png", buffer.getvalue(), content_type="image/png")


def expect_drawn(image: Locator) -> None:
    """The picture is on screen and really loaded: a broken image has no natural width."""
    expect(image).to_be_visible()
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0


def pay_with_new_card(page: Page, number: str) -> None:
    """A fan with no saved card is asked only for the card (no choice of cards to make)."""
    expect(page.get_by_role("group", name="Pay with")).to_have_count(0)
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry month").fill("12")
    page.get_by_label("Expiry year").fill(str(timezone.now().year + 2))
    page.get_by_label("Security code").fill("123")


def test_a_fan_subscribes_reads_and_chats_and_a_declined_card_opens_nothing(
    shoot: Callable[[str], None],
    page: Page,
    live_server: object,
    request: pytest.FixtureRequest,
) -> None:
    base = live_server.url
    maya = CreatorFactory(
        display_name="Maya Makes",
        handle="mayamakes",
        followers=5_200,
        bio="Stoneware, glazes and the odd kiln disaster, from a shed in Leeds.",
    )
    CreatorFactory(display_name="Theo Bakes", handle="theobakes", followers=9_000)
    Invitation.objects.create(creator=maya)
    packaged = {
        "creator": maya,
        "currency": "USD",
        "has_trial": False,
        "member_cap": None,
    }
    services.publish_package(
        package=services.save_package(
            **packaged,
            name="Supporter",
            description="Say thanks and follow the work.",
            monthly_price_minor=200,
            annual_price_minor=None,
            includes_chat=False,
            includes_emojis=False,
        )
    )
    insider = services.publish_package(
        package=services.save_package(
            **packaged,
            name="Insider",
            description="Glaze recipes, studio diaries and the subscriber chat.",
            monthly_price_minor=500,
            annual_price_minor=5_000,
            includes_chat=True,
            includes_emojis=True,
            perks=[("A monthly shout-out", "monthly")],
        )
    )
    post = publish_post(
        creator=maya, title="The green glaze, finally", body=POST_BODY, packages=[insider]
    )
    chat.add_emoji(creator=maya, code="clay", image=emoji_png())
    sam = FanFactory(email="sam@example.com", name="Sam Rivera")
    alex = FanFactory(email="alex@example.com", name="Alex Kim")
    serve_media(page.context, base)

    # Sam signs in, searches Discover for Maya and opens her page from her card.
    sign_in(page, base, sam.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Discover").click()
    page.get_by_label("Name, @handle or niche").fill("maya")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Theo Bakes")).to_have_count(0)
    page.get_by_role("link", name="Maya Makes").click()
    expect(page).to_have_url(f"{base}/@mayamakes/")
    expect(page.get_by_role("heading", name="Maya Makes", level=1)).to_be_visible()
    offers = page.get_by_role("region", name="Subscribe")
    expect(offers.get_by_role("article")).to_have_count(2)
    insider_card = offers.get_by_role("article", name="Insider")
    expect(insider_card).to_contain_text("5.00 USD")
    expect(insider_card.get_by_role("list", name="Perks")).to_contain_text("Subscriber-only chat")
    locked = page.get_by_role("region", name="Exclusive posts").get_by_role("listitem")
    expect(locked).to_contain_text("Subscribers only")
    expect(locked).not_to_contain_text(SECRET)
    shoot("subscriptions-creator-page")

    # He subscribes to Insider with a new card that pays.
    insider_card.get_by_role("link", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Subscribe to Insider")).to_be_visible()
    expect(page.get_by_role("radio", name="Monthly: 5.00 USD")).to_be_checked()
    pay_with_new_card(page, "4242 4242 4242 4242")
    shoot("subscriptions-subscribe")
    page.get_by_role("button", name="Subscribe and pay").click()
    expect(page).to_have_url(f"{base}/@mayamakes/")
    expect(page.get_by_role("status")).to_have_text("You subscribe to Insider: 5.00 USD paid.")
    expect(page.get_by_text("You subscribe with Insider.")).to_be_visible()
    subscription = Subscription.objects.get(fan=sam)
    assert (subscription.state, subscription.package, subscription.founder_number) == (
        State.ACTIVE,
        insider,
        1,
    )
    shoot("subscriptions-subscribed")

    # The post opens in full from Maya's page.
    posts = page.get_by_role("region", name="Exclusive posts")
    expect(posts.get_by_text("Subscribers only")).to_have_count(0)
    posts.get_by_role("link", name="The green glaze, finally").click()
    expect(page).to_have_url(f"{base}/@mayamakes/posts/{post.pk}/")
    expect(page.get_by_role("heading", name="The green glaze, finally")).to_be_visible()
    expect(page.get_by_test_id("post-body")).to_contain_text(SECRET)
    expect(page.get_by_test_id("post-body").get_by_role("strong")).to_have_text("The recipe.")
    shoot("subscriptions-post")

    # He opens the chat from her page and says hello with her :clay: emoji.
    page.get_by_role("link", name="Maya Makes · @mayamakes").click()
    page.get_by_role("link", name="Open the chat").click()
    expect(page.get_by_role("heading", name="Maya Makes's chat")).to_be_visible()
    page.get_by_label("Your message").fill("The green is gorgeous :clay:")
    page.get_by_role("button", name="Send").click()
    fan_log = page.get_by_role("log", name="Conversation").get_by_role("listitem")
    hello = fan_log.filter(has_text="The green is gorgeous")
    expect(hello).to_have_count(1)
    expect(hello).to_contain_text("Sam Rivera")
    expect_drawn(hello.get_by_role("img", name=":clay:"))
    expect(page.get_by_label("Your message")).to_have_value("")

    # Maya, in a browser of her own, opens her room: Sam's name, badge and emoji are there.
    creator_context = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    request.addfinalizer(creator_context.close)  # its page polls until closed
    serve_media(creator_context, base)
    creator_tab = creator_context.new_page()
    refused = watch_csp(creator_tab)
    sign_in(creator_tab, base, maya.user.email)
    creator_tab.goto(f"{base}/@mayamakes/chat/")
    expect(creator_tab.get_by_role("heading", name="Your chat room")).to_be_visible()
    creator_log = creator_tab.get_by_role("log", name="Conversation").get_by_role("listitem")
    seen = creator_log.filter(has_text="The green is gorgeous")
    expect(seen).to_have_count(1)
    expect(seen.get_by_text("Sam Rivera", exact=True)).to_be_visible()
    expect(seen.get_by_text("Founder · 1 month", exact=True)).to_be_visible()
    expect_drawn(seen.get_by_role("img", name=":clay:"))

    # Sam writes again; Maya's page shows it at its next poll, without reloading.
    creator_tab.evaluate("window.stillTheSamePage = true")
    page.wait_for_timeout(1_100)  # a fan may post once a second
    page.get_by_label("Your message").fill("See you at Friday's kiln opening!")
    page.get_by_label("Your message").press("Enter")
    expect(fan_log.filter(has_text="Friday's kiln opening")).to_have_count(1)
    expect(creator_log.filter(has_text="Friday's kiln opening")).to_have_count(1, timeout=8_000)
    assert creator_tab.evaluate("window.stillTheSamePage") is True
    expect(creator_log).to_have_count(2)
    shoot("subscriptions-chat-fan")
    creator_tab.evaluate("window.scrollTo(0, 0)")
    for width in (1280, 390):  # what `shoot` does, for this second browser
        creator_tab.set_viewport_size({"width": width, "height": 900})
        creator_tab.screenshot(
            path=SHOTS / f"subscriptions-chat-creator-{width}.png", full_page=True
        )
    assert not refused, "Content-Security-Policy violations:\n" + "\n".join(refused)
    creator_context.close()

    # Alex's card is declined: he is told so, nothing is charged, and nothing opens.
    sign_in(page, base, alex.email)
    page.goto(f"{base}/@mayamakes/")
    page.get_by_role("article", name="Insider").get_by_role("link", name="Subscribe").click()
    pay_with_new_card(page, "4000 0000 0000 0341")
    page.get_by_role("button", name="Subscribe and pay").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Your card was declined. Nothing was charged: try another card."
    )
    expect(page.get_by_label("Card number")).to_have_value("")
    shoot("subscriptions-declined")
    assert not Subscription.objects.filter(fan=alex, state__in=LIVE_STATES).exists()
    charges = SubscriptionCharge.objects.filter(subscription__fan=alex)
    assert list(charges.values_list("state", flat=True)) == [ChargeState.FAILED]

    page.goto(f"{base}/@mayamakes/posts/{post.pk}/")
    expect(page.get_by_test_id("post-locked")).to_contain_text("For subscribers")
    expect(page.get_by_test_id("post-body")).to_have_count(0)
    expect(page.get_by_text(SECRET)).to_have_count(0)
    shoot("subscriptions-post-locked")

    response = page.goto(f"{base}/@mayamakes/chat/")
    assert response is not None and response.status == 403
    expect(page.get_by_test_id("chat-refusal")).to_have_text(
        "This chat is for @mayamakes's subscribers whose package includes the chat."
    )
    expect(page.get_by_text("The green is gorgeous")).to_have_count(0)
    shoot("subscriptions-chat-refused")


def test_chat_times_show_in_the_readers_own_time_zone(page: Page, live_server: object) -> None:
    from datetime import UTC, datetime

    from subscriptions.models import ChatMessage
    from subscriptions.tests.factories import PackageFactory, SubscriptionFactory

    package = PackageFactory(includes_chat=True)
    fan = FanFactory(email="kenji@example.com", name="Kenji")
    SubscriptionFactory(fan=fan, package=package)
    ChatMessage.objects.create(
        creator=package.creator,
        author=package.creator.user,
        body="Morning, Tokyo!",
        created_at=datetime(2026, 11, 30, 23, 5, tzinfo=UTC),
    )
    tokyo = page.context.browser.new_context(timezone_id="Asia/Tokyo", locale="en-GB")
    tab = tokyo.new_page()
    sign_in(tab, live_server.url, fan.email)
    tab.goto(f"{live_server.url}/@{package.creator.handle}/chat/")
    message = tab.locator("time.chat-time").first
    expect(message).to_have_text("08:05")  # 23:05 UTC is 08:05 the next morning in Tokyo
    tokyo.close()
