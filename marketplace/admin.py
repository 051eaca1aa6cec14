"""The Marketplace in admin: listings and their features (admin_listings), campaigns,
proposals and collaborations (admin_deals)."""

from . import admin_deals, admin_listings  # noqa: F401  (each registers its models)
