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
the first later month not yet paid, at the latest the current month's. Rerunning with nothing
changed writes nothing. A statement whose corrections take back more than it earned pays
nothing and carries the rest, as a labelled line, into the next open statement: money taken
back is never lost, and the earnings ledger never goes below zero.

Set-based: a run reads and writes PAY_BATCH creators at a time, each batch in one transaction
under the creators' row locks, with a fixed number of queries whatever the batch's size.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import CreatorProfile
from activity import retention as activity_retention
from activity.models import Video, VideoDay
from activity.tables import engagement_flag_table, flag_excludes_sql, video_day_table
from core.clock import rewards_day_of
from core.db import update_rows
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
    """One video's month: views, qualified views (flags set aside), engagements, watch time,
    and what decides whether it may earn."""

    video_id: int
    views: int
    qualified_views: int
    engagements: int
    watch_time_s: int
    is_original: bool
    duration_s: int
    published_at: datetime


# Creators per query: an IN list far below the databases' limits on parameters.
VIDEO_MONTHS_BATCH = 5_000
# Creators per transaction of a run: large enough that the per-batch queries cost little,
# small enough that a batch's locks and rows stay small.
PAY_BATCH = 2_000


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
               SUM(vd.watch_time_s), v.is_original, v.duration_s, v.published_at
        FROM {video_day_table()} vd
        JOIN {Video._meta.db_table} v ON v.id = vd.video_id
        LEFT JOIN (
            SELECT video_day_id, MAX(excluded_views) AS xv, MAX(excluded_likes) AS xl,
                   MAX(excluded_comments) AS xc, MAX(excluded_shares) AS xs
            FROM {engagement_flag_table()}
            WHERE day BETWEEN %(first)s AND %(last)s AND {flag_excludes_sql()}
              AND creator_id IN ({ids})
            GROUP BY video_day_id
        ) x ON x.video_day_id = vd.id
        WHERE vd.day BETWEEN %(first)s AND %(last)s AND vd.creator_id IN ({ids})
        GROUP BY vd.creator_id, vd.video_id, v.is_original, v.duration_s, v.published_at
    """
    params = {
        "first": month,
        "last": last_day(month),
        **{f"id{i}": creator_id for i, creator_id in enumerate(creator_ids)},
    }
    published_at = Video._meta.get_field("published_at")
    found: dict[int, list[VideoMonth]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for (
            creator_id,
            video_id,
            views,
            qv,
            eng,
            watch,
            original,
            duration,
            published,
        ) in cursor.fetchall():
            # SQLite hands back text; the field's converters make it a datetime.
            if not isinstance(published, datetime):
                for convert in published_at.get_db_converters(connection):
                    published = convert(published, None, connection)
            found.setdefault(creator_id, []).append(
                VideoMonth(
                    video_id,
                    int(views),
                    int(qv),
                    int(eng),
                    int(watch),
                    bool(original),
                    int(duration),
                    published,
                )
            )
    return found


def candidates(month: date) -> dict[int, int]:
    """Creators who may be owed something for the month, with their views in the 30 days to
    its end: those with the views the rule asks for (one GROUP BY, before the rest of the
    rule), those already paid for it (a rerun may correct them), and those whose statement for
    it holds corrections or a carried amount waiting to be paid (0 views unless they have the
    views too)."""
    first, last = eligibility.views_window(last_day(month))
    viewed = dict(
        VideoDay.objects.filter(day__range=(first, last))
        .values("creator_id")
        .annotate(total=Sum("views"))
        .filter(total__gte=settings.CREATOR_REWARDS_MIN_VIEWS_30D)
        .values_list("creator_id", "total")
    )
    paid = ProgramLine.objects.filter(activity_month=month).values_list("creator_id", flat=True)
    waiting = ProgramStatement.objects.filter(month=month, closed_at__isnull=True).values_list(
        "creator_id", flat=True
    )
    return {pk: viewed.get(pk, 0) for pk in sorted(set(viewed) | set(paid) | set(waiting))}


def video_ineligibility(row: VideoMonth, joined_on: date | None) -> str:
    """Why a video earns nothing this month, or "" when it earns."""
    if not row.is_original:
        return "not an original video"
    if row.duration_s < settings.QUALIFIED_VIEW_MIN_DURATION_S:
        return f"shorter than {settings.QUALIFIED_VIEW_MIN_DURATION_S} s"
    if joined_on is None or rewards_day_of(row.published_at) < joined_on:
        return "published before you joined the program"
    if row.qualified_views < settings.PROGRAM_MIN_QUALIFIED_VIEWS:
        return f"fewer than {settings.PROGRAM_MIN_QUALIFIED_VIEWS:,} qualified views"
    return ""


@dataclass(frozen=True)
class Due:
    """What one video earns for the month, with every factor."""

    row: VideoMonth
    base_rate_minor: int
    engagement: Multiplier
    watch: Multiplier
    amount_minor: int


def dues(
    country: str, rates: ProgramRates, rows: list[VideoMonth], joined_on: date | None
) -> dict[int, Due]:
    """The creator's eligible videos for the month, by video id."""
    rate = base_rate(rates, country)
    found = {}
    for row in rows:
        if video_ineligibility(row, joined_on):
            continue
        engagement = multiplier(
            rates, Measure.ENGAGEMENT, Decimal(row.engagements * 100) / row.views
        )
        watch = multiplier(rates, Measure.WATCH, Decimal(row.watch_time_s) / row.views)
        found[row.video_id] = Due(
            row,
            rate,
            engagement,
            watch,
            amount_due(row.qualified_views, rate, engagement.factor, watch.factor),
        )
    return found


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Batch:
    """What one batch of a run writes, gathered first and written with a few bulk queries."""

    month: date
    rates: ProgramRates
    now: datetime
    creators: dict[int, CreatorProfile]
    statements: dict[tuple[int, date], ProgramStatement]  # (creator, month) -> statement
    to_close: set[int] = field(default_factory=set)  # creators whose `month` statement closes
    lines: list[tuple[tuple[int, date], ProgramLine]] = field(default_factory=list)
    corrections: int = 0

    def statement(self, creator_id: int, month: date) -> ProgramStatement:
        """The creator's statement for `month`, made (unsaved) if there is none yet."""
        key = (creator_id, month)
        if key not in self.statements:
            self.statements[key] = ProgramStatement(
                creator_id=creator_id,
                month=month,
                currency=self.rates.currency,
                created_at=self.now,
            )
        return self.statements[key]

    def open_month(self, creator_id: int, month: date) -> date:
        """`month`, or the first after it whose statement for the creator is not closed (one
        closed by a run that then stopped before it finished)."""
        while (s := self.statements.get((creator_id, month))) is not None and s.is_closed:
            month = next_month(month)
        return month

    def add(
        self,
        creator_id: int,
        month: date,
        *,
        video_id: int | None,
        activity_month: date,
        kind: LineKind,
        amount: int,
        due: Due | None = None,
        reason: str = "",
    ) -> None:
        """A line for the creator's statement for `month`."""
        self.statement(creator_id, month)
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
        line = ProgramLine(
            creator_id=creator_id,
            video_id=video_id,
            activity_month=activity_month,
            kind=kind,
            reason=reason,
            rates=self.rates,
            country=self.creators[creator_id].country.code,
            due_minor=due.amount_minor if due else 0,
            amount_minor=amount,
            created_at=self.now,
            **factors,
        )
        self.lines.append(((creator_id, month), line))

    def write(self) -> None:
        """Insert the new statements and lines, then set the totals of the statements they
        touch."""
        ProgramStatement.objects.bulk_create([s for s in self.statements.values() if s.pk is None])
        touched = {key for key, _ in self.lines} | {(pk, self.month) for pk in self.to_close}
        for key, line in self.lines:
            line.statement = self.statements[key]
        ProgramLine.objects.bulk_create([line for _, line in self.lines])
        self.lines = []
        _refresh_totals([self.statements[key].pk for key in touched])


