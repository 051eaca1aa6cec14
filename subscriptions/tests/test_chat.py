"""The subscriber-only chat: who gets into a room (page and htmx endpoint alike), the cursor
that shows each message once, posting rules (length, rate limit, mutes), the creator's
moderation, emoji rendering and upload, and the queries a poll and the page cost."""

import io
import os
import re
from collections.abc import Callable
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import CreatorProfile, Standing, User
from accounts.tests.factories import BrandFactory, CreatorFactory, FanFactory
from conftest import _client_for
from subscriptions import chat
from subscriptions.models import ChatMessage, ChatMute, Emoji, State, Subscription
from subscriptions.tests.factories import PackageFactory, SubscriptionFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
SHOTS_DIR = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots" / "tests"


# Helpers --------------------------------------------------------------------------------


def room_url(creator: CreatorProfile) -> str:
    return reverse("subscriptions:chat", kwargs={"handle": creator.handle})


def messages_url(creator: CreatorProfile) -> str:
    return reverse("subscriptions:chat_messages", kwargs={"handle": creator.handle})


def say(creator: CreatorProfile, author: User, body: str) -> ChatMessage:
    """A message written straight to the room (no rate limit: set-up, not behaviour)."""
    return ChatMessage.objects.create(creator=creator, author=author, body=body)


def shown_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-message="(\d+)"', html)]


def poll_url(html: str) -> str:
    """The address the page's (or a fragment's) poller asks next."""
    return unescape(re.search(r'id="chat-poll"[^>]*hx-get="([^"]+)"', html).group(1))


def cursor_fields(html: str) -> dict[str, str]:
    block = re.search(r'id="chat-poll".*?</div>', html, re.S).group(0)
    return dict(re.findall(r'name="(after|first|since)" value="(\d+)"', block))


def png(width: int = 32, height: int = 32, fmt: str = "PNG", noise: bool = False) -> bytes:
    if noise:
        picture = Image.frombytes("RGBA", (width, height), os.urandom(width * height * 4))
    else:
        picture = Image.new("RGBA", (width, height), (225, 29, 72, 255))
    buffer = io.BytesIO()
    picture.save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def subscription() -> Subscription:
    """A fan's live subscription to a package with the chat and emojis."""
    return SubscriptionFactory()


@pytest.fixture
def room(subscription: Subscription) -> CreatorProfile:
    return subscription.creator


@pytest.fixture
def member(subscription: Subscription) -> User:
    return subscription.fan


@pytest.fixture
def member_client(member: User) -> Client:
    return _client_for(member)


@pytest.fixture
def owner_client(room: CreatorProfile) -> Client:
    return _client_for(room.user)


@pytest.fixture
def wave(room: CreatorProfile) -> Emoji:
    return chat.add_emoji(creator=room, code="wave", image=upload("emoji.png", png()))


# Who gets in ----------------------------------------------------------------------------


def no_subscription(room: CreatorProfile) -> User:
    return FanFactory()


def lapsed(room: CreatorProfile) -> User:
    package = PackageFactory(creator=room)
    ended = SubscriptionFactory(package=package, state=State.LAPSED, ended_at=timezone.now())
    return ended.fan


def package_without_chat(room: CreatorProfile) -> User:
    package = PackageFactory(creator=room, includes_chat=False)
    return SubscriptionFactory(package=package).fan


def another_creator(room: CreatorProfile) -> User:
    return CreatorFactory().user


def brand(room: CreatorProfile) -> User:
    return BrandFactory().user


OUTSIDERS = [no_subscription, lapsed, package_without_chat, another_creator, brand]


@pytest.mark.parametrize(
    ("outsider", "why"),
    [
        (no_subscription, "for @{handle}'s subscribers whose package includes the chat"),
        (lapsed, "Your subscription to @{handle} has ended"),
        (package_without_chat, "does not include @{handle}'s chat"),
        (another_creator, "only for @{handle} and their subscribers"),
        (brand, "only for @{handle} and their subscribers"),
    ],
)
def test_outsiders_get_a_403_page_that_says_why_and_links_to_the_packages(
    room: CreatorProfile, outsider: Callable[[CreatorProfile], User], why: str
) -> None:
    response = _client_for(outsider(room)).get(room_url(room))
    html = response.content.decode()
    assert response.status_code == 403
    assert why.format(handle=room.handle) in unescape(html)
    assert f'href="/@{room.handle}/#packages"' in html
    assert "chat-log" not in html


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_can_neither_poll_nor_post(
    room: CreatorProfile, member: User, outsider: Callable[[CreatorProfile], User]
) -> None:
    say(room, member, "members only")
    client = _client_for(outsider(room))

    polled = client.get(f"{messages_url(room)}?after=0", headers=HX)
    assert polled.status_code == 403
    assert polled["HX-Refresh"] == "true"  # the page reloads into the 403 page
    assert b"members only" not in polled.content
    assert client.get(f"{messages_url(room)}?after=0").status_code == 403

    for headers in ({}, HX):
        posted = client.post(messages_url(room), {"body": "let me in"}, headers=headers)
        assert posted.status_code == 403
    assert not ChatMessage.objects.filter(body="let me in").exists()


