"""The nightly refresh of what the Marketplace filters and matches listed creators on
(MatchFeatures), in one set-based upsert over every listed creator, never a loop per creator.

Over the 30 rewards days that end on the refresh's day (yesterday, the last complete day):

- followers: the creator's current count (CreatorProfile.followers, kept by activity).
- avg_views: views ÷ the videos that drew them (videos with views on those days).
- engagement_bp: genuine likes, comments and shares ÷ genuine views, in basis points
  (activity.selectors.engagement_by_creator_sql: bots' likes and views left out).
- authenticity (0–100): 100 less twice the percentage of views the authenticity pass
  excluded (open or confirmed EngagementFlags), rounded, at least 0: a creator with a tenth
  of their views set aside scores 80; with half or more, 0. Doubling makes a tenth visible
  to brands, who should not pay for fake reach; no views at all scores 100 (nothing doubtful).
- posts_30d and last_post_at: videos published in the window, and the latest ever.
- badges: the slugs of the Academy badges the creator holds, alphabetical.
- audience_countries / ages / genders: the creator's latest audience split the platform
  reported (activity.selectors.latest_audience_sql, through `_audience_sql`), basis points
  by key; empty without one.
"""

from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Badge, CreatorBadge, CreatorProfile
from accounts.selectors import creator_profile_table
from activity import selectors as activity_selectors
from activity.tables import engagement_flag_table, flag_excludes_sql, video_day_table, video_table
from core.clock import rewards_today, start_of_rewards_day

from . import search
from .models import Listing, MatchFeatures

WINDOW_DAYS = 30
# Authenticity loses this many points per percentage point of views set aside.
AUTHENTICITY_PENALTY = 2


def window(day: date) -> tuple[date, date]:
    """The 30 rewards days that end on `day`."""
    return day - timedelta(days=WINDOW_DAYS - 1), day


def _json(value: str) -> str:
    """A JSON literal for the features' JSON columns (jsonb on PostgreSQL, text on SQLite)."""
    return f"CAST('{value}' AS jsonb)" if connection.vendor == "postgresql" else f"'{value}'"


def _badge_slugs_sql() -> str:
    """A correlated subquery: the JSON array of the badge slugs of creator `l.creator_id`."""
    held, badge = CreatorBadge._meta.db_table, Badge._meta.db_table
    if connection.vendor == "postgresql":
        return f"""(SELECT COALESCE(jsonb_agg(b.slug ORDER BY b.slug), CAST('[]' AS jsonb))
                    FROM {held} cb JOIN {badge} b ON b.id = cb.badge_id
                    WHERE cb.creator_id = l.creator_id)"""
    return f"""(SELECT json_group_array(slug) FROM (
                    SELECT b.slug FROM {held} cb JOIN {badge} b ON b.id = cb.badge_id
                    WHERE cb.creator_id = l.creator_id ORDER BY b.slug))"""


