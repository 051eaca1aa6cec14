"""Reads of fan support: the coin ledger (and what check_ledger says of it), who may receive
support, the catalog and rates, and what creators and fans see of gifts and tips."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import CreatorProfile, User
from activity import selectors as activity_selectors
from activity.models import LiveSession, Video
from core import regions
from core.clock import rewards_today
from core.exports import plain_rows
from core.money import format_minor
from core.plurals import plural
from rewards.ledger_checks import LedgerReport

from .models import (
    YOUNGEST_RECIPIENT,
    CoinAccount,
    CoinEntry,
    CoinPack,
    CoinPurchase,
    CreatorSupport,
    DiamondRate,
    Gift,
    GiftSent,
    SupportBlock,
    SupporterConsent,
    SupportRules,
    Tip,
    TipState,
)


def coin_balance(fan: User) -> int:
    """The fan's coins (0 before their first entry); one query."""
    balance = CoinAccount.objects.filter(pk=fan.pk).values_list("balance", flat=True).first()
    return balance or 0


def coin_entries(fan: User) -> QuerySet[CoinEntry]:
    """The fan's coin movements, newest first."""
    return CoinEntry.objects.filter(account_id=fan.pk).order_by("-created_at", "-id")


# Accounts whose balance is not the sum of their entries, or is below zero.
MISMATCHES_SQL = f"""
    SELECT a.fan_id, a.balance, COALESCE(SUM(e.amount), 0) AS total
    FROM {CoinAccount._meta.db_table} a
    LEFT JOIN {CoinEntry._meta.db_table} e ON e.account_id = a.fan_id
    GROUP BY a.fan_id, a.balance
    HAVING a.balance <> COALESCE(SUM(e.amount), 0) OR a.balance < 0
    ORDER BY a.fan_id
"""


def coin_ledger_report() -> LedgerReport:
    """What check_ledger says about the coin ledger."""
    with connection.cursor() as cursor:
        cursor.execute(MISMATCHES_SQL)
        rows = cursor.fetchall()
        cursor.execute(f"SELECT COUNT(*) FROM {CoinAccount._meta.db_table}")
        accounts = cursor.fetchone()[0]
    return LedgerReport(
        noun="coin account",
        accounts=accounts,
        problems=[
            f"coin account of user {fan_id}: balance {balance:,}, entries sum to {total:,}"
            for fan_id, balance, total in rows
        ],
    )


# --- who may receive support ------------------------------------------------------------------

RULES_CACHE_KEY = "gifts:rules"
RULES_CACHE_SECONDS = 60


def rules() -> SupportRules:
    """The one row of staff-set support rules (made with the defaults on first use), cached
    for a minute (admin forgets it when staff save)."""
    if (row := cache.get(RULES_CACHE_KEY)) is not None:
        return row
    row, _ = SupportRules.objects.get_or_create(pk=1)
    cache.set(RULES_CACHE_KEY, row, RULES_CACHE_SECONDS)
    return row


@dataclass(frozen=True)
class Condition:
    label: str  # "18 or older"
    met: bool
    status: str  # what the creator has: "1,240 followers"


@dataclass(frozen=True)
class Eligibility:
    conditions: list[Condition]
    accepts: bool  # the creator's own choice

    @property
    def eligible(self) -> bool:
        return all(condition.met for condition in self.conditions)

    @property
    def receives(self) -> bool:
        return self.eligible and self.accepts

    @property
    def missing(self) -> list[Condition]:
        return [condition for condition in self.conditions if not condition.met]


def eligibility(creator: CreatorProfile) -> Eligibility:
    """Whether the creator may receive tips and gifts, condition by condition (one query for
    the opt-in, the rules cached). Nobody under 18 ever may, whatever the rules say."""
    accepts = CreatorSupport.objects.filter(pk=creator.pk, accepts=True).exists()
    return _eligibility(creator, accepts=accepts)


