"""Rendered regions of pages, cached with `{% cache region_seconds NAME key %}` in their
templates under keys that change when what they show changes.

A view puts in the key everything the region shows that it can version (a ledger stamp, a
catalog version, the day) and hands the region's data to the template lazily
(`SimpleLazyObject`), so a cached region reads none of it.
"""

import time

from django.core.cache import cache
from django.db import transaction

# A rendered region lives this long in the cache at most: this bounds how long what a key
# cannot version can lag (tiers set at night, eligibility from the platform's activity
# data, the state of a flag review, an item's opening time).
REGION_SECONDS = 300


def version(key: str) -> int:
    """The version stored under `key`, for region keys. One lost from the cache (evicted, or
    never set) comes back as the current time, never as a value used before."""
    return cache.get_or_set(key, time.time_ns, timeout=None)


def bump(key: str) -> None:
    """What the version under `key` stands for changed: a new version now, and again when
    the transaction commits (a page rendered in between read the old rows)."""

    def new_version() -> None:
        try:
            cache.incr(key)
        except ValueError:  # not in the cache: any new value will do
            cache.set(key, time.time_ns(), timeout=None)

    new_version()
    transaction.on_commit(new_version)


def region_key(*parts: object) -> str:
    """A region's cache key from everything it shows that can change."""
    return ":".join(str(part) for part in parts)
