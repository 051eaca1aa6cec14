"""Subscriber-only chat: who may read and post in a creator's room, what a reader has not seen
yet, how a body is shown, moderation, and the room's custom emojis.

A room is a creator (ChatMessage.creator). Its creator and fans whose live subscription's
package includes the chat read it; the same may post unless muted, within a rate limit.
Messages are ordered by id, and a reader's cursor (`Cursor`) is the last id it holds: posts
to one room take a lock around their insert and commit, so ids become visible in order and
a reader that has seen id n never later meets an unseen id below it.

Deleting a message only sets `deleted_at` (the row stays for the record); readers replace it
with a "message removed" line at their next poll.

Everything here raises one error, `ChatError`, whose message is safe to show.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.models import CreatorProfile, Standing, User
from core.plurals import plural

from .models import (
    LIVE_STATES,
    ChatMessage,
    ChatMute,
    Emoji,
    Subscription,
    validate_emoji_code,
)
from .selectors import Badge, badge_for, had_subscription, live_subscription

# What a room page shows, and the most messages one poll brings (a reader that was away
# catches up 50 at a time, in order).
PAGE_SIZE = 50
MAX_BODY = 500
MAX_EMOJIS = 50
# (messages, seconds): at most 1 a second and 5 in any 10 seconds, per fan and room.
RATE_LIMITS = ((1, 1), (5, 10))
# Removals are read back this far before a reader's last poll: a deletion stamped just
# before that poll but committed just after it (or on a web server whose clock runs a little
# behind) still reaches the reader. Sending a removal twice is harmless.
REMOVAL_OVERLAP = timedelta(seconds=10)
# The first keys of the advisory locks that queue a room's posts and a creator's emoji uploads
# (the second key is the creator's id).
ROOM_LOCK = 0x43484154  # "CHAT"
EMOJI_LOCK = 0x454D4F4A  # "EMOJ"

CODE_IN_BODY = re.compile(r":([a-z0-9_]{2,24}):")


class ChatError(Exception):
    """A chat action the rules refuse; `str(error)` is safe to show. `code` says which rule:
    forbidden (no access), muted, rate_limited (`retry_after` seconds), invalid, not_allowed
    (a moderation the rules refuse); `field` names the form field it is about, if any."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        retry_after: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retry_after = retry_after
        self.field = field


# Reads ----------------------------------------------------------------------------------


def find_room(handle: str) -> CreatorProfile | None:
    """The creator whose room `handle` names (any case); none for a suspended creator."""
    return (
        CreatorProfile.objects.select_related("user")
        .exclude(standing=Standing.SUSPENDED)
        .with_handle(handle)
        .first()
    )


@dataclass(frozen=True)
class Seat:
    """What one user may do in one room, and why not when they may not."""

    is_owner: bool
    can_read: bool
    uses_emojis: bool
    subscription: Subscription | None = None
    refusal: str = ""


def seat_for(user: User, creator: CreatorProfile) -> Seat:
    """The user's seat in the creator's room (one query for a fan, none for the creator)."""
    if user.is_authenticated and user.pk == creator.user_id:
        return Seat(is_owner=True, can_read=True, uses_emojis=True)
    subscription = live_subscription(user, creator)
    if subscription is not None and subscription.package.includes_chat:
        return Seat(
            is_owner=False,
            can_read=True,
            uses_emojis=subscription.package.includes_emojis,
            subscription=subscription,
        )
    return Seat(
        is_owner=False,
        can_read=False,
        uses_emojis=False,
        subscription=subscription,
        refusal=_refusal(user, creator, subscription),
    )


def _refusal(user: User, creator: CreatorProfile, subscription: Subscription | None) -> str:
    who = f"@{creator.handle}"
    if subscription is not None:
        return (
            f"Your package, “{subscription.package.name}”, does not include {who}'s chat. "
            "Packages that include it are listed on their page."
        )
    if not user.is_fan:
        return f"This chat is only for {who} and their subscribers."
    if had_subscription(user, creator):
        return (
            f"Your subscription to {who} has ended, so their chat is closed to you. "
            "Subscribe again to rejoin it."
        )
    return f"This chat is for {who}'s subscribers whose package includes the chat."


def active_mute(
    creator: CreatorProfile, user: User, now: datetime | None = None
) -> ChatMute | None:
    mute = ChatMute.objects.filter(creator=creator, fan=user).first()
    return mute if mute is not None and mute.is_active(now) else None