def _refresh_totals(statement_ids: list[int]) -> None:
    """Each statement's total is the sum of its lines: one UPDATE."""
    lines = (
        ProgramLine.objects.filter(statement=OuterRef("pk"))
        .values("statement")
        .annotate(total=Sum("amount_minor"))
        .values("total")
    )
    ProgramStatement.objects.filter(pk__in=statement_ids).update(
        total_minor=Coalesce(Subquery(lines), 0)
    )


def next_open_month(after: date, current: date) -> date:
    """The first month after `after` whose run has not finished, at the latest the current
    month: where a correction to `after`, or an amount carried from it, is paid."""
    finished = set(
        ProgramRun.objects.filter(
            month__gt=after, month__lt=current, finished_at__isnull=False
        ).values_list("month", flat=True)
    )
    month = next_month(after)
    while month in finished and month < current:
        month = next_month(month)
    return month


def _correction_reason(month: date, before: int, after: int) -> str:
    direction = "more" if after > before else "less"
    return (
        f"Correction to {month:%B %Y}: the video earns {direction} than was paid "
        "(late data, or views set aside or counted again after a review)."
    )


def _carried_reason(month: date) -> str:
    return (
        f"Carried from {month:%B %Y}: its corrections took back more than it earned, "
        "so the rest is taken from this statement."
    )


