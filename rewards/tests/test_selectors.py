import datetime as dt

import pytest

from activity.tests.factories import DAY, CreatorDayFactory, VideoDayFactory, VideoFactory
from rewards import recalculation, selectors
from rewards.models import EarningRule, Metric

pytestmark = pytest.mark.django_db


def rule(metric: str, day: dt.date = DAY) -> EarningRule:
    """The version of `metric`'s seeded rule in force on `day`."""
    return EarningRule.objects.filter(metric=metric, valid_from__lte=day).latest("valid_from")


def test_each_rule_reads_as_a_sentence() -> None:
    assert selectors.describe_rule(rule(Metric.QUALIFIED_VIEWS)) == (
        "2 points per 1,000 qualified views; above 200 points a day, 50% of the rest, "
        "at most 500 a day"
    )
    assert selectors.describe_rule(rule(Metric.UPLOADS)) == (
        "10 points per original video uploaded, at most 30 a day"
    )
    assert selectors.describe_rule(rule(Metric.STREAK)) == (
        "50 points per week with uploads on 4 different days, at most 50 a day"
    )
    words = selectors.rules_in_words(DAY)
    assert {w.metric for w in words} == set(Metric.values)


def test_the_fairer_engagement_rules_of_december_read_as_sentences() -> None:
    """The versions migration 0013 adds from 2026-12-01 (issue 12's fairness measure)."""
    december = dt.date(2026, 12, 1)
    assert selectors.describe_rule(rule(Metric.QUALIFIED_VIEWS, december)) == (
        "2 points per 1,000 qualified views; above 40 points a day, 20% of the rest, "
        "at most 150 a day"
    )
    assert selectors.describe_rule(rule(Metric.LIKES, december)) == (
        "1 point per 100 likes received; above 20 points a day, 20% of the rest, at most 60 a day"
    )
    # History keeps the first versions.
    assert rule(Metric.QUALIFIED_VIEWS, december - dt.timedelta(days=1)).daily_cap == 500


def test_a_days_entries_come_with_their_rule_arithmetic_activity_and_exclusions() -> None:
    video = VideoFactory(title="Pasta in 60 s")
    VideoDayFactory(video=video, views=15_000, views_5s=12_400, likes=450)
    burst = VideoDayFactory(
        video=VideoFactory(creator=video.creator, title="Bought views"),
        views=9_000,
        views_5s=8_000,
        likes=20,
        bot_views=8_000,
    )
    CreatorDayFactory(creator=video.creator, replies=7)
    recalculation.recalculate_day_in_process(day=DAY)

    [day] = selectors.explain_points(video.creator, DAY, DAY)
    by_metric = {line.entry.metric: line for line in day.entries}
    views = by_metric[Metric.QUALIFIED_VIEWS]
    # 12,400 + (8,000 - 8,000 bot views) qualified views. The 400 short of a whole unit now
    # carry over to the next day of the month (they used to be dropped), and the drill-down
    # says so.
    assert views.arithmetic == (
        "12,400 qualified views × 2 per 1,000 = 24; 400 carried to the next day"
    )
    assert views.rule_text.startswith("2 points per 1,000 qualified views")
    assert by_metric[Metric.REPLIES].arithmetic == "7 replies to followers × 1 each = 7"
    assert [v.video.title for v in day.videos] == ["Pasta in 60 s", "Bought views"]
    [exclusion] = day.exclusions
    assert exclusion.video_title == burst.video.title
    assert exclusion.excluded_views == 8_000
    assert [flag.reason for flag in exclusion.flags] == [
        "Engagement the platform marked as coming from bot accounts"
    ]
    assert day.points == sum(line.entry.amount for line in day.entries)
    assert day.creator_day.replies == 7


def test_caps_and_tapering_are_spelled_out() -> None:
    stat = VideoDayFactory(views=2_000_000, views_5s=1_000_000)
    recalculation.recalculate_day_in_process(day=DAY)
    [day] = selectors.explain_points(stat.creator, DAY, DAY)
    [line] = [e for e in day.entries if e.entry.metric == Metric.QUALIFIED_VIEWS]
    assert line.arithmetic == (
        "1,000,000 qualified views × 2 per 1,000 = 2,000; above 200 only 50% counts, "
        "so 1,100; capped at 500 a day"
    )


def test_explaining_a_long_range_costs_the_same_queries_as_one_day(
    django_assert_num_queries: object,
) -> None:
    video = VideoFactory()
    for back in range(60):
        day = DAY - dt.timedelta(days=back)
        VideoDayFactory(video=video, day=day, views=6_000, views_5s=5_000)
        CreatorDayFactory(creator=video.creator, day=day, replies=3)
    recalculation.recalculate_day_in_process(day=DAY)
    recalculation.recalculate_day_in_process(day=DAY - dt.timedelta(days=59))
    # Six: the sixth reads what each day carried without an entry (remainders carried on).
    with django_assert_num_queries(6):
        one = selectors.explain_points(video.creator, DAY, DAY)
    with django_assert_num_queries(6):
        many = selectors.explain_points(video.creator, DAY - dt.timedelta(days=59), DAY)
    assert len(one) == 1 and len(many) == 60


def test_a_correction_says_what_is_due_now_and_how_far_it_moves() -> None:
    stat = VideoDayFactory(views=9_000, views_5s=4_000)
    recalculation.recalculate_day_in_process(day=DAY)
    stat.views_5s = 9_000
    stat.save()
    recalculation.recalculate_day_in_process(day=DAY)
    [day] = selectors.explain_points(stat.creator, DAY, DAY)
    lines = [e for e in day.entries if e.entry.metric == Metric.QUALIFIED_VIEWS]
    assert [line.arithmetic for line in lines] == [
        "4,000 qualified views × 2 per 1,000 = 8",
        "9,000 qualified views × 2 per 1,000 = 18 due now; this correction moves it by +10",
    ]