def test_visitors_are_sent_to_log_in_from_the_page_and_the_endpoint(room: CreatorProfile) -> None:
    visitor = Client()
    login = reverse("account_login")
    for response in (
        visitor.get(room_url(room)),
        visitor.get(messages_url(room)),
        visitor.post(messages_url(room), {"body": "hi"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(login)
    htmx = visitor.get(messages_url(room), headers=HX)
    assert htmx["HX-Redirect"].startswith(login)
    assert not ChatMessage.objects.exists()


def test_the_subscriber_and_the_creator_open_the_room_and_poll_it(
    room: CreatorProfile, member_client: Client, owner_client: Client, member: User
) -> None:
    message = say(room, member, "hello room")
    for client in (member_client, owner_client):
        page = client.get(room_url(room))
        assert page.status_code == 200
        assert shown_ids(page.content.decode()) == [message.pk]
        polled = client.get(f"{messages_url(room)}?after=0", headers=HX)
        assert polled.status_code == 200
        assert shown_ids(polled.content.decode()) == [message.pk]


def test_a_trialing_or_past_due_subscriber_is_in(room: CreatorProfile) -> None:
    for state in (State.TRIALING, State.PAST_DUE):
        fan = SubscriptionFactory(package=PackageFactory(creator=room), state=state).fan
        assert _client_for(fan).get(room_url(room)).status_code == 200


def test_the_handle_is_matched_in_any_case_and_unknown_or_suspended_rooms_are_404(
    room: CreatorProfile, member_client: Client
) -> None:
    upper = reverse("subscriptions:chat", kwargs={"handle": room.handle.upper()})
    assert member_client.get(upper).status_code == 200
    assert member_client.get("/@nobody-here/chat/").status_code == 404
    CreatorProfile.objects.filter(pk=room.pk).update(standing=Standing.SUSPENDED)
    assert member_client.get(room_url(room)).status_code == 404
    assert member_client.get(messages_url(room), headers=HX).status_code == 404


# The page -------------------------------------------------------------------------------


def test_the_page_shows_the_last_50_messages_oldest_first_with_names_badges_and_times(
    room: CreatorProfile, member: User, member_client: Client
) -> None:
    founder = SubscriptionFactory(
        package=PackageFactory(creator=room),
        founder_number=1,
        started_at=timezone.now() - timedelta(days=70),
    ).fan
    ids = [say(room, member, f"message {n}").pk for n in range(52)]
    ids.append(say(room, founder, "from a founder").pk)
    ids.append(say(room, room.user, "from the creator").pk)

    html = member_client.get(room_url(room)).content.decode()

    assert shown_ids(html) == ids[-50:]
    assert "message 0<" not in html and "message 4<" in html
    assert html.count(f'<span class="chat-author">{member.display_name}</span>') == 48
    assert '<span class="badge badge-neutral chat-badge">1 month</span>' in html
    assert '<span class="badge badge-neutral chat-badge">Founder · 3 months</span>' in html
    assert f'<span class="chat-author">{room.display_name}</span>' in html
    assert '<span class="badge badge-info chat-badge">Creator</span>' in html
    assert re.search(
        r'<time class="chat-time" data-local-time datetime="[^"]+"[^>]*>\d\d:\d\d</time>', html
    )
    assert cursor_fields(html)["after"] == str(ids[-1])
    assert cursor_fields(html)["first"] == str(ids[-50])
    assert f'hx-get="{messages_url(room)}?after={ids[-1]}&amp;first={ids[-50]}' in html
    assert 'hx-trigger="every 2s"' in html
    assert 'id="chat-form"' in html


def test_an_empty_room_invites_the_first_message(
    member_client: Client, room: CreatorProfile
) -> None:
    html = member_client.get(room_url(room)).content.decode()
    assert "No messages yet" in html
    assert cursor_fields(html) == {
        "after": "0",
        "first": "0",
        "since": cursor_fields(html)["since"],
    }


def test_only_the_creator_sees_moderation_and_the_studio_link(
    room: CreatorProfile, member: User, member_client: Client, owner_client: Client
) -> None:
    say(room, member, "hi")
    say(room, room.user, "welcome")
    fan_page = member_client.get(room_url(room)).content.decode()
    owner_page = owner_client.get(room_url(room)).content.decode()
    assert "chat-mod" not in fan_page and "/studio/chat/" not in fan_page
    assert owner_page.count(">Delete</button>") == 2
    assert owner_page.count(">Mute</button>") == 1  # on the fan's message only
    assert "until unmuted" in owner_page
    assert reverse("subscriptions:chat_studio") in owner_page


# The cursor -----------------------------------------------------------------------------


def test_a_poll_returns_only_newer_messages_and_following_its_cursor_never_repeats(
    room: CreatorProfile, member: User, member_client: Client
) -> None:
    say(room, member, "before")
    page = member_client.get(room_url(room)).content.decode()
    seen = shown_ids(page)
    url = poll_url(page)

    quiet = member_client.get(url, headers=HX).content.decode()
    assert shown_ids(quiet) == []
    url = poll_url(quiet)

    other = SubscriptionFactory(package=PackageFactory(creator=room)).fan
    two = [say(room, other, "one").pk, say(room, member, "two").pk]  # both between polls
    fragment = member_client.get(url, headers=HX).content.decode()
    assert shown_ids(fragment) == two
    assert 'hx-swap-oob="beforeend:#chat-log"' in fragment
    assert fragment.lstrip().startswith('<div id="chat-poll"')
    seen += shown_ids(fragment)

    url = poll_url(fragment)
    third = say(room, room.user, "three").pk
    for _ in range(3):
        fragment = member_client.get(url, headers=HX).content.decode()
        seen += shown_ids(fragment)
        url = poll_url(fragment)
    assert seen == sorted(set(seen))
    assert seen[-1] == third and len(seen) == 4


def test_a_reader_who_was_away_catches_up_50_at_a_time_in_order(
    room: CreatorProfile, member: User
) -> None:
    start = chat.recent(room).cursor
    ids = [say(room, member, f"m{n}").pk for n in range(120)]
    cursor, seen, sizes = start, [], []
    for _ in range(4):
        batch = chat.messages_after(room, cursor)
        sizes.append(len(batch.new))
        seen += [line.id for line in batch.new]
        cursor = batch.cursor
    assert sizes == [50, 50, 20, 0]
    assert seen == ids


def test_a_deleted_message_turns_into_message_removed_at_everyones_next_poll(
    room: CreatorProfile, member: User, member_client: Client, owner_client: Client
) -> None:
    kept, gone = say(room, member, "kept"), say(room, member, "rude words")
    page = member_client.get(room_url(room)).content.decode()
    url = poll_url(page)

    response = owner_client.post(
        reverse("subscriptions:chat_delete", kwargs={"message_id": gone.pk}), headers=HX
    )
    assert response.status_code == 200
    assert "Message removed" in response.content.decode()

    fragment = member_client.get(url, headers=HX).content.decode()
    assert shown_ids(fragment) == [gone.pk]
    assert f'<li class="chat-msg chat-msg-removed" id="chat-msg-{gone.pk}"' in fragment
    assert f'data-message="{gone.pk}" hx-swap-oob="true"' in fragment
    assert "rude words" not in fragment
    # The reloaded page keeps the line, as removed.
    html = member_client.get(room_url(room)).content.decode()
    assert shown_ids(html) == [kept.pk, gone.pk]
    assert "rude words" not in html and "Message removed" in html


def test_a_message_deleted_before_a_reader_saw_it_arrives_as_removed(
    room: CreatorProfile, member: User
) -> None:
    cursor = chat.recent(room).cursor
    message = say(room, member, "oops")
    chat.delete_message(creator=room, message=message)
    batch = chat.messages_after(room, cursor)
    assert [(line.id, line.removed, str(line.html)) for line in batch.new] == [
        (message.pk, True, "")
    ]


def test_removals_are_sent_only_for_messages_the_reader_holds(
    room: CreatorProfile, member: User
) -> None:
    older = say(room, member, "older than the page")
    chat.delete_message(creator=room, message=older)
    for n in range(50):
        say(room, member, f"m{n}")
    cursor = chat.recent(room).cursor
    assert cursor.first > older.pk
    assert chat.messages_after(room, cursor).removed == []


def test_a_bad_cursor_is_a_400(member_client: Client, room: CreatorProfile) -> None:
    response = member_client.get(f"{messages_url(room)}?after=lots", headers=HX)
    assert response.status_code == 400


# Posting --------------------------------------------------------------------------------


def test_a_plain_post_saves_the_stripped_message_and_goes_back_to_the_room(
    room: CreatorProfile, member: User, member_client: Client
) -> None:
    response = member_client.post(messages_url(room), {"body": "  hello everyone  "})
    assert response.status_code == 302
    assert response["Location"] == f"{room_url(room)}#chat-form"
    message = ChatMessage.objects.get()
    assert (message.creator, message.author, message.body) == (room, member, "hello everyone")


def test_an_htmx_post_answers_the_fresh_form_and_every_unseen_message_once(
    room: CreatorProfile, member: User, member_client: Client
) -> None:
    page = member_client.get(room_url(room)).content.decode()
    cursor = cursor_fields(page)
    other = say(room, room.user, "posted meanwhile")

    response = member_client.post(messages_url(room), {"body": "mine", **cursor}, headers=HX)

    html = response.content.decode()
    mine = ChatMessage.objects.get(body="mine")
    assert response.status_code == 200
    assert html.lstrip().startswith('<div class="chat-compose" id="chat-compose">')
    assert 'value=""' in html and "autofocus" in html
    assert shown_ids(html) == [other.pk, mine.pk]
    assert 'id="chat-poll" class="chat-poll"' in html and 'hx-swap-oob="true"' in html
    # The poller now starts after the poster's own message: it never comes back.
    assert cursor_fields(html)["after"] == str(mine.pk)
    assert shown_ids(member_client.get(poll_url(html), headers=HX).content.decode()) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write a message first."),
        ("    \n  ", "Write a message first."),
        ("x" * 501, "A message can be 500 characters at most; this one has 501."),
    ],
)
def test_an_empty_or_too_long_message_is_refused_with_the_reason(
    room: CreatorProfile, member_client: Client, body: str, message: str
) -> None:
    plain = member_client.post(messages_url(room), {"body": body})
    assert plain.status_code == 400
    assert message in plain.content.decode()
    htmx = member_client.post(messages_url(room), {"body": body}, headers=HX)
    assert htmx.status_code == 422  # base.html's htmx swaps 422 in: the form shows why
    assert message in htmx.content.decode()
    assert not ChatMessage.objects.exists()


def test_500_characters_are_fine(room: CreatorProfile, member_client: Client) -> None:
    assert member_client.post(messages_url(room), {"body": "y" * 500}).status_code == 302
    assert ChatMessage.objects.get().body == "y" * 500


def test_a_second_message_within_a_second_is_a_429_and_not_saved(
    room: CreatorProfile, member_client: Client
) -> None:
    assert member_client.post(messages_url(room), {"body": "first"}).status_code == 302
    response = member_client.post(messages_url(room), {"body": "second"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "One message a second at most" in response.content.decode()
    htmx = member_client.post(messages_url(room), {"body": "third"}, headers=HX)
    assert htmx.status_code == 409
    assert "One message a second at most" in htmx.content.decode()
    assert list(ChatMessage.objects.values_list("body", flat=True)) == ["first"]


def test_at_most_five_messages_in_any_ten_seconds_per_fan_and_room(
    room: CreatorProfile, member: User
) -> None:
    start = timezone.now()

    def post(seconds: float, who: User = member) -> ChatMessage:
        return chat.post_message(
            creator=room, author=who, body=f"at {seconds}", now=start + timedelta(seconds=seconds)
        )

    for seconds in (0, 1.5, 3, 4.5, 6):
        post(seconds)
    with pytest.raises(chat.ChatError, match="5 messages every 10 seconds") as refused:
        post(7.5)
    assert refused.value.code == "rate_limited"
    assert refused.value.retry_after == 3  # the message at 0 s leaves the window at 10 s
    # Another fan, and the creator, are not held back by this fan's pace.
    post(7.6, SubscriptionFactory(package=PackageFactory(creator=room)).fan)
    post(7.7, room.user)
    post(10.5)
    assert ChatMessage.objects.filter(author=member).count() == 6


def test_the_creator_is_not_rate_limited_in_their_own_room(
    room: CreatorProfile, owner_client: Client
) -> None:
    for n in range(3):
        assert owner_client.post(messages_url(room), {"body": f"news {n}"}).status_code == 302
    assert ChatMessage.objects.count() == 3


def test_a_muted_fan_can_read_but_gets_403_when_posting(
    room: CreatorProfile, member: User, member_client: Client
) -> None:
    say(room, room.user, "still readable")
    mute = chat.mute_fan(creator=room, fan=member, until=timezone.now() + timedelta(hours=1))

    page = member_client.get(room_url(room))
    assert page.status_code == 200
    assert "still readable" in page.content.decode()
    assert "You are muted until" in page.content.decode()
    assert 'id="chat-form"' not in page.content.decode()
    assert member_client.get(f"{messages_url(room)}?after=0", headers=HX).status_code == 200

    response = member_client.post(messages_url(room), {"body": "can I?"})
    assert response.status_code == 403
    assert f"You are muted {chat.mute_text(mute)}" in response.content.decode()
    assert member_client.post(messages_url(room), {"body": "?"}, headers=HX).status_code == 409
    assert not ChatMessage.objects.filter(author=member).exists()


def test_a_mute_for_good_says_so_and_an_expired_one_lets_the_fan_post(
    room: CreatorProfile, member: User
) -> None:
    chat.mute_fan(creator=room, fan=member, until=None)
    with pytest.raises(chat.ChatError, match="muted until the creator unmutes you") as refused:
        chat.post_message(creator=room, author=member, body="hi")
    assert refused.value.code == "muted"
    chat.mute_fan(creator=room, fan=member, until=timezone.now() - timedelta(seconds=1))
    assert chat.post_message(creator=room, author=member, body="hi").pk


# Moderation -----------------------------------------------------------------------------


def test_the_creator_deletes_a_message_and_it_stays_for_the_record(
    room: CreatorProfile, member: User, owner_client: Client
) -> None:
    message = say(room, member, "spam")
    url = reverse("subscriptions:chat_delete", kwargs={"message_id": message.pk})
    response = owner_client.post(url)
    assert response.status_code == 302 and response["Location"] == room_url(room)
    message.refresh_from_db()
    assert message.deleted_at is not None and message.body == "spam"
    first_deletion = message.deleted_at
    owner_client.post(url)  # twice is once
    message.refresh_from_db()
    assert message.deleted_at == first_deletion


@pytest.mark.parametrize(("duration", "hours"), [("1h", 1), ("24h", 24), ("forever", None)])
def test_the_creator_mutes_the_author_of_a_message(
    room: CreatorProfile,
    member: User,
    owner_client: Client,
    duration: str,
    hours: int | None,
) -> None:
    message = say(room, member, "too much")
    url = reverse("subscriptions:chat_mute", kwargs={"message_id": message.pk})
    response = owner_client.post(url, {"duration": duration}, headers=HX)
    assert response.status_code == 200
    assert f"{member.display_name} is muted until" in response.content.decode()
    mute = ChatMute.objects.get(creator=room, fan=member)
    if hours is None:
        assert mute.until is None
    else:
        expected = timezone.now() + timedelta(hours=hours)
        assert abs((mute.until - expected).total_seconds()) < 60


def test_muting_again_replaces_the_end_and_the_studio_unmutes(
    room: CreatorProfile, member: User, owner_client: Client
) -> None:
    message = say(room, member, "again")
    url = reverse("subscriptions:chat_mute", kwargs={"message_id": message.pk})
    owner_client.post(url, {"duration": "1h"})
    assert owner_client.post(url, {"duration": "forever"}).status_code == 302
    mute = ChatMute.objects.get()
    assert mute.until is None

    studio = owner_client.get(reverse("subscriptions:chat_studio")).content.decode()
    assert member.display_name in studio and "until you unmute them" in studio

    response = owner_client.post(reverse("subscriptions:chat_unmute", kwargs={"mute_id": mute.pk}))
    assert response.status_code == 302
    assert not ChatMute.objects.exists()
    assert (
        "Nobody is muted" in owner_client.get(reverse("subscriptions:chat_studio")).content.decode()
    )


def test_the_studio_lists_only_mutes_still_in_force(
    room: CreatorProfile, member: User, owner_client: Client
) -> None:
    chat.mute_fan(creator=room, fan=member, until=timezone.now() - timedelta(minutes=1))
    other = FanFactory()
    chat.mute_fan(creator=room, fan=other, until=timezone.now() + timedelta(hours=2))
    html = owner_client.get(reverse("subscriptions:chat_studio")).content.decode()
    assert html.count("data-mute=") == 1
    assert f"<strong>{other.display_name}</strong>" in html
    assert room_url(room) in html


def test_another_creator_cannot_moderate_the_room_and_a_fan_is_refused(
    room: CreatorProfile, member: User, member_client: Client
) -> None:
    message = say(room, member, "mine")
    mute = chat.mute_fan(creator=room, fan=FanFactory(), until=None)
    stranger = _client_for(CreatorFactory().user)
    delete = reverse("subscriptions:chat_delete", kwargs={"message_id": message.pk})
    mute_url = reverse("subscriptions:chat_mute", kwargs={"message_id": message.pk})
    unmute = reverse("subscriptions:chat_unmute", kwargs={"mute_id": mute.pk})

    for url, data in ((delete, {}), (mute_url, {"duration": "forever"}), (unmute, {})):
        assert stranger.post(url, data).status_code == 404
        assert member_client.post(url, data).status_code == 403
        assert stranger.get(url).status_code == 405  # POST only
    message.refresh_from_db()
    assert message.deleted_at is None
    assert list(ChatMute.objects.values_list("fan_id", flat=True)) == [mute.fan_id]


def test_the_creator_cannot_mute_themself(room: CreatorProfile, owner_client: Client) -> None:
    message = say(room, room.user, "me")
    url = reverse("subscriptions:chat_mute", kwargs={"message_id": message.pk})
    response = owner_client.post(url, {"duration": "1h"}, headers=HX)
    assert response.status_code == 409
    assert "cannot mute yourself" in response.content.decode()
    assert not ChatMute.objects.exists()


# Emoji rendering ------------------------------------------------------------------------

EMOJIS = {"wave": "/media/emojis/wave.png"}


def test_a_known_code_becomes_its_image_and_an_unknown_one_stays_text() -> None:
    html = str(chat.render_body("hi :wave: and :nope: :WAVE: :wave", EMOJIS))
    assert html == (
        'hi <img class="chat-emoji" src="/media/emojis/wave.png" alt=":wave:" title=":wave:" '
        'width="24" height="24" loading="lazy"> and :nope: :WAVE: :wave'
    )


def test_a_body_is_escaped_before_any_emoji_goes_in() -> None:
    html = str(chat.render_body("<script>alert(1)</script>:wave:", EMOJIS))
    assert "<script>" not in html
    assert html.startswith("&lt;script&gt;alert(1)&lt;/script&gt;<img ")


@pytest.mark.parametrize(
    "body",
    [
        '<img src=x onerror="alert(1)">:wave:',
        '"><b title=":wave:">x</b>',
        "<a href=':wave:'>:wave:</a>",
        "&lt;:wave:&gt;",
        ":wave::wave:<:wave:",
    ],
)
def test_a_code_inside_an_html_looking_body_cannot_inject_markup(body: str) -> None:
    html = str(chat.render_body(body, EMOJIS))
    # Every tag is one of ours, and the text reads back as typed.
    tags = re.findall(r"<[^>]*>", html)
    assert tags and all(tag.startswith('<img class="chat-emoji" src="/media/') for tag in tags)
    assert unescape(re.sub(r"<img [^>]*alt=\"(:\w+:)\"[^>]*>", r"\1", html)) == body


def test_emojis_show_for_authors_whose_package_includes_them_and_the_creator(
    room: CreatorProfile, member: User, member_client: Client, wave: Emoji
) -> None:
    no_emojis = SubscriptionFactory(package=PackageFactory(creator=room, includes_emojis=False)).fan
    say(room, member, "perk :wave:")
    say(room, no_emojis, "no perk :wave:")
    say(room, room.user, "creator :wave:")

    html = member_client.get(room_url(room)).content.decode()

    img = f'<img class="chat-emoji" src="{wave.image.url}" alt=":wave:"'
    assert f"perk {img}" in html
    assert "no perk :wave:" in html
    assert f"creator {img}" in html
    assert ":wave:</code>" in html  # the list of the room's emojis under the form


def test_a_fan_without_the_emoji_perk_is_told_where_emojis_come_from(
    room: CreatorProfile, wave: Emoji
) -> None:
    fan = SubscriptionFactory(package=PackageFactory(creator=room, includes_emojis=False)).fan
    html = _client_for(fan).get(room_url(room)).content.decode()
    assert "Custom emojis come with packages that include them." in html
    assert ":wave:</code>" not in html


# Emoji upload ---------------------------------------------------------------------------

EMOJIS_URL = reverse("subscriptions:emojis")


def test_the_creator_uploads_an_emoji_and_sees_it_listed(
    room: CreatorProfile, owner_client: Client
) -> None:
    response = owner_client.post(
        EMOJIS_URL,
        {"code": ":Party_Time:", "image": upload("anything.gif", png(fmt="GIF"), "image/gif")},
    )
    assert response.status_code == 302
    emoji = Emoji.objects.get(creator=room)
    assert emoji.code == "party_time"
    assert emoji.image.name.endswith(".gif")
    html = owner_client.get(EMOJIS_URL).content.decode()
    assert 'data-emoji="party_time"' in html and emoji.image.url in html


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("wave.png", b"just some text, not a picture", "not a PNG, GIF or WEBP image"),
        ("big.png", png(256, 256, noise=True), "an emoji can be 256 KB at most"),
        ("wide.png", png(300, 20), "The image is 300 × 20 pixels; an emoji can be 256 × 256"),
        ("empty.png", b"", "The submitted file is empty."),
    ],
)
def test_an_upload_that_is_not_a_small_png_gif_or_webp_is_refused(
    room: CreatorProfile, owner_client: Client, name: str, content: bytes, error: str
) -> None:
    response = owner_client.post(EMOJIS_URL, {"code": "wave", "image": upload(name, content)})
    assert response.status_code == 400
    assert error in unescape(response.content.decode())
    assert not Emoji.objects.exists()


def test_a_jpeg_is_refused_even_named_png(room: CreatorProfile, owner_client: Client) -> None:
    jpeg = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(jpeg, format="JPEG")
    response = owner_client.post(
        EMOJIS_URL, {"code": "wave", "image": upload("x.png", jpeg.getvalue())}
    )
    assert response.status_code == 400
    assert not Emoji.objects.exists()


def test_a_webp_of_256_pixels_is_fine(room: CreatorProfile, owner_client: Client) -> None:
    image = upload("e.webp", png(256, 256, fmt="WEBP"), "image/webp")
    assert owner_client.post(EMOJIS_URL, {"code": "big_one", "image": image}).status_code == 302
    assert Emoji.objects.get().image.name.endswith(".webp")


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("a", "2 to 24 lowercase letters, digits or underscores."),
        ("no-dashes", "2 to 24 lowercase letters, digits or underscores."),
        ("wave", "You already have :wave:."),
    ],
)
def test_a_bad_or_taken_code_is_refused(
    room: CreatorProfile, owner_client: Client, wave: Emoji, code: str, error: str
) -> None:
    response = owner_client.post(EMOJIS_URL, {"code": code, "image": upload("e.png", png())})
    assert response.status_code == 400
    assert error in unescape(response.content.decode())
    assert list(Emoji.objects.values_list("code", flat=True)) == ["wave"]


