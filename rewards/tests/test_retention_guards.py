"""What the retention settings removed cannot be recalculated from: a recalculation or a
program month of days before the raw activity kept is refused in words, and an old day's page
says its per-video numbers were removed (privacy.retention; the impact report's months in
reports/tests/test_impact_retention.py)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import CreatorProfile
from activity import retention as activity_retention
from core.clock import rewards_today
from rewards import program, recalculation
from rewards.models import EntryKind
from rewards.services import post_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept_from(settings: object) -> object:
    settings.RETENTION_RAW_ACTIVITY_DAYS = 120
    return activity_retention.raw_activity_kept_from(rewards_today())


def test_a_day_whose_raw_activity_is_gone_is_not_recalculated(kept_from: object) -> None:
    # The day's own numbers are gone, or those of the 28 days its authenticity baseline reads.
    for day in (kept_from - timedelta(days=1), kept_from + timedelta(days=27)):
        with pytest.raises(recalculation.RecalcError, match="removed after 120 days"):
            recalculation.start_run(day=day)
    first_whole = kept_from + timedelta(days=28)
    assert recalculation.start_run(day=first_whole).day == first_whole


def test_a_month_whose_raw_activity_is_gone_is_not_paid_again(kept_from: object) -> None:
    month = (kept_from - timedelta(days=40)).replace(day=1)
    with pytest.raises(program.ProgramError, match="can no longer be paid or corrected"):
        program.pay_month(month=month)


def test_an_old_days_page_says_its_video_numbers_were_removed(
    kept_from: object, creator: CreatorProfile, creator_client: Client
) -> None:
    old = kept_from - timedelta(days=3)
    # Points the day earned stay; its videos' numbers are gone.
    post_entry(
        creator=creator,
        amount=12,
        kind=EntryKind.ADJUSTED,
        idempotency_key="old-day",
        activity_date=old,
    )
    page = creator_client.get(reverse("rewards:day", kwargs={"day": old.isoformat()}))
    assert page.status_code == 200
    assert "numbers for this day were removed after 120 days" in page.content.decode()
    recent = rewards_today() - timedelta(days=2)
    page = creator_client.get(reverse("rewards:day", kwargs={"day": recent.isoformat()}))
    assert "were removed after" not in page.content.decode()