def _close(batch: Batch, carry_to: date) -> None:
    """Credit each closing statement's total to earnings once (pending until the 15th of the
    next month) and close it. A total below zero credits nothing and carries into the
    creator's statement for `carry_to`."""
    closing = [batch.statements[creator_id, batch.month] for creator_id in batch.to_close]
    if not closing:
        return
    totals = dict(
        ProgramStatement.objects.filter(pk__in=[s.pk for s in closing]).values_list(
            "pk", "total_minor"
        )
    )
    credits = [
        ledger.Credit(
            creator_id=s.creator_id,
            amount=totals[s.pk],
            currency=s.currency,
            source=Source.REWARDS_PROGRAM,
            idempotency_key=f"rewards-program:{s.creator_id}:{s.month:%Y-%m}",
            document=s.document,
            memo=f"Creator Rewards Program, {s.month:%B %Y}",
            pending_until=next_month(s.month).replace(day=PENDING_DAY),
        )
        for s in closing
        if totals[s.pk] > 0
    ]
    entries = ledger.credit_many(credits, now=batch.now)
    for s in closing:
        s.total_minor = totals[s.pk]
        s.credited_minor = max(totals[s.pk], 0)
        entry = entries.get(f"rewards-program:{s.creator_id}:{s.month:%Y-%m}")
        s.earnings_entry_id = entry.pk if entry and s.credited_minor else None
        s.closed_at = batch.now
        if s.total_minor < 0:
            batch.add(
                s.creator_id,
                batch.open_month(s.creator_id, carry_to),
                video_id=None,
                activity_month=s.month,
                kind=LineKind.CARRIED,
                amount=s.total_minor,
                reason=_carried_reason(s.month),
            )
    closed_fields = ["total_minor", "credited_minor", "earnings_entry_id", "closed_at"]
    update_rows(ProgramStatement, closing, closed_fields)
    if batch.lines:
        batch.write()


def _pay_batch(
    creator_ids: list[int],
    *,
    month: date,
    rates: ProgramRates,
    views_30d: dict[int, int],
    run_finished: bool,
    correct_into: date,
    now: datetime,
) -> tuple[int, int]:
    """Pay (first run) or correct (later runs) one batch of creators for `month`, in one
    transaction under their row locks. Returns (statements paid, corrections written)."""
    with transaction.atomic():
        creators = {
            c.pk: c
            for c in CreatorProfile.objects.select_for_update()
            .filter(pk__in=creator_ids)
            .order_by("pk")
        }
        # Read under the locks: a run of the same month racing this one has committed.
        statements = {
            (s.creator_id, s.month): s
            for s in ProgramStatement.objects.filter(
                creator_id__in=creator_ids, month__gte=month
            ).select_for_update()
        }
        batch = Batch(month, rates, now, creators, statements)
        end = last_day(month)
        owed = [
            pk
            for pk, creator in creators.items()
            if _is_closed(statements, pk, month)
            or eligibility.meets_rewards_program(creator, views_30d.get(pk, 0), end)
        ]
        joined = _members(owed, month)
        rows = video_months(month, owed)
        due = {
            pk: dues(creators[pk].country.code, rates, rows.get(pk, []), joined[pk]) for pk in owed
        }
        settled = {pk for pk in creators if run_finished or _is_closed(statements, pk, month)}
        for pk in creators:
            if pk in settled:
                continue
            if pk in due:
                batch.statement(pk, month)
                for video_id, each in due[pk].items():
                    batch.add(
                        pk,
                        month,
                        video_id=video_id,
                        activity_month=month,
                        kind=LineKind.MONTH,
                        amount=each.amount_minor,
                        due=each,
                    )
            elif (pk, month) not in statements:
                continue  # not eligible, and nothing waiting to be paid
            batch.to_close.add(pk)
        _correct(batch, sorted(settled), due, correct_into)
        batch.write()
        _close(batch, carry_to=correct_into)
        return len(batch.to_close), batch.corrections


