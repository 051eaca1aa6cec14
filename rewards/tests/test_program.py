"""Creator Rewards Program pay (rewards/program.py): the arithmetic, who and what is paid,
reruns, corrections, the pages and the command."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory
from activity.models import EngagementFlag, FlagReason, FlagStatus, VideoDay
from activity.tests.factories import VideoDayFactory, VideoFactory
from payments.models import EarningsEntry, Source
from rewards import program
from rewards.models import (
    LineKind,
    Measure,
    ProgramLine,
    ProgramMember,
    ProgramStatement,
)

pytestmark = pytest.mark.django_db

OCT = dt.date(2026, 10, 1)
NOV = dt.date(2026, 11, 1)
DEC = dt.date(2026, 12, 1)
PAY_OCT = dt.datetime(2026, 11, 1, 5, tzinfo=dt.UTC)  # when beat pays October
MID_NOV = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)


def eligible_creator(**fields: object) -> CreatorProfile:
    """10,000 followers and 100,000 views in the 30 days to 31 October (on a short video,
    which earns nothing itself)."""
    creator = CreatorFactory(
        followers=fields.pop("followers", 10_000), country=fields.pop("country", "US"), **fields
    )
    VideoDayFactory(
        video=VideoFactory(creator=creator, duration_s=20, published_at=at(OCT)),
        day=dt.date(2026, 10, 31),
        views=100_000,
        views_5s=0,
    )
    return creator


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def video_with(
    creator: CreatorProfile, *, day: dt.date = OCT + dt.timedelta(days=9), **kw: object
) -> VideoDay:
    """A video published on 5 October with one day of numbers: 8 % engagement, 35 s watched
    a view, 50,000 qualified views unless told otherwise."""
    video = VideoFactory(
        creator=creator,
        published_at=kw.pop("published_at", at(dt.date(2026, 10, 5))),
        duration_s=kw.pop("duration_s", 75),
        is_original=kw.pop("is_original", True),
    )
    numbers = {
        "views": 100_000,
        "views_5s": 50_000,
        "likes": 6_000,
        "comments": 1_500,
        "shares": 500,
        "watch_time_s": 3_500_000,
        **kw,
    }
    return VideoDayFactory(video=video, day=day, **numbers)


def lines(creator: CreatorProfile) -> list[ProgramLine]:
    return list(ProgramLine.objects.filter(creator=creator).order_by("pk"))


# --- the arithmetic ---------------------------------------------------------------------------


def test_amount_is_qualified_views_per_thousand_times_rate_and_multipliers_rounded_down() -> None:
    assert program.amount_due(50_000, 100, Decimal("1.2"), Decimal("1.1")) == 6_600
    assert program.amount_due(1_234, 80, Decimal(1), Decimal(1)) == 98  # 98.72 rounds down
    assert program.amount_due(1_999, 33, Decimal("1.1"), Decimal("1.2")) == 87  # 87.07...


def test_rates_come_from_the_seeded_version_by_country_with_a_default() -> None:
    rates = program.rates_for(OCT)
    assert (rates.currency, program.base_rate(rates, "US"), program.base_rate(rates, "BR")) == (
        "USD",
        100,
        40,
    )


def test_the_highest_band_reached_applies_and_none_reached_is_times_one() -> None:
    rates = program.rates_for(OCT)
    high = program.multiplier(rates, Measure.ENGAGEMENT, Decimal("9.3"))
    mid = program.multiplier(rates, Measure.ENGAGEMENT, Decimal(4))
    low = program.multiplier(rates, Measure.WATCH, Decimal("12.5"))
    assert (high.factor, mid.factor, low.factor) == (Decimal("1.20"), Decimal("1.10"), 1)
    assert high.why == "9.3 %: at least 8 %"
    assert low.why == "12.5 s: below 30 s"


def test_a_month_pays_each_eligible_video_with_every_factor_and_credits_earnings() -> None:
    creator = eligible_creator()
    vd = video_with(creator)
    run = program.pay_month(month=OCT, now=PAY_OCT)

    [line] = lines(creator)
    assert (line.video_id, line.kind, line.views, line.qualified_views) == (
        vd.video_id,
        LineKind.MONTH,
        100_000,
        50_000,
    )
    assert (line.base_rate_minor, line.engagement_factor, line.watch_factor) == (
        100,
        Decimal("1.20"),
        Decimal("1.10"),
    )
    assert (line.engagement_rate_pct, line.average_watch_s) == (Decimal("8.00"), Decimal("35.0"))
    assert line.amount_minor == line.due_minor == 6_600
    statement = line.statement
    assert (statement.month, statement.total_minor, statement.is_closed) == (OCT, 6_600, True)
    entry = EarningsEntry.objects.get(pk=statement.earnings_entry_id)
    assert (entry.amount, entry.source, entry.document, entry.pending_until) == (
        6_600,
        Source.REWARDS_PROGRAM,
        f"rewards.programstatement:{statement.pk}",
        dt.date(2026, 11, 15),
    )
    assert run.statements == 1
    assert ProgramMember.objects.get(creator=creator).joined_on == OCT


def test_flagged_views_do_not_qualify() -> None:
    creator = eligible_creator()
    vd = video_with(creator)
    EngagementFlag.objects.create(
        video_day=vd,
        creator=creator,
        day=vd.day,
        reason=FlagReason.VIEW_SPIKE,
        detail="test",
        excluded_views=10_000,
        status=FlagStatus.CONFIRMED,
    )
    program.pay_month(month=OCT, now=PAY_OCT)
    assert lines(creator)[0].qualified_views == 40_000


# --- who and what is paid ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"is_original": False}, "not original"),
        ({"duration_s": 59}, "short"),
        ({"views_5s": 999}, "too few qualified views"),
        ({"published_at": at(dt.date(2026, 9, 30))}, "published before joining"),
    ],
)
def test_a_video_that_breaks_one_rule_earns_nothing(change: dict, why: str) -> None:
    creator = eligible_creator()
    video_with(creator, **change)
    program.pay_month(month=OCT, now=PAY_OCT)
    assert lines(creator) == [], why


def test_exactly_1000_qualified_views_and_60_seconds_earn() -> None:
    creator = eligible_creator()
    video_with(creator, views_5s=1_000, duration_s=60)
    program.pay_month(month=OCT, now=PAY_OCT)
    assert [line.qualified_views for line in lines(creator)] == [1_000]


@pytest.mark.parametrize(
    "change",
    [
        {"followers": 9_999},
        {"date_of_birth": dt.date(2009, 1, 1)},
        {"standing": "suspended"},
    ],
)
def test_a_creator_not_eligible_at_the_months_end_is_not_paid(change: dict) -> None:
    creator = eligible_creator()
    CreatorProfile.objects.filter(pk=creator.pk).update(**change)
    video_with(creator)
    program.pay_month(month=OCT, now=PAY_OCT)
    assert lines(creator) == []
    assert not ProgramStatement.objects.filter(creator=creator).exists()


def test_a_creator_without_100000_views_in_the_30_days_is_not_paid() -> None:
    creator = CreatorFactory(followers=20_000)
    video_with(creator, views=99_999, views_5s=50_000)
    program.pay_month(month=OCT, now=PAY_OCT)
    assert lines(creator) == []


def test_a_video_published_before_the_creator_joined_never_earns() -> None:
    creator = eligible_creator()
    ProgramMember.objects.create(creator=creator, joined_on=dt.date(2026, 10, 10))
    video_with(creator)  # published 5 October
    program.pay_month(month=OCT, now=PAY_OCT)
    assert lines(creator) == []


# --- reruns and corrections -------------------------------------------------------------------


def test_rerunning_a_month_changes_nothing() -> None:
    creator = eligible_creator()
    video_with(creator)
    program.pay_month(month=OCT, now=PAY_OCT)
    before = (lines(creator), list(EarningsEntry.objects.values_list("pk", "amount")))
    program.pay_month(month=OCT, now=MID_NOV)
    assert (lines(creator), list(EarningsEntry.objects.values_list("pk", "amount"))) == before


def test_late_data_after_payment_is_a_labelled_correction_in_the_current_months_statement() -> None:
    creator = eligible_creator()
    vd = video_with(creator)
    program.pay_month(month=OCT, now=PAY_OCT)
    VideoDay.objects.filter(pk=vd.pk).update(views_5s=60_000)  # late data: 10,000 more
    program.pay_month(month=OCT, now=MID_NOV)

    correction = ProgramLine.objects.get(creator=creator, kind=LineKind.CORRECTION)
    assert (correction.statement.month, correction.activity_month) == (NOV, OCT)
    assert (correction.due_minor, correction.amount_minor) == (7_920, 1_320)
    assert correction.reason.startswith("Correction to October 2026: the video earns more")
    assert not correction.statement.is_closed  # paid with November's money
    # October's statement stays as it was paid.
    assert ProgramStatement.objects.get(creator=creator, month=OCT).total_minor == 6_600

    # Paying November pays the correction with it, once.
    program.pay_month(month=NOV, now=dt.datetime(2026, 12, 1, 5, tzinfo=dt.UTC))
    program.pay_month(month=NOV, now=dt.datetime(2026, 12, 2, 5, tzinfo=dt.UTC))
    november = ProgramStatement.objects.get(creator=creator, month=NOV)
    assert (november.is_closed, november.credited_minor) == (True, 1_320)
    assert sorted(
        EarningsEntry.objects.filter(source=Source.REWARDS_PROGRAM).values_list("amount", flat=True)
    ) == [1_320, 6_600]


def test_a_confirmed_flag_after_payment_takes_the_difference_back_next_month() -> None:
    creator = eligible_creator()
    vd = video_with(creator)
    program.pay_month(month=OCT, now=PAY_OCT)
    EngagementFlag.objects.create(
        video_day=vd,
        creator=creator,
        day=vd.day,
        reason=FlagReason.BOT_MARKED,
        detail="bought views",
        excluded_views=50_000,
        status=FlagStatus.CONFIRMED,
    )
    program.pay_month(month=OCT, now=MID_NOV)
    correction = ProgramLine.objects.get(creator=creator, kind=LineKind.CORRECTION)
    assert (correction.statement.month, correction.amount_minor, correction.due_minor) == (
        NOV,
        -6_600,
        0,
    )
    assert "earns less" in correction.reason


def test_corrections_taking_back_more_than_a_month_earned_carry_into_the_next_statement() -> None:
    creator = eligible_creator()
    vd = video_with(creator)
    program.pay_month(month=OCT, now=PAY_OCT)  # 66.00 paid for October
    EngagementFlag.objects.create(
        video_day=vd,
        creator=creator,
        day=vd.day,
        reason=FlagReason.BOT_MARKED,
        detail="bought views",
        excluded_views=50_000,
        status=FlagStatus.CONFIRMED,
    )
    program.pay_month(month=OCT, now=MID_NOV)  # -66.00 waits in November's statement
    # November earns nothing (no views, not eligible): its statement closes paying nothing
    # and the 66.00 still owed back carries into December's.
    program.pay_month(month=NOV, now=dt.datetime(2026, 12, 1, 5, tzinfo=dt.UTC))
    november = ProgramStatement.objects.get(creator=creator, month=NOV)
    assert (november.is_closed, november.total_minor, november.credited_minor) == (
        True,
        -6_600,
        0,
    )
    carried = ProgramLine.objects.get(creator=creator, kind=LineKind.CARRIED)
    assert (carried.statement.month, carried.activity_month, carried.amount_minor) == (
        DEC,
        NOV,
        -6_600,
    )
    assert carried.video_id is None
    assert carried.reason.startswith("Carried from November 2026")

    client = Client()
    client.force_login(creator.user)
    page = client.get(reverse("rewards:program", kwargs={"month": "2026-11"})).content.decode()
    assert "Nothing paid: corrections took back 66.00 USD more than this statement earned" in page
    assert 'href="/rewards/program/2026-12/"' in page
    page = client.get(reverse("rewards:program", kwargs={"month": "2026-12"})).content.decode()
    assert "Carried from earlier statements" in page and "-66.00 USD" in page

    # December earns 99.00 (eligible again): 99.00 - 66.00 is paid, once.
    VideoDayFactory(
        video=VideoFactory(creator=creator, duration_s=20, published_at=at(DEC)),
        day=dt.date(2026, 12, 31),
        views=100_000,
        views_5s=0,
    )
    video_with(creator, day=dt.date(2026, 12, 10), views_5s=75_000, published_at=at(DEC))
    for day in (2, 3):  # paid once, however often it runs
        program.pay_month(month=DEC, now=dt.datetime(2027, 1, day, 5, tzinfo=dt.UTC))
    december = ProgramStatement.objects.get(creator=creator, month=DEC)
    assert (december.total_minor, december.credited_minor) == (9_900 - 6_600, 3_300)
    assert sorted(
        EarningsEntry.objects.filter(source=Source.REWARDS_PROGRAM).values_list("amount", flat=True)
    ) == [3_300, 6_600]
    # What was credited is what every line adds up to: nothing lost, nothing paid twice.
    assert sum(line.amount_minor for line in lines(creator)) == 3_300 + 6_600 - 6_600 + 0


def creators_with_two_videos(count: int) -> list[CreatorProfile]:
    made = [eligible_creator() for _ in range(count)]
    for creator in made:
        video_with(creator)  # 66.00
        video_with(creator, views_5s=20_000)  # 26.40
    return made


@pytest.mark.parametrize("batch", [1, 2, 100])
def test_however_a_run_is_cut_into_batches_it_pays_the_same(
    batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(program, "PAY_BATCH", batch)
    made = creators_with_two_videos(3)
    run = program.pay_month(month=OCT, now=PAY_OCT)
    assert run.statements == 3
    for creator in made:
        assert sorted(line.amount_minor for line in lines(creator)) == [2_640, 6_600]
        assert EarningsEntry.objects.get(account__creator=creator).amount == 9_240
    program.pay_month(month=OCT, now=MID_NOV)
    assert ProgramLine.objects.count() == 6  # a rerun writes nothing


# The run's fixed queries (rates, the run, candidates, the next open month, finishing) and each
# batch's (locks, statements, members, videos, inserts, totals, the credits).
RUN_QUERIES = 32


@pytest.mark.parametrize("creators", [1, 3])
def test_a_batch_costs_the_same_queries_for_one_creator_as_for_three(
    creators: int, django_assert_num_queries: object
) -> None:
    """Set-based: a run's queries do not grow with the creators in a batch."""
    creators_with_two_videos(creators)
    with django_assert_num_queries(RUN_QUERIES):
        program.pay_month(month=OCT, now=PAY_OCT)
    assert ProgramStatement.objects.filter(closed_at__isnull=False).count() == creators


