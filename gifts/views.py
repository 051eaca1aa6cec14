"""Fan support pages: the fan's coins, a creator's support page (gifts and tips), and the
creator's own Tips & gifts page with the opt-in and moderation."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import selectors as accounts_selectors
from accounts.access import creator_required, fan_required
from accounts.models import CreatorProfile, Role, User
from activity.models import LiveSession, Video
from core.http import wants_fragment
from core.money import format_minor
from payments import selectors as payments_selectors
from payments import services as payments_services
from payments.gateway import CardDetails
from payments.models import SavedCard

from . import selectors, services, support
from .forms import BuyCoinsForm, GiftForm, TipForm
from .models import CoinPack, Gift, GiftSent, Tip
from .services import GiftsError, NotEnoughCoins

T = TypeVar("T")

# Preset tips offered as buttons, in major units of the tip currency.
TIP_PRESETS = (2, 5, 10, 20)


def _creator_or_404(handle: str) -> CreatorProfile:
    return get_object_or_404(accounts_selectors.public_creators().with_handle(handle))


def _takes_numbers() -> bool:
    return settings.PAYMENTS_GATEWAY == "sandbox"


def _pay(
    form: BuyCoinsForm | TipForm,
    *,
    with_saved: Callable[[SavedCard], T],
    with_new: Callable[[CardDetails], T],
    declined: str,
) -> tuple[T | None, str, int]:
    """Pay with the card the fan chose on `form`: (what was paid for, "", 200), or (None, the
    refusal in words, its status: 402 for a declined card, 400 otherwise)."""
    try:
        card = form.saved_card
        return (with_saved(card) if card else with_new(form.new_card())), "", 200
    except (GiftsError, payments_services.PaymentError) as error:
        words = getattr(error, "message", str(error))
        if payments_services.is_declined(error):
            return None, words + declined, 402
        return None, words, 400


# --- the fan's coins --------------------------------------------------------------------------


@fan_required
@require_GET
def coins(request: HttpRequest) -> HttpResponse:
    """The fan's coin balance, the packs on offer, and every purchase, gift and tip."""
    fan = request.user
    return render(
        request,
        "gifts/coins.html",
        {
            "balance": selectors.coin_balance(fan),
            "packs": list(selectors.coin_packs()),
            "purchases": list(selectors.purchases_of(fan)),
            "gifts_sent": list(selectors.gifts_sent_by(fan)),
            "tips": list(selectors.tips_by(fan)),
            "entries": list(selectors.coin_entries(fan)[:30]),
            "shown": selectors.shows_in_top_supporters(fan),
        },
    )


@fan_required
@sensitive_post_parameters("number", "cvc")
@require_http_methods(["GET", "POST"])
def buy_coins(request: HttpRequest, pack_id: int) -> HttpResponse:
    """Pay for a coin pack with a saved card or a new one."""
    pack = get_object_or_404(CoinPack.objects.filter(is_active=True), pk=pack_id)
    cards = list(payments_selectors.cards_of(request.user))
    form = BuyCoinsForm(request.POST if request.method == "POST" else None, cards=cards)
    status, payment_error = 200, ""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            order = {
                "fan": request.user,
                "pack": pack,
                "request_key": form.cleaned_data["request_key"],
            }
            purchase, payment_error, status = _pay(
                form,
                with_saved=lambda card: services.buy_coin_pack(**order, card=card),
                with_new=lambda card: services.buy_coin_pack_with_new_card(**order, card=card),
                declined=" Nothing was charged and no coins were added: try another card.",
            )
            if purchase is None:
                form = BuyCoinsForm(
                    cards=list(payments_selectors.cards_of(request.user)),
                    initial={"card": form.cleaned_data["card"]},
                )
            else:
                messages.success(
                    request,
                    f"{purchase.coins:,} coins added for {purchase.price_display}. "
                    "Send a gift from any creator's support page.",
                )
                return redirect("gifts:coins")
    return render(
        request,
        "gifts/buy.html",
        {
            "pack": pack,
            "form": form,
            "payment_error": payment_error,
            "balance": selectors.coin_balance(request.user),
            "takes_numbers": _takes_numbers(),
        },
        status=status,
    )


