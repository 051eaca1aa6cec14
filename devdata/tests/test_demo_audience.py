"""The demo's audiences: a plausible weekly split for every creator, through ingestion, once."""

import datetime as dt

import pytest

from accounts.models import Niche
from accounts.tests.factories import CreatorFactory
from activity import selectors
from activity.models import AudienceDay
from devdata import demo_activity

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)


def test_every_creator_gets_a_weekly_split_from_home_and_niches_and_a_second_run_adds_none() -> (
    None
):
    gamer = CreatorFactory(country="JP", niches=Niche.objects.filter(slug="gaming"))
    baker = CreatorFactory(country="GB", niches=Niche.objects.filter(slug="cooking"))
    weeks = demo_activity.AUDIENCE_WEEKS

    assert demo_activity.seed_audiences(today=TODAY) == 2 * weeks

    for creator, home in ((gamer, "JP"), (baker, "GB")):
        days = AudienceDay.objects.filter(creator=creator)
        assert days.count() == weeks
        for audience in days:
            for split in (audience.countries, audience.age_bands, audience.genders):
                assert sum(split.values()) == 10_000
        split = selectors.latest_audience(creator)
        assert split is not None and split.day == TODAY - dt.timedelta(days=1)
        assert split.shares["country"][0][0] == home
    gamers, bakers = selectors.latest_audience(gamer), selectors.latest_audience(baker)
    assert gamers.share_bp("age_band", "18-24") > bakers.share_bp("age_band", "18-24")
    assert gamers.share_bp("gender", "male") > bakers.share_bp("gender", "male")
    # Weeks differ a little, as real splits do.
    [first, *others] = AudienceDay.objects.filter(creator=baker).values_list("genders", flat=True)
    assert any(genders != first for genders in others)

    assert demo_activity.seed_audiences(today=TODAY + dt.timedelta(days=3)) == 0
    assert AudienceDay.objects.count() == 2 * weeks
