"""Creator Rewards Program pay: what each eligible creator's eligible videos earned in a month,
one statement line per (creator, video, month) with every factor, credited through
payments.ledger.

The arithmetic, per video: qualified views / 1,000 × the base rate of the creator's country
× the engagement multiplier × the watch-time multiplier, in integer minor units, rounded down
(never pay a fraction of a cent that was not earned). The rates are those in force on the
month's first day (ProgramRates).

Who: creators eligible at the month's end by the rule the dashboard shows
(rewards.eligibility). Which videos: original, at least QUALIFIED_VIEW_MIN_DURATION_S (60 s),
published on or after the day the creator joined the program, with at least
PROGRAM_MIN_QUALIFIED_VIEWS qualified views in the month. The portal has no enrolment step,
so "joined" is the first day of the first month at whose end the creator was found eligible
(ProgramMember, recorded by the first run that finds them so).

Idempotent: a month's first run writes one month line per video and closes each creator's
statement by crediting its total once (key per creator and month). A later run of that month
(late data, a flag confirmed or dismissed) compares what is due with what was paid and puts
the difference, per video, as a labelled correction into the creator's next open statement:
the earliest later month not yet paid, at the latest the current month's. Rerunning with
nothing changed writes nothing.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import CreatorProfile
from activity.models import Video, VideoDay
from activity.tables import engagement_flag_table, flag_excludes_sql, video_day_table
from core.clock import rewards_day_of
from payments import ledger
from payments.models import Source

from . import eligibility
from .models import (
    LineKind,
    Measure,
    ProgramLine,
    ProgramMember,
    ProgramRates,
    ProgramRun,
    ProgramStatement,
)
from .recalculation import counted

PROGRAM_KEY = "creator_rewards"
PENDING_DAY = 15  # credits stay pending until the 15th of the month after the statement's


class ProgramError(Exception):
    """A month that cannot be paid; the message says why."""


def parse_month(text: str | None) -> date:
    """ "2026-10" -> 1 Oct 2026."""
    try:
        year, month = (text or "").strip().split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return date(int(year), int(month), 1)
    except ValueError:
        raise ProgramError(f"{text or 'An empty month'!r} is not a month like 2026-10.") from None


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def next_month(month: date) -> date:
    return last_day(month) + timedelta(days=1)


def previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


# --- the arithmetic ---------------------------------------------------------------------------


def rates_for(month: date) -> ProgramRates:
    """The version in force on the month's first day, with its countries and bands."""
    rates = (
        ProgramRates.objects.filter(valid_from__lte=month)
        .prefetch_related("countries", "bands")
        .first()
    )
    if rates is None:
        raise ProgramError(f"No program rates are in force on {month:%-d %B %Y}.")
    return rates


def base_rate(rates: ProgramRates, country: str) -> int:
    for each in rates.countries.all():
        if each.country.code == country:
            return each.rate_minor
    return rates.default_rate_minor


@dataclass(frozen=True)
class Multiplier:
    factor: Decimal
    why: str


def multiplier(rates: ProgramRates, measure: Measure, value: Decimal) -> Multiplier:
    """The highest band `value` reaches, or ×1 with the first band it falls short of."""
    unit = " %" if measure == Measure.ENGAGEMENT else " s"
    bands = sorted((b for b in rates.bands.all() if b.measure == measure), key=lambda b: b.at_least)
    shown = f"{value.quantize(Decimal('0.1'), rounding=ROUND_FLOOR)}{unit}"
    reached = [b for b in bands if value >= b.at_least]
    if reached:
        band = reached[-1]
        return Multiplier(band.factor, f"{shown}: at least {band.at_least.normalize():f}{unit}")
    if bands:
        return Multiplier(Decimal(1), f"{shown}: below {bands[0].at_least.normalize():f}{unit}")
    return Multiplier(Decimal(1), f"{shown}: no bands")


def amount_due(
    qualified_views: int, base_rate_minor: int, engagement: Decimal, watch: Decimal
) -> int:
    """qualified views / 1,000 × base rate × multipliers, rounded down to a minor unit."""
    exact = Decimal(qualified_views) * base_rate_minor * engagement * watch / 1000
    return int(exact.to_integral_value(rounding=ROUND_FLOOR))


# --- the data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoMonth:
    """One video's month: views, qualified views (flags set aside), engagements, watch time."""

    video_id: int
    views: int
    qualified_views: int
    engagements: int
    watch_time_s: int