def test_another_creator_may_use_the_same_code(wave: Emoji) -> None:
    other = CreatorFactory()
    client = _client_for(other.user)
    response = client.post(EMOJIS_URL, {"code": "wave", "image": upload("e.png", png())})
    assert response.status_code == 302
    assert Emoji.objects.filter(code="wave").count() == 2


def test_a_room_has_at_most_50_emojis(room: CreatorProfile, owner_client: Client) -> None:
    Emoji.objects.bulk_create(
        Emoji(creator=room, code=f"e{n:02}", image=f"emojis/e{n}.png") for n in range(50)
    )
    response = owner_client.post(EMOJIS_URL, {"code": "one_more", "image": upload("e.png", png())})
    assert response.status_code == 400
    assert "the most it can have" in response.content.decode()
    assert Emoji.objects.count() == 50


def test_the_creator_deletes_an_emoji_and_its_code_shows_as_text(
    room: CreatorProfile, member: User, owner_client: Client, wave: Emoji
) -> None:
    say(room, member, "bye :wave:")
    url = reverse("subscriptions:emoji_delete", kwargs={"emoji_id": wave.pk})
    assert _client_for(CreatorFactory().user).post(url).status_code == 404
    assert owner_client.post(url).status_code == 302
    assert not Emoji.objects.exists()
    assert "bye :wave:" in owner_client.get(room_url(room)).content.decode()


