from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import selectors as accounts_selectors
from accounts.access import creator_required, public
from activity import retention as activity_retention
from activity import selectors as activity_selectors
from activity import services as activity_services
from activity.models import FlagAppeal
from core.clock import FIRST_DAY, is_known_day, rewards_day_of, rewards_today
from core.http import bad_request, wants_fragment
from core.regions import REGION_SECONDS, region_key

from . import dashboard as dashboards
from . import panels, selectors, whatif
from .forms import ExplainDayForm, WhatIfForm
from .models import Metric, PointsEntry

HISTORY_PAGE_SIZE = 50


@public  # the rules are published: anyone may read how points are earned
@require_GET
def how_points_work(request: HttpRequest) -> HttpResponse:
    """Every rule in force today, in words, with what counts and what does not."""
    today = rewards_today()
    rules = selectors.rules_in_words(today)
    return render(
        request,
        "rewards/how_points_work.html",
        {
            "today": today,
            "rules": rules,
            "changes": selectors.upcoming_rule_changes(today),
            "has_qualified_views": any(r.metric == Metric.QUALIFIED_VIEWS for r in rules),
            "min_duration_s": settings.QUALIFIED_VIEW_MIN_DURATION_S,
            "streak_days": settings.REWARDS_STREAK_DAYS,
            "trailing_days": settings.AUTHENTICITY["TRAILING_DAYS"],
            "rewards_day_tz": settings.REWARDS_DAY_TZ,
        },
    )


@creator_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The creator's home: balance, expiry, month, tier, the points chart, recent entries and
    the path to each program, every figure linked to what explains it."""
    try:
        period = dashboards.parse_period(request.GET.get("period"))
    except dashboards.PeriodError as exc:
        return bad_request(request, str(exc))
    creator = request.user.creator
    today = rewards_today()
    version = selectors.ledger_version(creator)
    board = SimpleLazyObject(lambda: dashboards.dashboard(creator, today=today, period=period))
    return render(
        request,
        "rewards/dashboard.html",
        {
            "creator": creator,
            "board": board,
            "panel": SimpleLazyObject(lambda: dashboards.points_panel(board.period)),
            # Everything the cached regions show that can change; see core.regions.
            "board_key": region_key(
                creator.pk, today, period, version, creator.followers, creator.standing
            ),
            "panel_key": region_key(creator.pk, today, period, version),
            "region_seconds": REGION_SECONDS,
            "niches": list(creator.niches.all()),
            "security": accounts_selectors.security_summary(request.user),
            "day_form": ExplainDayForm(today=today, auto_id="explain-%s"),
            "panels": panels.dashboard_panels(request, creator),
        },
    )


@creator_required
@require_GET
def points_panel(request: HttpRequest) -> HttpResponse:
    """The dashboard's chart and totals for another period: what the 7/30/90 switch swaps in
    with htmx (without JavaScript the switch reloads the dashboard instead)."""
    try:
        period = dashboards.parse_period(request.GET.get("period"))
    except dashboards.PeriodError as exc:
        return bad_request(request, str(exc))
    creator = request.user.creator
    today = rewards_today()

    def read() -> dashboards.PointsPanel:
        last = today - timedelta(days=1)
        return dashboards.points_panel(dashboards.period_points(creator, days=period, last=last))

    return render(
        request,
        "rewards/dashboard.html#points-panel",
        {
            "panel": SimpleLazyObject(read),
            "panel_key": region_key(creator.pk, today, period, selectors.ledger_version(creator)),
            "region_seconds": REGION_SECONDS,
        },
    )


def _parse_day(raw: str) -> date:
    """A day of the portal's calendar (core.clock.FIRST_DAY to today), or a 404."""
    try:
        when = date.fromisoformat(raw)
    except ValueError:
        raise Http404("No such day.") from None
    if not is_known_day(when):
        raise Http404("No such day.")
    return when


@creator_required
@require_GET
def day_detail(request: HttpRequest, day: str) -> HttpResponse:
    """Every entry of one day with the activity and the rule behind it, the arithmetic, the
    caps that bit and what the authenticity pass excluded."""
    when = _parse_day(day)
    if day != when.isoformat():  # 20261101 is 2026-11-01: one address per day
        return redirect("rewards:day", day=when.isoformat(), permanent=True)
    today = rewards_today()
    creator = request.user.creator

    def read() -> selectors.DayActivity | None:
        activity = selectors.explain_points(creator, when, when)
        return activity[0] if activity else None

    return render(
        request,
        "rewards/day.html",
        {
            "day": when,
            "today": today,
            # None (a day with nothing on it) stays None: the template tests it once.
            "activity": SimpleLazyObject(read),
            "previous_day": when - timedelta(days=1) if when > FIRST_DAY else None,
            "next_day": when + timedelta(days=1) if when < today else None,
            "min_duration_s": settings.QUALIFIED_VIEW_MIN_DURATION_S,
            "day_key": region_key(creator.pk, when, today, selectors.ledger_version(creator)),
            "region_seconds": REGION_SECONDS,
            # Outside the cached region: an appeal or its answer changes no points.
            "appeal_flags": activity_selectors.day_flags_with_appeals(creator, when),
            "appeal_max": FlagAppeal.MESSAGE_MAX,
            "raw_activity_removed": when < activity_retention.raw_activity_kept_from(today),
            "raw_activity_days": activity_retention.raw_activity_days(),
        },
    )


