"""The rows the URL walk (test_access.py) needs for the privacy pages: a ready data export of
the walk's creator (its progress and download URLs take its id), and a closed account with a
record kept by law, for the privacy admin's pages."""

# Only the export's owner reaches it; every other signed-in user gets a 404, as for an
# export that does not exist. A plain GET of the htmx progress row sends the owner on to the
# data page.
EXPORT_OWNER_ONLY: dict[str, int] = {
    "privacy:export_progress": 302,
    "privacy:export_download": 200,
}
# Closing an account asks for the password again first (allauth's reauthentication): a
# walk's session, signed in by force_login, has no recent authentication to show.
REAUTHENTICATE_FIRST: set[str] = {"privacy:close"}


def own_privacy(creator: object) -> dict[str, dict]:
    from datetime import date, timedelta

    from django.core.files.base import ContentFile
    from django.core.files.storage import storages
    from django.utils import timezone

    from accounts.tests.factories import FanFactory
    from privacy import closing
    from privacy.models import DataExport, ExportState, RetainedRecord

    now = timezone.now()
    name = storages["private"].save(f"exports/{creator.user.pk}/walk.zip", ContentFile(b"PK"))
    export = DataExport.objects.create(
        user=creator.user,
        state=ExportState.READY,
        archive=name,
        size_bytes=2,
        finished_at=now,
        expires_at=now + timedelta(hours=72),
    )
    closed = closing.close_account(user=FanFactory())
    RetainedRecord.objects.get_or_create(
        user=closed.user,
        kind="payments",
        defaults={
            "description": "Walked payments",
            "reason": "Walked",
            "erase_after": date(2033, 12, 1),
        },
    )
    return {
        "privacy:export_progress": {"export_id": export.pk},
        "privacy:export_download": {"export_id": export.pk},
    }
