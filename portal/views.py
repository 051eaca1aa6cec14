from itertools import accumulate

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from accounts import selectors as accounts_selectors
from accounts.access import (
    brand_required,
    fan_required,
    login_required,
    public,
    staff_required,
)
from accounts.models import Role
from core import charts
from marketplace import selectors as marketplace_selectors

from . import health

ROLE_HOMES = {
    Role.CREATOR: "rewards:dashboard",
    Role.FAN: "portal:fan_home",
    Role.BRAND: "portal:brand_home",
}
ROLE_PLURALS = {
    Role.CREATOR: "Creators",
    Role.FAN: "Fans",
    Role.BRAND: "Brands",
    Role.STAFF: "Staff",
}
REPORT_DAYS = 30
FAVICON = "img/logo.svg"


@public
@require_GET
@cache_control(max_age=24 * 3600, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers and tools ask for where a page names no icon: the logo
    (an SVG, which browsers take as an icon whatever the address says)."""
    path = finders.find(FAVICON)
    if not path:
        raise Http404("No icon.")
    # FileResponse closes the file once sent.
    return FileResponse(open(path, "rb"), content_type="image/svg+xml")


@public
@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:home")
    return render(
        request,
        "portal/landing.html",
        {
            "rewards_min_age": settings.CREATOR_REWARDS_MIN_AGE,
            "rewards_min_followers": settings.CREATOR_REWARDS_MIN_FOLLOWERS,
            "rewards_min_views": settings.CREATOR_REWARDS_MIN_VIEWS_30D,
            "marketplace_min_followers": settings.MARKETPLACE_MIN_FOLLOWERS,
        },
    )


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each signed-in user to the home of their role."""
    if request.user.is_staff:
        return redirect("portal:staff_home")
    if request.user.role not in ROLE_HOMES:
        raise PermissionDenied  # e.g. a staff role without staff access: nothing to show
    return redirect(ROLE_HOMES[request.user.role])


@fan_required
@require_GET
def fan_home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:60]
    niche = request.GET.get("niche", "")[:40]
    return render(
        request,
        "portal/fan_home.html",
        {
            "creators": accounts_selectors.creators_to_discover(limit=24, query=query, niche=niche),
            "niches": accounts_selectors.niches(),
            "query": query,
            "niche": niche,
            "security": accounts_selectors.security_summary(request.user),
        },
    )


@brand_required
@require_GET
def brand_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/brand_home.html",
        {
            "brand": request.user.brand,
            "marketplace": marketplace_selectors.brand_summary(request.user.brand),
            "security": accounts_selectors.security_summary(request.user),
        },
    )


@staff_required
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    per_day = accounts_selectors.signups_per_day(days=REPORT_DAYS)
    labels = [day.strftime("%d %b") for day, _ in per_day]
    daily = [n for _, n in per_day]
    return render(
        request,
        "portal/staff_home.html",
        {
            "users_by_role": [
                (ROLE_PLURALS[role], count)
                for role, count in accounts_selectors.active_users_by_role().items()
            ],
            "standing_headers": ["Standing", "Creators"],
            "standing_rows": [
                [standing.label, count]
                for standing, count in accounts_selectors.creators_by_standing().items()
            ],
            "numeric_cols": [1],
            "signups_chart": charts.bar_chart(
                f"Signups per day, last {REPORT_DAYS} days", list(zip(labels, daily, strict=True))
            ),
            "cumulative_chart": charts.line_chart(
                f"Signups over the last {REPORT_DAYS} days, cumulative",
                list(zip(labels, accumulate(daily), strict=True)),
            ),
            "report_days": REPORT_DAYS,
        },
    )


def _is_staff_if_known(request: HttpRequest) -> bool:
    """Staff status needs the session, which lives in the database that may be the part down."""
    try:
        return request.user.is_staff
    except DatabaseError:
        return False


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results = health.run_checks()
    failing = [r.name for r in results if r.required and not r.ok]
    # Error texts can name hosts and users: only staff see them; everyone sees what failed.
    show_detail = _is_staff_if_known(request)
    return JsonResponse(
        {
            "status": "fail" if failing else "ok",
            "failing": failing,
            "checks": {
                r.name: {"ok": r.ok, "required": r.required, "ms": r.ms}
                | ({"detail": r.detail} if show_detail else {})
                for r in results
            },
        },
        status=503 if failing else 200,
    )