def test_the_runs_rule_is_the_dashboards_rule() -> None:
    """The run decides eligibility without program_paths' per-creator queries; it must agree
    with what the dashboard shows."""
    from rewards import eligibility

    end = dt.date(2026, 10, 31)
    cases = [
        eligible_creator(),
        eligible_creator(followers=9_999),
        eligible_creator(date_of_birth=dt.date(2009, 1, 1)),
        eligible_creator(standing="suspended"),
        CreatorFactory(followers=50_000),
    ]
    views = program.candidates(OCT)
    for creator in cases:
        creator.refresh_from_db()
        shown = next(
            p for p in eligibility.program_paths(creator, end) if p.key == "creator_rewards"
        )
        assert (
            eligibility.meets_rewards_program(creator, views.get(creator.pk, 0), end)
            == shown.eligible
        )


# --- the pages --------------------------------------------------------------------------------


def test_the_statement_page_shows_every_factor_the_total_and_corrections() -> None:
    creator = eligible_creator()
    vd = video_with(creator)
    program.pay_month(month=OCT, now=PAY_OCT)
    client = Client()
    client.force_login(creator.user)
    response = client.get(reverse("rewards:program", kwargs={"month": "2026-10"}))
    page = response.content.decode()
    assert response.status_code == 200
    for text in (vd.video.title, "100,000", "50,000", "1.00 USD", "×1.20", "×1.10", "66.00 USD"):
        assert text in page, text
    assert reverse("payments:statement") in page
    months = client.get(reverse("rewards:program_months")).content.decode()
    assert reverse("rewards:program", kwargs={"month": "2026-10"}) in months


