"""The ledger against its own database user (README, "Two database roles").

scripts/db_roles.sql sets up an owner and an application role on the test database. Logged in
as the application role, nothing empties, alters or bypasses the ledger, and the portal's own
work (posting entries, redeeming in the store, recalculating a day) goes through. Roles belong
to the whole server, so they are named after the test database (suites side by side on one
server never share them) and dropped afterwards.

The store sits on a floor above rewards, so this reaches it as a creator does, through its
pages, and names its tables and models only as strings.
"""

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from psycopg import errors, sql

from activity.tests.factories import DAY, VideoDayFactory
from rewards.models import EntryKind, PointsAccount, PointsEntry, RecalcState
from rewards.recalculation import recalculate_day_in_process
from rewards.services import post_entry

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "db_roles.sql"

pytestmark = [
    # Another connection must see the rows, and the script changes owners: real commits.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="roles and privileges are PostgreSQL's"
    ),
]


@dataclass(frozen=True)
class Roles:
    owner: str
    app: str
    password: str


def _run_script(roles: Roles) -> None:
    psql = shutil.which("psql")
    if psql is None:
        pytest.skip("needs psql, PostgreSQL's client, to run scripts/db_roles.sql")
    db = connection.settings_dict
    where = ["-h", db["HOST"]] if db["HOST"] else []
    where += ["-p", str(db["PORT"])] if db["PORT"] else []
    variables = ["-v", f"owner={roles.owner}", "-v", f"app={roles.app}"]
    subprocess.run(
        [psql, "-X", "-q", *where, "-U", db["USER"], "-d", db["NAME"], *variables, "-f", SCRIPT],
        env={**os.environ, "PGPASSWORD": db["PASSWORD"] or ""},
        check=True,
        capture_output=True,
        text=True,
    )


def _drop(roles: Roles) -> None:
    """Give back what the owner owns (the database too) and drop both roles."""
    with connection.cursor() as cursor:
        for role in (roles.owner, roles.app):
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                continue
            name = sql.Identifier(role).as_string(cursor.connection)
            cursor.execute(f"REASSIGN OWNED BY {name} TO CURRENT_USER")
            cursor.execute(f"DROP OWNED BY {name}")
            cursor.execute(f"DROP ROLE {name}")


@pytest.fixture
def roles() -> Iterator[Roles]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("needs the suite to log in as a superuser, who may create roles")
    name = connection.settings_dict["NAME"]
    roles = Roles(f"{name}_owner", f"{name}_app", secrets.token_urlsafe(16))
    try:
        _run_script(roles)
        _run_script(roles)  # safe to run again
        with connection.cursor() as cursor:
            for role in (roles.owner, roles.app):
                cursor.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD {}")
                    .format(sql.Identifier(role), sql.Literal(roles.password))
                    .as_string(cursor.connection)
                )
        yield roles
    finally:
        connection.close()
        _drop(roles)


def _connect(role: str, password: str) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        dbname=db["NAME"],
        user=role,
        password=password,
        autocommit=True,
    )


@contextmanager
def logged_in_as(role: str, password: str) -> Iterator[None]:
    """Django's connection logs in as `role` until the block ends, as the portal's processes
    would with that role in DATABASE_URL."""
    db = connection.settings_dict
    saved = db["USER"], db["PASSWORD"]
    connection.close()
    db["USER"], db["PASSWORD"] = role, password
    try:
        yield
    finally:
        connection.close()
        db["USER"], db["PASSWORD"] = saved


def _funded_creator() -> PointsEntry:
    stat = VideoDayFactory(views=6_000, views_5s=5_000)
    return post_entry(
        creator=stat.creator, amount=500, kind=EntryKind.ADJUSTED, idempotency_key="fund"
    )


HOSTILE = [
    "TRUNCATE rewards_pointsentry",
    "TRUNCATE rewards_pointsentry CASCADE",
    "ALTER TABLE rewards_pointsentry DISABLE TRIGGER rewards_entry_append_only",
    "ALTER TABLE rewards_pointsentry DISABLE TRIGGER ALL",
    "DROP TRIGGER rewards_entry_append_only ON rewards_pointsentry",
    "DROP TRIGGER rewards_entry_no_truncate ON rewards_pointsentry",
    "SET session_replication_role = replica",
    "UPDATE rewards_pointsentry SET amount = amount * 100",
    "DELETE FROM rewards_pointsentry",
    "UPDATE store_redemptionevent SET note = 'rewritten'",
    "DELETE FROM store_redemptionevent",
    "TRUNCATE store_redemptionevent",
    "ALTER TABLE rewards_pointsentry OWNER TO CURRENT_USER",
    "CREATE TABLE rewards_pointsentry_copy (LIKE rewards_pointsentry)",
]


def _rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return cursor.fetchone()[0]


