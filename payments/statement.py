"""One earnings statement across every source: what a creator was owed, month by month and
for a tax year, with what is available and what is pending. Reads only (the page and its
CSV export); money moves through payments.ledger."""

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth

from accounts.models import CreatorProfile
from core.charts import Chart, stacked_bar_chart
from core.clock import rewards_today
from core.money import DECIMALS, format_minor

from .ledger import Balance
from .models import EarningsAccount, EarningsEntry, Source

# The most entries the page lists; the CSV export has them all.
PAGE_ENTRIES = 200


class StatementError(Exception):
    """A statement that cannot be made (a year out of range); the message is safe to show."""


def tax_year_start() -> tuple[int, int]:
    """(month, day) a tax year starts on: EARNINGS_TAX_YEAR_START, "MM-DD"."""
    month, day = (int(part) for part in settings.EARNINGS_TAX_YEAR_START.split("-"))
    return month, day


def tax_year(year: int) -> tuple[date, date]:
    """The first and last day of the tax year that starts in `year`."""
    if not 2000 <= year <= rewards_today().year + 1:
        raise StatementError(f"There is no statement for {year}: choose a year from 2000 on.")
    month, day = tax_year_start()
    first = date(year, month, day)
    return first, date(year + 1, month, day) - timedelta(days=1)


def tax_year_of(day: date) -> int:
    month, start = tax_year_start()
    return day.year if (day.month, day.day) >= (month, start) else day.year - 1


def tax_year_label(year: int) -> str:
    first, last = tax_year(year)
    if (first.month, first.day) == (1, 1):
        return str(year)
    return f"{first:%-d %b %Y} to {last:%-d %b %Y}"


@dataclass(frozen=True)
class Month:
    start: date
    by_source: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_source.values())


@dataclass
class Statement:
    creator: CreatorProfile
    currency: str
    year: int
    first: date
    last: date
    balance: Balance
    sources: list[tuple[str, str]]  # (code, label) of each source with money this year
    months: list[Month]
    entries: QuerySet[EarningsEntry]
    currencies: list[str] = field(default_factory=list)
    released: date | None = None  # the account's released_through

    @property
    def label(self) -> str:
        return tax_year_label(self.year)

    @property
    def totals(self) -> dict[str, int]:
        return {
            code: sum(month.by_source.get(code, 0) for month in self.months)
            for code, _ in self.sources
        }

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    def money(self, amount: int) -> str:
        return format_minor(amount, self.currency)

    @property
    def earned(self) -> int:
        """What came in this tax year, every source together (payouts are not income)."""
        return sum(amount for code, amount in self.totals.items() if code != Source.PAYOUT)

    @property
    def earned_display(self) -> str:
        return self.money(self.earned)

    @property
    def released_through(self) -> date:
        """Pending lines dated after this are still pending."""
        return self.released or date.min

    @property
    def available_display(self) -> str:
        return self.money(self.balance.available)

    @property
    def pending_display(self) -> str:
        return self.money(self.balance.pending)

    @property
    def entry_rows(self) -> list[tuple[EarningsEntry, str]]:
        return [(entry, self.money(entry.amount)) for entry in self.entries]

    @property
    def headers(self) -> list[str]:
        return ["Month", *(label for _, label in self.sources), "Total"]

    @property
    def month_rows(self) -> list[list[str]]:
        """The monthly table, money formatted, and the year's totals as its last row."""
        rows = [
            [
                f"{month.start:%B %Y}",
                *(self.money(month.by_source.get(code, 0)) for code, _ in self.sources),
                self.money(month.total),
            ]
            for month in self.months
        ]
        totals = self.totals
        rows.append(
            [
                f"Total, {self.label}",
                *(self.money(totals[code]) for code, _ in self.sources),
                self.money(self.total),
            ]
        )
        return rows

    @property
    def numeric_columns(self) -> list[int]:
        return list(range(1, len(self.sources) + 2))

    @property
    def chart(self) -> Chart:
        """Money in, month by month, by source (payouts and corrections out are not income)."""
        income = [(code, label) for code, label in self.sources if code != Source.PAYOUT]
        unit = 10 ** DECIMALS.get(self.currency, 2)  # the chart counts whole units
        return stacked_bar_chart(
            f"Earnings in {self.currency} by month, {self.label}",
            [f"{m.start:%b}" for m in self.months],
            [
                (label, [round(m.by_source.get(code, 0) / unit) for m in self.months])
                for code, label in income
            ],
        )


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.REWARDS_DAY_TZ)
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
    )


