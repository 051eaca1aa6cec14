"""The nightly reports task: the impact sums, then the fairness report's default period."""

import pytest

from core.clock import rewards_today
from reports import fairness_report
from reports.forms_fairness import last_days
from reports.tasks import refresh_creator_months

pytestmark = pytest.mark.django_db


def test_the_nightly_task_leaves_the_default_fairness_period_computed(
    django_assert_num_queries: object,
) -> None:
    refresh_creator_months()
    # Cached: only the version's query, none of the report's own.
    with django_assert_num_queries(1):
        fairness_report.report(*last_days(rewards_today()))