def _is_closed(
    statements: dict[tuple[int, date], ProgramStatement], creator_id: int, month: date
) -> bool:
    statement = statements.get((creator_id, month))
    return statement is not None and statement.is_closed


def _members(creator_ids: list[int], month: date) -> dict[int, date]:
    """When each creator joined the program; those found eligible for the first time join on
    the month's first day."""
    ProgramMember.objects.bulk_create(
        [ProgramMember(creator_id=pk, joined_on=month) for pk in creator_ids],
        ignore_conflicts=True,
    )
    return dict(
        ProgramMember.objects.filter(creator_id__in=creator_ids).values_list(
            "creator_id", "joined_on"
        )
    )


def _correct(
    batch: Batch, creator_ids: list[int], due: dict[int, dict[int, Due]], into: date
) -> None:
    """What a creator paid for the month is owed now, minus what was paid, per video: each
    difference a correction line in the creator's next open statement."""
    if not creator_ids:
        return
    paid: dict[int, dict[int, int]] = {}
    for creator_id, video_id, total in (
        ProgramLine.objects.filter(creator_id__in=creator_ids, activity_month=batch.month)
        .exclude(kind=LineKind.CARRIED)
        .values_list("creator_id", "video_id")
        .annotate(total=Sum("amount_minor"))
    ):
        paid.setdefault(creator_id, {})[video_id] = total
    for pk in creator_ids:
        now_due = due.get(pk, {})
        before = paid.get(pk, {})
        changes = {
            video_id: (now_due[video_id].amount_minor if video_id in now_due else 0)
            - before.get(video_id, 0)
            for video_id in set(now_due) | set(before)
        }
        changes = {video_id: diff for video_id, diff in changes.items() if diff}
        if not changes:
            continue
        target = batch.open_month(pk, into)
        for video_id, diff in sorted(changes.items()):
            each = now_due.get(video_id)
            batch.add(
                pk,
                target,
                video_id=video_id,
                activity_month=batch.month,
                kind=LineKind.CORRECTION,
                amount=diff,
                due=each,
                reason=_correction_reason(
                    batch.month, before.get(video_id, 0), each.amount_minor if each else 0
                ),
            )
        batch.corrections += len(changes)


def pay_month(*, month: date, now: datetime | None = None) -> ProgramRun:
    """Pay (or, once paid, correct) every eligible creator for `month`, a month that has
    ended. Safe to run again: nothing changed, nothing written."""
    now = now or timezone.now()
    current = rewards_day_of(now).replace(day=1)
    if month.day != 1:
        raise ProgramError("A month starts on its first day.")
    if month >= current:
        raise ProgramError(f"{month:%B %Y} has not ended yet; a month is paid once it is over.")
    kept_from = activity_retention.raw_activity_kept_from(rewards_day_of(now))
    if month < kept_from:
        # Its videos' daily numbers are gone (privacy.retention): a run would find no views
        # and correct every statement of the month down to nothing.
        raise ProgramError(
            f"Per-video numbers of days before {kept_from} were removed after "
            f"{activity_retention.raw_activity_days()} days: {month:%B %Y} can no longer be "
            "paid or corrected."
        )
    rates = rates_for(month)
    run, _ = ProgramRun.objects.get_or_create(month=month, defaults={"started_at": now})
    views_30d = candidates(month)
    ids = list(views_30d)
    correct_into = next_open_month(month, current)
    statements = corrections = 0
    for start in range(0, len(ids), PAY_BATCH):
        paid, corrected = _pay_batch(
            ids[start : start + PAY_BATCH],
            month=month,
            rates=rates,
            views_30d=views_30d,
            run_finished=run.finished_at is not None,
            correct_into=correct_into,
            now=now,
        )
        statements += paid
        corrections += corrected
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
