"""Closing one's own account (privacy.closing): the page that says what will happen, behind
a fresh sign-in, and the public page a closed account lands on."""

from allauth.account.decorators import reauthentication_required
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import login_required, public

from . import closing
from .forms_closing import CloseAccountForm


@require_http_methods(["GET", "POST"])
@login_required
@reauthentication_required
def close_account(request: HttpRequest) -> HttpResponse:
    """GET: what closing will do, and the form. POST: close, sign out, go to the closed page.
    A sign-in that is not recent goes through allauth's reauthentication first (password, or
    the authenticator for accounts with two-factor authentication), for GET and POST alike."""
    preview = closing.closing_preview(request.user)
    form = CloseAccountForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if preview.blockers:
            status = 403 if request.user.is_staff else 409
        elif form.is_valid():
            try:
                closing.close_account(user=request.user)
            except closing.ClosingError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                logout(request)
                return redirect("privacy:closed")
        else:
            status = 400
    return render(request, "privacy/close.html", {"preview": preview, "form": form}, status=status)


@require_GET
@public
def closed(request: HttpRequest) -> HttpResponse:
    """What happens after an account is closed; anyone may read it."""
    return render(request, "privacy/closed.html")
