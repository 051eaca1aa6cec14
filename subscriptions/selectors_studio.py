"""Reads of the creator's subscription studio: their subscribers, their subscription revenue
and the hand-delivered perks they owe. Every read starts from the creator, so one creator never
sees another's rows; each issues a fixed number of queries, whatever the number of rows."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import CreatorProfile
from core.charts import Chart, stacked_bar_chart
from core.money import DECIMALS, format_minor
from core.plurals import plural

from . import selectors
from .models import (
    LIVE_STATES,
    Billing,
    ChargeState,
    Package,
    PerkDelivery,
    State,
    Subscription,
    SubscriptionCharge,
)

# A subscription that ended after the fan had the perks; refused and unpaid first attempts
# never made anyone a subscriber.
ENDED_STATES = (State.CANCELLED, State.LAPSED)
SUBSCRIBER_STATES = (*LIVE_STATES, *ENDED_STATES)
RECENT_DAYS = 30
CHARGE_DAYS = 90
CHART_MONTHS = 12


def _zone() -> ZoneInfo:
    # Months follow the rewards day, like the earnings statement, so both pages agree.
    return ZoneInfo(settings.REWARDS_DAY_TZ)


def _day(moment: datetime) -> str:
    return f"{moment.astimezone(_zone()):%-d %b %Y}"


def major_units(amount: int, currency: str) -> str:
    """`1999, "USD"` -> "19.99": a plain number for a spreadsheet."""
    return format_minor(amount, currency).split(" ")[0].replace(",", "")


# --- subscribers ------------------------------------------------------------------------------


STATE_FILTERS = {
    "live": ("Live", LIVE_STATES),
    "ended": ("Ended", ENDED_STATES),
    "all": ("All", SUBSCRIBER_STATES),
}


def subscribers_heading(state: str, count: int) -> str:
    """How many a list shows, in words: "12 live subscribers", "1 former subscriber",
    "40 subscribers, live and former"."""
    if state == "all":
        return plural(count, "subscriber") + ", live and former"
    return plural(count, f"{'live' if state == 'live' else 'former'} subscriber")


STATE_TONES = {
    State.ACTIVE: "good",
    State.TRIALING: "info",
    State.PAST_DUE: "warn",
}


def subscribers(
    creator: CreatorProfile, *, state: str = "live", package: Package | None = None
) -> QuerySet[Subscription]:
    """The creator's subscribers in `state` (live, ended or all), of one package or all,
    newest first, with what their rows show."""
    found = Subscription.objects.filter(
        creator=creator, state__in=STATE_FILTERS[state][1]
    ).select_related("fan", "package")
    if package is not None:
        found = found.filter(package=package)
    return found.order_by("-started_at", "-pk")


@dataclass(frozen=True)
class SubscriberRow:
    """One subscriber as the list and its CSV export show them."""

    fan: str
    package: str
    billing: str
    price: str  # "5.00 USD a month"
    price_amount: str  # "5.00"
    currency: str
    since: datetime
    state_label: str  # "Active", "Lapsed"
    state_note: str  # "ends on 3 Mar 2026" (cancelled, perks until then), "on 3 Mar 2026" (ended)
    tone: str
    months: int
    badge: str

    @property
    def since_display(self) -> str:
        return _day(self.since)

    @property
    def state(self) -> str:
        """The state in words, with its date where it has one: "Lapsed on 3 Mar 2026"."""
        if not self.state_note:
            return self.state_label
        joiner = ", " if self.state_note.startswith("ends") else " "
        return f"{self.state_label}{joiner}{self.state_note}"


def subscriber_row(subscription: Subscription, today: date) -> SubscriberRow:
    note = ""
    if subscription.ended_at is not None and subscription.state in ENDED_STATES:
        note = f"on {_day(subscription.ended_at)}"
    elif subscription.is_live and subscription.cancel_at_period_end:
        note = f"ends on {_day(subscription.current_period_end)}"
    period = "year" if subscription.billing == Billing.ANNUAL else "month"
    return SubscriberRow(
        fan=subscription.fan.display_name,
        package=subscription.package.name,
        billing=subscription.get_billing_display(),
        price=f"{subscription.price_display} a {period}",
        price_amount=major_units(subscription.price_minor, subscription.currency),
        currency=subscription.currency,
        since=subscription.started_at,
        state_label=subscription.get_state_display(),
        state_note=note,
        tone=STATE_TONES.get(subscription.state, "neutral"),
        months=subscription.months_paid,
        badge=selectors.badge_for(subscription, today).text if subscription.is_live else "",
    )


def subscriber_rows(
    subscriptions: list[Subscription] | QuerySet[Subscription],
) -> list[SubscriberRow]:
    today = timezone.localdate()
    return [subscriber_row(s, today) for s in subscriptions]


# What a spreadsheet reads as the start of a formula (OWASP's list, and the full-width forms
# some spreadsheets also accept): such a cell is written with a leading apostrophe, as text.
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def csv_safe(cell: str) -> str:
    """`cell` as a spreadsheet shows it but never runs it: "=HYPERLINK(...)" -> "'=HYPERLINK..."."""
    if cell and (cell[0] in FORMULA_STARTS or cell.lstrip()[:1] in FORMULA_STARTS):
        return f"'{cell}"
    return cell


CSV_HEADER = [
    "Fan",
    "Package",
    "Billing",
    "Price",
    "Currency",
    "Since",
    "State",
    "Months subscribed",
    "Badge",
]


def subscriber_csv_rows(
    creator: CreatorProfile, *, state: str = "live", package: Package | None = None
) -> Iterator[list[str]]:
    """Every subscriber of the filter, the list's columns, dates as ISO days, prices as plain
    numbers, formula-safe; read in chunks, so a long list never sits in memory whole."""
    today = timezone.localdate()
    yield CSV_HEADER
    for subscription in subscribers(creator, state=state, package=package).iterator(chunk_size=500):
        row = subscriber_row(subscription, today)
        yield [
            csv_safe(cell)
            for cell in (
                row.fan,
                row.package,
                row.billing,
                row.price_amount,
                row.currency,
                subscription.started_at.astimezone(_zone()).date().isoformat(),
                row.state,
                str(row.months),
                row.badge,
            )
        ]


# --- revenue ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Amount:
    amount: int
    currency: str

    @property
    def display(self) -> str:
        return format_minor(self.amount, self.currency)


@dataclass(frozen=True)
class Overview:
    """The studio's headline numbers."""

    mrr: list[Amount]  # one per currency the creator's live subscribers pay in
    live: int
    trialing: int
    past_due: int
    new: int  # started in the last RECENT_DAYS days
    churned: int  # cancelled or lapsed in the last RECENT_DAYS days
    days: int = RECENT_DAYS

    @property
    def mrr_display(self) -> str:
        return " + ".join(a.display for a in self.mrr) if self.mrr else "0"


