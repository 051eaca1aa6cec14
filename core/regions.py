"""Rendered regions of pages, cached with `{% cache region_seconds NAME key %}` in their
templates under keys that change when what they show changes.

A view puts in the key everything the region shows that it can version (a ledger stamp, a
catalog version, the day) and hands the region's data to the template lazily
(`SimpleLazyObject`), so a cached region reads none of it.
"""

# A rendered region lives this long in the cache at most: this bounds how long what a key
# cannot version can lag (tiers set at night, eligibility from the platform's activity
# data, the state of a flag review, an item's opening time).
REGION_SECONDS = 300


def region_key(*parts: object) -> str:
    """A region's cache key from everything it shows that can change."""
    return ":".join(str(part) for part in parts)
