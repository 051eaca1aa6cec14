"""Screenshot the portal's pages as each demo role at 1280 and 390 px wide.

Run `make run` in one shell, then `make screenshots` in another. Uses Debian's Chromium.
"""

import argparse
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

PASSWORD = "portal-demo-2026"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = {
    "visitor": [
        "/",
        "/@mayamakes/",
        "/accounts/login/",
        "/accounts/signup/?role=creator",
        "/accounts/password/reset/",
        "/nope/",
    ],
    "creator": [
        "/creator/",
        "/rewards/entries/",
        "/rewards/days/",
        "/rewards/what-if/?length_s=75&views=20000&watch_time_minutes=1500&likes=900&comments=40&shares=25&is_original=on",
        "/rewards/what-if/?length_s=75&views=300&watch_time_minutes=20&likes=9&comments=1&shares=1&is_original=on&days=7",
        "/rewards/how-points-work/",
        "/rewards/store/",
        "/rewards/store/?kind=tool&affordable=on",
        "/rewards/store/pro-colour-grading/",
        "/rewards/store/creator-summit-pass/",
        "/rewards/store/milestone-bonus-100/",
        "/rewards/store/retro-filter-pack/redeem/",
        "/rewards/redemptions/",
        "/rewards/tools/",
        "/earnings/",
        "/earnings/payouts/",
        "/accounts/notifications/",
        "/accounts/profile/",
        "/accounts/email/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate",
        "/accounts/password/change/",
        "/fan/",
        "/@mayamakes/",
        "/@mayamakes/chat/",
        "/studio/",
        "/studio/packages/",
        "/studio/packages/new/",
        "/studio/subscribers/",
        "/studio/revenue/",
        "/studio/perks/",
        "/studio/posts/",
        "/studio/chat/",
        "/studio/emojis/",
    ],
    "fan": [
        "/fan/",
        "/fan/?q=cooking",
        "/payments/cards/",
        "/@mayamakes/",
        "/@mayamakes/posts/1/",
        "/@mayamakes/chat/",
        "/subscriptions/",
        "/subscriptions/feed/",
        "/accounts/profile/",
    ],
    "brand": ["/brand/", "/accounts/profile/"],
    "staff": [
        "/staff/",
        "/admin/",
        "/admin/activity/engagementflag/",
        "/admin/rewards/recalcrun/",
        "/admin/rewards/earningrule/",
        "/admin/rewards/pointsentry/",
        "/admin/rewards/tier/",
        "/admin/rewards/creatortier/",
        "/admin/store/storeitem/",
        "/admin/store/redemption/?state__exact=pending",
        "/admin/payments/earningsentry/",
        "/admin/payments/paymentattempt/",
        "/admin/payments/payoutrequest/",
        "/admin/subscriptions/rules/1/change/",
        "/admin/subscriptions/subscription/",
    ],
}
WIDTHS = [1280, 390]


def sign_in(page: Page, base: str, role: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", f"{role}@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="artifacts/screenshots")
    parser.add_argument("--roles", nargs="*", default=list(PAGES))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for role in args.roles:
            for width in WIDTHS:
                context = browser.new_context(viewport={"width": width, "height": 900})
                page = context.new_page()
                if role != "visitor":
                    sign_in(page, args.base_url, role)
                for path in PAGES[role]:
                    page.goto(args.base_url + path)
                    page.evaluate("window.scrollTo(0, 0)")
                    name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
                    target = out / f"{role}-{name}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
