"""The what-if's shortcuts (rewards.fairness.replay): a metric whose rule the draft leaves as
it was is taken from the nightly tallies, one whose unit size stays is computed row by row
from the tallies' carry, and only the rest runs the full running-sum replay. Each must give
exactly what the full replay (recalculation.replay_sql without shortcuts) gives, on a small
population run through the real nightly recalculation over days that cross a month."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection

from activity.tests.factories import VideoDayFactory, VideoFactory
from core.regions import region_key
from reports import fairness_report
from rewards import fairness, points, recalculation
from rewards.models import DayTally, EarningRule, Metric, RecalcRun, RecalcState

DAYS = [dt.date(2026, 10, 26) + dt.timedelta(days=i) for i in range(10)]  # 26 Oct to 4 Nov
# From the 28th: what the 27th carried in counts, and 1 November starts afresh.
FIRST, LAST = DAYS[2], DAYS[-1]


def _run_nights() -> None:
    for day in DAYS:
        assert recalculation.recalculate_day_in_process(day=day).state == "done"


@pytest.fixture
def population(db: None) -> None:
    """Four creators of different sizes, their videos' days run through the nightly run."""
    videos = [VideoFactory(creator__followers=f) for f in (800, 12_000, 150_000, 2_000_000)]
    for i, day in enumerate(DAYS):
        for k, video in enumerate(videos, start=1):
            views = 300 * k**3 + 170 * i
            VideoDayFactory(
                video=video,
                day=day,
                views=views,
                views_5s=views,
                likes=views * (5 + k) // 100,
                comments=7 * k + i,
                shares=3 * k,
            )
    _run_nights()


def _full_replay(rules: list[EarningRule]) -> fairness.Replay:
    """The replay with no shortcut: every metric by the running sum of its tallies."""
    active = [rule for rule in rules if rule.is_active]
    sql, params = recalculation.replay_sql(FIRST, LAST, active, list(Metric.values))
    by_creator: dict[int, int] = {}
    by_metric = dict.fromkeys(Metric.values, 0)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for creator_id, *amounts in cursor.fetchall():
            by_creator[creator_id] = sum(amounts)
            for metric, amount in zip(Metric.values, amounts, strict=True):
                by_metric[metric] += amount
    return fairness.Replay(FIRST, LAST, by_creator, by_metric)


def _in_force() -> list[EarningRule]:
    rules = list(points.rules_in_force(FIRST).values())
    assert list(points.rules_in_force(LAST).values()) == rules  # one version all along
    return rules


def _draft(rule: EarningRule, **terms: object) -> EarningRule:
    """An unsaved copy of `rule` with `terms` changed (as the what-if form builds it)."""
    fields = ("is_active", "unit_size", "points_per_unit", "daily_cap", "taper_above")
    values = {name: getattr(rule, name) for name in (*fields, "taper_percent")}
    return EarningRule(metric=rule.metric, **{**values, **terms})


def _nightly(metric: str | None = None) -> tuple[dict[int, int], int]:
    """What the nightly run's tallies hold for FIRST..LAST: per creator, and in all."""
    tallies = DayTally.objects.filter(day__range=(FIRST, LAST))
    if metric:
        tallies = tallies.filter(metric=metric)
    by_creator: dict[int, int] = {}
    for creator_id, amount in tallies.values_list("creator_id", "points"):
        by_creator[creator_id] = by_creator.get(creator_id, 0) + amount
    return by_creator, sum(by_creator.values())


def test_unchanged_rules_replay_to_what_the_nightly_run_gave(population: None) -> None:
    rules = _in_force()
    shortcuts = fairness._shortcuts(rules, fairness.rule_versions_during(FIRST, LAST))
    assert shortcuts["as_tallied"] == {rule.metric for rule in rules}

    replayed = fairness.replay(FIRST, LAST, rules)

    nightly, total = _nightly()
    assert total > 0
    assert replayed.by_creator == nightly
    assert replayed.total == total
    for metric in (Metric.QUALIFIED_VIEWS, Metric.LIKES, Metric.COMMENTS):
        assert replayed.by_metric[metric] == _nightly(metric)[1] > 0
    full = _full_replay(rules)
    assert (replayed.by_creator, replayed.by_metric) == (full.by_creator, full.by_metric)


@pytest.mark.parametrize(
    ("metric", "terms", "shortcut"),
    [
        (Metric.LIKES, {"daily_cap": 3}, "same_unit"),
        (Metric.QUALIFIED_VIEWS, {"taper_above": 1, "taper_percent": 10}, "same_unit"),
        (Metric.COMMENTS, {"points_per_unit": 5}, "same_unit"),
        # A new unit size changes every carry: the running sum replays it.
        (Metric.QUALIFIED_VIEWS, {"unit_size": 700}, None),
        (Metric.LIKES, {"is_active": False}, None),
    ],
)
def test_a_draft_changing_one_metric_gives_what_the_full_replay_gives(
    population: None, metric: str, terms: dict, shortcut: str | None
) -> None:
    rules = _in_force()
    drafts = [_draft(rule, **terms) if rule.metric == metric else rule for rule in rules]
    shortcuts = fairness._shortcuts(
        [d for d in drafts if d.is_active], fairness.rule_versions_during(FIRST, LAST)
    )
    if shortcut:
        assert metric in shortcuts[shortcut]
    else:
        assert metric not in shortcuts["as_tallied"] | shortcuts["same_unit"]

    replayed = fairness.replay(FIRST, LAST, drafts)

    full = _full_replay(drafts)
    assert replayed.by_creator == full.by_creator
    assert replayed.by_metric == full.by_metric
    assert replayed.by_metric[metric] != _nightly(metric)[1]  # the draft changes something
    others = [m for m in Metric.values if m != metric]
    assert [replayed.by_metric[m] for m in others] == [full.by_metric[m] for m in others]