def test_the_application_role_cannot_empty_alter_or_bypass_the_ledger(roles: Roles) -> None:
    _funded_creator()
    before = _rows("rewards_pointsentry")

    refused = {}
    with _connect(roles.app, roles.password) as app:
        assert app.execute("SELECT current_user").fetchone()[0] == roles.app
        for statement in HOSTILE:
            try:
                app.execute(statement)
            except errors.InsufficientPrivilege as exc:
                refused[statement] = str(exc).splitlines()[0]
        replication_role = app.execute("SHOW session_replication_role").fetchone()[0]

    assert set(refused) == set(HOSTILE), f"let through: {set(HOSTILE) - set(refused)}"
    assert refused["TRUNCATE rewards_pointsentry"] == (
        "permission denied for table rewards_pointsentry"
    )
    for statement in HOSTILE[2:6]:  # ALTER TABLE ... DISABLE TRIGGER, DROP TRIGGER
        assert refused[statement].startswith("must be owner of"), refused[statement]
    assert "permission denied to set parameter" in refused["SET session_replication_role = replica"]
    assert replication_role == "origin"
    assert _rows("rewards_pointsentry") == before == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger "
            "WHERE tgrelid = 'rewards_pointsentry'::regclass AND NOT tgisinternal ORDER BY 1"
        )
        assert cursor.fetchall() == [
            ("rewards_entry_append_only", "O"),
            ("rewards_entry_no_truncate", "O"),
        ]
    call_command("check_ledger")


def test_the_portal_posts_redeems_and_recalculates_as_the_application_role(
    roles: Roles,
) -> None:
    stat = VideoDayFactory(views=6_000, views_5s=5_000)
    apps.get_model("store", "StoreItem").objects.create(
        name="Colour pack",
        slug="colour-pack",
        kind="tool",
        summary="Looks.",
        price_points=100,
        entitlement_days=30,
    )
    creator = Client()

    with logged_in_as(roles.app, roles.password):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == roles.app
        post_entry(
            creator=stat.creator, amount=500, kind=EntryKind.ADJUSTED, idempotency_key="fund"
        )
        creator.force_login(stat.creator.user)
        redeem = reverse("store:redeem", args=["colour-pack"])
        redeemed = creator.post(redeem, {"request_key": "0123456789abcdef"}, follow=True)
        run = recalculate_day_in_process(day=DAY)
        call_command("check_ledger")

    spent = PointsEntry.objects.filter(kind=EntryKind.REDEEMED).get()
    assert spent.amount == -100
    # Redeemed, then shown its redemption's page (as the application role too).
    assert redeemed.status_code == 200
    assert redeemed.redirect_chain == [(f"/rewards/redemptions/{spent.redemption.pk}/", 302)]
    assert _rows("store_redemptionevent") == 2  # redeemed, and the tool unlocked at once
    assert run.state == RecalcState.DONE and run.entries_posted == 1
    assert PointsAccount.objects.get(creator=stat.creator).balance == 500 - 100 + 10


def test_truncate_is_refused_to_all_but_the_ledgers_owner(roles: Roles) -> None:
    """The trigger is the second line, for an application role granted TRUNCATE by mistake;
    the owner, who could drop the trigger anyway, may truncate, as Django's test flush does
    (one TRUNCATE of every table) when it runs as the owner or a superuser."""
    _funded_creator()
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{roles.app}"')
    with (
        _connect(roles.app, roles.password) as app,
        pytest.raises(errors.RaiseException, match="append-only: TRUNCATE refused"),
    ):
        app.execute("TRUNCATE rewards_pointsentry CASCADE")
    assert PointsEntry.objects.count() == 1

    with _connect(roles.owner, roles.password) as owner, owner.transaction(force_rollback=True):
        owner.execute("TRUNCATE rewards_pointsentry CASCADE")
        assert owner.execute("SELECT COUNT(*) FROM rewards_pointsentry").fetchone()[0] == 0
    assert PointsEntry.objects.count() == 1

    with logged_in_as(roles.owner, roles.password):
        call_command("flush", interactive=False, verbosity=0)
        assert PointsEntry.objects.count() == 0


def test_tables_a_later_migration_creates_are_granted_to_the_application_role(
    roles: Roles,
) -> None:
    with _connect(roles.owner, roles.password) as owner:
        owner.execute(
            "CREATE TABLE rewards_later (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
            "note text NOT NULL)"
        )
    try:
        with _connect(roles.app, roles.password) as app:
            app.execute("INSERT INTO rewards_later (note) VALUES ('new')")
            app.execute("UPDATE rewards_later SET note = 'changed'")
            assert app.execute("SELECT note FROM rewards_later").fetchall() == [("changed",)]
            app.execute("DELETE FROM rewards_later")
            for statement in ("TRUNCATE rewards_later", "DROP TABLE rewards_later"):
                with pytest.raises(errors.InsufficientPrivilege):
                    app.execute(statement)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS rewards_later")
