"""Responses every app's views share."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 page that says in words what was wrong with the request."""
    return render(request, "400.html", {"message": message}, status=400)