def _eligibility(creator: CreatorProfile, *, accepts: bool) -> Eligibility:
    current = rules()
    age = creator.age_on(rewards_today())
    min_age = max(current.min_age, YOUNGEST_RECIPIENT)
    conditions = [
        Condition(f"{min_age} or older", age >= min_age, f"{age} years old"),
        Condition(
            f"{current.min_followers:,} followers",
            creator.followers >= current.min_followers,
            plural(creator.followers, "follower"),
        ),
    ]
    if current.needs_good_standing:
        conditions.insert(
            1,
            Condition("Good standing", creator.is_in_good_standing, creator.get_standing_display()),
        )
    return Eligibility(conditions=conditions, accepts=accepts)


def eligibility_for(creator: CreatorProfile, fan: User) -> tuple[Eligibility, bool]:
    """`eligibility(creator)` and whether the creator blocked `fan`, in one query: what every
    gift checks before it moves a coin."""
    row = (
        CreatorSupport.objects.filter(pk=creator.pk)
        .values_list(
            "accepts", Exists(SupportBlock.objects.filter(creator=OuterRef("pk"), fan=fan))
        )
        .first()
    )
    # No row: the creator never opted in, so nothing else matters.
    accepts, blocked = row or (False, False)
    return _eligibility(creator, accepts=accepts), blocked


def is_blocked(creator: CreatorProfile, fan: User) -> bool:
    return SupportBlock.objects.filter(creator=creator, fan=fan).exists()


def blocked_fans(creator: CreatorProfile) -> QuerySet[SupportBlock]:
    return SupportBlock.objects.filter(creator=creator).select_related("fan")


def shows_in_top_supporters(fan: User) -> bool:
    return SupporterConsent.objects.filter(pk=fan.pk, show_in_top_supporters=True).exists()


# --- gifts, Diamonds and tips -----------------------------------------------------------------


def gift_catalog() -> QuerySet[Gift]:
    return Gift.objects.filter(is_active=True)


CATALOG_VERSION_KEY = "gifts:catalog-version"
CATALOG_CACHE_SECONDS = 300


def offered_gifts() -> list[Gift]:
    """The gifts on offer, in catalog order: every support page and every gift reads them, so
    they are cached under a version admin bumps when staff add, change or remove a gift."""
    key = f"gifts:catalog:{regions.version(CATALOG_VERSION_KEY)}"
    if (found := _versioned_get(key)) is not None:
        return found
    found = list(gift_catalog())
    cache.set(key, found, CATALOG_CACHE_SECONDS)
    return found


RATES_VERSION_KEY = "gifts:rates-version"
RATE_CACHE_SECONDS = 300


# What this process read from the cache under a versioned key (the rate of a day, the
# catalog): such a value never changes under its key, so each process asks the cache only for
# the version, one round trip instead of two on every gift. Cleared when it grows: only a new
# day or a new version adds a key.
_versioned: dict[str, object] = {}
VERSIONED_KEYS_KEPT = 64


def _versioned_get(key: str) -> object | None:
    if (found := _versioned.get(key)) is not None:
        return found
    found = cache.get(key)
    if found is not None:
        if len(_versioned) >= VERSIONED_KEYS_KEPT:
            _versioned.clear()
        _versioned[key] = found
    return found


def rate_on(day: date) -> DiamondRate | None:
    """The Diamond rate in force on `day`: the latest that took effect by then. Cached (every
    gift reads it) under a version admin bumps when staff add or change a rate."""
    key = f"gifts:rate:{day.isoformat()}:{regions.version(RATES_VERSION_KEY)}"
    if (found := _versioned_get(key)) is not None:
        return found or None  # False: no rate by that day
    rate = DiamondRate.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    cache.set(key, rate or False, RATE_CACHE_SECONDS)
    return rate


def live_now(creator: CreatorProfile, *, now: datetime | None = None) -> LiveSession | None:
    """The creator's live session taking gifts now."""
    return activity_selectors.live_on_air(
        creator,
        now=now or timezone.now(),
        grace=timedelta(minutes=settings.GIFTS_LIVE_GRACE_MINUTES),
    )


