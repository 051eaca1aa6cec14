"""Expiry: 12 months after the day earned, oldest first, posted once, and what the dashboard
warns about. The property test runs a lot-by-lot model beside the closed form in expiry.py."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import CreatorFactory
from rewards import expiry, tasks
from rewards.models import EntryKind, PointsAccount, PointsEntry
from rewards.services import post_entry

pytestmark = pytest.mark.django_db
START = dt.date(2025, 1, 1)


def give(creator: object, amount: int, day: dt.date, key: str) -> None:
    """Points earned for `day` (a positive adjustment is a lot like any earned entry)."""
    post_entry(
        creator=creator, amount=amount, kind=EntryKind.ADJUSTED, idempotency_key=key,
        activity_date=day,
    )  # fmt: skip


def spend(creator: object, amount: int, day: dt.date, key: str) -> None:
    post_entry(
        creator=creator, amount=-amount, kind=EntryKind.REDEEMED, idempotency_key=key,
        activity_date=day,
    )  # fmt: skip


def balance(creator: object) -> int:
    return (
        PointsAccount.objects.filter(pk=creator.pk).values_list("balance", flat=True).first() or 0
    )


def expired_total(creator: object) -> int:
    return -sum(
        PointsEntry.objects.filter(account_id=creator.pk, kind=EntryKind.EXPIRED).values_list(
            "amount", flat=True
        )
    )


def test_a_lot_expires_twelve_months_after_its_day_and_not_a_day_sooner() -> None:
    creator = CreatorFactory()
    give(creator, 300, dt.date(2025, 3, 10), "a")
    assert expiry.expire(dt.date(2026, 3, 9)) == 0
    assert expiry.expire(dt.date(2026, 3, 10)) == 300
    assert balance(creator) == 0
    entry = PointsEntry.objects.get(account_id=creator.pk, kind=EntryKind.EXPIRED)
    assert entry.amount == -300 and entry.activity_date == dt.date(2026, 3, 10)
    assert "10 Mar 2025" in entry.memo


def test_spending_uses_the_oldest_points_first() -> None:
    creator = CreatorFactory()
    give(creator, 100, dt.date(2025, 1, 5), "old")
    give(creator, 100, dt.date(2025, 6, 5), "new")
    spend(creator, 120, dt.date(2025, 7, 1), "buy")
    # The January lot is used up, and 20 of June's: only June's remaining 80 can expire.
    assert expiry.expire(dt.date(2026, 1, 5)) == 0
    assert expiry.expire(dt.date(2026, 6, 5)) == 80
    assert balance(creator) == 0


def test_running_twice_expires_once_and_other_accounts_are_untouched() -> None:
    old, young = CreatorFactory(), CreatorFactory()
    give(old, 50, dt.date(2025, 2, 1), "old")
    give(young, 50, dt.date(2025, 9, 1), "young")
    day = dt.date(2026, 2, 1)
    assert expiry.expire(day) == 50
    assert expiry.expire(day) == 0
    assert expiry.expire(day + dt.timedelta(days=3)) == 0
    assert (balance(old), balance(young)) == (0, 50)
    call_command("check_ledger")  # exits non-zero when any balance is off


def test_a_refund_gives_back_points_that_keep_their_old_expiry() -> None:
    creator = CreatorFactory()
    give(creator, 100, dt.date(2025, 1, 10), "lot")
    spend(creator, 100, dt.date(2025, 2, 1), "buy")
    assert expiry.expire(dt.date(2026, 1, 10)) == 0  # nothing left of the lot to expire
    post_entry(creator=creator, amount=100, kind=EntryKind.REFUNDED, idempotency_key="refund")
    # The refunded points were January 2025's: they are past their 12 months and go next.
    assert expiry.expire(dt.date(2026, 1, 11)) == 100


def test_a_lot_of_29_february_expires_on_1_march() -> None:
    assert expiry.last_lot_expiring_on(dt.date(2025, 2, 28)) == dt.date(2024, 2, 28)
    assert expiry.last_lot_expiring_on(dt.date(2025, 3, 1)) == dt.date(2024, 3, 1)
    assert expiry.expiry_day_of(dt.date(2024, 2, 29)) == dt.date(2025, 3, 1)
    assert expiry.last_lot_expiring_on(dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)
    creator = CreatorFactory()
    give(creator, 10, dt.date(2024, 2, 29), "leap")
    assert expiry.expire(dt.date(2025, 2, 28)) == 0
    assert expiry.expire(dt.date(2025, 3, 1)) == 10


def test_the_warning_lists_what_expires_in_the_next_30_days_by_day() -> None:
    creator = CreatorFactory()
    today = dt.date(2026, 11, 22)
    give(creator, 40, dt.date(2025, 11, 20), "overdue")  # due two days ago, not yet posted
    give(creator, 70, dt.date(2025, 12, 1), "soon")
    give(creator, 25, dt.date(2025, 12, 22), "last-day")  # expires on day 30
    give(creator, 500, dt.date(2025, 12, 23), "later")  # day 31: not in the warning
    spend(creator, 50, dt.date(2026, 1, 1), "buy")  # uses the 40, then 10 of the 70
    assert expiry.expiring_soon(creator, today) == [
        expiry.Expiring(dt.date(2026, 12, 1), 60),
        expiry.Expiring(dt.date(2026, 12, 22), 25),
    ]


def test_the_nightly_task_expires_todays_points(monkeypatch: pytest.MonkeyPatch) -> None:
    creator = CreatorFactory()
    give(creator, 30, dt.date(2025, 11, 22), "lot")
    monkeypatch.setattr(tasks, "rewards_today", lambda: dt.date(2026, 11, 22))
    assert tasks.expire_points.delay().get() == 30
    assert balance(creator) == 0


# An operation: ("earn", amount), ("spend", amount), ("refund", amount), ("wait", days).
operations = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(1, 500)),
        st.tuples(st.just("spend"), st.integers(1, 400)),
        st.tuples(st.just("refund"), st.integers(1, 300)),
        st.tuples(st.just("wait"), st.integers(1, 400)),
    ),
    min_size=1,
    max_size=25,
)


class LotModel:
    """Points lot by lot, used oldest first, written plainly: the reference for expiry.py.
    A refund puts back the most recently used points (undoing the end of the used stretch)."""

    def __init__(self) -> None:
        self.lots: list[list] = []  # [day, amount, used]
        self.spent = self.expired = 0

    def use(self, amount: int) -> None:
        for lot in self.lots:
            take = min(amount, lot[1] - lot[2])
            lot[2] += take
            amount -= take
        assert amount == 0

    def unuse(self, amount: int) -> None:
        for lot in reversed(self.lots):
            back = min(amount, lot[2])
            lot[2] -= back
            amount -= back

    def due(self, day: dt.date) -> int:
        cutoff = expiry.last_lot_expiring_on(day)
        return sum(lot[1] - lot[2] for lot in self.lots if lot[0] <= cutoff)

    @property
    def balance(self) -> int:
        return sum(lot[1] - lot[2] for lot in self.lots)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_earned_is_always_balance_plus_spent_plus_expired(ops: list[tuple[str, int]]) -> None:
    with transaction.atomic():
        creator = CreatorFactory()
        model = LotModel()
        day = START
        for i, (op, n) in enumerate(ops):
            if op == "earn":
                give(creator, n, day, f"earn-{i}")
                model.lots.append([day, n, 0])
            elif op == "spend" and n <= model.balance:
                spend(creator, n, day, f"spend-{i}")
                model.use(n)
                model.spent += n
            elif op == "refund" and n <= model.spent:
                post_entry(
                    creator=creator, amount=n, kind=EntryKind.REFUNDED, idempotency_key=f"r-{i}"
                )
                model.unuse(n)
                model.spent -= n
            elif op == "wait":  # the nightly job skipped to the last night of the wait
                day += dt.timedelta(days=n)
                due = model.due(day)
                model.use(due)
                model.expired += due
                assert expiry.expire(day) == due
            earned = sum(lot[1] for lot in model.lots)
            assert balance(creator) == model.balance >= 0
            assert earned == balance(creator) + model.spent + expired_total(creator)
        transaction.set_rollback(True)
