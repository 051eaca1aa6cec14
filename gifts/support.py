"""Write use-cases for fan support: a creator's opt-in, gifts, tips, and the creator's hide
and block. Coins move only through gifts.services; money only through payments.

A gift, in one transaction: the fan's coins are taken (their account locked) and the gift is
recorded with the Diamonds and money of its day's rate. The creator sees the Diamonds at
once. The money reaches the creator's earnings ledger in batches (`post_gifts`, run by
Celery beat every few seconds, and after each gift's commit where tasks run in-process):
every gift to one creator credits the same earnings account row, so posting each gift in its
own request would queue a popular creator's fans behind one lock. The money is pending for
SUPPORT_PENDING_DAYS from the gift's day either way, with the platform's share as a fee line;
the gift's request key is its ledger entry's, so each gift is posted once however often, and
however concurrently, the poster runs. A repeated request key returns the first gift and
moves nothing.

A tip is charged as a coin pack is bought: the Tip is recorded (and committed) before the
card is charged under the tip's own key, and credited to the creator in the transaction that
marks it paid.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags

from accounts.models import CreatorProfile, Role, User
from activity.models import LiveSession, Video
from core.clock import rewards_day_of
from core.db import update_rows
from core.money import format_minor
from payments import ledger
from payments import services as payments_services
from payments.gateway import CardDetails
from payments.models import PaymentAttempt, SavedCard, Source

from . import selectors
from .models import (
    CoinReason,
    CreatorSupport,
    Gift,
    GiftSent,
    SupportBlock,
    SupporterConsent,
    Tip,
    TipState,
)
from .services import GiftsError, charge_once, settle_pending, spend_in_transaction

MESSAGE_MAX = 150


def clean_message(text: str) -> str:
    """A supporter's message as the portal keeps it: plain text (markup and control
    characters out, spaces collapsed), at most MESSAGE_MAX characters."""
    text = strip_tags(text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > MESSAGE_MAX:
        raise GiftsError(
            f"A message can be {MESSAGE_MAX} characters at most; this one has {len(text)}."
        )
    return text


# --- the creator's choices --------------------------------------------------------------------


def set_accepting(*, creator: CreatorProfile, accepts: bool) -> CreatorSupport:
    """Turn tips and gifts on or off for the creator. Turning on needs eligibility; turning
    off is always allowed and keeps everything already earned."""
    if accepts:
        state = selectors.eligibility(creator)
        if not state.eligible:
            missing = ", ".join(condition.label.lower() for condition in state.missing)
            raise GiftsError(f"Tips and gifts need: {missing}.")
    support, _ = CreatorSupport.objects.update_or_create(
        creator=creator, defaults={"accepts": accepts, "changed_at": timezone.now()}
    )
    return support


def block_fan(*, creator: CreatorProfile, fan: User) -> SupportBlock:
    """Stop `fan` from sending the creator tips and gifts (what they sent stays)."""
    if fan.role != Role.FAN:
        raise GiftsError("Only fans send tips and gifts.")
    block, _ = SupportBlock.objects.get_or_create(creator=creator, fan=fan)
    return block


def unblock_fan(*, creator: CreatorProfile, fan: User) -> None:
    SupportBlock.objects.filter(creator=creator, fan=fan).delete()


def set_hidden(*, creator: CreatorProfile, kind: str, pk: int, hidden: bool) -> GiftSent | Tip:
    """Hide (or show again) a gift's or tip's message from other fans. Only the creator it
    was sent to can; anything else is "not found"."""
    model = {"gift": GiftSent, "tip": Tip}.get(kind)
    item = model.objects.filter(creator=creator, pk=pk).first() if model else None
    if item is None:
        raise GiftsError("There is no such gift or tip of yours.")
    item.hidden_at = timezone.now() if hidden else None
    item.save(update_fields=["hidden_at"])
    return item


def set_consent(*, fan: User, show: bool) -> SupporterConsent:
    consent, _ = SupporterConsent.objects.update_or_create(
        fan=fan, defaults={"show_in_top_supporters": show, "changed_at": timezone.now()}
    )
    return consent


def _check_recipient(fan: User, creator: CreatorProfile) -> None:
    if fan.role != Role.FAN:
        raise GiftsError("Only fan accounts send tips and gifts.")
    state, blocked = selectors.eligibility_for(creator, fan)
    if not state.eligible:
        raise GiftsError(f"@{creator.handle} cannot receive tips or gifts.")
    if not state.accepts:
        raise GiftsError(f"@{creator.handle} does not take tips or gifts.")
    if blocked:
        raise GiftsError(f"@{creator.handle} does not take tips or gifts from you.")


# --- gifts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GiftPreview:
    """What a gift is worth to the creator, before the fan sends it."""

    coins: int
    diamonds: int
    value: int
    currency: str

    @property
    def value_display(self) -> str:
        return format_minor(self.value, self.currency)


def preview_gifts(gifts: list[Gift], *, now: datetime | None = None) -> dict[int, GiftPreview]:
    """What each gift is worth to the creator at today's rate, by gift id (one query); empty
    when no rate is set yet."""
    rate = selectors.rate_on(rewards_day_of(now or timezone.now()))
    if rate is None:
        return {}
    previews = {}
    for gift in gifts:
        diamonds = rate.diamonds_for(gift.coins)
        previews[gift.pk] = GiftPreview(
            gift.coins, diamonds, rate.value_of(diamonds), rate.currency
        )
    return previews


def send_gift(
    *,
    fan: User,
    creator: CreatorProfile,
    gift: Gift,
    request_key: str,
    video: Video | None = None,
    live: LiveSession | None = None,
    message: str = "",
    anonymous: bool = False,
    now: datetime | None = None,
) -> GiftSent:
    """Send `gift` from `fan` to `creator` on one of the creator's videos or during their live
    session on air. A repeated request key returns the first gift and takes nothing more."""
    if not request_key or len(request_key) > 64:
        raise GiftsError("The form was incomplete; reload the page and try again.")
    key = f"gift:{fan.pk}:{request_key}"
    if (sent := GiftSent.objects.filter(request_key=key).first()) is not None:
        return _same_gift(sent, creator=creator, gift=gift)
    now = now or timezone.now()
    message = clean_message(message)
    _check_recipient(fan, creator)
    if not gift.is_active:
        raise GiftsError("That gift is not offered any more.")
    if (video is None) == (live is None):
        raise GiftsError("Choose a video or the live session to send the gift on.")
    if video is not None and video.creator_id != creator.pk:
        raise GiftsError("That video is not one of this creator's.")
    if live is not None:
        if live.creator_id != creator.pk:
            raise GiftsError("That live session is not one of this creator's.")
        if not selectors.is_on_air(live, now=now):
            raise GiftsError("That live session has ended: send the gift on a video instead.")
    rate = selectors.rate_on(rewards_day_of(now))
    if rate is None:
        raise GiftsError("Gifts are not open yet: no Diamond rate is set.")
    diamonds = rate.diamonds_for(gift.coins)
    value = rate.value_of(diamonds)
    list_value = max(rate.list_value_of(gift.coins), value)
    try:
        with transaction.atomic():
            entry = spend_in_transaction(
                fan=fan,
                amount=gift.coins,
                reason=CoinReason.GIFT_SENT,
                idempotency_key=key,
                document=f"accounts.creatorprofile:{creator.pk}",
                memo=f"{gift.name} to @{creator.handle}",
                now=now,
            )
            sent = GiftSent.objects.create(
                fan=fan,
                creator=creator,
                gift=gift,
                video=video,
                live=live,
                coins=gift.coins,
                diamonds=diamonds,
                rate=rate,
                currency=rate.currency,
                list_value_minor=list_value,
                creator_value_minor=value,
                message=message,
                anonymous=anonymous,
                request_key=key,
                coin_entry=entry,
                created_at=now,
            )
    except IntegrityError:
        # The same click twice, in two requests: the other one sent it first.
        sent = GiftSent.objects.get(request_key=key)
        return _same_gift(sent, creator=creator, gift=gift)
    if list_value and settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker, so no beat (`make run` on a laptop): post once this gift has committed,
        # in this process, so the money still reaches the ledger. With a broker, beat's run
        # every few seconds posts it with the others.
        from .tasks import post_gifts as post_task  # the tasks module imports this one

        transaction.on_commit(partial(post_task.delay, creator_id=creator.pk))
    return sent


def _same_gift(sent: GiftSent, *, creator: CreatorProfile, gift: Gift) -> GiftSent:
    if (sent.creator_id, sent.gift_id) != (creator.pk, gift.pk):
        raise GiftsError("That request was already used for another gift.")
    return sent


# How many gifts one transaction posts at most: a backlog (the beat stopped for a while) goes
# in a few short transactions rather than one long lock of the creator's account.
POST_BATCH = 1_000


def post_gifts(*, creator_id: int | None = None) -> int:
    """Credit the creator's earnings ledger with every gift not posted yet (of `creator_id`,
    or of every creator): one transaction per creator and batch, each gift's money less the
    platform's share, pending from the gift's day, and dated when the gift was sent. Safe to
    run twice or at once: gifts are claimed under row locks (a poster skips those another
    holds) and each ledger entry's key is its gift's, unique. Returns how many gifts it
    posted."""
    if creator_id is not None:
        creators = [creator_id]
    else:
        creators = list(selectors.unposted_gifts().values_list("creator_id", flat=True).distinct())
    posted = 0
    for each in creators:
        while (done := _post_batch(each)) == POST_BATCH:
            posted += done
        posted += done
    return posted


@transaction.atomic
def _post_batch(creator_id: int) -> int:
    # Gift rows first, then the creator's account (in credit_many): the order a refund takes
    # them too (gifts.services._take_back), so the two never wait on each other in a circle.
    # A gift a refund holds is skipped: if the refund keeps it from the ledger, it stays so.
    gifts = list(
        selectors.unposted_gifts()
        .filter(creator_id=creator_id)
        .select_related("gift", "video")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")[:POST_BATCH]
    )
    if not gifts:
        return 0
    days = settings.SUPPORT_PENDING_DAYS
    credits = [
        ledger.Credit(
            creator_id=creator_id,
            amount=sent.list_value_minor,
            fee=sent.list_value_minor - sent.creator_value_minor,
            currency=sent.currency,
            source=Source.GIFT,
            idempotency_key=sent.request_key,
            document=f"gifts.giftsent:{sent.pk}",
            memo=f"{sent.gift.name} ({sent.diamonds:,} Diamonds) on "
            + (f"“{sent.video.title}”" if sent.video else "a live session"),
            fee_memo=f"Platform's share of a {sent.gift.name} ({sent.coins:,} coins)",
            pending_until=rewards_day_of(sent.created_at) + timedelta(days=days),
            at=sent.created_at,
        )
        for sent in gifts
    ]
    entries = ledger.credit_many(credits)
    for sent in gifts:
        sent.earnings_entry = entries[sent.request_key]
    update_rows(GiftSent, gifts, ["earnings_entry"])
    return len(gifts)


# --- tips -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TipSplit:
    amount: int
    share: int
    fee: int
    share_pct: int
    currency: str

    def money(self, amount: int) -> str:
        return format_minor(amount, self.currency)

    @property
    def amount_display(self) -> str:
        return self.money(self.amount)

    @property
    def share_display(self) -> str:
        return self.money(self.share)

    @property
    def fee_display(self) -> str:
        return self.money(self.fee)


def split_tip(amount: int) -> TipSplit:
    """How a tip of `amount` minor units divides between the creator and the platform."""
    current = selectors.rules()
    if not current.tip_min_minor <= amount <= current.tip_max_minor:
        low = format_minor(current.tip_min_minor, current.tip_currency)
        high = format_minor(current.tip_max_minor, current.tip_currency)
        raise GiftsError(f"A tip is between {low} and {high}.")
    pct = settings.TIP_CREATOR_SHARE_PCT
    share = amount * pct // 100
    return TipSplit(amount, share, amount - share, pct, current.tip_currency)


def tip(
    *,
    fan: User,
    creator: CreatorProfile,
    amount: int,
    card: SavedCard,
    request_key: str,
    message: str = "",
    anonymous: bool = False,
) -> Tip:
    """Charge the fan's card for a tip and credit the creator's share. A repeated request key
    returns the same tip and charges once. Not inside a transaction: the tip's record commits
    before the card is charged. Raises GiftsError when the rules or the card refuse, or when
    the outcome of the charge is not known yet (the tip stays pending)."""
    if not request_key or len(request_key) > 64:
        raise GiftsError("The form was incomplete; reload the page and try again.")
    key = f"tip:{fan.pk}:{request_key}"
    existing = Tip.objects.filter(request_key=key)
    if (found := existing.first()) is not None:
        return _collect_tip(found, creator=creator, amount=amount)
    message = clean_message(message)
    _check_recipient(fan, creator)
    split = split_tip(amount)
    if card.customer.user_id != fan.pk:
        raise GiftsError("Choose one of your own cards.")
    now = timezone.now()
    try:
        with transaction.atomic(durable=True):
            found = Tip.objects.create(
                fan=fan,
                creator=creator,
                amount_minor=split.amount,
                currency=split.currency,
                share_pct=split.share_pct,
                creator_share_minor=split.share,
                fee_minor=split.fee,
                message=message,
                anonymous=anonymous,
                card=card,
                request_key=key,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        found = existing.get()
    return _collect_tip(found, creator=creator, amount=amount)


def tip_with_new_card(*, fan: User, card: CardDetails, **order: object) -> Tip:
    """Tip (as `tip`) with the card the fan has just typed, saved first; a card the gateway
    declines here is forgotten at once."""
    return payments_services.pay_with_new_card(
        user=fan, card=card, pay=lambda saved: tip(fan=fan, card=saved, **order)
    )


def _collect_tip(found: Tip, *, creator: CreatorProfile, amount: int) -> Tip:
    if (found.creator_id, found.amount_minor) != (creator.pk, amount):
        raise GiftsError("That request was already used for another tip.")
    if found.state == TipState.PAID:
        return found
    if found.state == TipState.FAILED:
        raise GiftsError(found.failure)
    attempt = charge_once(
        found,
        amount=found.amount_minor,
        key=f"tip:{found.pk}",
        description=f"Tip to @{creator.handle}",
        noun="tip",
    )
    return _tip_paid(found, attempt)


@transaction.atomic
def _tip_paid(found: Tip, attempt: PaymentAttempt) -> Tip:
    found = Tip.objects.select_for_update().select_related("creator").get(pk=found.pk)
    if found.state == TipState.PAID:
        return found
    now = timezone.now()
    entry, _ = ledger.credit_less_fee(
        creator=found.creator,
        gross=found.amount_minor,
        fee=found.fee_minor,
        currency=found.currency,
        source=Source.TIP,
        idempotency_key=f"tip:{found.pk}",
        document=f"gifts.tip:{found.pk}",
        memo="Tip" + (f": “{found.message}”" if found.message and not found.hidden_at else ""),
        fee_memo=f"Platform fee ({100 - found.share_pct} %) on a tip",
        pending_until=rewards_day_of(now) + timedelta(days=settings.SUPPORT_PENDING_DAYS),
        now=now,
    )
    found.state = TipState.PAID
    found.attempt = attempt
    found.earnings_entry = entry
    found.failure = ""
    found.updated_at = now
    found.save(update_fields=["state", "attempt", "earnings_entry", "failure", "updated_at"])
    return found


def finish_pending_tips(*, older_than: timedelta = timedelta(minutes=15)) -> int:
    """Settle tips left pending longer than `older_than` from what the gateway did."""
    rows = Tip.objects.filter(
        state=TipState.PENDING, created_at__lt=timezone.now() - older_than
    ).select_related("creator")
    return settle_pending(
        rows, lambda found: _collect_tip(found, creator=found.creator, amount=found.amount_minor)
    )
