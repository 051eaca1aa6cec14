"""The data page: a user asks for an archive of their data, watches it being built, and
downloads it while its link is valid. Every export is fetched through its owner
(`request.user.data_exports`), so another user's id is a 404."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import login_required
from core.http import wants_fragment

from . import exports
from .models import DataExport, ExportState

# The page lists this many of the user's latest exports.
EXPORTS_SHOWN = 10


@dataclass(frozen=True)
class ExportRow:
    """One export as its page shows it."""

    export: DataExport
    in_progress: bool
    downloadable: bool
    gone: bool

    @property
    def valid_until(self) -> str:
        return exports.valid_until(self.export.expires_at) if self.export.expires_at else ""


def _row(export: DataExport, now: datetime) -> ExportRow:
    return ExportRow(
        export=export,
        in_progress=export.state in exports.IN_PROGRESS,
        downloadable=exports.is_downloadable(export, now=now),
        gone=exports.is_gone(export, now=now),
    )


@login_required
@require_http_methods(["GET", "POST"])
def data_page(request: HttpRequest) -> HttpResponse:
    """The user's exports, newest first; POST asks for a new one (or finds the one already
    being built) and comes back here."""
    if request.method == "POST":
        already = request.user.data_exports.filter(state__in=exports.IN_PROGRESS).exists()
        export = exports.request_export(user=request.user)
        export.refresh_from_db(fields=["state"])
        if export.state == ExportState.READY:
            # Built already: no broker, so the task ran as the request committed.
            messages.success(request, "Your export is ready: download it below.")
        elif already:
            messages.info(
                request, "Your export is already being built. We will email you when it is ready."
            )
        else:
            messages.success(
                request,
                "We are building your export. You can leave this page: we will email you a "
                "link when it is ready.",
            )
        return redirect("privacy:data")
    now = timezone.now()
    rows = [_row(export, now) for export in request.user.data_exports.all()[:EXPORTS_SHOWN]]
    return render(
        request,
        "privacy/data.html",
        {
            "rows": rows,
            "building": any(row.in_progress for row in rows),
            "link_hours": settings.DATA_EXPORT_LINK_HOURS,
        },
    )


@login_required
@require_GET
def progress(request: HttpRequest, export_id: int) -> HttpResponse:
    """One export's state, for htmx to poll while it is being built: the fragment polls
    again while it is in progress and, once done, shows the download link and stops."""
    export = get_object_or_404(request.user.data_exports, pk=export_id)
    if not wants_fragment(request):
        return redirect("privacy:data")
    return render(request, "privacy/data.html#progress", {"row": _row(export, timezone.now())})


@login_required
@require_GET
def download(request: HttpRequest, export_id: int) -> HttpResponse:
    """The archive, to its owner only, while its link is valid: 410 once it has expired or
    been removed, 409 while it is not built."""
    export = get_object_or_404(request.user.data_exports, pk=export_id)
    try:
        archive = exports.open_archive(export)
    except exports.ArchiveGone as gone:
        return _unavailable(request, "This link has expired", str(gone), status=410)
    except exports.ArchiveNotReady as not_ready:
        return _unavailable(request, "Not ready yet", str(not_ready), status=409)
    finished = timezone.localdate(export.finished_at)
    # FileResponse closes the file once sent.
    response = FileResponse(
        archive,
        as_attachment=True,
        filename=f"creator-portal-data-{finished:%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def _unavailable(request: HttpRequest, title: str, message: str, *, status: int) -> HttpResponse:
    return render(
        request,
        "privacy/export_unavailable.html",
        {"title": title, "message": message},
        status=status,
    )
