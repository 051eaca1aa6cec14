from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts import services as accounts_services

from .navigation import navigation_for


def navigation(request: HttpRequest) -> dict:
    nav = navigation_for(request)
    user = request.user
    context = {"main_nav": nav["main"], "account_nav": nav["account"]}
    if user.is_authenticated:
        # Counted only when a page shows the header: an htmx fragment costs no query.
        context["unread_notifications"] = SimpleLazyObject(
            lambda: accounts_services.unread_notifications(user)
        )
    return context
