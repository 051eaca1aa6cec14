from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Standing
from marketplace import matching
from marketplace.models import Campaign

from .factories_deals import listed_creator, niches, open_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign() -> Campaign:
    return open_campaign(
        niches=niches("beauty", "fashion"),
        target_countries=["GB"],
        target_ages=["18-24"],
        budget_minor=50_000,
        min_followers=10_000,
    )


def parts(match: matching.Match) -> dict[str, int]:
    return {part.key: part.points for part in match.parts}


def test_every_part_of_the_score_from_known_features(campaign: Campaign) -> None:
    best = listed_creator(
        niche_slugs=("beauty", "fashion"),
        audience_countries={"GB": 6_000, "US": 4_000},
        audience_ages={"18-24": 4_000},
        engagement_bp=500,
        authenticity=90,
        price_video_minor=40_000,
        posts_30d=8,
        last_post_at=timezone.now() - timedelta(days=1),
        badges=["brand-ready"],
    )
    middle = listed_creator(
        niche_slugs=("beauty", "gaming"),
        audience_countries={"GB": 2_000},
        audience_ages={"18-24": 1_000},
        engagement_bp=1_200,
        authenticity=100,
        price_video_minor=60_000,
        posts_30d=4,
        last_post_at=timezone.now() - timedelta(days=10),
        badges=["first-steps"],
    )
    worst = listed_creator(
        niche_slugs=("gaming",),
        audience_countries={},
        audience_ages={},
        engagement_bp=0,
        authenticity=50,
        price_video_minor=10_000,
        currency="EUR",
        posts_30d=0,
        last_post_at=None,
    )
    listed_creator(paused=True, badges=["brand-ready"])
    listed_creator(followers=5_000)
    banned = listed_creator()
    banned.standing = Standing.SUSPENDED
    banned.save()

    page, matches = matching.ranked(campaign)

    assert [m.creator for m in matches] == [best, middle, worst]
    assert page.paginator.count == 3
    assert parts(matches[0]) == {
        "niche": 25,  # both niches
        "audience": 18,  # (min(60 %, 50 %) + 40 %) of 20, over 100 %
        "engagement": 7,  # 5 % of the 10 % for full marks
        "authenticity": 13,  # 90 of 100
        "price": 10,  # within the budget
        "activity": 10,  # 8 posts and one yesterday
        "badges": 5,  # Brand-ready
    }
    assert matches[0].score == 88
    assert parts(matches[1]) == {
        "niche": 12,  # one of two
        "audience": 6,  # (20 % + 10 %) of 20, over 100 %
        "engagement": 15,
        "authenticity": 15,
        "price": 6,  # 600.00 against 500.00: 10 × (1,500 − 1,200) / 500
        "activity": 3,  # 4 posts of 8 for three quarters, nothing recent
        "badges": 2,  # a badge, not Brand-ready
    }
    assert matches[1].score == 59
    assert parts(matches[2]) == {
        "niche": 0,
        "audience": 0,
        "engagement": 0,
        "authenticity": 7,
        "price": 0,  # rate in EUR, budget in USD
        "activity": 0,
        "badges": 0,
    }
    assert matches[2].score == 7
    words = {part.key: part.words for part in matches[1].parts}
    assert words["niche"] == "Covers 1 of the campaign's 2 niches: Beauty."
    assert "20 % of the audience is in GB" in words["audience"]
    assert "600.00 USD, above the budget of 500.00 USD" in words["price"]
    assert "4 posts in 30 days, last post 10 days ago" in words["activity"]
    assert "Rates in USD" in {p.key: p.to_raise for p in matches[2].parts}["price"]
    assert matches[0].to_raise == [
        "Audience fit comes from who watches you; it cannot be changed on the portal.",
        "Replying to comments and asking viewers questions lifts engagement.",
        "Authenticity rises as views from suspect accounts fall.",
    ]


def test_explain_gives_the_same_score_as_the_ranking(campaign: Campaign) -> None:
    creators = [
        listed_creator(engagement_bp=bp, price_video_minor=price, niche_slugs=slugs)
        for bp, price, slugs in [
            (100, 70_000, ("beauty",)),
            (900, 50_000, ("fashion", "beauty")),
            (2_000, 74_999, ("travel",)),
        ]
    ]
    _, matches = matching.ranked(campaign)
    by_creator = {m.creator.pk: m.score for m in matches}
    for creator in creators:
        match = matching.explain(campaign, creator)
        assert match is not None
        assert match.score == by_creator[creator.pk] == sum(p.points for p in match.parts)


def test_weights_come_from_settings(campaign: Campaign, settings: object) -> None:
    creator = listed_creator(niche_slugs=("beauty", "fashion"))
    settings.MARKETPLACE_MATCH_WEIGHTS = {
        "niche": 100,
        "audience": 0,
        "engagement": 0,
        "authenticity": 0,
        "price": 0,
        "activity": 0,
        "badges": 0,
    }
    match = matching.explain(campaign, creator)
    assert match is not None and match.score == 100


def test_ranking_pages_in_the_database_with_bounded_queries(campaign: Campaign) -> None:
    for n in range(matching.PAGE_SIZE + 5):
        listed_creator(engagement_bp=40 * n)
    with CaptureQueriesContext(connection) as first:
        page, matches = matching.ranked(campaign, 1)
    assert len(matches) == matching.PAGE_SIZE
    assert page.has_next()
    _, rest = matching.ranked(campaign, 2)
    assert len(rest) == 5
    scores = [m.score for m in matches + rest]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[-1]
    assert not {m.creator.pk for m in matches} & {m.creator.pk for m in rest}
    # niches, count, the page, the page's niches: whatever the number of creators
    assert len(first.captured_queries) <= 5


def test_open_campaigns_for_a_creator_say_why_and_what_would_raise_it(campaign: Campaign) -> None:
    creator = listed_creator(niche_slugs=("beauty",), badges=[], price_video_minor=80_000)
    open_campaign(min_followers=1_000_000)
    _, found = matching.open_campaigns_for(creator)
    assert len(found) == 2
    mine = next(item for item in found if item.campaign == campaign)
    assert mine.eligible
    assert mine.match is not None
    tips = " ".join(mine.match.to_raise)
    assert "Fashion" in tips
    assert "Brand-ready" in tips
    assert "at or under 500.00 USD" in tips
    too_big = next(item for item in found if item.campaign != campaign)
    assert not too_big.eligible
    assert "1,000,000 followers" in too_big.why_not


def test_a_creator_without_a_listing_is_told_to_join(campaign: Campaign) -> None:
    from accounts.tests.factories import CreatorFactory

    _, found = matching.open_campaigns_for(CreatorFactory())
    assert found[0].match is None
    assert "Join the Marketplace" in found[0].why_not
