"""Data exports: the archive a user asks for, its building, its email, and its download."""

import csv
import dataclasses
import io
import json
import zipfile
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from academy import services as academy_services
from academy.tests.factories import CourseFactory
from accounts.models import CreatorProfile, User
from accounts.tests.factories import FanFactory
from marketplace import collaborations
from marketplace.tests.factories_deals import collaboration, listed_creator
from payments import ledger
from payments.models import Source
from privacy import exports, retention, tasks
from privacy.models import DataExport, ExportState
from rewards.models import EntryKind
from rewards.services import post_entry
from store import services as store_services
from store.tests.factories import ToolFactory
from subscriptions import chat

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def with_history(creator: CreatorProfile, tag: str) -> None:
    """Give the creator points, money, a redemption, an enrolment, a chat message and a
    collaboration with a message, each marked with `tag`, through the portal's services."""
    post_entry(
        creator=creator,
        amount=500,
        kind=EntryKind.ADJUSTED,
        idempotency_key=f"bonus:{tag}",
        memo=f"Welcome bonus {tag}",
    )
    ledger.credit(
        creator=creator,
        amount=2_500,
        currency="GBP",
        source=Source.MILESTONE_BONUS,
        idempotency_key=f"milestone:{tag}",
        memo=f"Milestone {tag}",
    )
    tool = ToolFactory(name=f"Colour pack {tag}", price_points=120)
    store_services.redeem_item(creator=creator, item_id=tool.pk, request_key=f"redeem-{tag}")
    academy_services.enrol(creator=creator, course=CourseFactory(title=f"Working with {tag}"))
    chat.post_message(creator=creator, author=creator.user, body=f"Hello room {tag}")
    collab = collaboration(creator=creator)
    collaborations.post_message(collab=collab, by=creator.user, body=f"Draft for {tag}")


def build_now(user: User, capture: Callable) -> DataExport:
    """Ask for an export and run what is queued on commit (the build, then the email)."""
    with capture(execute=True):
        export = exports.request_export(user=user)
    export.refresh_from_db()
    return export


def archive_of(export: DataExport) -> zipfile.ZipFile:
    with storages["private"].open(export.archive, "rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


def rows(archive: zipfile.ZipFile, path: str) -> list[dict]:
    return json.loads(archive.read(path))


def csv_rows(archive: zipfile.ZipFile, path: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(path).decode())))


@pytest.fixture
def full_creator() -> CreatorProfile:
    creator = listed_creator()
    with_history(creator, "mine")
    return creator


def stored_export(user: User, **fields: object) -> DataExport:
    """An export in a given state, with a small stored archive when it is ready."""
    now = timezone.now()
    if fields.get("state") == ExportState.READY:
        name = storages["private"].save(
            f"exports/{user.pk}/test.zip", ContentFile(b"PK-test-archive")
        )
        fields = {
            "archive": name,
            "size_bytes": 15,
            "finished_at": now,
            "expires_at": now + timedelta(hours=72),
            **fields,
        }
    return DataExport.objects.create(user=user, **fields)


# The service and the task