def entries_between(
    creator: CreatorProfile, currency: str, first: date, last: date
) -> QuerySet[EarningsEntry]:
    """The creator's entries in `currency` made on rewards days `first`..`last`."""
    start, end = _bounds(first, last)
    return EarningsEntry.objects.filter(
        account__creator=creator,
        account__currency=currency,
        created_at__gte=start,
        created_at__lt=end,
    )


def currencies_of(creator: CreatorProfile) -> list[str]:
    return list(
        EarningsAccount.objects.filter(creator=creator)
        .order_by("currency")
        .values_list("currency", flat=True)
    )


def statement(creator: CreatorProfile, *, year: int, currency: str = "") -> Statement:
    """The creator's statement for the tax year starting in `year`, in `currency` (by default
    their first); four queries whatever the number of entries."""
    first, last = tax_year(year)
    currencies = currencies_of(creator)
    currency = currency.upper() if currency else (currencies[0] if currencies else "")
    currency = currency or settings.PAYMENTS_CURRENCY
    account = EarningsAccount.objects.filter(creator=creator, currency=currency).first()
    balance = Balance(
        currency, account.available if account else 0, account.pending if account else 0
    )
    entries = entries_between(creator, currency, first, last)
    zone = ZoneInfo(settings.REWARDS_DAY_TZ)
    sums = (
        entries.annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values_list("month", "source")
        .annotate(amount=Sum("amount"))
    )
    by_month: dict[date, dict[str, int]] = {}
    for month, source, amount in sums:
        by_month.setdefault(month.date(), {})[source] = amount
    months = []
    start = first.replace(day=1)
    # Up to this month: a tax year still under way shows no months to come.
    while start <= min(last, rewards_today()):
        months.append(Month(start, by_month.get(start, {})))
        start = start.replace(day=calendar.monthrange(start.year, start.month)[1]) + timedelta(
            days=1
        )
    present = {source for sources in by_month.values() for source in sources}
    return Statement(
        creator=creator,
        currency=currency,
        year=year,
        first=first,
        last=last,
        balance=balance,
        sources=[(code, label) for code, label in Source.choices if code in present],
        months=months,
        entries=entries.order_by("-created_at", "-id")[:PAGE_ENTRIES],
        currencies=currencies,
        released=account.released_through if account else None,
    )


CSV_HEADER = [
    "date",
    "source",
    "amount",
    "currency",
    "pending_until",
    "document",
    "memo",
    "entry",
]


def csv_rows(creator: CreatorProfile, *, year: int, currency: str) -> Iterator[list[str]]:
    """Every entry of the tax year, oldest first, as CSV rows (amounts in major units)."""
    first, last = tax_year(year)
    zone = ZoneInfo(settings.REWARDS_DAY_TZ)
    labels = dict(Source.choices)
    yield CSV_HEADER
    for entry in entries_between(creator, currency.upper(), first, last).order_by(
        "created_at", "id"
    ):
        yield [
            entry.created_at.astimezone(zone).date().isoformat(),
            labels.get(entry.source, entry.source),
            format_minor(entry.amount, currency.upper()).split(" ")[0].replace(",", ""),
            currency.upper(),
            entry.pending_until.isoformat() if entry.pending_until else "",
            entry.document,
            entry.memo,
            str(entry.pk),
        ]