def test_fans_cannot_open_the_studio_pages(member_client: Client) -> None:
    for name in ("subscriptions:chat_studio", "subscriptions:emojis"):
        assert member_client.get(reverse(name)).status_code == 403


# Queries --------------------------------------------------------------------------------


@pytest.fixture
def authors(room: CreatorProfile, member: User) -> list[User]:
    """Who writes in the query tests: the member, the creator and two founders."""
    founders = [
        SubscriptionFactory(package=PackageFactory(creator=room), founder_number=n).fan
        for n in (2, 3)
    ]
    return [member, room.user, *founders]


def _fill(room: CreatorProfile, authors: list[User], count: int) -> None:
    for n in range(count):
        say(room, authors[n % len(authors)], f"message {n} :wave: <b>")


def _poll_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=HX)
    assert response.status_code == 200
    return len(queries)


# User, room, seat, new, removed, badges and perks, emojis (the session is in the cache).
POLL_QUERIES = 7


@pytest.mark.parametrize("who", ["member", "owner"])
def test_a_poll_costs_the_same_queries_for_1_or_20_new_messages(
    room: CreatorProfile,
    authors: list[User],
    member_client: Client,
    owner_client: Client,
    wave: Emoji,
    who: str,
    django_assert_max_num_queries: Callable,
) -> None:
    client = member_client if who == "member" else owner_client
    url = poll_url(client.get(room_url(room)).content.decode())
    _fill(room, authors, 1)
    one = _poll_queries(client, url)
    _fill(room, authors, 20)
    twenty = _poll_queries(client, url)
    assert one == twenty
    with django_assert_max_num_queries(POLL_QUERIES):
        fragment = client.get(url, headers=HX).content.decode()
    assert len(shown_ids(fragment)) == 21


