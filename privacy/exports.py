"""A person's data export: asked for on their account's data page, built by a Celery task
(privacy.build_export) into one zip archive in the private storage, downloadable by its owner
until `expires_at`, then removed.

The archive holds, for each app that keeps something about the user, one JSON file per kind
of record and, for lists of records, a CSV file of the same rows, plus a README.txt saying
what each file is. Each app reads its own tables (`<app>.selectors.export_rows(user)`); this
module only gathers, writes and tells.
"""

import csv
import io
import json
import logging
import secrets
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from academy import selectors as academy_selectors
from accounts import selectors as accounts_selectors
from accounts.models import User
from accounts.services import notify
from activity import selectors as activity_selectors
from gifts import selectors as gifts_selectors
from marketplace import selectors as marketplace_selectors
from payments import selectors as payments_selectors
from rewards import selectors as rewards_selectors
from store import selectors as store_selectors
from subscriptions import selectors as subscriptions_selectors

from .models import DataExport, ExportState

logger = logging.getLogger(__name__)

IN_PROGRESS = (ExportState.QUEUED, ExportState.BUILDING)

Rows = dict[str, list[dict]]


@dataclass(frozen=True)
class Section:
    """One app's part of the archive: its folder, what the progress line says while it is
    gathered, and the selector that reads it."""

    folder: str
    title: str
    read: Callable[[User], Rows]


# In the order they are gathered (and listed in the README).
SECTIONS = (
    Section("account", "your account and profile", accounts_selectors.export_rows),
    Section("points", "your points", rewards_selectors.export_rows),
    Section("money", "your earnings, payouts and payments", payments_selectors.export_rows),
    Section("store", "your store redemptions", store_selectors.export_rows),
    Section(
        "subscriptions",
        "your subscriptions, posts and messages",
        subscriptions_selectors.export_rows,
    ),
    Section("academy", "your courses and certificates", academy_selectors.export_rows),
    Section("fan_support", "your coins, gifts and tips", gifts_selectors.export_rows),
    Section("marketplace", "your campaigns and collaborations", marketplace_selectors.export_rows),
    Section("activity", "your videos and reviews", activity_selectors.export_rows),
)

# Kinds that are one record (a profile, a settings row) rather than a list: JSON only.
RECORD_KINDS = frozenset(
    {"profile", "creator_profile", "brand_profile", "points_account", "tier", "listing"}
)

# What each kind of file holds, for the README. A kind missing here is still written, and
# the README says only its name.
KIND_NOTES = {
    "profile": "your sign-in email, name, role and when you joined",
    "email_addresses": "the email addresses on your account and whether each is verified",
    "creator_profile": "your creator profile: handle, display name, bio, niches, standing",
    "brand_profile": "your brand profile: company, website, industry",
    "notifications": "every notification the portal sent you",
    "badges": "badges you hold and what earned each",
    "points_account": "your points balance and when you joined the loyalty program",
    "points_entries": "every movement of your points, with the rule version and day behind it",
    "tier": "your loyalty tier and the points that placed you in it",
    "rewards_program_statements": "your monthly Creator Rewards Program statements",
    "earnings_entries": "every movement of your money (minor units, e.g. cents, with currency)",
    "payout_methods": "where your payouts go (last four digits only; no full number is kept)",
    "payouts": "your payout requests and what became of each",
    "payout_events": "each step of every payout request",
    "payments": "charges and refunds made on your cards",
    "saved_cards": "cards you saved (brand, last four digits and expiry only)",
    "redemptions": "what you redeemed in the points store",
    "redemption_events": "each step of every redemption",
    "subscriptions": "your subscriptions to creators",
    "subscription_charges": "each charge of your subscriptions",
    "packages": "the subscription packages you offer",
    "posts": "the subscriber posts you wrote",
    "chat_messages": "the chat messages you wrote, in any creator's room",
    "enrolments": "the Academy courses you enrolled in",
    "lesson_progress": "how far you got in each lesson",
    "quiz_attempts": "your quiz attempts, with the answers you gave",
    "certificates": "the certificates you earned",
    "coin_entries": "every movement of your coins",
    "coin_purchases": "the coin packs you bought",
    "gifts_sent": "gifts you sent to creators",
    "gifts_received": "gifts you received (the senders are not named: that is their data)",
    "tips_sent": "tips you sent to creators",
    "tips_received": "tips you received (the senders are not named: that is their data)",
    "listing": "your Marketplace listing",
    "campaigns": "the campaigns your brand wrote",
    "proposals": "invitations and applications between you and brands or creators",
    "collaborations": "your collaborations and their terms",
    "deliveries": "what was delivered in your collaborations",
    "collaboration_messages": "the messages you wrote in collaborations",
    "videos": "your videos as the platform reported them",
    "flags": "authenticity reviews of your videos' activity",
    "flag_appeals": "the appeals you wrote and staff's answers",
}

# Shown on the page and stored on the export when building fails; the details go to the log.
FAILED_MESSAGE = (
    "We could not gather {title}, so this export was not made. Ask for a new one; if it "
    "fails again, contact support."
)