def gift_target(creator: CreatorProfile, value: str) -> dict | None:
    """What a gift form's target names ("live:<id>" or "video:<id>") as the keyword the
    gift service takes, when it is one of the creator's videos or their live session on
    air; None otherwise (one query, for the one target named, not every choice)."""
    kind, _, pk = value.partition(":")
    if not pk.isdigit() or len(pk) > 18:
        return None
    if kind == "video":
        video = activity_selectors.video_of(creator, int(pk))
        return {"video": video} if video is not None else None
    if kind == "live":
        live = activity_selectors.live_of(creator, int(pk))
        return {"live": live} if live is not None and is_on_air(live) else None
    return None


def is_on_air(live: LiveSession, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    ends = live.started_at + timedelta(minutes=live.minutes + settings.GIFTS_LIVE_GRACE_MINUTES)
    return live.started_at <= now <= ends


RECENT_VIDEOS = 12


def giftable_videos(creator: CreatorProfile) -> QuerySet[Video]:
    """The creator's latest videos a fan may send a gift on."""
    return activity_selectors.latest_videos(creator, limit=RECENT_VIDEOS)


@dataclass(frozen=True)
class SupportTotals:
    diamonds: int
    gifts: int
    tips: int
    gift_money: int
    tip_money: int
    gift_currency: str  # gifts are worth money in the Diamond rate's currency
    tip_currency: str

    @property
    def gift_money_display(self) -> str:
        return format_minor(self.gift_money, self.gift_currency)

    @property
    def tip_money_display(self) -> str:
        return format_minor(self.tip_money, self.tip_currency)


def support_totals(creator: CreatorProfile) -> SupportTotals:
    """Diamonds received and the money gifts and tips brought the creator (after the fee),
    reversed gifts left out (two queries)."""
    given = GiftSent.objects.filter(creator=creator, reversed_at__isnull=True).aggregate(
        diamonds=Coalesce(Sum("diamonds"), 0),
        gifts=Count("pk"),
        money=Coalesce(Sum("creator_value_minor"), 0),
    )
    tipped = Tip.objects.filter(creator=creator, state=TipState.PAID).aggregate(
        tips=Count("pk"), money=Coalesce(Sum("creator_share_minor"), 0)
    )
    rate = rate_on(rewards_today())
    tip_currency = rules().tip_currency
    return SupportTotals(
        diamonds=given["diamonds"],
        gifts=given["gifts"],
        tips=tipped["tips"],
        gift_money=given["money"],
        tip_money=tipped["money"],
        gift_currency=rate.currency if rate else tip_currency,
        tip_currency=tip_currency,
    )


@dataclass(frozen=True)
class OnTheWay:
    """Gifts received but not yet on the creator's earnings ledger (the poster takes them
    there every few seconds)."""

    gifts: int
    money: int
    currency: str

    @property
    def money_display(self) -> str:
        return format_minor(self.money, self.currency)


def unposted_gifts() -> QuerySet[GiftSent]:
    """Gifts whose money is still to go on their creator's earnings ledger: not posted, not
    taken back by a refund first, and worth something."""
    return GiftSent.objects.filter(
        earnings_entry__isnull=True, reversed_at__isnull=True, list_value_minor__gt=0
    )


def on_the_way(creator: CreatorProfile) -> OnTheWay | None:
    """The creator's gifts not posted to their earnings yet, with their money (one query);
    None when there are none."""
    found = (
        unposted_gifts()
        .filter(creator=creator)
        .values_list("currency")
        .annotate(gifts=Count("pk"), money=Sum("creator_value_minor"))
        .order_by("-gifts")
        .first()
    )
    return OnTheWay(found[1], found[2], found[0]) if found else None


def diamonds_by_video(creator: CreatorProfile, *, limit: int = 20) -> list[dict]:
    """Diamonds per video, most first: title, publishing time, gifts, Diamonds."""
    return list(
        GiftSent.objects.filter(creator=creator, video__isnull=False, reversed_at__isnull=True)
        .values("video_id", "video__title", "video__published_at")
        .annotate(gifts=Count("pk"), diamonds=Sum("diamonds"))
        .order_by("-diamonds", "-video__published_at")[:limit]
    )


def diamonds_by_live(creator: CreatorProfile, *, limit: int = 20) -> list[dict]:
    """Diamonds per live session, latest first: start, minutes, gifts, Diamonds."""
    return list(
        GiftSent.objects.filter(creator=creator, live__isnull=False, reversed_at__isnull=True)
        .values("live_id", "live__started_at", "live__minutes")
        .annotate(gifts=Count("pk"), diamonds=Sum("diamonds"))
        .order_by("-live__started_at")[:limit]
    )


@dataclass(frozen=True)
class Supporter:
    name: str
    diamonds: int
    tipped: int  # minor units of the tip currency
    currency: str

    @property
    def tipped_display(self) -> str:
        return format_minor(self.tipped, self.currency)


def top_supporters(creator: CreatorProfile, *, limit: int = 10) -> list[Supporter]:
    """The fans who gave the creator most (Diamonds first, then tips), only those who agreed
    to be shown, and counting only what they did not send anonymously (two queries)."""
    consenting = SupporterConsent.objects.filter(show_in_top_supporters=True).values("fan_id")
    diamonds = dict(
        GiftSent.objects.filter(
            creator=creator, reversed_at__isnull=True, anonymous=False, fan_id__in=consenting
        )
        .values_list("fan_id")
        .annotate(total=Sum("diamonds"))
    )
    tipped = dict(
        Tip.objects.filter(
            creator=creator, state=TipState.PAID, anonymous=False, fan_id__in=consenting
        )
        .values_list("fan_id")
        .annotate(total=Sum("creator_share_minor"))
    )
    fans = sorted(
        set(diamonds) | set(tipped),
        key=lambda fan_id: (-diamonds.get(fan_id, 0), -tipped.get(fan_id, 0), fan_id),
    )[:limit]
    names = {fan.pk: fan.display_name for fan in User.objects.filter(pk__in=fans)}
    currency = rules().tip_currency
    return [
        Supporter(names[fan_id], diamonds.get(fan_id, 0), tipped.get(fan_id, 0), currency)
        for fan_id in fans
    ]


@dataclass(frozen=True)
class SupportMessage:
    """A gift or tip as the creator's message list shows it."""

    kind: str  # "gift" or "tip"
    pk: int
    fan_id: int
    fan_name: str
    anonymous: bool
    what: str  # "Rose (50 ◆)" or "$5.00 tip"
    message: str
    created_at: datetime
    hidden: bool


def recent_support(
    creator: CreatorProfile, *, limit: int = 30, with_hidden: bool = True
) -> list[SupportMessage]:
    """The latest gifts and tips the creator received, with their messages (two queries)."""
    gifts = GiftSent.objects.filter(creator=creator, reversed_at__isnull=True)
    tips = Tip.objects.filter(creator=creator, state=TipState.PAID)
    if not with_hidden:
        gifts, tips = gifts.filter(hidden_at__isnull=True), tips.filter(hidden_at__isnull=True)
    items = [
        SupportMessage(
            "gift",
            g.pk,
            g.fan_id,
            g.fan.display_name,
            g.anonymous,
            f"{g.gift.name} ({g.diamonds:,} ◆)",
            g.message,
            g.created_at,
            g.hidden_at is not None,
        )
        for g in gifts.select_related("gift", "fan").order_by("-created_at")[:limit]
    ] + [
        SupportMessage(
            "tip",
            t.pk,
            t.fan_id,
            t.fan.display_name,
            t.anonymous,
            f"{t.amount_display} tip",
            t.message,
            t.created_at,
            t.hidden_at is not None,
        )
        for t in tips.select_related("fan").order_by("-created_at")[:limit]
    ]
    return sorted(items, key=lambda item: item.created_at, reverse=True)[:limit]


def public_support(creator: CreatorProfile, *, limit: int = 10) -> list[SupportMessage]:
    """What other fans see on the creator's support page: the latest messages the creator did
    not hide; anonymous ones carry no sender at all."""
    return [
        replace(item, fan_id=0, fan_name="A fan") if item.anonymous else item
        for item in recent_support(creator, limit=limit, with_hidden=False)
    ]


def on_the_wall(sent: GiftSent, *, fan_name: str) -> SupportMessage:
    """A gift just sent as the wall of support shows it (no query: the sender names
    themselves), nameless when sent anonymously."""
    return SupportMessage(
        "gift",
        sent.pk,
        0 if sent.anonymous else sent.fan_id,
        "A fan" if sent.anonymous else fan_name,
        sent.anonymous,
        f"{sent.gift.name} ({sent.diamonds:,} ◆)",
        sent.message,
        sent.created_at,
        False,
    )


def gifts_sent_by(fan: User, *, limit: int = 20) -> QuerySet[GiftSent]:
    return GiftSent.objects.filter(fan=fan).select_related("gift", "creator")[:limit]


def tips_by(fan: User, *, limit: int = 20) -> QuerySet[Tip]:
    return Tip.objects.filter(fan=fan).select_related("creator")[:limit]


def purchases_of(fan: User, *, limit: int = 20) -> QuerySet[CoinPurchase]:
    return CoinPurchase.objects.filter(fan=fan).select_related("pack")[:limit]


def coin_packs(currency: str | None = None) -> QuerySet[CoinPack]:
    packs = CoinPack.objects.filter(is_active=True)
    return packs.filter(currency=currency) if currency else packs


def export_rows(user: User) -> dict[str, list[dict]]:
    """Fan support given and received by `user`, for their data export (privacy.exports):
    coin entries and purchases, gifts and tips they sent, and those a creator received.
    Received gifts and tips name no sender: who sent them is the sender's data. Six
    queries."""
    return {
        "coin_entries": plain_rows(
            CoinEntry.objects.filter(account__fan=user)
            .order_by("created_at", "pk")
            .values("id", "amount", "reason", "memo", "created_at")
        ),
        "coin_purchases": plain_rows(
            CoinPurchase.objects.filter(fan=user)
            .order_by("created_at", "pk")
            .values(
                "id",
                "coins",
                "price_minor",
                "currency",
                "state",
                "failure",
                "refund_note",
                "created_at",
                pack_name=F("pack__name"),
                card_last4=F("card__last4"),
            )
        ),
        "gifts_sent": plain_rows(
            GiftSent.objects.filter(fan=user)
            .order_by("created_at", "pk")
            .values(
                "id",
                "coins",
                "currency",
                "list_value_minor",
                "message",
                "anonymous",
                "reversed_at",
                "created_at",
                gift_name=F("gift__name"),
                creator_handle=F("creator__handle"),
                video_title=F("video__title"),
            )
        ),
        "gifts_received": plain_rows(
            GiftSent.objects.filter(creator__user=user)
            .order_by("created_at", "pk")
            .values(
                "id",
                "coins",
                "diamonds",
                "currency",
                "creator_value_minor",
                "message",
                "anonymous",
                "hidden_at",
                "reversed_at",
                "created_at",
                gift_name=F("gift__name"),
                video_title=F("video__title"),
            )
        ),
        "tips_sent": plain_rows(
            Tip.objects.filter(fan=user)
            .order_by("created_at", "pk")
            .values(
                "id",
                "amount_minor",
                "currency",
                "message",
                "anonymous",
                "state",
                "failure",
                "created_at",
                creator_handle=F("creator__handle"),
                card_last4=F("card__last4"),
            )
        ),
        "tips_received": plain_rows(
            Tip.objects.filter(creator__user=user)
            .order_by("created_at", "pk")
            .values(
                "id",
                "amount_minor",
                "currency",
                "share_pct",
                "creator_share_minor",
                "fee_minor",
                "message",
                "anonymous",
                "hidden_at",
                "state",
                "created_at",
            )
        ),
    }