def test_a_quiet_poll_is_cheaper_still(
    room: CreatorProfile, member_client: Client, django_assert_max_num_queries: Callable
) -> None:
    url = poll_url(member_client.get(room_url(room)).content.decode())
    with django_assert_max_num_queries(POLL_QUERIES - 2):
        assert member_client.get(url, headers=HX).status_code == 200


# User, room, seat, emojis, messages, badges and perks, mute (the session is in the cache).
PAGE_QUERIES = 7


def test_the_room_page_costs_the_same_queries_for_1_or_20_messages(
    room: CreatorProfile,
    authors: list[User],
    member_client: Client,
    wave: Emoji,
    django_assert_max_num_queries: Callable,
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert member_client.get(room_url(room)).status_code == 200
        return len(queries)

    member_client.get(room_url(room))  # the header's notification count is cached after this
    _fill(room, authors, 1)
    one = count()
    _fill(room, authors, 20)
    assert count() == one
    with django_assert_max_num_queries(PAGE_QUERIES):
        member_client.get(room_url(room))


# In a real browser ----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_a_browser_two_people_chat_live_and_the_creator_moderates(
    shoot: Callable[[str], None],
    page: "Page",
    live_server: object,
    request: pytest.FixtureRequest,
) -> None:
    from playwright.sync_api import expect

    from accounts.tests.factories import PASSWORD

    base = live_server.url
    maya = CreatorFactory(display_name="Maya Makes", handle="mayamakes")
    chat.add_emoji(creator=maya, code="wave", image=upload("emoji.png", png()))
    fan = SubscriptionFactory(
        package=PackageFactory(creator=maya), fan=FanFactory(email="sam@example.com")
    ).fan
    say(maya, maya.user, "Welcome in :wave:")
    errors: list[str] = []

    def watch(tab: "Page") -> None:
        # htmx reports a swap it could not do (a missing target, say) on the console.
        tab.on(
            "console",
            lambda m: (
                m.type == "error"
                and "Failed to load resource" not in m.text  # media is not served here
                and errors.append(f"{tab.url} {m.location} {m.text[:60]}")
            ),
        )

    def sign_in(tab: "Page", email: str) -> None:
        tab.goto(f"{base}/accounts/login/")
        tab.get_by_label("Email").fill(email)
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_url(re.compile(r"^(?!.*/accounts/login/)"))
        tab.goto(f"{base}/@{maya.handle}/chat/")

    expect.set_options(timeout=8_000)
    sign_in(page, fan.email)
    watch(page)
    creator_context = page.context.browser.new_context()
    request.addfinalizer(creator_context.close)  # it polls until closed
    creator_tab = creator_context.new_page()
    watch(creator_tab)
    sign_in(creator_tab, maya.user.email)
    creator_tab.on("dialog", lambda dialog: dialog.accept())

    # Sam posts with Enter: the message shows once, at once, and the field is empty again.
    fan_log = page.locator("#chat-log .chat-msg")
    expect(fan_log).to_have_count(1)
    expect(page.locator(".chat-body img.chat-emoji[alt=':wave:']")).to_have_count(1)
    page.get_by_label("Your message").fill("Hi Maya! :wave:")
    page.get_by_label("Your message").press("Enter")
    expect(fan_log).to_have_count(2)
    expect(page.get_by_label("Your message")).to_have_value("")
    expect(page.get_by_label("Your message")).to_be_focused()

    # Maya's page gets it by polling; her two quick answers reach Sam once each.
    creator_log = creator_tab.locator("#chat-log .chat-msg")
    expect(creator_log).to_have_count(2)
    for text in ("Thanks for joining", "Live on Friday at 6"):
        creator_tab.get_by_label("Your message").fill(text)
        creator_tab.get_by_label("Your message").press("Enter")
    expect(fan_log).to_have_count(4)
    page.wait_for_timeout(2_500)  # another poll or so: still nothing twice
    expect(fan_log).to_have_count(4)
    assert [int(i) for i in fan_log.evaluate_all("els => els.map(e => e.dataset.message)")] == list(
        ChatMessage.objects.order_by("pk").values_list("pk", flat=True)
    )

    # Maya removes Sam's message and mutes Sam for an hour.
    sams = creator_tab.locator(".chat-msg", has_text="Hi Maya!")
    sams.locator("summary").click()
    sams.get_by_role("button", name="Delete").click()
    expect(creator_tab.locator(".chat-msg-removed")).to_have_count(1)
    expect(page.locator(".chat-msg-removed")).to_have_count(1)
    expect(page.get_by_text("Hi Maya!")).to_have_count(0)

    welcome = creator_tab.locator(".chat-msg", has_text="Welcome in")
    assert welcome.locator("select").count() == 0  # nobody mutes the creator
    creator_tab.get_by_label("Your message").fill("Sam, one more please")
    creator_tab.get_by_label("Your message").press("Enter")
    say(maya, fan, "spam spam")
    spam = creator_tab.locator(".chat-msg", has_text="spam spam")
    spam.locator("summary").click()
    spam.get_by_label("Mute the author").select_option("1h")
    spam.get_by_role("button", name="Mute").click()
    expect(spam.get_by_role("status")).to_contain_text(f"{fan.display_name} is muted until")

    # Sam can still read, and is told why a new post does not go through.
    page.get_by_label("Your message").fill("why?")
    page.get_by_label("Your message").press("Enter")
    expect(page.get_by_text("You are muted until")).to_be_visible()
    expect(page.get_by_text("Sam, one more please")).to_be_visible()
    assert not ChatMessage.objects.filter(body="why?").exists()
    assert errors == [], errors

    # Pictures for people, once nothing swaps any more (a screenshot styles the focused field,
    # and htmx would carry that style over to the field that replaces it).
    shoot("chat-room-fan")

    # When Sam's subscription lapses, the next poll reloads the page into the reason why.
    Subscription.objects.filter(fan=fan).update(state=State.LAPSED, ended_at=timezone.now())
    expect(page.get_by_test_id("chat-refusal")).to_contain_text("has ended")
    shoot("chat-closed")

    creator_tab.locator(".chat-msg", has_text="spam spam").locator("summary").click()
    for name, path in (
        ("chat-room-creator", f"/@{maya.handle}/chat/"),
        ("chat-studio", "/studio/chat/"),
        ("chat-emojis", "/studio/emojis/"),
    ):
        if path != f"/@{maya.handle}/chat/":
            creator_tab.goto(f"{base}{path}")
        for width in (1280, 390):
            creator_tab.set_viewport_size({"width": width, "height": 900})
            creator_tab.screenshot(path=SHOTS_DIR / f"{name}-{width}.png", full_page=True)