def _upsert_sql(engagement: str, *, only_one: bool) -> str:
    """The upsert, with activity's `engagement` SELECT; `only_one` adds the filter to one
    creator inside each aggregate, so a single creator's refresh reads only their rows."""
    one = "AND {column} = %(creator)s"
    penalty = f"({AUTHENTICITY_PENALTY * 100} * COALESCE(f.set_aside, 0) + s.views / 2) / s.views"
    return f"""
        INSERT INTO {MatchFeatures._meta.db_table}
            (creator_id, followers, avg_views, engagement_bp, authenticity, posts_30d,
             last_post_at, audience_countries, audience_ages, audience_genders, badges,
             refreshed_at)
        SELECT l.creator_id,
               c.followers,
               CASE WHEN COALESCE(s.videos, 0) > 0 THEN s.views / s.videos ELSE 0 END,
               CASE WHEN COALESCE(e.genuine_views, 0) > 0
                    THEN e.engaged * 10000 / e.genuine_views ELSE 0 END,
               CASE WHEN COALESCE(s.views, 0) = 0 THEN 100
                    WHEN {penalty} >= 100 THEN 0
                    ELSE 100 - {penalty} END,
               (SELECT COUNT(*) FROM {video_table()} p
                WHERE p.creator_id = l.creator_id
                  AND p.published_at >= %(since)s AND p.published_at < %(until)s),
               (SELECT MAX(p.published_at) FROM {video_table()} p
                WHERE p.creator_id = l.creator_id AND p.published_at < %(until)s),
               COALESCE(a.countries, {_json("{}")}),
               COALESCE(a.age_bands, {_json("{}")}),
               COALESCE(a.genders, {_json("{}")}),
               {_badge_slugs_sql()},
               %(now)s
        FROM {Listing._meta.db_table} l
        JOIN {creator_profile_table()} c ON c.id = l.creator_id
        LEFT JOIN (
            SELECT d.creator_id, CAST(SUM(d.views) AS BIGINT) AS views,
                   COUNT(DISTINCT d.video_id) AS videos
            FROM {video_day_table()} d
            WHERE d.day BETWEEN %(first)s AND %(last)s AND d.views > 0
                  {one.format(column="d.creator_id") if only_one else ""}
            GROUP BY d.creator_id
        ) s ON s.creator_id = l.creator_id
        LEFT JOIN (
            SELECT * FROM ({engagement}) x
            WHERE 1 = 1 {one.format(column="x.creator_id") if only_one else ""}
        ) e ON e.creator_id = l.creator_id
        LEFT JOIN (
            SELECT g.creator_id, CAST(SUM(g.excluded_views) AS BIGINT) AS set_aside
            FROM {engagement_flag_table()} g
            WHERE g.day BETWEEN %(first)s AND %(last)s AND {flag_excludes_sql("g")}
                  {one.format(column="g.creator_id") if only_one else ""}
            GROUP BY g.creator_id
        ) f ON f.creator_id = l.creator_id
        LEFT JOIN ({_audience_sql(only_one)}) a ON a.creator_id = l.creator_id
        WHERE 1 = 1 {one.format(column="l.creator_id") if only_one else ""}
        ON CONFLICT (creator_id) DO UPDATE SET
            followers = excluded.followers,
            avg_views = excluded.avg_views,
            engagement_bp = excluded.engagement_bp,
            authenticity = excluded.authenticity,
            posts_30d = excluded.posts_30d,
            last_post_at = excluded.last_post_at,
            audience_countries = excluded.audience_countries,
            audience_ages = excluded.audience_ages,
            audience_genders = excluded.audience_genders,
            badges = excluded.badges,
            refreshed_at = excluded.refreshed_at
    """


def _audience_sql(only_one: bool) -> str:
    """The latest audience split of each listed creator (or only `%(creator)s`): a SELECT
    of `creator_id`, `countries`, `age_bands` and `genders` (JSON objects of key to basis
    points). The place the activity app's audience plugs in: its `latest_audience_sql`."""
    listed = f"SELECT creator_id FROM {Listing._meta.db_table}"
    if only_one:
        listed += " WHERE creator_id = %(creator)s"
    return activity_selectors.latest_audience_sql(listed)


@transaction.atomic
def refresh(*, day: date | None = None, creator: CreatorProfile | None = None) -> int:
    """Recompute the features of every listed creator (or only `creator`) over the 30 days
    that end on `day` (default: yesterday); returns how many were written. Running it twice
    gives the same figures (only `refreshed_at` moves)."""
    day = day or rewards_today() - timedelta(days=1)
    first, last = window(day)
    engagement, activity_params = activity_selectors.engagement_by_creator_sql(first, last)
    params = {
        **activity_params,
        "first": first,
        "last": last,
        "since": start_of_rewards_day(first),
        "until": start_of_rewards_day(last + timedelta(days=1)),
        "now": timezone.now(),
        "creator": creator.pk if creator else None,
    }
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(engagement, only_one=creator is not None), params)
        written = cursor.rowcount
    # A listing removed in admin leaves no features behind for search to find.
    gone = MatchFeatures.objects.filter(creator__listing__isnull=True)
    (gone.filter(creator=creator) if creator else gone).delete()
    # Every creator's figures moved, or one creator joined or came back: cached searches and
    # rankings start again (a listing's own edits show at once on its row; its place in a
    # cached order follows within core.regions.REGION_SECONDS).
    search.changed()
    return written