def test_the_archive_holds_the_users_records_as_json_and_csv_and_nothing_of_another(
    full_creator: CreatorProfile, django_capture_on_commit_callbacks: Callable
) -> None:
    other = listed_creator()
    with_history(other, "zq-other")

    export = build_now(full_creator.user, django_capture_on_commit_callbacks)

    assert export.state == ExportState.READY
    assert (export.progress, export.error) == (100, "")
    assert export.archive.startswith(f"exports/{full_creator.user.pk}/")
    assert export.size_bytes == storages["private"].size(export.archive)
    assert export.expires_at == export.finished_at + timedelta(hours=72)
    archive = archive_of(export)
    names = set(archive.namelist())
    assert {
        "README.txt",
        "account/profile.json",
        "account/creator_profile.json",
        "points/points_entries.json",
        "points/points_entries.csv",
        "money/earnings_entries.json",
        "money/earnings_entries.csv",
        "store/redemptions.json",
        "store/redemptions.csv",
        "academy/enrolments.json",
        "subscriptions/chat_messages.json",
        "marketplace/listing.json",
        "marketplace/collaborations.json",
        "marketplace/collaboration_messages.csv",
    } <= names
    # A single record is JSON only.
    assert "account/profile.csv" not in names

    assert rows(archive, "account/profile.json")[0]["email"] == full_creator.user.email
    assert rows(archive, "account/creator_profile.json")[0]["handle"] == full_creator.handle
    points = rows(archive, "points/points_entries.json")
    bonus = next(entry for entry in points if entry["memo"] == "Welcome bonus mine")
    assert (bonus["amount"], bonus["kind"]) == (500, "adjusted")
    assert bonus["activity_date"]  # the rewards day, as ISO text
    assert any(entry["amount"] == -120 for entry in points)  # the redemption's spend
    assert [row["memo"] for row in csv_rows(archive, "points/points_entries.csv")] == [
        entry["memo"] for entry in points
    ]
    money = rows(archive, "money/earnings_entries.json")
    assert {"amount": 2_500, "currency": "GBP", "memo": "Milestone mine"}.items() <= money[
        0
    ].items()
    assert rows(archive, "store/redemptions.json")[0]["item_name"] == "Colour pack mine"
    assert rows(archive, "store/redemption_events.json")
    assert rows(archive, "academy/enrolments.json")[0]["course_title"] == "Working with mine"
    assert [m["body"] for m in rows(archive, "subscriptions/chat_messages.json")] == [
        "Hello room mine"
    ]
    assert len(rows(archive, "marketplace/collaborations.json")) == 1
    assert [m["body"] for m in csv_rows(archive, "marketplace/collaboration_messages.csv")] == [
        "Draft for mine"
    ]
    readme = archive.read("README.txt").decode()
    assert "points/points_entries.csv" in readme
    assert "every movement of your points" in readme

    everything = b"".join(archive.read(name) for name in names).decode()
    for theirs in (other.user.email, other.handle, "zq-other"):
        assert theirs not in everything


def test_gathering_reads_the_same_number_of_queries_however_long_the_history(
    full_creator: CreatorProfile, django_assert_num_queries: Callable
) -> None:
    def gather() -> dict[str, dict]:
        return {section.folder: section.read(full_creator.user) for section in exports.SECTIONS}

    # One query a kind, and one more for a creator's niches.
    kinds = sum(len(rows_by_kind) for rows_by_kind in gather().values())
    with django_assert_num_queries(kinds + 1):
        before = gather()
    for more in ("again", "once more"):
        with_history(full_creator, more)
    with django_assert_num_queries(kinds + 1):
        after = gather()
    assert len(after["points"]["points_entries"]) > len(before["points"]["points_entries"])
    assert len(after["marketplace"]["collaborations"]) == 3