def muted_fans(creator: CreatorProfile, now: datetime | None = None) -> list[ChatMute]:
    """The creator's mutes still in force: the soonest to end first, "until unmuted" last."""
    now = now or timezone.now()
    mutes = (
        ChatMute.objects.filter(creator=creator)
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .select_related("fan__creator")
    )
    return sorted(mutes, key=lambda m: (m.until is None, m.until or now, m.pk))


def when_text(when: datetime) -> str:
    return format_date(timezone.localtime(when), "j M Y, H:i T")


def mute_text(mute: ChatMute) -> str:
    """How long the mute lasts, as its fan reads it: "until 3 May 2026, 14:05 UTC"."""
    if mute.until is None:
        return "until the creator unmutes you"
    return f"until {when_text(mute.until)}"


def emoji_urls(creator: CreatorProfile) -> dict[str, str]:
    """The room's emojis, :code: to image address (one query)."""
    return {
        e.code: e.image.url for e in Emoji.objects.filter(creator=creator).only("code", "image")
    }


def render_body(body: str, emojis: dict[str, str], *, with_emojis: bool = True) -> SafeString:
    """The body as HTML: escaped first, then each known `:code:` made its emoji's image when
    the author may use emojis. Codes are [a-z0-9_] only and escaping never writes a colon, so
    a substitution can neither start inside an escaped entity nor carry markup."""
    html = escape(body)
    if not with_emojis or not emojis:
        return mark_safe(html)

    def image(match: re.Match[str]) -> str:
        url = emojis.get(match.group(1))
        if url is None:
            return match.group(0)
        code = escape(match.group(0))
        return (
            f'<img class="chat-emoji" src="{escape(url)}" alt="{code}" title="{code}" '
            'width="24" height="24" loading="lazy">'
        )

    return mark_safe(CODE_IN_BODY.sub(image, html))


@dataclass(frozen=True)
class Line:
    """One message as a room shows it."""

    id: int
    author_id: int
    author_name: str
    badge: str
    by_creator: bool
    created_at: datetime
    html: SafeString
    removed: bool

    @property
    def dom_id(self) -> str:
        return f"chat-msg-{self.id}"


def present(
    creator: CreatorProfile, messages: list[ChatMessage], emojis: dict[str, str] | None = None
) -> list[Line]:
    """Lines for messages of the creator's room (authors and their creator profiles
    selected): each author's badge and emoji perk in one query, the room's emojis (unless
    given) in one more only when a body may show one."""
    authors = {m.author_id for m in messages if m.deleted_at is None} - {creator.user_id}
    perks: dict[int, tuple[Badge, bool]] = {}
    if authors:
        today = timezone.localdate()
        live = Subscription.objects.filter(
            creator=creator, fan_id__in=authors, state__in=LIVE_STATES
        ).select_related("package")
        perks = {s.fan_id: (badge_for(s, today), s.package.includes_emojis) for s in live}

    def may_use_emojis(message: ChatMessage) -> bool:
        if message.author_id == creator.user_id:
            return True
        return message.author_id in perks and perks[message.author_id][1]

    wants_emojis = any(
        m.deleted_at is None and may_use_emojis(m) and CODE_IN_BODY.search(m.body) for m in messages
    )
    if emojis is None:
        emojis = emoji_urls(creator) if wants_emojis else {}
    lines = []
    for m in messages:
        by_creator = m.author_id == creator.user_id
        removed = m.deleted_at is not None
        badge = perks.get(m.author_id)
        lines.append(
            Line(
                id=m.pk,
                author_id=m.author_id,
                author_name=m.author.display_name,
                badge="Creator" if by_creator else (badge[0].text if badge else ""),
                by_creator=by_creator,
                created_at=m.created_at,
                html=mark_safe("")
                if removed
                else render_body(m.body, emojis, with_emojis=may_use_emojis(m)),
                removed=removed,
            )
        )
    return lines


def _room_messages(creator: CreatorProfile) -> QuerySet[ChatMessage]:
    return ChatMessage.objects.filter(creator=creator).select_related("author__creator")


def _millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


@dataclass(frozen=True)
class Cursor:
    """Where a reader is: `after`, the last id it holds; `first`, the first id it holds (it
    holds every message of the room from there to `after`, removed ones as such); `since`,
    when (ms since the epoch) it last read removals."""

    after: int = 0
    first: int = 0
    since: int = 0

    @property
    def since_at(self) -> datetime:
        return datetime.fromtimestamp(self.since / 1000, tz=UTC)

    def as_query(self) -> str:
        return f"after={self.after}&first={self.first}&since={self.since}"


