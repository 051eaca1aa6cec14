"""Which links each kind of user sees in the header. Later issues add their pages here."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from accounts.models import Role

VISITOR = "visitor"


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    # Other view names under this item (a section's sub-pages) that mark it current.
    also_current: tuple[str, ...] = ()


MAIN_NAVIGATION: dict[str, list[NavItem]] = {
    VISITOR: [
        NavItem("Programs", "portal:landing"),
        NavItem("How points work", "rewards:how_points_work"),
    ],
    Role.CREATOR: [
        # Seven items with short labels fill one row of the header at 1280 px: the what-if
        # calculator and How points work open from the dashboard's header instead.
        NavItem(
            "Home",
            "rewards:dashboard",
            also_current=("rewards:points_panel", "rewards:what_if", "rewards:how_points_work"),
        ),
        NavItem(
            "Store",
            "store:catalog",
            also_current=(
                "store:item",
                "store:redeem",
                "store:redemptions",
                "store:redemption",
                "store:tools",
            ),
        ),
        NavItem("Points", "rewards:history", also_current=("rewards:day",)),
        NavItem("Earnings", "payments:statement"),
        NavItem(
            "Subscriptions",
            "subscriptions:studio",
            also_current=(
                "subscriptions:packages",
                "subscriptions:package_new",
                "subscriptions:package_edit",
                "subscriptions:subscribers",
                "subscriptions:revenue",
                "subscriptions:perks",
                "subscriptions:studio_posts",
                "subscriptions:post_new",
                "subscriptions:post_edit",
                "subscriptions:post_delete",
                "subscriptions:chat_studio",
                "subscriptions:chat",
                "subscriptions:emojis",
                "gifts:studio",
            ),
        ),
        NavItem(
            "Academy",
            "academy:home",
            also_current=(
                "academy:course",
                "academy:lesson",
                "academy:quiz",
                "academy:certificate",
            ),
        ),
        NavItem(
            "Marketplace",
            "marketplace:listing",
            also_current=(
                "marketplace:open_campaigns",
                "marketplace:open_campaign",
                "marketplace:proposals",
                "marketplace:collab",
                "marketplace:collab_pay",
            ),
        ),
        # How points work opens from the dashboard's header and the footer: eight items do
        # not fit one row at 1280 px.
    ],
    Role.FAN: [
        NavItem(
            "Discover",
            "portal:fan_home",
            also_current=("subscriptions:creator_page", "subscriptions:subscribe"),
        ),
        NavItem("Feed", "subscriptions:feed", also_current=("subscriptions:post",)),
        NavItem(
            "My subscriptions",
            "subscriptions:mine",
            also_current=("subscriptions:switch", "subscriptions:chat"),
        ),
        NavItem(
            "Coins",
            "gifts:coins",
            also_current=("gifts:buy", "gifts:support", "gifts:send_gift", "gifts:tip"),
        ),
    ],
    Role.BRAND: [
        NavItem("Home", "portal:brand_home"),
        NavItem(
            "Find creators",
            "marketplace:search",
            also_current=(
                "marketplace:creator_detail",
                "marketplace:lists",
                "marketplace:list_detail",
            ),
        ),
        NavItem(
            "Campaigns",
            "marketplace:campaigns",
            also_current=(
                "marketplace:campaign",
                "marketplace:campaign_new",
                "marketplace:campaign_edit",
            ),
        ),
        NavItem(
            "Proposals",
            "marketplace:proposals",
            also_current=("marketplace:collab", "marketplace:collab_pay"),
        ),
    ],
    Role.STAFF: [
        NavItem(
            "Reports",
            "portal:staff_home",
            also_current=(
                "reports:impact",
                "reports:fairness",
                "reports:fraud",
                "reports:operations",
                "reports:audit",
            ),
        ),
        NavItem("Admin", "admin:index"),
        NavItem("Academy", "academy:home", also_current=("academy:course", "academy:lesson")),
    ],
}

ACCOUNT_NAVIGATION = [
    NavItem("Profile", "accounts:profile"),
    NavItem("Email addresses", "account_email"),
    NavItem("Password", "account_change_password"),
    NavItem(
        "Two-factor authentication",
        "mfa_index",
        also_current=(
            "mfa_activate_totp",
            "mfa_deactivate_totp",
            "mfa_view_recovery_codes",
            "mfa_generate_recovery_codes",
        ),
    ),
    NavItem("Your data", "privacy:data"),
    # Staff accounts are closed by an administrator, not by themselves (privacy.closing).
    NavItem("Close account", "privacy:close"),
]


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def _links(items: list[NavItem], current_view: str) -> list[NavLink]:
    return [
        NavLink(
            item.label,
            reverse(item.url_name),
            current_view == item.url_name or current_view in item.also_current,
        )
        for item in items
    ]


def navigation_for(request: HttpRequest) -> dict[str, list[NavLink]]:
    user = request.user
    match = request.resolver_match
    current_view = match.view_name if match else ""
    if not user.is_authenticated:
        return {"main": _links(MAIN_NAVIGATION[VISITOR], current_view), "account": []}
    role = Role.STAFF if user.is_staff else user.role
    account = [
        item
        for item in ACCOUNT_NAVIGATION
        if (item.url_name != "accounts:profile" or role in (Role.CREATOR, Role.BRAND))
        and (item.url_name != "privacy:close" or role != Role.STAFF)
    ]
    return {
        "main": _links(MAIN_NAVIGATION.get(role, []), current_view),
        "account": _links(account, current_view),
    }
