"""Access rules that every view declares.

Each decorator records its rule on the view as `access_rule`; the URL walk test in
portal/tests/test_access.py fails for any project view that has none.
"""

from collections.abc import Callable
from functools import wraps

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect

from .models import Role, User

View = Callable[..., HttpResponse]


def _login_redirect(request: HttpRequest) -> HttpResponse:
    # An htmx request would swap the login page into a fragment; send the browser there instead.
    response = redirect_to_login(request.get_full_path())
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(response.url)
    return response


def _guard(rule: str, allowed: Callable[[object], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not request.user.is_authenticated:
                return _login_redirect(request)
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_rule = rule  # type: ignore[attr-defined]
        return wrapped

    return decorator


# The profile each role's pages read; an account without it (made by hand in admin) is refused.
ROLE_PROFILES = {Role.CREATOR: "creator", Role.BRAND: "brand"}


def _has_role(user: User, roles: tuple[Role, ...]) -> bool:
    return user.role in roles and (
        user.role not in ROLE_PROFILES or hasattr(user, ROLE_PROFILES[user.role])
    )


def role_required(*roles: Role) -> Callable[[View], View]:
    """Signed-in users whose role is one of `roles`; visitors go to login, others get 403."""
    return _guard("+".join(roles), lambda user: _has_role(user, roles))


creator_required = role_required(Role.CREATOR)
fan_required = role_required(Role.FAN)
brand_required = role_required(Role.BRAND)
staff_required = _guard("staff", lambda user: user.is_staff)
# Creators use the page; staff preview it as creators will see it.
creator_or_staff_required = _guard(
    "creator+staff", lambda user: user.is_staff or _has_role(user, (Role.CREATOR,))
)
login_required = _guard("signed-in", lambda user: True)


def public(view: View) -> View:
    """Open to everyone, visitors included: a deliberate choice, recorded like any rule."""
    view.access_rule = "public"  # type: ignore[attr-defined]
    return view


def lacks_admin_mfa(user: User) -> bool:
    """Staff without an authenticator app, while STAFF_REQUIRE_MFA holds: admin moves points
    and money, so it stays shut to them (portal.admin). Every sign-in goes through allauth,
    which asks anyone with an authenticator for its code."""
    return (
        settings.STAFF_REQUIRE_MFA
        and user.is_staff
        and not is_mfa_enabled(user, types=[Authenticator.Type.TOTP])
    )