def test_a_rule_changed_within_the_days_is_never_taken_from_the_tallies(db: None) -> None:
    """The tallies paid each day by its own version; a draft that matches the last one
    must still be replayed over the days the earlier version paid."""
    likes = points.rules_in_force(FIRST)[Metric.LIKES]
    EarningRule.objects.create(
        metric=Metric.LIKES,
        valid_from=DAYS[6],  # 1 November, within FIRST..LAST
        is_active=True,
        unit_size=likes.unit_size,
        points_per_unit=likes.points_per_unit,
        daily_cap=2,
        taper_above=likes.taper_above,
        taper_percent=likes.taper_percent,
    )
    video = VideoFactory(creator__followers=50_000)
    for i, day in enumerate(DAYS):
        VideoDayFactory(video=video, day=day, views=9_000 + i, views_5s=9_000, likes=900 + 13 * i)
    _run_nights()
    rules = list(points.rules_in_force(LAST).values())
    versions = fairness.rule_versions_during(FIRST, LAST)
    assert len(versions[Metric.LIKES]) == 2
    assert Metric.LIKES not in fairness._shortcuts(rules, versions)["as_tallied"]

    replayed = fairness.replay(FIRST, LAST, rules)

    full = _full_replay(rules)
    assert replayed.by_metric == full.by_metric
    assert replayed.by_metric[Metric.LIKES] != _nightly(Metric.LIKES)[1]  # cap 2 every day


def test_the_what_if_totals_equal_the_full_replays(population: None) -> None:
    rules = _in_force()
    drafts = [_draft(rule, daily_cap=4) if rule.metric == Metric.LIKES else rule for rule in rules]
    full = _full_replay(drafts)

    result = fairness_report.what_if(FIRST, LAST, drafts)

    assert result.total_draft == fairness_report.points_amount(full.total)
    drafted = {m.label: m.draft for m in result.metrics}
    assert drafted[Metric.LIKES.label] == fairness_report.points_amount(
        full.by_metric[Metric.LIKES]
    )
    assert result.comparison.creators == len(full.by_creator) == 4


def test_the_ledgers_side_is_read_once_then_brought_up_to_date(
    population: None, django_assert_num_queries: object
) -> None:
    first = fairness.ledger_for_what_if(FIRST, LAST)
    # The tallied days and the latest entry; the ledger's sums come from the cache.
    with django_assert_num_queries(2):
        assert fairness.ledger_for_what_if(FIRST, LAST) == first
    assert sum(first[0].values()) == sum(first[1].values()) > 0

    # Late data for a day: the next run posts a correction, and the ledger's side adds the
    # entries posted since to what it kept: the same as reading the whole ledger again.
    video_day = VideoDayFactory._meta.model.objects.filter(day=LAST).order_by("pk").first()
    video_day.likes += 5_000
    video_day.save()
    assert recalculation.recalculate_day_in_process(day=LAST).state == "done"
    after = fairness.ledger_for_what_if(FIRST, LAST)
    assert sum(after[0].values()) > sum(first[0].values())
    assert after == fairness._paid(FIRST, LAST, fairness.tallied_days(FIRST, LAST))
    with django_assert_num_queries(2):  # kept again, with the run's entries
        assert fairness.ledger_for_what_if(FIRST, LAST) == after


def test_what_is_read_while_a_run_posts_is_not_kept(
    population: None, django_assert_num_queries: object
) -> None:
    RecalcRun.objects.create(day=LAST, state=RecalcState.POSTING)
    whole = fairness._paid(FIRST, LAST, fairness.tallied_days(FIRST, LAST))
    for _ in range(2):
        # The tallied days, the latest entry, the whole ledger's pass: every time.
        with django_assert_num_queries(3):
            assert fairness.ledger_for_what_if(FIRST, LAST) == whole


def test_what_was_kept_of_another_ledger_is_read_again(population: None) -> None:
    whole = fairness.ledger_for_what_if(FIRST, LAST)
    # A database restored under a cache that outlived it: the kept id is past its last entry.
    days = len(fairness.tallied_days(FIRST, LAST))
    key = region_key("rewards:what-if-ledger", FIRST.isoformat(), LAST.isoformat(), days)
    cache.set(key, (10**12, ({1: 5}, {Metric.LIKES: 5})))
    assert fairness.ledger_for_what_if(FIRST, LAST) == whole
