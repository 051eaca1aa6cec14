import datetime as dt

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from core.clock import rewards_today
from rewards.models import EarningRule, Metric

pytestmark = pytest.mark.django_db
URL = reverse("rewards:how_points_work")


def in_force_today(metric: str, **terms: object) -> EarningRule:
    """The version of `metric` in force from today with `terms`, the rest the model's
    defaults (replacing a seeded version that starts today, if there is one)."""
    EarningRule.objects.filter(metric=metric, valid_from=rewards_today()).delete()
    return EarningRule.objects.create(metric=metric, valid_from=rewards_today(), **terms)


def test_how_points_work_states_every_rule_in_force_in_product_order() -> None:
    # A version in force from today, so the sentence is known whatever the seeded versions
    # (one of which may itself start today).
    in_force_today(
        Metric.QUALIFIED_VIEWS,
        unit_size=1_000,
        points_per_unit=3,
        taper_above=100,
        taper_percent=50,
        daily_cap=400,
    )
    response = Client().get(URL)
    assert response.status_code == 200
    assert [rule.metric for rule in response.context["rules"]] == list(Metric)
    html = response.content.decode()
    assert (
        "3 points per 1,000 qualified views; above 100 points a day, 50% of the rest, "
        "at most 400 a day"
    ) in html


def test_a_new_rule_version_in_force_today_changes_the_page() -> None:
    in_force_today(Metric.UPLOADS, points_per_unit=15, daily_cap=45)
    html = Client().get(URL).content.decode()
    assert "15 points per original video uploaded, at most 45 a day" in html
    assert "10 points per original video uploaded" not in html


def test_a_rule_switched_off_disappears_from_the_page() -> None:
    in_force_today(Metric.QUALIFIED_VIEWS, points_per_unit=2, is_active=False)
    response = Client().get(URL)
    assert Metric.QUALIFIED_VIEWS not in [rule.metric for rule in response.context["rules"]]
    assert "What a qualified view is" not in response.content.decode()


@override_settings(QUALIFIED_VIEW_MIN_DURATION_S=90, REWARDS_STREAK_DAYS=5)
def test_the_counting_rules_come_from_settings_not_the_template() -> None:
    html = Client().get(URL).content.decode()
    assert "<strong>90 seconds</strong>" in html
    assert "uploading on 5 different days" in html


def test_creators_find_it_in_their_navigation(creator_client: Client) -> None:
    response = creator_client.get(URL)
    assert [link.label for link in response.context["main_nav"]] == [
        "Home",
        "Store",
        "Points",
        "Earnings",
        "Subscriptions",
        "Academy",
        "Marketplace",
    ]
    # It opens from Home's header (and the footer), so Home is where the creator is.
    assert next(link for link in response.context["main_nav"] if link.current).label == "Home"


def test_it_runs_two_queries_for_the_rules(django_assert_num_queries: object) -> None:
    # The rules in force today, and every version for the coming changes.
    with django_assert_num_queries(2):
        Client().get(URL)


def test_a_rule_dated_to_come_shows_as_a_coming_change_beside_the_rule_it_replaces() -> None:
    today = rewards_today()
    EarningRule.objects.create(
        metric=Metric.UPLOADS,
        valid_from=today + dt.timedelta(days=40),
        points_per_unit=15,
        daily_cap=45,
    )
    response = Client().get(URL)
    html = response.content.decode()
    [change] = [c for c in response.context["changes"] if c.label == "Original videos uploaded"]
    assert change.text == "15 points per original video uploaded, at most 45 a day"
    assert change.was == "10 points per original video uploaded, at most 30 a day"
    assert "Coming changes" in html and "Until then: 10 points per original video" in html
    # Today's table still states the rule in force now.
    assert [r.text for r in response.context["rules"] if r.metric == Metric.UPLOADS] == [
        "10 points per original video uploaded, at most 30 a day"
    ]
