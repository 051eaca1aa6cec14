"""Tiers from points earned over 90 days, a staff floor with an end date, recomputed nightly."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory
from core.clock import rewards_today
from rewards import tasks, tiers
from rewards.models import CreatorTier, EntryKind, PointsAccount, PointsEntry, Tier

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 21)


def earn(creator: CreatorProfile, amount: int, day: dt.date, kind: str = EntryKind.EARNED) -> None:
    """An entry as the recalculation posts it (earned points come from nowhere else)."""
    account, _ = PointsAccount.objects.get_or_create(creator=creator)
    PointsEntry.objects.create(
        account=account,
        amount=amount,
        kind=kind,
        metric="likes",
        activity_date=day,
        idempotency_key=f"t:{creator.pk}:{day}:{amount}:{kind}",
    )
    PointsAccount.objects.filter(pk=account.pk).update(balance=account.balance + amount)


def tier_of(creator: CreatorProfile) -> CreatorTier:
    return CreatorTier.objects.select_related("tier").get(creator=creator)


def test_the_default_tiers_are_seeded_in_order() -> None:
    assert list(Tier.objects.values_list("name", flat=True)) == [
        "Bronze",
        "Silver",
        "Gold",
        "Platinum",
    ]


def test_tiers_follow_points_earned_in_the_90_days_not_the_balance() -> None:
    silver = Tier.objects.get(name="Silver").min_points_90d
    bronze, edge, out_of_window = CreatorFactory(), CreatorFactory(), CreatorFactory()
    earn(bronze, silver - 1, DAY)
    earn(edge, silver - 100, DAY - dt.timedelta(days=89))  # day 90 of the window counts
    earn(edge, 100, DAY)
    earn(out_of_window, silver, DAY - dt.timedelta(days=90))  # day 91 does not
    tiers.recompute(DAY)
    assert tier_of(bronze).tier.name == "Bronze"
    assert tier_of(edge).tier.name == "Silver" and tier_of(edge).earned_90d == silver
    assert tier_of(out_of_window).tier.name == "Bronze"


def test_spending_points_does_not_cost_a_tier_but_a_negative_correction_does() -> None:
    creator = CreatorFactory()
    gold = Tier.objects.get(name="Gold").min_points_90d
    earn(creator, gold, DAY)
    PointsEntry.objects.create(
        account_id=creator.pk, amount=-gold, kind=EntryKind.REDEEMED, idempotency_key="spend"
    )
    tiers.recompute(DAY)
    assert tier_of(creator).tier.name == "Gold"
    earn(creator, -1, DAY, kind=EntryKind.CORRECTION)
    tiers.recompute(DAY + dt.timedelta(days=1))
    assert tier_of(creator).tier.name == "Silver"


def test_the_date_of_the_last_change_moves_only_when_the_tier_does() -> None:
    creator = CreatorFactory()
    earn(creator, 2_500, DAY)
    tiers.recompute(DAY)
    assert tier_of(creator).changed_on == DAY
    assert tiers.recompute(DAY + dt.timedelta(days=1)) == 0
    assert tier_of(creator).changed_on == DAY
    tiers.recompute(DAY + dt.timedelta(days=90))  # the points left the window
    status = tier_of(creator)
    assert status.tier.name == "Bronze" and status.changed_on == DAY + dt.timedelta(days=90)


def test_a_staff_floor_holds_until_its_end_date_then_the_points_decide() -> None:
    creator = CreatorFactory()
    tiers.recompute(DAY)
    status = tier_of(creator)
    status.floor_tier = Tier.objects.get(name="Gold")
    status.floor_until = DAY + dt.timedelta(days=10)
    status.floor_reason = "Launch partner"
    status.save()
    tiers.recompute(DAY + dt.timedelta(days=10))
    assert tier_of(creator).tier.name == "Gold"
    tiers.recompute(DAY + dt.timedelta(days=11))
    assert tier_of(creator).tier.name == "Bronze"


def test_a_floor_below_the_earned_tier_changes_nothing() -> None:
    creator = CreatorFactory()
    earn(creator, Tier.objects.get(name="Platinum").min_points_90d, DAY)
    tiers.recompute(DAY)
    CreatorTier.objects.filter(creator=creator).update(
        floor_tier=Tier.objects.get(name="Silver"), floor_until=DAY + dt.timedelta(days=5)
    )
    tiers.recompute(DAY)
    assert tier_of(creator).tier.name == "Platinum"


def test_recomputing_one_creator_leaves_every_other_creator_as_it_was() -> None:
    one, other = CreatorFactory(), CreatorFactory()
    tiers.recompute(DAY)
    silver = Tier.objects.get(name="Silver")
    earn(one, silver.min_points_90d, DAY)
    earn(other, silver.min_points_90d, DAY)
    CreatorTier.objects.filter(creator=other).update(
        floor_tier=Tier.objects.get(name="Gold"), floor_until=DAY + dt.timedelta(days=5)
    )
    assert tiers.recompute(DAY, creator=one) == 1
    assert tier_of(one).tier == silver and tier_of(one).earned_90d == silver.min_points_90d
    assert tier_of(other).tier.name == "Bronze" and tier_of(other).earned_90d == 0
    newcomer = CreatorFactory()
    tiers.recompute(DAY, creator=newcomer)
    assert tier_of(newcomer).tier.name == "Bronze"
    assert tier_of(other).tier.name == "Bronze"


def test_staff_set_a_floor_in_admin_and_it_applies_at_once(staff_client: Client) -> None:
    creator = CreatorFactory()
    tiers.recompute(rewards_today() - dt.timedelta(days=1))
    url = reverse("admin:rewards_creatortier_change", args=[creator.pk])
    gold = Tier.objects.get(name="Gold")
    until = (rewards_today() + dt.timedelta(days=30)).isoformat()
    audit = {"audit_reason": "Agreed with the partnerships team"}
    response = staff_client.post(url, {"floor_tier": gold.pk, "floor_until": until, **audit})
    assert response.status_code == 200  # refused: a floor needs a reason
    assert "Say why" in response.content.decode()
    response = staff_client.post(
        url,
        {"floor_tier": gold.pk, "floor_until": until, "floor_reason": "Launch partner", **audit},
    )
    assert response.status_code == 302
    assert tier_of(creator).tier == gold


def test_the_nightly_task_computes_the_90_days_to_yesterday(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    creator = CreatorFactory()
    earn(creator, 2_000, DAY)
    monkeypatch.setattr(tasks, "rewards_today", lambda: DAY + dt.timedelta(days=1))
    tasks.recompute_tiers.delay().get()
    assert tier_of(creator).tier.name == "Silver"
    assert tier_of(creator).computed_on == DAY