@creator_required
@require_POST
def appeal_flag(request: HttpRequest, pk: int) -> HttpResponse:
    """Appeal one of the creator's own flags with a message for staff (someone else's flag
    is a 404). A plain form returns to the day's page; htmx gets the flag's region back. A
    refused appeal says why: 400 with the page of reasons, or 422 with the region (and what
    the creator wrote) under htmx, which swaps only 409 and 422 answers."""
    creator = request.user.creator
    flag = activity_selectors.flag_of(creator, pk)
    if flag is None:
        raise Http404("No such flag.")
    message = request.POST.get("message", "")
    try:
        activity_services.appeal_flag(creator=creator, flag=flag, message=message)
    except activity_services.ActivityError as error:
        if not request.htmx:
            return bad_request(request, str(error))
        return _flag_region(request, flag.pk, flag.day, error=str(error), message=message)
    if request.htmx:
        return _flag_region(request, flag.pk, flag.day, sent=True)
    messages.success(request, "Your appeal is with staff. Their answer will show on this page.")
    url = reverse("rewards:day", kwargs={"day": flag.day.isoformat()})
    return redirect(f"{url}#flag-{flag.pk}")


def _flag_region(
    request: HttpRequest,
    pk: int,
    day: date,
    *,
    error: str = "",
    message: str = "",
    sent: bool = False,
) -> HttpResponse:
    [shown] = [
        item
        for item in activity_selectors.day_flags_with_appeals(request.user.creator, day)
        if item.flag.pk == pk
    ]
    return render(
        request,
        "rewards/day.html#flag-appeal",
        {
            "item": shown,
            "appeal_max": FlagAppeal.MESSAGE_MAX,
            "appeal_error": error,
            "appeal_message": message,
            "appeal_sent": sent,
        },
        status=422 if error else 200,
    )


@creator_required
@require_GET
def day_lookup(request: HttpRequest) -> HttpResponse:
    """The "explain a day" form on the dashboard (a plain GET form); with no day, the latest
    day whose points are worked out (yesterday)."""
    today = rewards_today()
    if not request.GET.get("day"):
        return redirect("rewards:day", day=(today - timedelta(days=1)).isoformat())
    form = ExplainDayForm(request.GET, today=today)
    if not form.is_valid():
        return bad_request(request, form.first_error)
    return redirect("rewards:day", day=form.cleaned_data["day"].isoformat())


@creator_required
@require_GET
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An entry is explained on its day's page, where it sits beside the activity behind it."""
    entry = get_object_or_404(PointsEntry.objects.for_creator(request.user.creator), pk=pk)
    # Entries posted before every entry carried a day fall back to the day they were posted.
    day = entry.activity_date or rewards_day_of(entry.created_at)
    url = reverse("rewards:day", kwargs={"day": day.isoformat()})
    return redirect(f"{url}#entry-{entry.pk}")


@creator_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    """Every entry on the creator's account, newest first, a page at a time; on the first
    page, what staff changed about their points or money, with the reasons they gave."""
    creator = request.user.creator
    entries = PointsEntry.objects.for_creator(creator).order_by("-activity_date", "-id")
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    staff_changes = accounts_selectors.staff_changes_for(creator) if page.number == 1 else []
    return render(
        request,
        "rewards/history.html",
        {
            "page": page,
            "balance": selectors.balance_of(creator),
            "staff_changes": staff_changes,
        },
    )


@creator_required
@require_GET
@vary_on_headers("HX-Request")  # the same URL answers htmx with its region only
def what_if(request: HttpRequest) -> HttpResponse:
    """Points the current rules would give a hypothetical video. A GET form: the numbers
    stay in the address, so a result can be bookmarked or shared."""
    today = rewards_today()
    form = WhatIfForm(request.GET or None)
    estimate = whatif.estimate(form.video(), today) if form.is_valid() else None
    template = (
        "rewards/what_if.html#calculator" if wants_fragment(request) else "rewards/what_if.html"
    )
    return render(request, template, {"form": form, "estimate": estimate, "today": today})
