"""The reports' scheduled tasks: the impact sums, the fairness measure's monthly sums and the
fairness report's default period, kept computed."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory
from core.clock import rewards_today
from reports import fairness_report
from reports.forms_fairness import last_days, presets
from reports.tasks import keep_fairness_warm, refresh_creator_months
from rewards.models import (
    CreatorFairnessMonth,
    DayTally,
    EarningRule,
    FairnessMonth,
    Metric,
    RecalcRun,
    RecalcState,
)

pytestmark = pytest.mark.django_db


def test_the_nightly_task_leaves_the_one_click_fairness_periods_computed(
    django_assert_num_queries: object,
) -> None:
    refresh_creator_months()
    # Cached, the default period and every other one-click period: only the version's
    # query, none of the report's own.
    for _, first, last in presets(rewards_today()):
        with django_assert_num_queries(1):
            fairness_report.report(first, last)


def test_the_nightly_task_sums_the_fairness_months(creator: CreatorProfile) -> None:
    rule = EarningRule.objects.filter(metric=Metric.LIKES).earliest("valid_from")
    DayTally.objects.create(
        day=dt.date(2026, 10, 9), creator=creator, metric=Metric.LIKES, rule=rule, measured=40
    )
    refresh_creator_months()
    october = FairnessMonth.objects.get(month=dt.date(2026, 10, 1))
    assert october.days_tallied == 1
    assert CreatorFairnessMonth.objects.get(month=october).creator_id == creator.pk


def test_keeping_warm_computes_again_what_a_run_changed(
    creator: CreatorProfile, django_assert_max_num_queries: object
) -> None:
    period = last_days(rewards_today())
    assert keep_fairness_warm() is True
    with django_assert_max_num_queries(1):
        fairness_report.report(*period)

    # A run of the day after a staff member approved it: the kept report is stale...
    run = RecalcRun.objects.create(day=period[1], state=RecalcState.POSTING)
    assert keep_fairness_warm() is False  # ...but not computed while the run posts
    RecalcRun.objects.filter(pk=run.pk).update(state=RecalcState.DONE, finished_at=timezone.now())
    assert keep_fairness_warm() is True
    with django_assert_max_num_queries(1):
        fairness_report.report(*period)
    cache.clear()  # the cache lost: the next tick computes it again
    keep_fairness_warm()
    with django_assert_max_num_queries(1):
        fairness_report.report(*period)


def test_a_month_read_before_its_sums_were_made_again_is_not_kept(creator: CreatorProfile) -> None:
    rule = EarningRule.objects.filter(metric=Metric.LIKES).earliest("valid_from")
    day = dt.date(2026, 10, 9)
    DayTally.objects.create(day=day, creator=creator, metric=Metric.LIKES, rule=rule, measured=40)
    refresh_creator_months()
    october = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert fairness_report.report(*october).points.creators == 1

    # A rerun of 9 October in the day tallies a second creator; read before the next tick,
    # October is as its sums were...
    RecalcRun.objects.create(day=day, state=RecalcState.DONE, finished_at=timezone.now())
    DayTally.objects.create(
        day=day, creator=CreatorFactory(), metric=Metric.LIKES, rule=rule, measured=5
    )
    assert fairness_report.report(*october).points.creators == 1
    # ...and once the tick has summed it again, the report kept from the old sums is not read.
    keep_fairness_warm()
    assert fairness_report.report(*october).points.creators == 2
