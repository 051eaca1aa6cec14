import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import AuditEntry, Role
from accounts.tests.factories import UserFactory
from activity.tests.factories import DAY, VideoDayFactory
from rewards import recalculation
from rewards.models import RecalcLimits, RecalcRun, RecalcState

pytestmark = pytest.mark.django_db
URL = reverse("admin:rewards_recalcrun_changelist")


@pytest.fixture
def held_run() -> RecalcRun:
    RecalcLimits.objects.update(max_creator_change=100)
    VideoDayFactory(views=600_000, views_5s=500_000)
    run = recalculation.recalculate_day_in_process(day=DAY)
    assert run.state == RecalcState.HELD
    return run


def staff_client(*perms: str) -> Client:
    user = UserFactory(role=Role.STAFF, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_recalcrun", *perms]))
    client = Client()
    client.force_login(user)
    return client


def test_staff_without_the_permission_cannot_approve_a_held_run(held_run: RecalcRun) -> None:
    client = staff_client()
    assert "approve" not in client.get(URL).content.decode()
    client.post(URL, {"action": "approve", "_selected_action": [held_run.pk]})
    held_run.refresh_from_db()
    assert held_run.state == RecalcState.HELD


def test_approving_a_held_run_recalculates_and_posts(
    held_run: RecalcRun, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client = staff_client("approve_recalcrun")
    chosen = {"action": "approve", "_selected_action": [held_run.pk]}
    ask = client.post(URL, chosen)
    assert "Reason (kept in the audit trail)" in ask.content.decode()
    held_run.refresh_from_db()
    assert held_run.state == RecalcState.HELD  # nothing happens before the reason

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {**chosen, "apply": "1", "reason": "Viral video, checked by hand."})
    held_run.refresh_from_db()
    assert held_run.state == RecalcState.SUPERSEDED
    fresh = RecalcRun.objects.exclude(pk=held_run.pk).get()
    assert fresh.state == RecalcState.DONE and fresh.entries_posted > 0
    entry = AuditEntry.objects.get(model="recalcrun", object_id=str(held_run.pk))
    assert (entry.action, entry.reason) == ("approved", "Viral video, checked by hand.")
    assert entry.changes["state"] == ["held", "superseded"]
