"""Rendered regions of pages, cached under keys that change when what they show changes."""

from collections.abc import Callable

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

# A rendered region lives this long in the cache at most. Callers put in the key everything
# the region shows that they can version (a ledger stamp, a catalog version), so this only
# bounds how long what cannot be versioned can lag: tiers set at night, eligibility from the
# platform's activity data, the state of a flag review.
REGION_SECONDS = 300


def cached_region(*key: object, render: Callable[[], str]) -> SafeString:
    """A rendered region of a page, from the cache when its key has been rendered before.
    The key must hold everything the region shows that can change (see REGION_SECONDS)."""
    name = "region:" + ":".join(str(part) for part in key)
    html = cache.get(name)
    if html is None:
        html = render()
        cache.set(name, html, REGION_SECONDS)
    return mark_safe(html)
