"""The Marketplace deals' rows for the access walk (portal/tests/test_access.py): the walk's
brand runs an open campaign, invites the walk's creator (listed for it), the creator accepts,
and a message starts the thread (marketplace/tests/factories_deals.py builds them)."""

from marketplace.tests.factories_deals import POST_ONLY_DEALS, deal_rows

__all__ = ["POST_ONLY_DEALS", "own_deals"]


def own_deals(creator: object, brand: object) -> dict[str, dict]:
    """URL kwargs by URL name for the deals pages, on rows the walk's users own."""
    return deal_rows(creator, brand)