@fan_required
@require_POST
def consent(request: HttpRequest) -> HttpResponse:
    """Whether the fan may be named among creators' top supporters."""
    show = request.POST.get("show") == "1"
    support.set_consent(fan=request.user, show=show)
    messages.success(
        request,
        "Creators may now show you among their top supporters."
        if show
        else "You are no longer shown among anyone's top supporters.",
    )
    return redirect(reverse("gifts:coins") + "#privacy")


# --- a creator's support page -----------------------------------------------------------------


@dataclass(frozen=True)
class _Giving:
    """What a fan can send on this creator's support page now: the gifts with their worth,
    the live session on air and the latest videos (read once per request)."""

    live: LiveSession | None
    videos: list[Video]
    gifts: list[tuple[Gift, support.GiftPreview | None]]

    @classmethod
    def of(cls, creator: CreatorProfile) -> "_Giving":
        catalog = selectors.offered_gifts()
        worth = support.preview_gifts(catalog)
        return cls(
            live=selectors.live_now(creator),
            videos=list(selectors.giftable_videos(creator)),
            gifts=[(gift, worth.get(gift.pk)) for gift in catalog],
        )

    @property
    def targets(self) -> dict[str, dict]:
        """Each choice's form value -> the service's keyword for it."""
        found: dict[str, dict] = {}
        if self.live is not None:
            found[f"live:{self.live.pk}"] = {"live": self.live}
        for video in self.videos:
            found[f"video:{video.pk}"] = {"video": video}
        return found

    def form(self, data: object = None, initial: dict | None = None) -> GiftForm:
        labels = {"live": "The live session on air now"}
        choices = [
            (key, labels["live"] if "live" in target else target["video"].title)
            for key, target in self.targets.items()
        ]
        return GiftForm(
            data, gifts=[gift for gift, _ in self.gifts], targets=choices, initial=initial
        )


def _support_context(request: HttpRequest, creator: CreatorProfile, giving: _Giving) -> dict:
    tip_rules = selectors.rules()
    return {
        "creator": creator,
        "state": selectors.eligibility(creator),
        "blocked": selectors.is_blocked(creator, request.user),
        "live": giving.live,
        "videos": giving.videos,
        "gifts": giving.gifts,
        "balance": selectors.coin_balance(request.user),
        "supporters": selectors.top_supporters(creator),
        "wall": selectors.public_support(creator),
        "tip_presets": [
            (amount, support.split_tip(amount * 100))
            for amount in TIP_PRESETS
            if tip_rules.tip_min_minor <= amount * 100 <= tip_rules.tip_max_minor
        ],
    }


@fan_required
@require_GET
def support_page(request: HttpRequest, handle: str) -> HttpResponse:
    """Send a gift on one of the creator's videos or their live session, or tip them."""
    creator = _creator_or_404(handle)
    giving = _Giving.of(creator)
    context = _support_context(request, creator, giving)
    on = request.GET.get("on", "")
    context["form"] = giving.form(initial={"target": on} if on in giving.targets else None)
    return render(request, "gifts/support.html", context)


@fan_required
@require_POST
@vary_on_headers("HX-Request")
def send_gift(request: HttpRequest, handle: str) -> HttpResponse:
    """Send a gift: the fan's coins go, the creator's Diamonds come. With htmx, a small answer:
    what happened, the new balance, the next request key, and the gift on the wall of
    support; without, the page. Only the named target is read (not every choice the page
    offered) and the catalog comes from the cache: a live session's fans send many at once."""
    creator = _creator_or_404(handle)
    target = selectors.gift_target(creator, request.POST.get("target", ""))
    form = GiftForm(
        request.POST,
        gifts=selectors.offered_gifts(),
        targets=[(request.POST["target"], "")] if target else [],
    )
    sent = None
    error = ""
    needs_coins = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            sent = support.send_gift(
                fan=request.user,
                creator=creator,
                gift=form.gifts[data["gift"]],
                request_key=data["request_key"],
                message=data["message"],
                anonymous=data["anonymous"],
                **target,
            )
        except GiftsError as refused:
            error = str(refused)
            needs_coins = isinstance(refused, NotEnoughCoins)
    else:
        error = " ".join(message for errors in form.errors.values() for message in errors)
    if not wants_fragment(request):
        if sent:
            messages.success(request, _sent_words(sent, creator))
            return redirect("gifts:support", handle=creator.handle)
        giving = _Giving.of(creator)
        context = _support_context(request, creator, giving)
        context.update(form=giving.form(request.POST), gift_error=error, needs_coins=needs_coins)
        return render(request, "gifts/support.html", context, status=402 if needs_coins else 400)
    return render(
        request,
        "gifts/_gift_answer.html",
        {
            "creator": creator,
            # The next submission's request key (and, after a gift, an empty message).
            "form": GiftForm(gifts=[], targets=[]),
            "balance": selectors.coin_balance(request.user),
            "gift_error": error,
            "needs_coins": needs_coins,
            "sent_words": _sent_words(sent, creator) if sent else "",
            "item": selectors.on_the_wall(sent, fan_name=request.user.display_name)
            if sent and not sent.hidden_at
            else None,
        },
        # htmx swaps a 409 in (base.html's htmx-config): the box says what was refused.
        status=200 if sent else 409,
    )


