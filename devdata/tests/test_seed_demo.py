import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import CreatorProfile, Role, User
from activity.models import EngagementFlag
from devdata import demo_store
from devdata.management.commands.seed_demo import DEMO_LOGINS, DEMO_PASSWORD
from payments import ledger
from payments.models import PayoutRequest, PayoutState, SavedCard
from rewards.models import PointsEntry
from store.models import Entitlement, Redemption, StoreItem

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
    assert sorted(ledger.balances(demo), key=lambda b: b.currency) == [
        ledger.Balance("GBP", 1_500, 0),
        ledger.Balance("USD", 0, program_pay.credited_minor),
    ]
    assert [p.state for p in PayoutRequest.objects.filter(creator=demo)] == [PayoutState.PAID]
    assert SavedCard.objects.filter(customer__user__email="fan@example.com").count() == 1

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
