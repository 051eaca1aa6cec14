"""The subscriber-only chat: the room page, its htmx endpoint (poll and post), the creator's
moderation, and the creator's chat studio and custom emojis.

The room (`/@handle/chat/`) is its creator's and their subscribers' whose package includes
the chat (subscriptions.chat.seat_for); anyone else signed in gets a 403 page that says why.
The page polls `chat_messages` every 2 s with its cursor and gets back only what it has not
shown (templates/subscriptions/chat/room.html explains the swaps). Posting goes to the same
address: htmx gets the new messages, a plain form is redirected back to the room.

Answers when a post is refused: a plain form gets the room again with the reason, as 400 (the
message to fix), 403 (muted) or 429 (too fast, with Retry-After). htmx swaps only 409 and 422
answers in (base.html's htmx-config), so the same reasons reach htmx as 422 (the message to
fix) and 409 (muted, too fast), in the form. A reader who lost access gets 403 and, under
htmx, HX-Refresh: the page reloads into the 403 page that says why.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import creator_required, login_required
from accounts.models import CreatorProfile
from core.http import bad_request

from . import chat
from .forms_chat import CursorForm, EmojiForm, MessageForm, MuteForm
from .models import ChatMessage

ROOM = "subscriptions/chat/room.html"
# What a refused post answers a plain form, and what it answers htmx (see the module's note).
PLAIN_STATUS = {"muted": 403, "rate_limited": 429}
HTMX_STATUS = {"muted": 409, "rate_limited": 409}


def _room_or_404(handle: str) -> CreatorProfile:
    creator = chat.find_room(handle)
    if creator is None:
        raise Http404("No such creator.")
    return creator


def _room_url(creator: CreatorProfile) -> str:
    return reverse("subscriptions:chat", kwargs={"handle": creator.handle})


def _messages_url(creator: CreatorProfile) -> str:
    return reverse("subscriptions:chat_messages", kwargs={"handle": creator.handle})


def _forbidden(request: HttpRequest, creator: CreatorProfile, seat: chat.Seat) -> HttpResponse:
    if request.htmx:
        # A fragment cannot say it; the page reloads into the 403 page below.
        response = HttpResponse(seat.refusal, status=403, content_type="text/plain")
        response["HX-Refresh"] = "true"
        return response
    packages = reverse("subscriptions:creator_page", kwargs={"handle": creator.handle})
    return render(
        request,
        "subscriptions/chat/forbidden.html",
        {"creator": creator, "refusal": seat.refusal, "packages_url": f"{packages}#packages"},
        status=403,
    )


def _compose_context(
    request: HttpRequest, creator: CreatorProfile, seat: chat.Seat, form: MessageForm
) -> dict:
    """What the message form region needs: the form, or why the reader cannot post."""
    mute = None if seat.is_owner else chat.active_mute(creator, request.user)
    return {
        "creator": creator,
        "seat": seat,
        "form": form,
        "mute": mute,
        "mute_text": chat.mute_text(mute) if mute else "",
        "messages_url": _messages_url(creator),
    }


def _room_page(
    request: HttpRequest,
    creator: CreatorProfile,
    seat: chat.Seat,
    form: MessageForm,
    *,
    status: int = 200,
) -> HttpResponse:
    emojis = chat.emoji_urls(creator) if seat.uses_emojis else None
    room = chat.recent(creator, emojis=emojis)
    context = {
        **_compose_context(request, creator, seat, form),
        "room": room,
        "cursor": room.cursor,
        "emojis": emojis or {},
        "moderator": seat.is_owner,
    }
    return render(request, ROOM, context, status=status)


@login_required
@require_GET
def room(request: HttpRequest, handle: str) -> HttpResponse:
    """The room: its last 50 messages, live, and a form to post."""
    creator = _room_or_404(handle)
    seat = chat.seat_for(request.user, creator)
    if not seat.can_read:
        return _forbidden(request, creator, seat)
    return _room_page(request, creator, seat, MessageForm())


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def room_messages(request: HttpRequest, handle: str) -> HttpResponse:
    """GET: what a reader at the cursor (`after`, `first`, `since`) has not shown, and the
    poller with its next cursor. POST: post a message (the cursor comes with it, so the
    answer carries the poster's message and any others, each once)."""
    creator = _room_or_404(handle)
    seat = chat.seat_for(request.user, creator)
    if not seat.can_read:
        return _forbidden(request, creator, seat)
    cursor_form = CursorForm(request.POST if request.method == "POST" else request.GET)
    if not cursor_form.is_valid():
        return bad_request(request, "That chat position is not valid: reload the room.")
    data = cursor_form.cleaned_data
    after = data["after"] or 0
    cursor = chat.Cursor(
        after=after,
        first=after + 1 if data["first"] is None else data["first"],
        since=data["since"] or int(timezone.now().timestamp() * 1000),
    )
    if request.method == "POST":
        return _post(request, creator, seat, cursor)
    return render(
        request,
        f"{ROOM}#updates",
        {
            "creator": creator,
            "batch": chat.messages_after(creator, cursor),
            "moderator": seat.is_owner,
            "messages_url": _messages_url(creator),
        },
    )


def _post(
    request: HttpRequest, creator: CreatorProfile, seat: chat.Seat, cursor: chat.Cursor
) -> HttpResponse:
    form = MessageForm(request.POST)
    refusal: chat.ChatError | None = None
    if form.is_valid():
        try:
            chat.post_message(creator=creator, author=request.user, body=form.cleaned_data["body"])
        except chat.ChatError as error:
            if error.code == "forbidden":
                return _forbidden(request, creator, chat.seat_for(request.user, creator))
            refusal = error
            if error.code != "muted":  # the form region says so itself
                form.add_error("body" if error.field else None, error.message)
        else:
            if not request.htmx:
                return redirect(f"{_room_url(creator)}#chat-form")
            context = {
                **_compose_context(request, creator, seat, MessageForm()),
                "batch": chat.messages_after(creator, cursor),
                "moderator": seat.is_owner,
                "poll_oob": True,
                "refocus": True,
            }
            return render(request, f"{ROOM}#sent", context)
    code = refusal.code if refusal else "invalid"
    if request.htmx:
        response = render(
            request,
            f"{ROOM}#compose",
            _compose_context(request, creator, seat, form),
            status=HTMX_STATUS.get(code, 422),
        )
    else:
        response = _room_page(request, creator, seat, form, status=PLAIN_STATUS.get(code, 400))
    if refusal is not None and refusal.retry_after:
        response["Retry-After"] = str(refusal.retry_after)
    return response


# Moderation: the creator's own room only, fetched through them (another's message is a 404).


def _own_message(creator: CreatorProfile, message_id: int) -> ChatMessage:
    return get_object_or_404(creator.chat_messages.select_related("author__creator"), pk=message_id)


@creator_required
@require_POST
def delete_message(request: HttpRequest, message_id: int) -> HttpResponse:
    """Remove a message from the creator's room for everyone (it stays for the record)."""
    creator = request.user.creator
    message = chat.delete_message(creator=creator, message=_own_message(creator, message_id))
    if request.htmx:
        line = chat.present(creator, [message])[0]
        return render(request, f"{ROOM}#message", {"line": line, "moderator": True})
    messages.success(request, "Message removed.")
    return redirect(_room_url(creator))


@creator_required
@require_POST
def mute(request: HttpRequest, message_id: int) -> HttpResponse:
    """Mute the author of a message in the creator's room for 1 hour, 24 hours or for good."""
    creator = request.user.creator
    message = _own_message(creator, message_id)
    form = MuteForm(request.POST)
    if not form.is_valid():
        return bad_request(request, "Choose how long to mute them for: 1 hour, 24 hours or ever.")
    line = chat.present(creator, [message])[0]
    try:
        muted = chat.mute_fan(
            creator=creator,
            fan=message.author,
            until=chat.mute_until(form.cleaned_data["duration"]),
        )
    except chat.ChatError as error:
        if request.htmx:
            context = {"line": line, "moderator": True, "note": error.message}
            return render(request, f"{ROOM}#message", context, status=409)
        messages.error(request, error.message)
        return redirect(_room_url(creator))
    if muted.until is None:
        note = f"{line.author_name} is muted until you unmute them."
    else:
        note = f"{line.author_name} is muted until {chat.when_text(muted.until)}."
    if request.htmx:
        return render(request, f"{ROOM}#message", {"line": line, "moderator": True, "note": note})
    messages.success(request, f"{note} Unmute them from your chat studio.")
    return redirect(_room_url(creator))


@creator_required
@require_POST
def unmute(request: HttpRequest, mute_id: int) -> HttpResponse:
    """Let a muted fan post in the creator's room again."""
    creator = request.user.creator
    muted = get_object_or_404(creator.mutes.select_related("fan__creator"), pk=mute_id)
    chat.unmute_fan(creator=creator, fan=muted.fan)
    messages.success(request, f"{muted.fan.display_name} can post again.")
    return redirect("subscriptions:chat_studio")


# The creator's studio.


@creator_required
@require_GET
def studio(request: HttpRequest) -> HttpResponse:
    """The creator's chat: a link to their room, the fans they muted, their emojis."""
    creator = request.user.creator
    emojis = list(creator.emojis.all())
    return render(
        request,
        "subscriptions/chat/studio.html",
        {
            "creator": creator,
            "mutes": chat.muted_fans(creator),
            "emojis": emojis,
            "max_emojis": chat.MAX_EMOJIS,
        },
    )


@creator_required
@require_http_methods(["GET", "POST"])
def emojis(request: HttpRequest) -> HttpResponse:
    """The creator's custom emojis: the list, and a form to upload one."""
    creator = request.user.creator
    form = EmojiForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                emoji = chat.add_emoji(
                    creator=creator,
                    code=form.cleaned_data["code"],
                    image=form.cleaned_data["image"],
                )
            except chat.ChatError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(request, f"Added {emoji}: fans can use it in your room now.")
                return redirect("subscriptions:emojis")
        status = 400
    listed = list(creator.emojis.all())
    return render(
        request,
        "subscriptions/chat/emojis.html",
        {
            "creator": creator,
            "emojis": listed,
            "form": form,
            "max_emojis": chat.MAX_EMOJIS,
            "full": len(listed) >= chat.MAX_EMOJIS,
        },
        status=status,
    )


@creator_required
@require_POST
def delete_emoji(request: HttpRequest, emoji_id: int) -> HttpResponse:
    creator = request.user.creator
    emoji = get_object_or_404(creator.emojis, pk=emoji_id)
    chat.delete_emoji(creator=creator, emoji=emoji)
    messages.success(request, f"Deleted {emoji}: it shows as text in messages from now on.")
    return redirect("subscriptions:emojis")