@dataclass(frozen=True)
class Batch:
    """What a reader has not seen: new lines, lines removed since, and its next cursor."""

    new: list[Line]
    removed: list[Line]
    cursor: Cursor
    more: bool = False  # more new messages wait for the next poll


@dataclass(frozen=True)
class Room:
    lines: list[Line] = field(default_factory=list)
    cursor: Cursor = field(default_factory=Cursor)


def recent(
    creator: CreatorProfile, now: datetime | None = None, emojis: dict[str, str] | None = None
) -> Room:
    """The room's last PAGE_SIZE messages, oldest first, and the cursor of a reader holding
    them (three queries at most, two with `emojis` given)."""
    now = now or timezone.now()
    messages = list(reversed(_room_messages(creator).order_by("-pk")[:PAGE_SIZE]))
    lines = present(creator, messages, emojis)
    after = lines[-1].id if lines else 0
    first = lines[0].id if lines else 0
    return Room(lines, Cursor(after=after, first=first, since=_millis(now)))


def messages_after(creator: CreatorProfile, cursor: Cursor, now: datetime | None = None) -> Batch:
    """What a reader at `cursor` has not seen: up to PAGE_SIZE new messages in id order (a
    removed one as such), and the messages it holds that were removed since it last read.
    Two queries, three more when there are new messages (badges, emojis, as `present`)."""
    now = now or timezone.now()
    new = list(_room_messages(creator).filter(pk__gt=cursor.after).order_by("pk")[: PAGE_SIZE + 1])
    more = len(new) > PAGE_SIZE
    new = new[:PAGE_SIZE]
    removed: list[ChatMessage] = []
    since = _millis(now)
    if cursor.after > 0 and cursor.first <= cursor.after:
        removed = list(
            _room_messages(creator)
            .filter(
                pk__gte=cursor.first,
                pk__lte=cursor.after,
                deleted_at__gte=cursor.since_at - REMOVAL_OVERLAP,
            )
            .order_by("deleted_at", "pk")[: PAGE_SIZE + 1]
        )
        if len(removed) > PAGE_SIZE:
            # A long absence in a busy room: carry on from the last removal sent.
            removed = removed[:PAGE_SIZE]
            since = _millis(removed[-1].deleted_at + REMOVAL_OVERLAP)
    lines = present(creator, new + removed)
    new_lines, removed_lines = lines[: len(new)], lines[len(new) :]
    after = new_lines[-1].id if new_lines else cursor.after
    return Batch(
        new=new_lines,
        removed=removed_lines,
        cursor=Cursor(after=after, first=cursor.first, since=since),
        more=more,
    )


# Writes ---------------------------------------------------------------------------------


def _lock(key: int, creator: CreatorProfile) -> None:
    """Queue behind others holding (key, creator) until the transaction ends. SQLite needs
    none: its transactions here start IMMEDIATE, so writers already take turns."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [key, creator.pk])


def _rate_key(creator: CreatorProfile, author: User) -> str:
    return f"chat:rate:{creator.pk}:{author.pk}"


def _check_rate(creator: CreatorProfile, author: User, now: datetime) -> list[float]:
    """The author's recent post times in the room, or ChatError when one more is too many.
    A sliding window: the room's lock makes this read and the write after the insert one
    step, so two posts at once cannot both pass."""
    longest = max(seconds for _, seconds in RATE_LIMITS)
    at = now.timestamp()
    stamps = [t for t in cache.get(_rate_key(creator, author), []) if t > at - longest]
    for count, seconds in RATE_LIMITS:
        recent_posts = [t for t in stamps if t > at - seconds]
        if len(recent_posts) >= count:
            wait = max(1, math.ceil(recent_posts[-count] + seconds - at))
            if count == 1:
                text = "One message a second at most: wait a moment and send it again."
            else:
                text = (
                    f"You can send {count} messages every {seconds} seconds: "
                    f"try again in {plural(wait, 'second')}."
                )
            raise ChatError(text, code="rate_limited", retry_after=wait)
    return stamps


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ChatError("Write a message first.", field="body")
    if len(body) > MAX_BODY:
        raise ChatError(
            f"A message can be {MAX_BODY} characters at most; this one has {len(body)}.",
            field="body",
        )
    return body


def post_message(
    *, creator: CreatorProfile, author: User, body: str, now: datetime | None = None
) -> ChatMessage:
    """Post in the creator's room: the creator, or a fan whose live package includes the chat,
    not muted, within RATE_LIMITS (fans only)."""
    now = now or timezone.now()
    body = _clean_body(body)
    seat = seat_for(author, creator)
    if not seat.can_read:
        raise ChatError(seat.refusal, code="forbidden")
    if not seat.is_owner:
        mute = active_mute(creator, author, now)
        if mute is not None:
            raise ChatError(f"You are muted {mute_text(mute)}.", code="muted")
    with transaction.atomic():
        # Held to the commit: the room's ids become visible in order (see the module's note).
        _lock(ROOM_LOCK, creator)
        stamps = [] if seat.is_owner else _check_rate(creator, author, now)
        message = ChatMessage.objects.create(
            creator=creator, author=author, body=body, created_at=now
        )
        if not seat.is_owner:
            longest = max(seconds for _, seconds in RATE_LIMITS)
            cache.set(_rate_key(creator, author), [*stamps, now.timestamp()], timeout=longest)
    return message


def delete_message(
    *, creator: CreatorProfile, message: ChatMessage, now: datetime | None = None
) -> ChatMessage:
    """Remove a message from the creator's room (it stays, marked deleted). Twice is once."""
    if message.creator_id != creator.pk:
        raise ChatError("Only the room's creator can remove its messages.", code="not_allowed")
    now = now or timezone.now()
    ChatMessage.objects.filter(pk=message.pk, deleted_at__isnull=True).update(deleted_at=now)
    message.refresh_from_db(fields=["deleted_at"])
    return message