# Creators per query: an IN list far below the databases' limits on parameters.
VIDEO_MONTHS_BATCH = 5_000


def video_months(month: date, creator_ids: list[int]) -> dict[int, list[VideoMonth]]:
    """Per creator, every video with views in the month, counted as the recalculation counts
    (rewards.recalculation.counted): one query per VIDEO_MONTHS_BATCH creators."""
    found: dict[int, list[VideoMonth]] = {}
    for start in range(0, len(creator_ids), VIDEO_MONTHS_BATCH):
        found.update(_video_months(month, creator_ids[start : start + VIDEO_MONTHS_BATCH]))
    return found


def _video_months(month: date, creator_ids: list[int]) -> dict[int, list[VideoMonth]]:
    if not creator_ids:
        return {}
    # IN with one parameter each, not = ANY(array): SQLite (make run) has no arrays.
    ids = ", ".join(f"%(id{i})s" for i in range(len(creator_ids)))
    sql = f"""
        SELECT vd.creator_id, vd.video_id, SUM(vd.views),
               SUM({counted("views_5s", "xv")}),
               SUM({counted("likes", "xl")} + {counted("comments", "xc")}
                   + {counted("shares", "xs")}),
               SUM(vd.watch_time_s)
        FROM {video_day_table()} vd
        LEFT JOIN (
            SELECT video_day_id, MAX(excluded_views) AS xv, MAX(excluded_likes) AS xl,
                   MAX(excluded_comments) AS xc, MAX(excluded_shares) AS xs
            FROM {engagement_flag_table()}
            WHERE day BETWEEN %(first)s AND %(last)s AND {flag_excludes_sql()}
              AND creator_id IN ({ids})
            GROUP BY video_day_id
        ) x ON x.video_day_id = vd.id
        WHERE vd.day BETWEEN %(first)s AND %(last)s AND vd.creator_id IN ({ids})
        GROUP BY vd.creator_id, vd.video_id
    """
    params = {
        "first": month,
        "last": last_day(month),
        **{f"id{i}": creator_id for i, creator_id in enumerate(creator_ids)},
    }
    found: dict[int, list[VideoMonth]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for creator_id, video_id, views, qv, engagements, watch in cursor.fetchall():
            found.setdefault(creator_id, []).append(
                VideoMonth(video_id, int(views), int(qv), int(engagements), int(watch))
            )
    return found


def creator_is_eligible(creator: CreatorProfile, month: date) -> bool:
    """Eligible at the month's end by the dashboard's rule (age and the 30-day views on that
    day; followers and standing as they are now, which is what the rule knows)."""
    paths = eligibility.program_paths(creator, last_day(month))
    return next(p for p in paths if p.key == PROGRAM_KEY).eligible


def candidate_ids(month: date) -> list[int]:
    """Creators who may be owed something for the month: those with the views the rule asks
    for in the 30 days to its end (one GROUP BY, before the per-creator rule), those already
    paid for it (a rerun may correct them), and those whose statement for it holds
    corrections waiting to be paid."""
    first, last = eligibility.views_window(last_day(month))
    viewed = (
        VideoDay.objects.filter(day__range=(first, last))
        .values("creator_id")
        .annotate(total=Sum("views"))
        .filter(total__gte=settings.CREATOR_REWARDS_MIN_VIEWS_30D)
        .values_list("creator_id", flat=True)
    )
    paid = ProgramLine.objects.filter(activity_month=month).values_list("creator_id", flat=True)
    waiting = ProgramStatement.objects.filter(month=month, closed_at__isnull=True).values_list(
        "creator_id", flat=True
    )
    return sorted(set(viewed) | set(paid) | set(waiting))


def video_ineligibility(video: Video, qualified_views: int, joined_on: date | None) -> str:
    """Why a video earns nothing this month, or "" when it earns."""
    if not video.is_original:
        return "not an original video"
    if not video.can_earn_qualified_views:
        return f"shorter than {settings.QUALIFIED_VIEW_MIN_DURATION_S} s"
    if joined_on is None or rewards_day_of(video.published_at) < joined_on:
        return "published before you joined the program"
    if qualified_views < settings.PROGRAM_MIN_QUALIFIED_VIEWS:
        return f"fewer than {settings.PROGRAM_MIN_QUALIFIED_VIEWS:,} qualified views"
    return ""


@dataclass(frozen=True)
class Due:
    """What one video earns for the month, with every factor."""

    video: Video
    row: VideoMonth
    base_rate_minor: int
    engagement: Multiplier
    watch: Multiplier
    amount_minor: int


def dues(
    creator: CreatorProfile,
    rates: ProgramRates,
    rows: list[VideoMonth],
    videos: dict[int, Video],
    joined_on: date | None,
) -> dict[int, Due]:
    """The creator's eligible videos for the month, by video id."""
    rate = base_rate(rates, creator.country.code)
    found = {}
    for row in rows:
        video = videos[row.video_id]
        if video_ineligibility(video, row.qualified_views, joined_on):
            continue
        engagement = multiplier(
            rates, Measure.ENGAGEMENT, Decimal(row.engagements * 100) / row.views
        )
        watch = multiplier(rates, Measure.WATCH, Decimal(row.watch_time_s) / row.views)
        found[video.pk] = Due(
            video,
            row,
            rate,
            engagement,
            watch,
            amount_due(row.qualified_views, rate, engagement.factor, watch.factor),
        )
    return found


# --- the run ----------------------------------------------------------------------------------


def _line(
    statement: ProgramStatement,
    *,
    creator: CreatorProfile,
    month: date,
    rates: ProgramRates,
    video_id: int,
    due: Due | None,
    amount: int,
    kind: LineKind,
    reason: str = "",
    now: datetime,
) -> ProgramLine:
    factors = {}
    if due is not None:
        factors = {
            "views": due.row.views,
            "qualified_views": due.row.qualified_views,
            "engagements": due.row.engagements,
            "watch_time_s": due.row.watch_time_s,
            "base_rate_minor": due.base_rate_minor,
            "engagement_factor": due.engagement.factor,
            "engagement_band": due.engagement.why,
            "watch_factor": due.watch.factor,
            "watch_band": due.watch.why,
        }
    return ProgramLine.objects.create(
        statement=statement,
        creator=creator,
        video_id=video_id,
        activity_month=month,
        kind=kind,
        reason=reason,
        rates=rates,
        country=creator.country.code,
        due_minor=due.amount_minor if due else 0,
        amount_minor=amount,
        created_at=now,
        **factors,
    )


def _statement(creator: CreatorProfile, month: date, currency: str) -> ProgramStatement:
    ProgramStatement.objects.get_or_create(
        creator=creator, month=month, defaults={"currency": currency}
    )
    return ProgramStatement.objects.select_for_update().get(creator=creator, month=month)


def _open_statement(
    creator: CreatorProfile, after: date, current: date, currency: str
) -> ProgramStatement:
    """The creator's earliest statement after `after` not yet paid, at the latest the current
    month's: where a correction to `after` goes."""
    closed = set(
        ProgramStatement.objects.filter(
            creator=creator, month__gt=after, month__lte=current, closed_at__isnull=False
        ).values_list("month", flat=True)
    )
    month = next_month(after)
    while month in closed and month < current:
        month = next_month(month)
    return _statement(creator, month, currency)


def close_statement(*, statement: ProgramStatement, now: datetime) -> ProgramStatement:
    """Credit the statement's total to earnings once (pending until the 15th of the next
    month) and close it. A total of zero or less credits nothing."""
    total = statement.lines.aggregate(total=Sum("amount_minor"))["total"] or 0
    entry = None
    if total > 0:
        entry = ledger.credit(
            creator=statement.creator,
            amount=total,
            currency=statement.currency,
            source=Source.REWARDS_PROGRAM,
            idempotency_key=f"rewards-program:{statement.creator_id}:{statement.month:%Y-%m}",
            document=statement.document,
            memo=f"Creator Rewards Program, {statement.month:%B %Y}",
            pending_until=next_month(statement.month).replace(day=PENDING_DAY),
            now=now,
        )
    statement.total_minor = total
    statement.credited_minor = max(total, 0)
    statement.earnings_entry_id = entry.pk if entry else None
    statement.closed_at = now
    statement.save(
        update_fields=["total_minor", "credited_minor", "earnings_entry_id", "closed_at"]
    )
    return statement


def _correction_reason(month: date, before: int, after: int) -> str:
    direction = "more" if after > before else "less"
    return (
        f"Correction to {month:%B %Y}: the video earns {direction} than was paid "
        "(late data, or views set aside or counted again after a review)."
    )


@transaction.atomic
def pay_creator(
    *,
    creator: CreatorProfile,
    month: date,
    rates: ProgramRates,
    rows: list[VideoMonth],
    videos: dict[int, Video],
    settled: bool,
    current: date,
    now: datetime,
) -> tuple[ProgramStatement | None, int]:
    """Pay one creator for `month`: month lines and the credit on the first run; correction
    lines in the next open statement on a rerun. Returns (statement written, corrections)."""
    creator = CreatorProfile.objects.select_for_update().get(pk=creator.pk)
    own = ProgramStatement.objects.filter(creator=creator, month=month).first()
    settled = settled or bool(own and own.is_closed)
    already_paid = own is not None and own.is_closed
    if not already_paid and not creator_is_eligible(creator, month):
        if not settled:
            # Corrections to earlier months may wait in this month's statement: pay them.
            if own is None:
                return None, 0
            return close_statement(statement=_statement(creator, month, own.currency), now=now), 0
        due_now: dict[int, Due] = {}
    else:
        member, _ = ProgramMember.objects.get_or_create(
            creator=creator, defaults={"joined_on": month}
        )
        due_now = dues(creator, rates, rows, videos, member.joined_on)

    if not settled:
        statement = _statement(creator, month, rates.currency)
        for video_id, due in due_now.items():
            _line(
                statement,
                creator=creator,
                month=month,
                rates=rates,
                video_id=video_id,
                due=due,
                amount=due.amount_minor,
                kind=LineKind.MONTH,
                now=now,
            )
        return close_statement(statement=statement, now=now), 0

    paid = dict(
        ProgramLine.objects.filter(creator=creator, activity_month=month)
        .values_list("video_id")
        .annotate(total=Sum("amount_minor"))
    )
    changes = {
        video_id: (due_now[video_id].amount_minor if video_id in due_now else 0)
        - paid.get(video_id, 0)
        for video_id in set(due_now) | set(paid)
    }
    changes = {video_id: diff for video_id, diff in changes.items() if diff}
    if not changes:
        return None, 0
    target = _open_statement(creator, month, current, rates.currency)
    for video_id, diff in sorted(changes.items()):
        due = due_now.get(video_id)
        _line(
            target,
            creator=creator,
            month=month,
            rates=rates,
            video_id=video_id,
            due=due,
            amount=diff,
            kind=LineKind.CORRECTION,
            reason=_correction_reason(month, paid.get(video_id, 0), due.amount_minor if due else 0),
            now=now,
        )
    target.total_minor = target.lines.aggregate(total=Sum("amount_minor"))["total"] or 0
    target.save(update_fields=["total_minor"])
    return target, len(changes)


def pay_month(*, month: date, now: datetime | None = None) -> ProgramRun:
    """Pay (or, once paid, correct) every eligible creator for `month`, a month that has
    ended. Safe to run again: nothing changed, nothing written."""
    now = now or timezone.now()
    current = rewards_day_of(now).replace(day=1)
    if month.day != 1:
        raise ProgramError("A month starts on its first day.")
    if month >= current:
        raise ProgramError(f"{month:%B %Y} has not ended yet; a month is paid once it is over.")
    rates = rates_for(month)
    run, _ = ProgramRun.objects.get_or_create(month=month, defaults={"started_at": now})
    settled = run.finished_at is not None
    ids = candidate_ids(month)
    rows = video_months(month, ids)
    videos = Video.objects.in_bulk([row.video_id for each in rows.values() for row in each])
    statements = corrections = 0
    for creator in CreatorProfile.objects.filter(pk__in=ids).order_by("pk"):
        statement, changed = pay_creator(
            creator=creator,
            month=month,
            rates=rates,
            rows=rows.get(creator.pk, []),
            videos=videos,
            settled=settled,
            current=current,
            now=now,
        )
        statements += statement is not None and not changed
        corrections += changed
    ProgramRun.objects.filter(pk=run.pk).update(
        finished_at=now,
        statements=run.statements + statements,
        corrections=run.corrections + corrections,
    )
    run.refresh_from_db()
    return run


def pay_last_month(*, now: datetime | None = None) -> ProgramRun:
    """What beat runs on the 1st: look again at the month before last (its changes become
    corrections in last month's statement), then pay last month."""
    now = now or timezone.now()
    last = previous_month(rewards_day_of(now).replace(day=1))
    before = previous_month(last)
    if ProgramRun.objects.filter(month=before, finished_at__isnull=False).exists():
        pay_month(month=before, now=now)
    return pay_month(month=last, now=now)
