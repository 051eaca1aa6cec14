"""Loyalty tiers: by points earned over the rolling 90 days, recomputed nightly in two
set-based statements, with a staff-set floor that holds until its end date."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction

from accounts.models import CreatorProfile
from accounts.selectors import creator_profile_table

from .models import CreatorTier, Tier
from .points import EARNING_KINDS_SQL

WINDOW_DAYS = 90


def window(day: date) -> tuple[date, date]:
    """The 90 rewards days that end on `day`."""
    return day - timedelta(days=WINDOW_DAYS - 1), day


# The highest tier the creator's 90-day points reach, or their floor while it lasts.
_TARGET_TIER = """(
    SELECT t.id FROM rewards_tier t
    WHERE t.min_points_90d <= rewards_creatortier.earned_90d
       OR (t.id = rewards_creatortier.floor_tier_id AND rewards_creatortier.floor_until >= %(day)s)
    ORDER BY t.min_points_90d DESC LIMIT 1
)"""


@transaction.atomic
def recompute(day: date, *, creator: CreatorProfile | None = None) -> int:
    """Every creator's tier as of `day` (or only `creator`'s); returns how many changed.

    First the 90-day totals are upserted, then each tier is set; `changed_on` moves only when
    the tier does (both SET expressions read the row as it was)."""
    first, last = window(day)
    params = {"first": first, "last": last, "day": day, "creator": creator.pk if creator else None}
    with connection.cursor() as cursor:
        # One text for one creator or all: a NULL `creator` stands for every creator, and the
        # CAST gives the parameter a type even when it is NULL. (SQLite parses an INSERT …
        # SELECT … ON CONFLICT only when the SELECT has a WHERE; this one always has.)
        cursor.execute(
            f"""
            INSERT INTO rewards_creatortier
                (creator_id, tier_id, earned_90d, computed_on, changed_on, floor_tier_id,
                 floor_until, floor_reason)
            SELECT c.id, NULL, COALESCE(e.total, 0), %(day)s, NULL, NULL, NULL, ''
            FROM {creator_profile_table()} c
            LEFT JOIN (
                SELECT account_id, SUM(amount) AS total FROM rewards_pointsentry
                WHERE activity_date BETWEEN %(first)s AND %(last)s
                  AND kind IN ({EARNING_KINDS_SQL})
                GROUP BY account_id
            ) e ON e.account_id = c.id
            WHERE (CAST(%(creator)s AS BIGINT) IS NULL OR c.id = %(creator)s)
            ON CONFLICT (creator_id) DO UPDATE
                SET earned_90d = excluded.earned_90d, computed_on = excluded.computed_on
            """,
            params,
        )
        cursor.execute(
            f"""
            UPDATE rewards_creatortier SET
                changed_on = %(day)s,
                tier_id = {_TARGET_TIER}
            WHERE computed_on = %(day)s
              AND (CAST(%(creator)s AS BIGINT) IS NULL OR creator_id = %(creator)s)
              AND COALESCE(tier_id, 0) <> COALESCE({_TARGET_TIER}, 0)
            """,
            params,
        )
        return cursor.rowcount


@dataclass(frozen=True)
class TierProgress:
    """What the dashboard says about tiers: the current one, and how far the next is."""

    tier: Tier | None
    changed_on: date | None
    floor: Tier | None
    floor_until: date | None
    earned_90d: int  # live: entries posted so far for the 90 days that end on `as_of`
    as_of: date
    next_tier: Tier | None

    @property
    def points_to_next(self) -> int:
        return max(0, self.next_tier.min_points_90d - self.earned_90d) if self.next_tier else 0

    @property
    def reached_next(self) -> bool:
        """The 90-day points already reach the next tier; the nightly update will move it."""
        return self.next_tier is not None and self.points_to_next == 0


def progress(creator: CreatorProfile, as_of: date, earned_90d: int) -> TierProgress:
    """The creator's tier and the next one up (two queries; `earned_90d` comes from the caller,
    who already sums the window)."""
    status = (
        CreatorTier.objects.filter(creator=creator).select_related("tier", "floor_tier").first()
    )
    tiers = list(Tier.objects.all())
    current = status.tier if status else None
    floor = status.floor_tier if status and status.floor_applies_on(as_of) else None
    current_min = current.min_points_90d if current else -1
    next_tier = next((t for t in tiers if t.min_points_90d > current_min), None)
    return TierProgress(
        tier=current,
        changed_on=status.changed_on if status else None,
        floor=floor,
        floor_until=status.floor_until if floor else None,
        earned_90d=earned_90d,
        as_of=as_of,
        next_tier=next_tier,
    )
