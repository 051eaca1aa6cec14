from django.http import HttpRequest

from .navigation import navigation_for


def navigation(request: HttpRequest) -> dict:
    nav = navigation_for(request)
    return {"main_nav": nav["main"], "account_nav": nav["account"]}
