"""Fraud review: the queue of authenticity flags, bulk reviews and answers to appeals.

Every view is staff only. The queue is a GET form (filters in the address, so a view of the
queue can be bookmarked); htmx swaps the `#queue` region. Reviews and answers are POSTs:
a plain form is redirected back to the queue it came from with a message; htmx gets the
region again with the message in it. Refused input answers 400 with the reason on a plain
form, and 422 with the region (and the reason in it) under htmx, which swaps only 409 and
422 answers (base.html's htmx-config).
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.access import staff_required
from activity import selectors as activity_selectors
from activity import services as activity_services
from activity.models import EngagementFlag
from core.http import bad_request, wants_fragment

from .fraud import review_queue
from .fraud_forms import AnswerForm, QueueFilters, ReviewForm

PAGE = "reports/fraud.html"
QUEUE = "reports/fraud.html#queue"


def _drill_down(flag: EngagementFlag) -> str:
    """Where the creator reads staff's answer: the flag on their points drill-down."""
    return reverse("rewards:day", args=[flag.day.isoformat()]) + f"#flag-{flag.pk}"


def _filters_from(back: str) -> QueryDict:
    """The queue's filters a form carried back, re-read through the filter form's own fields,
    so a redirect only ever goes to the queue with known parameters (never elsewhere)."""
    carried = QueryDict(back.lstrip("?"), mutable=True)
    kept = QueryDict(mutable=True)
    for name in QueueFilters.base_fields:
        if name in carried:
            kept[name] = carried[name][:100]
    return kept


def _context(filters: QueueFilters, **extra: object) -> dict:
    queue = None
    if not filters.is_bound or filters.is_valid():
        flags = activity_selectors.flags_for_review(
            statuses=filters.statuses,
            reasons=filters.reasons,
            handle=filters.value("q") or "",
            first=filters.first_day,
            last=filters.last_day,
            appeal=filters.value("appeal") or "",
        )
        queue = review_queue(
            flags,
            min_held=filters.held_at_least,
            sort=filters.sort_order,
            page=filters.page_number,
        )
    query = filters.data.copy() if filters.is_bound else QueryDict(mutable=True)
    query.pop("page", None)
    return {
        "filters": filters,
        "queue": queue,
        "query": query.urlencode(),
        "waiting_appeals": activity_selectors.open_appeals_count(),
        "review_form": extra.pop("review_form", None) or ReviewForm(),
        **extra,
    }


@staff_required
@require_GET
@vary_on_headers("HX-Request")  # the same address answers htmx with its region only
def fraud(request: HttpRequest) -> HttpResponse:
    """The queue: open flags by default, the most points held back first."""
    filters = QueueFilters(request.GET or None)
    template = QUEUE if wants_fragment(request) else PAGE
    if filters.is_bound and not filters.is_valid():
        if not request.htmx:
            return bad_request(request, filters.first_error)
        return render(request, template, _context(filters, error=filters.first_error), status=422)
    return render(request, template, _context(filters))


def _after(
    request: HttpRequest, back: str, *, done: str = "", error: str = "", form: object = None
) -> HttpResponse:
    """What a review or an answer returns: the queue it came from, as its kind of request
    wants it (see the module's note)."""
    kept = _filters_from(back)
    if not request.htmx:
        if error:
            return bad_request(request, error)
        messages.success(request, done)
        url = reverse("reports:fraud")
        return redirect(f"{url}?{kept.urlencode()}" if kept else url)
    filters = QueueFilters(kept or None)
    extra: dict = {"done": done, "error": error}
    if form is not None:
        extra["review_form"] = form
    return render(request, QUEUE, _context(filters, **extra), status=422 if error else 200)


@staff_required
@require_POST
def review(request: HttpRequest) -> HttpResponse:
    """Confirm or dismiss the flags ticked, with one note (which answers any appeal waiting
    on them)."""
    form = ReviewForm(request.POST)
    back = request.POST.get("back", "")
    if not form.is_valid():
        return _after(request, back, error=form.first_error, form=form)
    try:
        result = activity_services.review_flags(
            flag_ids=form.cleaned_data["flag"],
            verdict=form.status,
            reviewer=request.user,
            note=form.cleaned_data["note"],
            answer_link=_drill_down,
        )
    except activity_services.ActivityError as error:
        return _after(request, back, error=str(error), form=form)
    return _after(request, back, done=result.summary())


@staff_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer one appeal: dismiss or confirm its flag, the answer sent to the creator."""
    form = AnswerForm(request.POST)
    back = request.POST.get("back", "")
    if not form.is_valid():
        return _after(request, back, error=form.first_error)
    try:
        appeal = activity_services.answer_appeal(
            appeal_id=pk,
            verdict=form.status,
            answer=form.cleaned_data["answer"],
            reviewer=request.user,
            answer_link=_drill_down,
        )
    except activity_services.ActivityError as error:
        return _after(request, back, error=str(error))
    outcome = "accepted (flag dismissed)" if appeal.verdict == "dismissed" else "refused"
    return _after(request, back, done=f"Appeal {outcome}; the creator was told.")
