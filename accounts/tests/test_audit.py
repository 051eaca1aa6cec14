"""The audit trail (accounts.audit) on its own floor: account and standing changes in admin
are recorded with who, when, each field before and after and the reason; actions ask for the
reason first; the database refuses to change an entry; reading takes the permission.

Every other app's admin is checked against the trail from the top floor, in
reports/tests/test_audit_admins.py (a test here may not import the apps above accounts)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from accounts.audit import AUDIT_PERMISSION, HIDDEN, can_read_audit_trail, record
from accounts.models import AuditEntry, CreatorProfile, Role, Standing, User
from accounts.tests.factories import CreatorFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def admin_url(model: type, page: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def entries_about(obj: object) -> list[AuditEntry]:
    return list(AuditEntry.objects.for_object(obj))


def test_a_users_staff_powers_and_groups_are_recorded_and_a_password_never_is(
    staff_client: Client,
) -> None:
    readers = Group.objects.create(name="Auditors")
    response = staff_client.post(
        admin_url(User, "add"),
        {
            "email": "new.staff@example.com",
            "role": Role.STAFF,
            "password1": "a-Strong-test-pass-42",
            "password2": "a-Strong-test-pass-42",
            "audit_reason": "New hire",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.staff@example.com")
    [added] = entries_about(user)
    assert added.changes["password"] == [None, HIDDEN]
    assert user.password not in str(added.changes)

    staff_client.post(
        admin_url(User, "change", user.pk),
        {
            "email": user.email,
            "is_active": "on",
            "is_staff": "on",
            "groups": [readers.pk],
            "audit_reason": "Joins the audit team",
        },
    )

    changed = entries_about(user)[0]
    assert changed.changes == {"is_staff": [False, True], "groups": [[], ["Auditors"]]}


def test_deactivating_accounts_asks_for_a_reason_and_records_each(
    staff: User, staff_client: Client
) -> None:
    fan = UserFactory()
    changelist = admin_url(User, "changelist")
    chosen = {"action": "deactivate", "_selected_action": [fan.pk, staff.pk], "apply": "1"}
    response = staff_client.post(changelist, {**chosen, "reason": ""})
    assert "Say why" in response.content.decode()

    response = staff_client.post(changelist, {**chosen, "reason": "Chargebacks"}, follow=True)

    assert "You cannot deactivate your own account." in response.content.decode()
    fan.refresh_from_db()
    assert not fan.is_active
    [entry] = AuditEntry.objects.all()
    assert (entry.object_id, entry.action, entry.reason) == (
        str(fan.pk),
        "deactivated",
        "Chargebacks",
    )
    assert entry.changes == {"is_active": [True, False]}


def test_a_standing_change_carries_the_reason_to_the_creator(staff_client: Client) -> None:
    creator = CreatorFactory()
    staff_client.post(
        admin_url(CreatorProfile, "changelist"),
        {
            "action": "set_standing_warned",
            "_selected_action": [creator.pk],
            "apply": "1",
            "reason": "Reused clips from another account",
        },
    )
    creator.refresh_from_db()
    assert (creator.standing, creator.standing_reason) == (
        Standing.WARNED,
        "Reused clips from another account",
    )
    [entry] = entries_about(creator)
    assert entry.creator == creator and entry.shown_to_creator
    assert entry.changes["standing"] == [Standing.GOOD, Standing.WARNED]
    assert ("standing", "Good standing", "Warned") in entry.change_rows()


# The table the application cannot change --------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_update_or_delete_an_entry() -> None:
    with transaction.atomic():
        entry = record(
            actor=None, target=CreatorFactory(), action="changed", changes={}, reason="x"
        )
    for attempt in (
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten"),
        lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    entry.refresh_from_db()
    assert entry.reason == "x"


def test_recording_outside_a_transaction_is_refused_as_a_programming_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    creator = CreatorFactory()
    # Tests run inside a transaction; pretend the caller's is missing.
    monkeypatch.setattr(
        transaction, "get_connection", lambda *a: type("C", (), {"in_atomic_block": False})()
    )
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record(actor=None, target=creator, action="changed", changes={})
    monkeypatch.undo()
    assert not AuditEntry.objects.exists()


# Reading the trail -------------------------------------------------------------------------


def staff_with(*codenames: str) -> Client:
    user = StaffFactory(is_superuser=False)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def test_a_creators_admin_history_lists_their_entries_to_those_who_may_read_them(
    staff_client: Client,
) -> None:
    creator = CreatorFactory()
    staff_client.post(
        admin_url(CreatorProfile, "changelist"),
        {
            "action": "set_standing_suspended",
            "_selected_action": [creator.pk],
            "apply": "1",
            "reason": "Sold followers",
        },
    )
    history = admin_url(CreatorProfile, "history", creator.pk)

    html = staff_client.get(history).content.decode()

    assert "Audit trail" in html and "Sold followers" in html
    assert f'data-audit-entry="{entries_about(creator)[0].pk}"' in html
    reader = staff_with("view_creatorprofile", "view_audit_trail")
    assert "Sold followers" in reader.get(history).content.decode()
    html = staff_with("view_creatorprofile").get(history).content.decode()
    assert "Sold followers" not in html and "Can read the audit trail" in html


def test_the_permission_can_come_from_a_group() -> None:
    user = StaffFactory(is_superuser=False)
    group = Group.objects.create(name="Auditors")
    app_label, codename = AUDIT_PERMISSION.split(".")
    group.permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    user.groups.add(group)
    assert can_read_audit_trail(User.objects.get(pk=user.pk))
    assert not can_read_audit_trail(StaffFactory(is_superuser=False))
