import pytest

from accounts.tests.factories import CreatorFactory
from rewards import services
from rewards.models import EntryKind

pytestmark = pytest.mark.django_db


def test_spending_more_than_the_balance_is_refused_in_words() -> None:
    creator = CreatorFactory()
    services.post_entry(creator=creator, amount=50, kind=EntryKind.ADJUSTED, idempotency_key="a")
    with pytest.raises(services.PointsError, match="needs 80 points and the balance is 50"):
        services.post_entry(
            creator=creator, amount=-80, kind=EntryKind.REDEEMED, idempotency_key="b"
        )


def test_a_repeated_key_returns_the_first_entry_and_a_reused_key_is_refused() -> None:
    creator = CreatorFactory()
    first = services.post_entry(
        creator=creator, amount=5, kind=EntryKind.ADJUSTED, idempotency_key="k"
    )
    again = services.post_entry(
        creator=creator, amount=5, kind=EntryKind.ADJUSTED, idempotency_key="k"
    )
    assert again.pk == first.pk
    creator.points_account.refresh_from_db()
    assert creator.points_account.balance == 5
    with pytest.raises(services.PointsError, match="already used"):
        services.post_entry(
            creator=CreatorFactory(), amount=5, kind=EntryKind.ADJUSTED, idempotency_key="k"
        )


@pytest.mark.parametrize("kind", [EntryKind.EARNED, EntryKind.CORRECTION])
def test_earned_points_come_only_from_the_recalculation(kind: EntryKind) -> None:
    with pytest.raises(services.PointsError, match="recalculation only"):
        services.post_entry(creator=CreatorFactory(), amount=5, kind=kind, idempotency_key="x")
