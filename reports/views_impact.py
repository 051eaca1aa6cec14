"""The program impact report (reports.impact): the page, its htmx region and its CSV."""

import csv
import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.access import staff_required
from core.clock import rewards_today
from core.http import bad_request, wants_fragment
from rewards import selectors as rewards_selectors

from . import impact
from .forms_impact import ImpactFilterForm


def _form(request: HttpRequest) -> ImpactFilterForm:
    return ImpactFilterForm(request.GET, cohorts=impact.cohorts(), tiers=rewards_selectors.tiers())


@staff_required
@require_GET
def impact_report(request: HttpRequest) -> HttpResponse:
    """The table, the creators left out and a chart per metric, for the filters in the query
    string. Filters that make no sense come back as the form to fix (422, which htmx swaps)."""
    form = _form(request)
    valid = form.is_valid()
    result = impact.report(form.filters()) if valid else None
    query = request.GET.urlencode()
    csv_url = reverse("reports:impact_csv")
    context = {
        "form": form,
        "result": result,
        "error": "" if valid else form.error_text(),
        "csv_url": f"{csv_url}?{query}" if query else csv_url,
        "default_window": impact.DEFAULT_WINDOW,
        "min_days": impact.MIN_DAYS_REPORTED,
    }
    template = "reports/impact.html#report" if wants_fragment(request) else "reports/impact.html"
    return render(request, template, context, status=200 if valid else 422)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@staff_required
@require_GET
def impact_csv(request: HttpRequest) -> HttpResponse:
    """The report for the same filters as CSV, named after them and the day."""
    form = _form(request)
    if not form.is_valid():
        return bad_request(request, form.error_text())
    filters = form.filters()
    result = impact.report(filters)
    parts = ["program-impact", f"{filters.window}-months"]
    for label in (filters.cohort_label, filters.tier_label, filters.band_label):
        if label:
            parts.append(_slug(label))
    parts.append(f"{rewards_today():%Y-%m-%d}")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{"-".join(parts)}.csv"'
    writer = csv.writer(response)
    writer.writerows(impact.csv_rows(result))
    return response