MUTE_CHOICES = {
    "1h": ("for 1 hour", timedelta(hours=1)),
    "24h": ("for 24 hours", timedelta(hours=24)),
    "forever": ("until unmuted", None),
}


def mute_until(duration: str, now: datetime | None = None) -> datetime | None:
    """The end of a mute chosen as one of MUTE_CHOICES (None: until unmuted)."""
    if duration not in MUTE_CHOICES:
        raise ChatError("Choose 1 hour, 24 hours or until unmuted.", field="duration")
    length = MUTE_CHOICES[duration][1]
    return None if length is None else (now or timezone.now()) + length


@transaction.atomic
def mute_fan(*, creator: CreatorProfile, fan: User, until: datetime | None) -> ChatMute:
    """Stop a fan posting in the creator's room until `until` (None: until unmuted); muting
    again replaces the end. They can still read."""
    if fan.pk == creator.user_id:
        raise ChatError("You cannot mute yourself in your own room.", code="not_allowed")
    mute, _ = ChatMute.objects.update_or_create(
        creator=creator, fan=fan, defaults={"until": until, "created_at": timezone.now()}
    )
    return mute


def unmute_fan(*, creator: CreatorProfile, fan: User) -> bool:
    """Let the fan post again; whether they were muted."""
    deleted, _ = ChatMute.objects.filter(creator=creator, fan=fan).delete()
    return bool(deleted)


def add_emoji(*, creator: CreatorProfile, code: str, image: File) -> Emoji:
    """Add a custom emoji to the creator's room. `image` is already checked (forms_chat): a
    PNG, GIF or WEBP, small, named with its real extension."""
    try:
        validate_emoji_code(code)
    except ValidationError as exc:
        raise ChatError(exc.messages[0], field="code") from None
    extension = image.name.rsplit(".", 1)[-1].lower() if "." in image.name else "png"
    image.name = f"{creator.pk}_{code}.{extension}"
    try:
        with transaction.atomic():
            _lock(EMOJI_LOCK, creator)
            if Emoji.objects.filter(creator=creator).count() >= MAX_EMOJIS:
                raise ChatError(
                    f"A room can have {MAX_EMOJIS} emojis: delete one to add another.",
                    code="not_allowed",
                )
            if Emoji.objects.filter(creator=creator, code=code).exists():
                raise ChatError(f"You already have :{code}:.", field="code")
            return Emoji.objects.create(creator=creator, code=code, image=image)
    except IntegrityError:
        raise ChatError(f"You already have :{code}:.", field="code") from None


@transaction.atomic
def delete_emoji(*, creator: CreatorProfile, emoji: Emoji) -> None:
    """Delete one of the creator's emojis; its :code: shows as text from then on."""
    if emoji.creator_id != creator.pk:
        raise ChatError("That emoji is another room's.", code="not_allowed")
    storage, name = emoji.image.storage, emoji.image.name
    emoji.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
