"""The audit trail: every recorded staff change, searchable by staff member, object, creator,
kind and days (accounts.audit records them). Staff with the "Can read the audit trail"
permission only; other staff get 403, as the rest of the portal does.

A GET form (the search stays in the address, so it can be bookmarked); htmx swaps the
`#results` region. Bad filters answer 400 with the reason (422 with the region under htmx).
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from accounts import selectors as accounts_selectors
from accounts.access import staff_required
from accounts.audit import can_read_audit_trail
from accounts.models import AuditEntry
from core.http import bad_request, wants_fragment

from .forms_audit import AuditFilters

PAGE = "reports/audit.html"
RESULTS = "reports/audit.html#results"
PAGE_SIZE = 50


def _admin_url(entry: AuditEntry) -> str:
    """The changed row's page in admin, where it has one (a deleted row's page says so)."""
    try:
        return reverse(f"admin:{entry.app_label}_{entry.model}_change", args=[entry.object_id])
    except NoReverseMatch:
        return ""


@staff_required
@require_GET
@vary_on_headers("HX-Request")  # the same address answers htmx with its region only
def audit(request: HttpRequest) -> HttpResponse:
    if not can_read_audit_trail(request.user):
        raise PermissionDenied
    filters = AuditFilters(request.GET or None, kinds=accounts_selectors.audited_models())
    template = RESULTS if wants_fragment(request) else PAGE
    context: dict[str, object] = {"filters": filters, "page": None, "rows": []}
    if filters.is_bound and not filters.is_valid():
        if not request.htmx:
            return bad_request(request, filters.first_error)
        return render(request, template, {**context, "error": filters.first_error}, status=422)
    entries = accounts_selectors.audit_trail(**filters.search())
    page = Paginator(entries, PAGE_SIZE).get_page(
        filters.cleaned_data.get("page") if filters.is_bound else None
    )
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        page=page,
        rows=[(entry, _admin_url(entry)) for entry in page.object_list],
        query=query.urlencode(),
    )
    return render(request, template, context)