def test_another_creators_month_is_a_404_and_a_bad_month_a_400() -> None:
    paid = eligible_creator()
    video_with(paid)
    program.pay_month(month=OCT, now=PAY_OCT)
    other = Client()
    other.force_login(CreatorFactory().user)
    url = reverse("rewards:program", kwargs={"month": "2026-10"})
    assert other.get(url).status_code == 404
    response = other.get(reverse("rewards:program", kwargs={"month": "2026-13"}))
    assert response.status_code == 400
    assert "is not a month like 2026-10" in response.content.decode()


def test_fans_and_brands_cannot_open_program_statements(
    fan_client: Client, brand_client: Client
) -> None:
    for client in (fan_client, brand_client):
        assert client.get(reverse("rewards:program_months")).status_code == 403
        url = reverse("rewards:program", kwargs={"month": "2026-10"})
        assert client.get(url).status_code == 403


# --- the command and the task -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("october", "is not a month like 2026-10"),
        ("2026-13", "is not a month like 2026-10"),
        ("2999-01", "has not ended yet"),
    ],
)
def test_the_command_refuses_bad_months_clearly(month: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("pay_rewards_program", month=month)


def test_the_command_pays_a_month() -> None:
    creator = eligible_creator()
    video_with(creator)
    call_command("pay_rewards_program", month="2026-10")
    assert ProgramStatement.objects.get(creator=creator).total_minor == 6_600


def test_the_monthly_task_pays_last_month() -> None:
    creator = eligible_creator()
    video_with(creator)
    run = program.pay_last_month(now=PAY_OCT)
    assert run.month == OCT
    assert ProgramStatement.objects.get(creator=creator, month=OCT).is_closed


@pytest.mark.parametrize("videos", [1, 4])
def test_the_statement_pages_run_the_same_queries_whatever_the_videos(
    videos: int, django_assert_max_num_queries: object
) -> None:
    creator = eligible_creator()
    for _ in range(videos):
        video_with(creator)
    program.pay_month(month=OCT, now=PAY_OCT)
    client = Client()
    client.force_login(creator.user)
    # The session's user and creator, the statement, its lines with their videos: as many
    # queries for one video as for four.
    with django_assert_max_num_queries(4):
        assert (
            client.get(reverse("rewards:program", kwargs={"month": "2026-10"})).status_code == 200
        )
    with django_assert_max_num_queries(4):
        assert client.get(reverse("rewards:program_months")).status_code == 200