def test_the_owner_is_emailed_the_download_link_and_until_when_it_works(
    full_creator: CreatorProfile, django_capture_on_commit_callbacks: Callable
) -> None:
    export = build_now(full_creator.user, django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert email.to == [full_creator.user.email]
    assert "ready" in email.subject
    assert reverse("privacy:export_download", args=[export.pk]) in email.body
    assert exports.valid_until(export.expires_at) in email.body
    assert "72 hours" in email.body


def test_asking_twice_while_one_is_in_progress_gives_the_same_export(
    fan: User, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        first = exports.request_export(user=fan)
        second = exports.request_export(user=fan)

    assert first.pk == second.pk
    assert fan.data_exports.count() == 1
    assert len(queued) == 1  # one build queued, on commit
    with pytest.raises(IntegrityError):
        DataExport.objects.create(user=fan)


def test_a_new_export_may_be_asked_for_once_the_last_is_ready(
    fan: User, django_capture_on_commit_callbacks: Callable
) -> None:
    first = build_now(fan, django_capture_on_commit_callbacks)
    second = exports.request_export(user=fan)

    assert first.state == ExportState.READY
    assert second.pk != first.pk
    assert second.state == ExportState.QUEUED


def test_an_export_whose_build_was_lost_no_longer_blocks_a_new_request(
    fan: User, settings, django_capture_on_commit_callbacks: Callable
) -> None:
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    lost = DataExport.objects.create(
        user=fan,
        state=ExportState.BUILDING,
        progress=30,
        requested_at=timezone.now() - 2 * limit - timedelta(minutes=1),
    )

    with django_capture_on_commit_callbacks() as queued:
        fresh = exports.request_export(user=fan)

    assert fresh.pk != lost.pk and fresh.state == ExportState.QUEUED
    assert len(queued) == 1
    lost.refresh_from_db()
    assert (lost.state, lost.error) == (ExportState.FAILED, "The build stopped; ask again.")
    assert lost.finished_at is not None
    # The lost task, delivered late after all, builds nothing.
    assert exports.build(lost.pk) == f"export {lost.pk} is already failed"


def test_an_export_queued_within_twice_the_time_limit_still_counts_as_in_progress(
    fan: User, settings
) -> None:
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    waiting = DataExport.objects.create(
        user=fan, requested_at=timezone.now() - 2 * limit + timedelta(minutes=5)
    )

    assert exports.request_export(user=fan).pk == waiting.pk
    waiting.refresh_from_db()
    assert waiting.state == ExportState.QUEUED


def test_a_second_run_of_the_task_changes_nothing(
    fan: User, django_capture_on_commit_callbacks: Callable
) -> None:
    export = build_now(fan, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = exports.build(export.pk)

    assert outcome == f"export {export.pk} is already ready"
    again = DataExport.objects.get(pk=export.pk)
    assert (again.archive, again.finished_at) == (export.archive, export.finished_at)
    assert len(mail.outbox) == 1
    assert len(storages["private"].listdir(f"exports/{fan.pk}")[1]) == 1


def test_a_run_finding_another_worker_building_it_leaves_it_alone(fan: User) -> None:
    export = DataExport.objects.create(user=fan)
    cache.add(f"privacy:export-building:{export.pk}", 1)

    assert exports.build(export.pk) == f"export {export.pk} is being built by another worker"
    export.refresh_from_db()
    assert export.state == ExportState.QUEUED


def test_a_run_of_an_export_that_was_deleted_does_nothing(fan: User) -> None:
    assert exports.build(123_456) == "export 123456 no longer exists"


def test_a_failing_section_fails_the_export_with_a_message_for_its_owner(
    fan: User,
    django_capture_on_commit_callbacks: Callable,
    monkeypatch: pytest.MonkeyPatch,
    fan_client: Client,
) -> None:
    def broken(user: User) -> dict:
        raise RuntimeError("database went away")

    monkeypatch.setattr(
        exports,
        "SECTIONS",
        tuple(
            dataclasses.replace(section, read=broken) if section.folder == "store" else section
            for section in exports.SECTIONS
        ),
    )

    export = build_now(fan, django_capture_on_commit_callbacks)

    assert export.state == ExportState.FAILED
    assert export.error.startswith("We could not gather your store redemptions")
    assert "database went away" not in export.error
    assert export.archive == ""
    assert not storages["private"].exists(f"exports/{fan.pk}")
    [email] = mail.outbox
    assert "could not be built" in email.subject
    page = fan_client.get(reverse("privacy:data")).content.decode()
    assert "We could not gather your store redemptions" in page
    assert fan_client.get(reverse("privacy:export_download", args=[export.pk])).status_code == 409


def test_progress_is_recorded_while_each_section_is_gathered(
    fan: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = DataExport.objects.create(user=fan)
    seen: list[tuple[str, int, str]] = []

    def watching(user: User) -> dict:
        state = DataExport.objects.values_list("state", "progress", "step").get(pk=export.pk)
        seen.append(state)
        return {}

    monkeypatch.setattr(
        exports,
        "SECTIONS",
        tuple(dataclasses.replace(section, read=watching) for section in exports.SECTIONS),
    )
    exports.build(export.pk)

    assert [state for state, _, _ in seen] == ["building"] * len(exports.SECTIONS)
    progress = [done for _, done, _ in seen]
    assert progress == sorted(progress) and progress[0] == 0 and progress[-1] < 90
    assert seen[3][2] == "Gathering your store redemptions"


def test_expired_archives_are_removed_and_their_exports_marked(fan: User) -> None:
    export = stored_export(fan, state=ExportState.READY)
    name = export.archive
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    fresh = stored_export(FanFactory(), state=ExportState.READY)

    assert retention.expire_exports(timezone.now(), batch_size=10) == 1
    assert retention.expire_exports(timezone.now(), batch_size=10) == 0

    export.refresh_from_db()
    assert (export.state, export.archive) == (ExportState.EXPIRED, "")
    assert not storages["private"].exists(name)
    assert storages["private"].exists(fresh.archive)


# The data page


def test_the_data_page_lists_exports_newest_first_with_what_each_can_do(
    fan: User, fan_client: Client, django_assert_max_num_queries: Callable
) -> None:
    now = timezone.now()
    expired = stored_export(fan, state=ExportState.EXPIRED, requested_at=now - timedelta(days=9))
    failed = stored_export(
        fan,
        state=ExportState.FAILED,
        error="We could not gather X.",
        requested_at=now - timedelta(days=5),
    )
    ready = stored_export(fan, state=ExportState.READY, requested_at=now - timedelta(days=1))
    building = stored_export(
        fan, state=ExportState.BUILDING, progress=40, step="Gathering your points"
    )
    stored_export(FanFactory(), state=ExportState.READY)  # someone else's

    with django_assert_max_num_queries(3):
        response = fan_client.get(reverse("privacy:data"))

    assert response.status_code == 200
    assert [row.export for row in response.context["rows"]] == [building, ready, failed, expired]
    page = response.content.decode()
    assert page.count('data-testid="export"') == 4
    assert page.count('data-testid="download"') == 1
    assert reverse("privacy:export_download", args=[ready.pk]) in page
    assert '<progress value="40" max="100"' in page
    assert 'hx-trigger="every 2s"' in page
    assert page.count("hx-trigger") == 1  # only the one being built polls
    assert "Gathering your points" in page
    assert "72 hours" in page
    assert "removed" in page
    assert "We could not gather X." in page


def test_the_data_page_reads_a_bounded_number_of_queries(
    fan: User, fan_client: Client, django_assert_num_queries: Callable
) -> None:
    # The session, the user, and the exports: however many exports there are.
    for days in range(12):
        stored_export(
            fan, state=ExportState.EXPIRED, requested_at=timezone.now() - timedelta(days=days)
        )
    with django_assert_num_queries(3):
        assert fan_client.get(reverse("privacy:data")).status_code == 200


@pytest.mark.parametrize("role", ["creator", "fan", "brand", "staff"])
def test_every_signed_in_role_may_use_the_data_page(
    role: str, request: pytest.FixtureRequest, django_capture_on_commit_callbacks: Callable
) -> None:
    client = request.getfixturevalue(f"{role}_client")
    url = reverse("privacy:data")
    assert client.get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(url)

    assert (response.status_code, response.url) == (302, url)
    export = DataExport.objects.get()
    assert queued[0].func == tasks.build_export.delay
    assert queued[0].args == (export.pk,)
    page = client.get(url)
    assert "We are building your export" in page.content.decode()
    [row] = page.context["rows"]
    assert row.downloadable


def test_asking_again_on_the_page_while_one_builds_says_so_and_makes_none(
    fan: User, fan_client: Client
) -> None:
    building = stored_export(fan, state=ExportState.BUILDING)

    response = fan_client.post(reverse("privacy:data"), follow=True)

    assert "already being built" in response.content.decode()
    assert list(fan.data_exports.all()) == [building]


def test_visitors_are_sent_to_sign_in(client: Client, fan: User) -> None:
    export = stored_export(fan, state=ExportState.READY)
    for url in (
        reverse("privacy:data"),
        reverse("privacy:export_progress", args=[export.pk]),
        reverse("privacy:export_download", args=[export.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert client.post(reverse("privacy:data")).status_code == 302
    assert not DataExport.objects.exclude(pk=export.pk).exists()


# Progress (htmx)


def test_progress_polls_while_building_and_shows_the_link_when_done(
    fan: User, fan_client: Client
) -> None:
    export = stored_export(fan, state=ExportState.BUILDING, progress=55, step="Writing the archive")
    url = reverse("privacy:export_progress", args=[export.pk])

    building = fan_client.get(url, **HTMX).content.decode()
    assert building.lstrip().startswith("<li")
    assert f'hx-get="{url}"' in building and 'hx-trigger="every 2s"' in building
    assert '<progress value="55" max="100"' in building
    assert "Writing the archive" in building
    assert "<html" not in building

    name = storages["private"].save(f"exports/{fan.pk}/done.zip", ContentFile(b"PK"))
    DataExport.objects.filter(pk=export.pk).update(
        state=ExportState.READY,
        archive=name,
        progress=100,
        finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=72),
    )
    done = fan_client.get(url, **HTMX).content.decode()
    assert "hx-trigger" not in done
    assert "<progress" not in done
    assert reverse("privacy:export_download", args=[export.pk]) in done


def test_progress_without_htmx_goes_to_the_data_page(fan: User, fan_client: Client) -> None:
    export = stored_export(fan, state=ExportState.QUEUED)
    response = fan_client.get(reverse("privacy:export_progress", args=[export.pk]))
    assert response.status_code == 302
    assert response.url == reverse("privacy:data")


def test_another_users_export_progress_is_not_found(fan: User, creator_client: Client) -> None:
    export = stored_export(fan, state=ExportState.BUILDING)
    url = reverse("privacy:export_progress", args=[export.pk])
    assert creator_client.get(url, **HTMX).status_code == 404


# Download


def test_the_owner_downloads_the_archive_as_a_private_attachment(
    full_creator: CreatorProfile, django_capture_on_commit_callbacks: Callable
) -> None:
    export = build_now(full_creator.user, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(full_creator.user)

    response = client.get(reverse("privacy:export_download", args=[export.pk]))

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    with storages["private"].open(export.archive, "rb") as stored:
        assert body == stored.read()
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".zip" in response["Content-Disposition"]
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_another_user_cannot_download_an_export(fan: User, creator_client: Client) -> None:
    export = stored_export(fan, state=ExportState.READY)
    response = creator_client.get(reverse("privacy:export_download", args=[export.pk]))
    assert response.status_code == 404
    assert b"PK-test-archive" not in response.content


def test_an_expired_link_is_gone_with_a_page_that_says_so(fan: User, fan_client: Client) -> None:
    export = stored_export(fan, state=ExportState.READY)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = fan_client.get(reverse("privacy:export_download", args=[export.pk]))

    assert response.status_code == 410
    page = response.content.decode()
    assert "This download link has expired" in page
    assert reverse("privacy:data") in page


def test_a_removed_archive_is_gone(fan: User, fan_client: Client) -> None:
    expired = stored_export(fan, state=ExportState.EXPIRED)
    missing = stored_export(fan, state=ExportState.READY)
    storages["private"].delete(missing.archive)

    for export in (expired, missing):
        response = fan_client.get(reverse("privacy:export_download", args=[export.pk]))
        assert response.status_code == 410


def test_an_export_still_being_built_cannot_be_downloaded_yet(
    fan: User, fan_client: Client
) -> None:
    export = stored_export(fan, state=ExportState.BUILDING)
    response = fan_client.get(reverse("privacy:export_download", args=[export.pk]))
    assert response.status_code == 409
    assert "not ready yet" in response.content.decode()