class ExportError(Exception):
    """An export that cannot be downloaded, in words for its owner."""


class ArchiveGone(ExportError):
    """Its link has expired, or its archive is no longer stored."""


class ArchiveNotReady(ExportError):
    """It is still being built, or building it failed."""


# Stored on an export whose build was lost (see `_fail_lost_builds`).
STOPPED_MESSAGE = "The build stopped; ask again."


def request_export(*, user: User) -> DataExport:
    """Ask for an archive of the user's data and queue it to be built once the request
    commits. While one is queued or being built, a second request returns that one (the
    database lets a user have only one in progress); one lost on the way (see
    `_fail_lost_builds`) no longer counts."""
    _fail_lost_builds(user)
    pending = user.data_exports.filter(state__in=IN_PROGRESS).first()
    if pending is not None:
        return pending
    try:
        with transaction.atomic():
            export = DataExport.objects.create(user=user)
    except IntegrityError:
        # Another request (a double click) made one between our read and insert.
        return user.data_exports.get(state__in=IN_PROGRESS)
    # Imported here: privacy.tasks imports this module.
    from . import tasks

    transaction.on_commit(partial(tasks.build_export.delay, export.pk))
    return export


def _fail_lost_builds(user: User) -> int:
    """Mark failed the user's exports queued or building for longer than twice the task's
    time limit: no worker can still be building them (the limit kills it), so their task was
    lost (a broker restart, a worker killed before it acknowledged). Without this, the one
    export a user may have in progress would refuse every new request for ever. A late run
    of the lost task then finds the export failed and does nothing. Returns how many."""
    cutoff = timezone.now() - timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)
    return user.data_exports.filter(state__in=IN_PROGRESS, requested_at__lt=cutoff).update(
        state=ExportState.FAILED, step="", error=STOPPED_MESSAGE, finished_at=timezone.now()
    )


@transaction.atomic
def discard_exports_of(*, user: User) -> int:
    """A closing user's exports, ready or still being built, are marked expired now and their
    archives deleted from the private storage once the caller's transaction commits, so no
    copy of their personal data outlives the account. A build still running then finds its
    export no longer in progress and deletes what it wrote (`_finish`). Returns how many
    exports were discarded."""
    exports = user.data_exports.filter(
        Q(state__in=(*IN_PROGRESS, ExportState.READY)) | ~Q(archive="")
    )
    for name in exports.exclude(archive="").values_list("archive", flat=True):
        transaction.on_commit(partial(_storage().delete, name))
    return exports.update(state=ExportState.EXPIRED, step="", archive="", expires_at=timezone.now())


def build(export_id: int) -> str:
    """Build the archive of one requested export, telling its owner when it is ready or has
    failed. Safe to run twice: a run that finds it ready, failed or gone does nothing, and a
    run that finds another worker building it leaves it to them (a worker that died loses
    its claim when the task's time limit has passed, so the redelivered task takes over)."""
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None:
        return f"export {export_id} no longer exists"
    if export.state not in IN_PROGRESS:
        return f"export {export_id} is already {export.state}"
    claim = f"privacy:export-building:{export_id}"
    if not cache.add(claim, 1, timeout=settings.CELERY_TASK_TIME_LIMIT):
        return f"export {export_id} is being built by another worker"
    try:
        return _build(export)
    finally:
        cache.delete(claim)