def overview(creator: CreatorProfile, *, now: datetime | None = None) -> Overview:
    """Monthly recurring revenue (what live subscribers pay a month, an annual price as a
    twelfth), live subscribers, and who joined and left in the last 30 days: two queries."""
    now = now or timezone.now()
    since = now - timedelta(days=RECENT_DAYS)
    live = (
        Subscription.objects.filter(creator=creator, state__in=LIVE_STATES)
        .values("currency")
        .annotate(
            monthly=Sum("price_minor", filter=Q(billing=Billing.MONTHLY), default=0),
            annual=Sum("price_minor", filter=Q(billing=Billing.ANNUAL), default=0),
            count=Count("pk"),
            trialing=Count("pk", filter=Q(state=State.TRIALING)),
            past_due=Count("pk", filter=Q(state=State.PAST_DUE)),
        )
        .order_by("currency")
    )
    # A twelfth of the annual prices, rounded half up: whole minor units only.
    mrr, count, trialing, past_due = [], 0, 0, 0
    for row in live:
        mrr.append(Amount(row["monthly"] + (row["annual"] + 6) // 12, row["currency"]))
        count += row["count"]
        trialing += row["trialing"]
        past_due += row["past_due"]
    moves = Subscription.objects.filter(creator=creator).aggregate(
        new=Count("pk", filter=Q(started_at__gte=since, state__in=SUBSCRIBER_STATES)),
        churned=Count("pk", filter=Q(ended_at__gte=since, state__in=ENDED_STATES)),
    )
    return Overview(mrr, count, trialing, past_due, moves["new"], moves["churned"])


@dataclass(frozen=True)
class MonthRevenue:
    start: date
    gross: int
    share: int
    fee: int


@dataclass(frozen=True)
class Revenue:
    """Paid subscription charges by month, in one currency."""

    currency: str
    months: list[MonthRevenue]

    def _money(self, amount: int) -> str:
        return format_minor(amount, self.currency)

    @property
    def gross_display(self) -> str:
        return self._money(sum(m.gross for m in self.months))

    @property
    def share_display(self) -> str:
        return self._money(sum(m.share for m in self.months))

    @property
    def fee_display(self) -> str:
        return self._money(sum(m.fee for m in self.months))

    @property
    def chart(self) -> Chart:
        unit = 10 ** DECIMALS.get(self.currency, 2)  # the chart counts whole units

        def whole(amount: int) -> int:
            return (amount + unit // 2) // unit

        # Each bar is the month's gross rounded; the fee is what is left of it after the share,
        # so the parts of a bar always add up to the bar.
        shares = [whole(m.share) for m in self.months]
        fees = [
            max(0, whole(m.gross) - share) for m, share in zip(self.months, shares, strict=True)
        ]
        return stacked_bar_chart(
            f"Subscription revenue by month, in {self.currency}",
            [f"{m.start:%b %Y}" for m in self.months],
            [("Your share", shares), ("Platform fee", fees)],
        )


def _month_starts(today: date, count: int) -> list[date]:
    first = today.replace(day=1)
    starts = []
    for back in range(count - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        starts.append(date(year, month + 1, 1))
    return starts


def monthly_revenue(
    creator: CreatorProfile, *, months: int = CHART_MONTHS, now: datetime | None = None
) -> list[Revenue]:
    """What the creator's subscribers paid (succeeded charges only), split into the creator's
    share and the platform fee, for each of the last `months` months, this one included: one
    Revenue per currency that had any. One query."""
    zone = _zone()
    today = (now or timezone.now()).astimezone(zone).date()
    starts = _month_starts(today, months)
    sums = (
        SubscriptionCharge.objects.filter(
            subscription__creator=creator,
            state=ChargeState.SUCCEEDED,
            created_at__gte=datetime.combine(starts[0], time.min, tzinfo=zone),
        )
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values("month", "currency")
        .annotate(
            gross=Sum("amount_minor"),
            share=Sum("creator_share_minor"),
            fee=Sum("platform_fee_minor"),
        )
        .order_by("currency", "month")
    )
    by_currency: dict[str, dict[date, MonthRevenue]] = {}
    for row in sums:
        start = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        by_currency.setdefault(row["currency"], {})[start] = MonthRevenue(
            start, row["gross"], row["share"], row["fee"]
        )
    return [
        Revenue(
            currency,
            [found.get(start) or MonthRevenue(start, 0, 0, 0) for start in starts],
        )
        for currency, found in sorted(by_currency.items())
    ]


def recent_charges(
    creator: CreatorProfile, *, days: int = CHARGE_DAYS, now: datetime | None = None
) -> QuerySet[SubscriptionCharge]:
    """Every charge to the creator's subscribers in the last `days` days, newest first."""
    since = (now or timezone.now()) - timedelta(days=days)
    return (
        SubscriptionCharge.objects.filter(subscription__creator=creator, created_at__gte=since)
        .select_related("subscription__fan", "subscription__package")
        .order_by("-created_at", "-pk")
    )


CHARGE_TONES = {ChargeState.SUCCEEDED: "good", ChargeState.FAILED: "bad"}


@dataclass(frozen=True)
class ChargeRow:
    when: datetime
    fan: str
    package: str
    kind: str
    gross: str
    fee: str  # "" unless paid: only a paid charge is split
    share: str
    state: str
    tone: str

    @property
    def when_display(self) -> str:
        return _day(self.when)


def charge_rows(
    charges: list[SubscriptionCharge] | QuerySet[SubscriptionCharge],
) -> list[ChargeRow]:
    rows = []
    for charge in charges:
        paid = charge.state == ChargeState.SUCCEEDED
        rows.append(
            ChargeRow(
                when=charge.created_at,
                fan=charge.subscription.fan.display_name,
                package=charge.subscription.package.name,
                kind=charge.get_kind_display(),
                gross=charge.amount_display,
                fee=format_minor(charge.platform_fee_minor, charge.currency) if paid else "",
                share=format_minor(charge.creator_share_minor, charge.currency) if paid else "",
                state=charge.get_state_display(),
                tone=CHARGE_TONES.get(charge.state, "neutral"),
            )
        )
    return rows


@dataclass(frozen=True)
class Share:
    """The creator's revenue share as the revenue page tells it."""

    pct: int
    fee_pct: int
    raised_pct: int
    is_raised: bool
    conditions: list[selectors.Condition]
    # Staff may set the raised share equal to the base one: then there is nothing to reach.
    has_raise: bool


def share(creator: CreatorProfile) -> Share:
    current = selectors.revenue_share(creator)
    return Share(
        pct=current.pct,
        fee_pct=100 - current.pct,
        raised_pct=current.raised_pct,
        is_raised=current.is_raised,
        conditions=current.conditions,
        has_raise=current.raised_pct > current.base_pct,
    )


# --- perks ------------------------------------------------------------------------------------


PERK_FILTERS = {"due": "To deliver", "delivered": "Delivered", "all": "All"}


def perk_deliveries(creator: CreatorProfile, *, show: str = "due") -> QuerySet[PerkDelivery]:
    """The perks the creator owes their subscribers (due), has delivered, or all: the oldest
    due first, then by fan, so the backlog reads month by month; delivered and all, the
    latest month first."""
    found = PerkDelivery.objects.filter(subscription__creator=creator).select_related(
        "perk__package", "subscription__fan"
    )
    if show == "due":
        return found.filter(delivered_at__isnull=True).order_by(
            "due_on", "subscription__fan__email", "perk__name", "pk"
        )
    if show == "delivered":
        found = found.filter(delivered_at__isnull=False)
    return found.order_by("-due_on", "subscription__fan__email", "perk__name", "pk")


def perk_counts(creator: CreatorProfile) -> dict[str, int]:
    """How many perks are due and delivered (one query)."""
    counts = PerkDelivery.objects.filter(subscription__creator=creator).aggregate(
        due=Count("pk", filter=Q(delivered_at__isnull=True)),
        delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
    )
    return {**counts, "all": counts["due"] + counts["delivered"]}


def own_delivery_ids(creator: CreatorProfile, ids: list[int]) -> set[int]:
    """Those of `ids` that are perks due to the creator's own subscribers."""
    return set(
        PerkDelivery.objects.filter(subscription__creator=creator, pk__in=ids).values_list(
            "pk", flat=True
        )
    )


def package_count(creator: CreatorProfile) -> int:
    return Package.objects.filter(creator=creator).count()
