"""What another app's raw SQL may name of activity: its tables, and the rule on flags.

The nightly recalculation (rewards) and the Marketplace's nightly feature refresh read
activity's tables in set-based SQL; they take their names from here, built from the models,
rather than copying them. Functions, so nothing reads the models' options while apps load.
"""

from .models import AudienceDay, CreatorDay, EngagementFlag, FlagStatus, Video, VideoDay


def video_table() -> str:
    return Video._meta.db_table


def video_day_table() -> str:
    return VideoDay._meta.db_table


def creator_day_table() -> str:
    return CreatorDay._meta.db_table


def audience_day_table() -> str:
    """One row per creator and day: `creator_id`, `day`, and the splits `countries`,
    `age_bands` and `genders` (JSON objects of key to basis points). See
    `selectors.latest_audience_sql` for the latest day of each creator."""
    return AudienceDay._meta.db_table


def engagement_flag_table() -> str:
    return EngagementFlag._meta.db_table


def flag_excludes_sql(alias: str = "") -> str:
    """SQL that holds for an engagement flag whose amounts count for nothing (open or
    confirmed): `EngagementFlag.excludes`, for a row of the flags table (as `alias`, if given)."""
    column = f"{alias}.status" if alias else "status"
    return f"{column} <> '{FlagStatus.DISMISSED.value}'"
