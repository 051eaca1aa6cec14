"""Points expire 12 months after the day they were earned for, oldest first.

Points are kept as lots by the day they were earned for (an entry's `activity_date`). Every
use of points (redeeming, expiring, a negative adjustment) takes from the oldest lots first,
so what is used up is always the oldest stretch of lots. That gives a closed form, with no
per-lot bookkeeping:

    still unused from lots up to day X  =  max(0, gained on lots up to X  −  used so far)

and what expires on day D is that amount for X = D − 12 months. A refund lowers "used so far",
so it restores the last points used (the newest end of the used stretch), each with the
expiry of the lot it came from; nothing a refund gives back lives longer than it would have.

`expire(day)` posts those amounts as EXPIRED entries, in batches of accounts, each under its
accounts' row locks, with one idempotency key per account and day: run it twice and the
second run finds nothing left to expire.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Case, F, Max, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from accounts.models import CreatorProfile

from .models import EARNING_KINDS, EntryKind, PointsAccount, PointsEntry

BATCH_ACCOUNTS = 5_000

# Entries that add a lot, and entries that use points up (signed amounts: uses are negative,
# refunds positive).
GAINS = Q(kind__in=EARNING_KINDS) | Q(kind=EntryKind.ADJUSTED, amount__gt=0)
USES = Q(kind__in=[EntryKind.REDEEMED, EntryKind.REFUNDED, EntryKind.EXPIRED]) | Q(
    kind=EntryKind.ADJUSTED, amount__lt=0
)


def last_lot_expiring_on(day: date) -> date:
    """Lots earned on or before this day have expired by `day`: the same date a year
    earlier (on 29 February, the 28th of the year before)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def expiry_day_of(lot_day: date) -> date:
    """The day a lot earned on `lot_day` expires: a year later (a lot of 29 February on
    1 March, the first day whose `last_lot_expiring_on` reaches it)."""
    try:
        return lot_day.replace(year=lot_day.year + 1)
    except ValueError:
        return date(lot_day.year + 1, 3, 1)


def _due(entries: QuerySet[PointsEntry], day: date) -> QuerySet:
    """Per account: points gained on lots that have expired by `day`, and points used so far."""
    return entries.values("account_id").annotate(
        old_gains=Sum("amount", filter=GAINS & Q(activity_date__lte=last_lot_expiring_on(day))),
        used=Sum("amount", filter=USES),
    )


def expire(day: date) -> int:
    """Post what expires on `day` for every account; returns the points expired. Safe to
    repeat and to run beside redemptions (each batch locks its accounts)."""
    expired = 0
    top = PointsAccount.objects.aggregate(top=Max("pk"))["top"] or 0
    for lo in range(0, top + 1, BATCH_ACCOUNTS):
        expired += _expire_batch(day, lo, lo + BATCH_ACCOUNTS - 1)
    return expired


@transaction.atomic
def _expire_batch(day: date, lo: int, hi: int) -> int:
    balances = dict(
        PointsAccount.objects.select_for_update()
        .filter(pk__gte=lo, pk__lte=hi, balance__gt=0)
        .values_list("pk", "balance")
    )
    if not balances:
        return 0
    amounts = {}
    for row in _due(PointsEntry.objects.filter(account_id__gte=lo, account_id__lte=hi), day):
        unused_old = (row["old_gains"] or 0) + (row["used"] or 0)
        amount = min(unused_old, balances.get(row["account_id"], 0))
        if amount > 0:
            amounts[row["account_id"]] = amount
    if not amounts:
        return 0
    now = timezone.now()
    PointsEntry.objects.bulk_create(
        PointsEntry(
            account_id=account_id,
            amount=-amount,
            kind=EntryKind.EXPIRED,
            activity_date=day,
            idempotency_key=f"expire:{account_id}:{day.isoformat()}",
            memo=f"Points earned on or before {last_lot_expiring_on(day):%-d %b %Y} expired",
            created_at=now,
        )
        for account_id, amount in amounts.items()
    )
    PointsAccount.objects.filter(pk__in=amounts).update(
        balance=F("balance")
        - Case(*(When(pk=pk, then=Value(amount)) for pk, amount in amounts.items())),
        updated_at=now,
    )
    return sum(amounts.values())


@dataclass(frozen=True)
class Expiring:
    day: date
    points: int


def expiring_soon(creator: CreatorProfile, today: date, days: int = 30) -> list[Expiring]:
    """What will expire over the next `days` days if nothing is spent, by day (points already
    due and not yet posted show under today). Two queries, whatever the history length."""
    entries = PointsEntry.objects.filter(account_id=creator.pk)
    used = entries.filter(USES).aggregate(total=Sum("amount"))["total"] or 0
    already = last_lot_expiring_on(today)
    horizon = last_lot_expiring_on(today + timedelta(days=days))
    by_lot = (
        entries.filter(GAINS, activity_date__lte=horizon)
        .annotate(
            lot=Case(When(activity_date__lte=already, then=Value(already)), default="activity_date")
        )
        .values("lot")
        .annotate(points=Sum("amount"))
        .order_by("lot")
    )
    schedule: list[Expiring] = []
    gained = 0
    left_before = 0
    for row in by_lot:
        gained += row["points"]
        unused = max(0, gained + used)
        if unused > left_before:
            lot_day = row["lot"]
            when = today if lot_day <= already else expiry_day_of(lot_day)
            schedule.append(Expiring(when, unused - left_before))
            left_before = unused
    return schedule
