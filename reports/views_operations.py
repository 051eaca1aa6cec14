from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import staff_required

from . import operations as ops


@staff_required
@require_GET
def operations(request: HttpRequest) -> HttpResponse:
    """Recalculation runs, failed tasks, and redemptions and payouts waiting for staff, each
    row linked to its page in admin."""
    return render(request, "reports/operations.html", {"ops": ops.operations(timezone.now())})
