"""Responses every app's views share."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for a page's region, not htmx restoring a page from its history (a
    URL it pushed, when its own copy of the page is gone: that needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 page that says in words what was wrong with the request."""
    return render(request, "400.html", {"message": message}, status=400)
