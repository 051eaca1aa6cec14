"""The fairness report and the rules' what-if, staff only.

The page (GET) shows the distributions for a period; its what-if form posts the draft rules
(the draft lives in the form, nothing is stored) and gets back the `what-if` region, the
whole page without htmx; "Save as the next rule version" posts the same form to
`save_rules`, which writes the draft through the rewards service and redirects."""

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.access import staff_required
from core.clock import rewards_today
from core.http import wants_fragment
from rewards import selectors as rewards_selectors
from rewards import services as rewards_services
from rewards.models import Metric

from . import fairness_report
from .forms_fairness import (
    PeriodForm,
    RuleDraftForm,
    SaveVersionForm,
    last_days,
    presets,
    rule_initial,
)


def _draft_forms(data: dict | None, today: date) -> list[RuleDraftForm]:
    """One draft form per metric, starting from the rules in force today."""
    versions = rewards_selectors.rule_versions_on(today)
    labels = dict(Metric.choices)
    return [
        RuleDraftForm(data, metric=metric, label=labels[metric], initial=rule_initial(rule))
        for metric, rule in versions.items()
    ]


def _page(
    request: HttpRequest,
    *,
    template: str = "reports/fairness.html",
    drafts: list[RuleDraftForm] | None = None,
    save_form: SaveVersionForm | None = None,
    result: fairness_report.WhatIf | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    today = rewards_today()
    period_form = PeriodForm(request.GET or None, today=today)
    first, last = period_form.period()
    window = last_days(today)
    # The what-if region needs no distributions: only the page and its period region do.
    with_report = template in ("reports/fairness.html", "reports/fairness.html#distributions")
    return render(
        request,
        template,
        {
            "period_form": period_form,
            "presets": [
                {
                    "label": label,
                    "first": start,
                    "last": end,
                    "current": (start, end) == (first, last),
                }
                for label, start, end in presets(today)
            ],
            "period_error": period_form.first_error() if period_form.is_bound else "",
            "report": fairness_report.report(first, last) if with_report else None,
            "drafts": drafts
            if drafts is not None or template.endswith("#distributions")
            else _draft_forms(None, today),
            "save_form": save_form or SaveVersionForm(today=today),
            "window": window,
            "result": result,
            "error": error,
            "today": today,
        },
        status=status,
    )


def _fragment_or_page(request: HttpRequest) -> str:
    return "reports/fairness.html#what-if" if wants_fragment(request) else "reports/fairness.html"


@staff_required
@require_GET
def fairness(request: HttpRequest) -> HttpResponse:
    """The distributions of points and cash for a period (default: the last 30 days), with
    the what-if form prefilled with today's rules. htmx asks for the `distributions` region
    when the period changes; a bad period is answered in words (422 for htmx, which swaps
    it in by base.html's responseHandling; 400 for the whole page)."""
    period_form = PeriodForm(request.GET or None, today=rewards_today())
    bad = period_form.is_bound and not period_form.is_valid()
    if wants_fragment(request):
        return _page(
            request, template="reports/fairness.html#distributions", status=422 if bad else 200
        )
    return _page(request, status=400 if bad else 200)


@staff_required
@require_POST
def what_if(request: HttpRequest) -> HttpResponse:
    """What the posted draft rules would have given over the last 30 days, beside the
    ledger. Reads only: nothing is posted or stored."""
    today = rewards_today()
    drafts = _draft_forms(request.POST, today)
    save_form = SaveVersionForm(request.POST, today=today)
    template = _fragment_or_page(request)
    if not all(form.is_valid() for form in drafts):
        return _page(
            request,
            template=template,
            drafts=drafts,
            save_form=save_form,
            error="Check the rules marked below.",
            status=422,
        )
    first, last = last_days(today)
    result = fairness_report.what_if(first, last, [form.rule() for form in drafts])
    return _page(request, template=template, drafts=drafts, save_form=save_form, result=result)


@staff_required
@require_POST
def save_rules(request: HttpRequest) -> HttpResponse:
    """Save the posted draft as the next dated rule version (rewards.services), then back to
    the page with a confirmation; refusals come back on the form."""
    today = rewards_today()
    drafts = _draft_forms(request.POST, today)
    save_form = SaveVersionForm(request.POST, today=today)
    template = _fragment_or_page(request)
    valid = all(form.is_valid() for form in drafts) and save_form.is_valid()
    valid_from = save_form.cleaned_data.get("valid_from") if valid else None
    error = ""
    if not valid:
        error = "Check the rules and the date marked below."
    elif valid_from is None:
        error = "Choose the day the new version comes into force."
    elif not any(form.has_changed() for form in drafts):
        error = "The draft is today's rules unchanged: change a rule first."
    else:
        try:
            # Only the rules staff changed: a version dated between today and `valid_from`
            # of a rule they left alone must not be overwritten by today's terms.
            saved = rewards_services.save_rule_version(
                drafts=[form.rule() for form in drafts if form.has_changed()],
                valid_from=valid_from,
                by=request.user,
            )
        except rewards_services.RuleVersionError as refused:
            error = str(refused)
        else:
            names = ", ".join(rule.get_metric_display() for rule in saved)
            messages.success(
                request,
                f"Saved a new version of {len(saved)} rule{'s' if len(saved) != 1 else ''} "
                f"({names}), in force from {valid_from:%-d %B %Y}. The versions before it are "
                "unchanged; creators see the change coming on “How points work”.",
            )
            url = reverse("reports:fairness")
            if wants_fragment(request):
                return HttpResponseClientRedirect(url)
            return redirect(url)
    return _page(
        request, template=template, drafts=drafts, save_form=save_form, error=error, status=422
    )