def _build(export: DataExport) -> str:
    if not _update(export, progress=0, step="Starting", state=ExportState.BUILDING):
        return f"export {export.pk} is no longer in progress"
    gathered: list[tuple[Section, Rows]] = []
    for number, section in enumerate(SECTIONS):
        _update(export, progress=90 * number // len(SECTIONS), step=f"Gathering {section.title}")
        try:
            gathered.append((section, section.read(export.user)))
        except Exception:
            logger.exception("Data export %s: reading %s failed", export.pk, section.folder)
            return _fail(export, FAILED_MESSAGE.format(title=section.title))
    _update(export, progress=90, step="Writing the archive")
    try:
        name, size = _write_archive(export, gathered)
    except Exception:
        logger.exception("Data export %s: writing the archive failed", export.pk)
        return _fail(export, FAILED_MESSAGE.format(title="your data into one archive"))
    return _finish(export, name=name, size=size)


def _update(export: DataExport, **fields: object) -> bool:
    """Change the export while it is being built, committed at once so its page shows it."""
    return bool(DataExport.objects.filter(pk=export.pk, state__in=IN_PROGRESS).update(**fields))


def _finish(export: DataExport, *, name: str, size: int) -> str:
    now = timezone.now()
    expires_at = now + timedelta(hours=settings.DATA_EXPORT_LINK_HOURS)
    with transaction.atomic():
        done = DataExport.objects.filter(pk=export.pk, state=ExportState.BUILDING).update(
            state=ExportState.READY,
            progress=100,
            step="Ready",
            archive=name,
            size_bytes=size,
            finished_at=now,
            expires_at=expires_at,
        )
        if done:
            notify(
                user=export.user,
                subject="Your data export is ready",
                body=(
                    "The archive of your data you asked for is ready to download until "
                    f"{valid_until(expires_at)} ({settings.DATA_EXPORT_LINK_HOURS} hours). "
                    "Only you can download it, signed in to your account. After that it is "
                    "removed; you can ask for a new one at any time."
                ),
                link=reverse("privacy:export_download", args=[export.pk]),
            )
    if not done:
        # Removed while it was being built: keep no orphan archive.
        _storage().delete(name)
        return f"export {export.pk} was removed while being built"
    return f"export {export.pk} ready: {size} bytes"


def _fail(export: DataExport, message: str) -> str:
    with transaction.atomic():
        failed = DataExport.objects.filter(pk=export.pk, state=ExportState.BUILDING).update(
            state=ExportState.FAILED, step="", error=message, finished_at=timezone.now()
        )
        if failed:
            notify(
                user=export.user,
                subject="Your data export could not be built",
                body=message,
                link=reverse("privacy:data"),
            )
    return f"export {export.pk} failed"


def _storage() -> Storage:
    return storages["private"]


def _write_archive(export: DataExport, gathered: list[tuple[Section, Rows]]) -> tuple[str, int]:
    """Write the zip to a temporary file, then into the private storage under a name no
    one can guess; returns the stored name and its size in bytes."""
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            listed: list[str] = []
            for section, rows_by_kind in gathered:
                for kind, rows in rows_by_kind.items():
                    path = f"{section.folder}/{kind}"
                    note = KIND_NOTES.get(kind, kind.replace("_", " "))
                    archive.writestr(f"{path}.json", json.dumps(rows, indent=2, ensure_ascii=False))
                    listed.append(f"{path}.json  {note} ({_count(rows)})")
                    if kind not in RECORD_KINDS and rows:
                        archive.writestr(f"{path}.csv", _csv(rows))
                        listed.append(f"{path}.csv  the same rows as a table")
            archive.writestr("README.txt", _readme(export, listed))
        size = spool.tell()
        spool.seek(0)
        name = f"exports/{export.user_id}/{secrets.token_urlsafe(24)}.zip"
        return _storage().save(name, File(spool, name=name)), size


def _count(rows: list[dict]) -> str:
    return "1 record" if len(rows) == 1 else f"{len(rows)} records"


def _csv(rows: list[dict]) -> str:
    """The rows as CSV with a header; a value that is a list or an object is written as its
    JSON text."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                key: json.dumps(value, ensure_ascii=False)
                if isinstance(value, list | dict)
                else value
                for key, value in row.items()
            }
        )
    return out.getvalue()


def _readme(export: DataExport, listed: list[str]) -> str:
    made = date_format(timezone.localtime(), "j F Y, H:i T")
    lines = [
        "Your data from the Creator Portal",
        "",
        f"Made on {made} for {export.user.email}, at your request (export {export.pk}).",
        "",
        "Each folder holds one part of the portal. Every kind of record is a JSON file; lists",
        "of records are also a CSV file of the same rows, for a spreadsheet. Times are in UTC",
        "(ISO 8601); money is in minor units (cents, pence) beside its currency code, so 2500",
        "with GBP is 25.00 GBP. Points and coins are whole numbers. An empty list means the",
        "portal holds nothing of that kind about you.",
        "",
        "The files:",
        "",
        *(f"  {line}" for line in listed),
        "",
        "Records the portal keeps about other people (who subscribed to you, who sent you a",
        "gift or tip) are theirs and are not in this archive.",
        "",
    ]
    return "\n".join(lines)


def valid_until(moment: datetime) -> str:
    """When a download link stops working, as emails and pages say it."""
    return date_format(timezone.localtime(moment), "j F Y, H:i T")


def is_downloadable(export: DataExport, *, now: datetime | None = None) -> bool:
    """Ready, and its link still valid."""
    now = now or timezone.now()
    return (
        export.state == ExportState.READY
        and export.expires_at is not None
        and export.expires_at > now
    )


def is_gone(export: DataExport, *, now: datetime | None = None) -> bool:
    """Its link has expired (whether or not the nightly clean-up has removed it yet)."""
    now = now or timezone.now()
    return export.state == ExportState.EXPIRED or (
        export.state == ExportState.READY
        and export.expires_at is not None
        and export.expires_at <= now
    )


def open_archive(export: DataExport) -> File:
    """The archive's file, opened for reading, for its owner's download. Raises ArchiveGone
    when its link has expired or the file is missing, ArchiveNotReady when it is not built,
    each in words for them."""
    if is_gone(export):
        raise ArchiveGone(
            "This download link has expired and the archive was removed. Ask for a new "
            "export on your data page."
        )
    if not is_downloadable(export):
        raise ArchiveNotReady(
            "This export failed; ask for a new one on your data page."
            if export.state == ExportState.FAILED
            else "This export is not ready yet; your data page shows how far along it is."
        )
    try:
        return _storage().open(export.archive, "rb")
    except FileNotFoundError as error:
        raise ArchiveGone(
            "This archive is no longer stored. Ask for a new export on your data page."
        ) from error
