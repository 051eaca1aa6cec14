import json

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import CreatorProfile, Role, User
from activity.models import EngagementFlag
from devdata import demo_store
from devdata.management.commands.seed_demo import DEMO_LOGINS, DEMO_PASSWORD
from gifts import selectors as gifts_selectors
from marketplace.models import Collaboration, CollabState
from payments import ledger
from payments.models import PayoutRequest, PayoutState, SavedCard
from rewards.models import PointsEntry
from store.models import Entitlement, Redemption, StoreItem
from subscriptions.models import Subscription, SubscriptionCharge

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return User.objects.count(), CreatorProfile.objects.count(), EmailAddress.objects.count()


@override_settings(DEBUG=True)
def test_seed_demo_creates_one_verified_login_per_role_then_changes_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("seed_demo", creators=3)
    first = capsys.readouterr().out
    assert "Created 14 demo accounts" in first and DEMO_PASSWORD in first
    after_first = counts()
    demo = CreatorProfile.objects.get(handle="mayamakes")
    assert demo.points_account.balance > 0
    assert EngagementFlag.objects.filter(creator=demo).exists()  # its one bot burst
    call_command("check_ledger")
    entries = PointsEntry.objects.count()
    # The store: a catalog with pictures, and the demo creator's redemptions in every state.
    assert StoreItem.objects.count() == len(demo_store.CATALOG)
    assert all(item.image for item in StoreItem.objects.all())
    states = set(Redemption.objects.filter(creator=demo).values_list("state", flat=True))
    assert states == {"pending", "fulfilled", "cancelled"}
    assert Entitlement.objects.filter(creator=demo).exists()
    assert demo.points_account.balance >= 1_000  # enough left to shop with
    # Money: £25 cash from points, £10 of it paid out; the fan has a card saved.
    # Last month's Creator Rewards Program (USD, pending until the 15th) beside it.
    [program_pay] = demo.program_statements.all()
    assert program_pay.is_closed and program_pay.credited_minor > 0
    balances = {b.currency: b for b in ledger.balances(demo)}
    assert balances["GBP"] == ledger.Balance("GBP", 1_500, 0)
    # USD: the program's pay, subscription money less the platform fee, gifts, tips, and
    # the Marketplace's paid collaborations less its fee.
    subscription_net = sum(
        SubscriptionCharge.objects.filter(
            subscription__creator=demo, state="succeeded"
        ).values_list("creator_share_minor", flat=True)
    )
    support = gifts_selectors.support_totals(demo)
    brand_deals = sum(
        collab.creator_share_minor
        for collab in Collaboration.objects.filter(creator=demo, state=CollabState.PAID)
    )
    assert brand_deals > 0
    usd = balances["USD"]
    assert usd.available + usd.pending == (
        program_pay.credited_minor
        + subscription_net
        + support.gift_money
        + support.tip_money
        + brand_deals
    )
    assert [p.state for p in PayoutRequest.objects.filter(creator=demo)] == [PayoutState.PAID]
    assert SavedCard.objects.filter(customer__user__email="fan@example.com").count() == 1
    # Subscriptions: three packages with posts, emojis and a chat; the demo fan three months
    # in with perks delivered and due; a trial, a yearly plan and a failing card beside them.
    assert demo.packages.filter(published_at__isnull=False).count() == 3
    states = dict(Subscription.objects.filter(creator=demo).values_list("fan__email", "state"))
    assert states == {
        "fan@example.com": "active",
        "ana.fan@example.com": "trialing",
        "ben.fan@example.com": "active",
        "cleo.fan@example.com": "past_due",
    }
    mine = Subscription.objects.get(fan__email="fan@example.com")
    assert mine.months_paid == 3
    assert mine.perk_deliveries.filter(delivered_at__isnull=False).exists()
    assert mine.perk_deliveries.filter(delivered_at__isnull=True).exists()
    assert demo.posts.count() == 3 and demo.emojis.count() == 3
    assert demo.chat_messages.count() == 5

    call_command("seed_demo", creators=3)
    assert "nothing changed" in capsys.readouterr().out
    assert counts() == after_first
    assert PointsEntry.objects.count() == entries

    roles = {User.objects.get(email=email).role for _, email in DEMO_LOGINS}
    assert roles == {Role.CREATOR, Role.FAN, Role.BRAND, Role.STAFF}
    for _, email in DEMO_LOGINS:
        client = Client()
        response = client.post(
            reverse("account_login"), {"login": email, "password": DEMO_PASSWORD}, follow=True
        )
        assert response.status_code == 200 and response.context["user"].email == email


@override_settings(DEBUG=False)
def test_seed_demo_refuses_to_run_in_production() -> None:
    with pytest.raises(CommandError, match="DEBUG=0"):
        call_command("seed_demo")
    assert User.objects.count() == 0


def test_make_run_seeds_the_demo_on_sqlite_too(tmp_path: object) -> None:
    """`make run` on a fresh machine uses SQLite: migrate and seed there for real (the suite
    runs on PostgreSQL, where SQL that SQLite lacks would pass unnoticed), then both ledgers
    must balance and last month's program pay must be there."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/demo.sqlite3",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    env.pop("REDIS_URL", None)

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    manage("migrate", "--noinput", "-v", "0")
    seeded = manage("seed_demo", "--creators", "3")
    assert "Paid last month's Creator Rewards Program" in seeded
    checked = manage("check_ledger")
    assert "every balance equals its entries" in checked and "Earnings balances" in checked
    # The fairness report's SQL on SQLite: every one-click period, from the monthly sums
    # (seed_demo's refresh made them) or live, and a period of no whole month.
    shown = manage(
        "shell",
        "-c",
        "from core.clock import rewards_today\n"
        "from reports import fairness_report\n"
        "from reports.forms_fairness import presets\n"
        "periods = [(f, l) for _, f, l in presets(rewards_today())]\n"
        "periods.append((periods[0][0].replace(day=2), periods[0][1]))\n"
        "print([fairness_report.compute(f, l).points.creators for f, l in periods])",
    )
    # The shell says what it imported first; the figures are its last line.
    assert all(creators > 0 for creators in json.loads(shown.strip().splitlines()[-1]))