def _sent_words(sent: GiftSent, creator: CreatorProfile) -> str:
    return (
        f"You sent {sent.gift.name} ({sent.coins:,} coins): {sent.diamonds:,} Diamonds, "
        f"about {sent.value_display} to {creator.display_name}."
    )


@fan_required
@sensitive_post_parameters("number", "cvc")
@require_http_methods(["GET", "POST"])
def tip(request: HttpRequest, handle: str) -> HttpResponse:
    """Tip the creator in money, seeing what reaches them before paying."""
    creator = _creator_or_404(handle)
    rules = selectors.rules()
    cards = list(payments_selectors.cards_of(request.user))
    initial = {}
    if (preset := request.GET.get("amount", "")).isdigit():
        initial["amount"] = preset
    form = TipForm(
        request.POST if request.method == "POST" else None,
        cards=cards,
        currency=rules.tip_currency,
        initial=initial,
    )
    status, payment_error = 200, ""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            order = {
                "fan": request.user,
                "creator": creator,
                "amount": data["amount"],
                "request_key": data["request_key"],
                "message": data["message"],
                "anonymous": data["anonymous"],
            }
            paid, payment_error, status = _pay(
                form,
                with_saved=lambda card: support.tip(**order, card=card),
                with_new=lambda card: support.tip_with_new_card(**order, card=card),
                declined=" Nothing was charged: try another card.",
            )
            if paid is None:
                form = TipForm(
                    cards=list(payments_selectors.cards_of(request.user)),
                    currency=rules.tip_currency,
                    initial={
                        "card": data["card"],
                        "amount": data["amount"] / 100,
                        "message": data["message"],
                        "anonymous": data["anonymous"],
                    },
                )
            else:
                messages.success(
                    request,
                    f"Thank you! Your {paid.amount_display} tip is paid: "
                    f"{paid.share_display} reaches {creator.display_name}.",
                )
                return redirect("gifts:support", handle=creator.handle)
    return render(
        request,
        "gifts/tip.html",
        {
            "creator": creator,
            "state": selectors.eligibility(creator),
            "blocked": selectors.is_blocked(creator, request.user),
            "form": form,
            "split": _split_or_none(form),
            "payment_error": payment_error,
            "rules": rules,
            "bounds": (
                format_minor(rules.tip_min_minor, rules.tip_currency),
                format_minor(rules.tip_max_minor, rules.tip_currency),
            ),
            "takes_numbers": _takes_numbers(),
            "split_pct": settings.TIP_CREATOR_SHARE_PCT,
            "fee_pct": 100 - settings.TIP_CREATOR_SHARE_PCT,
            "pending_days": settings.SUPPORT_PENDING_DAYS,
        },
        status=status,
    )


def _split_or_none(form: TipForm) -> support.TipSplit | None:
    raw = form.data.get("amount") if form.is_bound else form.initial.get("amount")
    return _split_of(str(raw or ""), form.currency)


def _split_of(raw: str, currency: str) -> support.TipSplit | None:
    probe = TipForm({"amount": raw, "card": "new"}, cards=[], currency=currency)
    probe.is_valid()
    amount = probe.cleaned_data.get("amount")
    if not isinstance(amount, int):
        return None
    try:
        return support.split_tip(amount)
    except GiftsError:
        return None


