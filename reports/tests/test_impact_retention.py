"""Months whose raw activity the retention settings removed are not rewritten: the impact
report keeps the sums computed while the numbers were there (privacy.retention)."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from activity import retention as activity_retention
from core.clock import rewards_today
from reports import impact

pytestmark = pytest.mark.django_db


def test_impact_months_whose_raw_activity_is_gone_are_not_rewritten(settings: object) -> None:
    settings.RETENTION_RAW_ACTIVITY_DAYS = 120
    kept_from = activity_retention.raw_activity_kept_from(rewards_today())
    month = (kept_from - timedelta(days=40)).replace(day=1)
    with pytest.raises(impact.RefreshError):
        impact.refresh(first_month=month)
    with pytest.raises(CommandError, match="removed after 120 days"):
        call_command("refresh_creator_months", "--from", f"{month:%Y-%m}")
