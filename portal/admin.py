"""The portal's admin site: Django's admin, entered only through allauth's sign-in.

Admin has no login form of its own. Its login page sends visitors to allauth's, with `next`
pointing back, so an admin sign-in meets the same rate limits, email verification and
two-factor step as any other; and while STAFF_REQUIRE_MFA holds, staff without an
authenticator app get a page that says how to turn one on instead of any admin page.
Every admin's date drill-down stays inside the calendar (a bad filter, never a 500).
"""

from collections.abc import Iterable

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from accounts.access import lacks_admin_mfa, public


class _CalendarBoundedChangeList:
    """A changelist whose date drill-down (`date_hierarchy`) at the calendar's far end, e.g.
    `?day__year=9999&day__month=12`, is a bad filter (admin's "?e=1" page) instead of a 500:
    Django works out the next day, month or year, which does not exist after 9999."""

    def get_filters(self, request: HttpRequest) -> tuple:
        try:
            return super().get_filters(request)  # type: ignore[misc]
        except (OverflowError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class _CalendarBoundedAdmin:
    def get_changelist(self, request: HttpRequest, **kwargs: object) -> type[ChangeList]:
        changelist = super().get_changelist(request, **kwargs)  # type: ignore[misc]
        return type(changelist.__name__, (_CalendarBoundedChangeList, changelist), {})


class PortalAdminSite(admin.AdminSite):
    site_header = "Creator Portal staff"
    site_title = "Creator Portal staff"
    index_title = "Run the programs"

    def register(
        self,
        model_or_iterable: type[Model] | Iterable[type[Model]],
        admin_class: type[admin.ModelAdmin] | None = None,
        **options: object,
    ) -> None:
        """Every model's admin, the portal's and other apps' alike, with date drill-downs
        bounded by the calendar (see _CalendarBoundedChangeList)."""
        base = admin_class or admin.ModelAdmin
        bounded = type(
            base.__name__, (_CalendarBoundedAdmin, base), {"__module__": base.__module__}
        )
        super().register(model_or_iterable, bounded, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        """Django's rule (active staff) and, where required, two-factor authentication.
        Every admin page but the login page checks it (AdminSite.admin_view)."""
        return super().has_permission(request) and not self._lacks_mfa(request)

    def _lacks_mfa(self, request: HttpRequest) -> bool:
        # One query per request, however many times admin asks.
        if not hasattr(request, "_portal_lacks_admin_mfa"):
            request._portal_lacks_admin_mfa = lacks_admin_mfa(request.user)  # type: ignore[attr-defined]
        return request._portal_lacks_admin_mfa  # type: ignore[attr-defined]

    @public  # anyone may arrive here; it decides where each goes
    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Where admin sends anyone it does not let in. A POST here signs no one in."""
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = index
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse("account_login"))
        if self.has_permission(request):
            return redirect(next_url)
        if user.is_active and user.is_staff:
            return render(
                request,
                "portal/admin_mfa_required.html",
                {"next_url": next_url, "setup_url": reverse("mfa_activate_totp")},
                status=403,
            )
        raise PermissionDenied