@fan_required
@require_GET
def tip_preview(request: HttpRequest, handle: str) -> HttpResponse:
    """What of a tip reaches the creator, for the amount typed so far (an htmx fragment)."""
    creator = _creator_or_404(handle)
    rules = selectors.rules()
    raw = request.GET.get("amount", "")[:20]
    split = _split_of(raw, rules.tip_currency)
    return render(
        request,
        "gifts/_tip_split.html",
        {
            "creator": creator,
            "split": split,
            "asked": raw.strip(),
            "bounds": (
                format_minor(rules.tip_min_minor, rules.tip_currency),
                format_minor(rules.tip_max_minor, rules.tip_currency),
            ),
        },
    )


# --- the creator's Tips & gifts ---------------------------------------------------------------


@creator_required
@require_GET
def studio(request: HttpRequest) -> HttpResponse:
    """The creator's tips and gifts: the opt-in and what it needs, Diamonds by video and by
    live session, the money (pending, then available), top supporters, and every message
    with hide and block."""
    creator = request.user.creator
    blocks = list(selectors.blocked_fans(creator))
    return render(
        request,
        "gifts/studio.html",
        {
            "creator": creator,
            "state": selectors.eligibility(creator),
            "rules": selectors.rules(),
            "totals": selectors.support_totals(creator),
            "money": payments_selectors.money_from(creator, document_prefix="gifts."),
            "on_the_way": selectors.on_the_way(creator),
            "by_video": selectors.diamonds_by_video(creator),
            "by_live": selectors.diamonds_by_live(creator),
            "supporters": selectors.top_supporters(creator),
            "items": selectors.recent_support(creator),
            "blocks": blocks,
            "blocked_ids": {block.fan_id for block in blocks},
            "pending_days": settings.SUPPORT_PENDING_DAYS,
        },
    )


@creator_required
@require_POST
def accept(request: HttpRequest) -> HttpResponse:
    """Turn tips and gifts on or off."""
    creator = request.user.creator
    accepts = request.POST.get("accepts") == "1"
    try:
        support.set_accepting(creator=creator, accepts=accepts)
    except GiftsError as refused:
        messages.error(request, str(refused))
        return redirect("gifts:studio")
    messages.success(
        request,
        "Fans can now send you tips and gifts."
        if accepts
        else "Tips and gifts are off. Everything you received stays yours.",
    )
    return redirect("gifts:studio")


@creator_required
@require_POST
@vary_on_headers("HX-Request")
def hide(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Hide a gift's or tip's message from other fans, or show it again."""
    creator = request.user.creator
    try:
        support.set_hidden(
            creator=creator, kind=kind, pk=pk, hidden=request.POST.get("hidden") != "0"
        )
    except GiftsError:
        raise Http404("No such gift or tip of yours.") from None
    if wants_fragment(request):
        item = next(
            (
                each
                for each in selectors.recent_support(creator, limit=200)
                if (each.kind, each.pk) == (kind, pk)
            ),
            None,
        )
        if item is not None:
            return render(
                request,
                "gifts/_message_row.html",
                {"item": item, "blocked_ids": _blocked_ids(creator)},
            )
    return redirect(reverse("gifts:studio") + "#messages")


def _blocked_ids(creator: CreatorProfile) -> set[int]:
    return {block.fan_id for block in selectors.blocked_fans(creator)}


def _supporter_or_404(creator: CreatorProfile, fan_id: int) -> User:
    """A fan who sent this creator a gift or a tip: the only fans a creator can block."""
    sent = (
        GiftSent.objects.filter(creator=creator, fan_id=fan_id).exists()
        or Tip.objects.filter(creator=creator, fan_id=fan_id).exists()
    )
    if not sent:
        raise Http404("No fan of that number sent you anything.")
    return get_object_or_404(User, pk=fan_id, role=Role.FAN)


@creator_required
@require_POST
def block(request: HttpRequest, fan_id: int) -> HttpResponse:
    creator = request.user.creator
    fan = _supporter_or_404(creator, fan_id)
    support.block_fan(creator=creator, fan=fan)
    messages.success(request, f"{fan.display_name} can no longer send you tips or gifts.")
    return redirect(reverse("gifts:studio") + "#messages")


@creator_required
@require_POST
def unblock(request: HttpRequest, fan_id: int) -> HttpResponse:
    creator = request.user.creator
    fan = _supporter_or_404(creator, fan_id)
    support.unblock_fan(creator=creator, fan=fan)
    messages.success(request, f"{fan.display_name} can send you tips and gifts again.")
    return redirect(reverse("gifts:studio") + "#blocked")
