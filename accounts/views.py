from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import services
from .access import login_required, role_required
from .forms import BrandProfileForm, CreatorProfileForm, FanProfileForm
from .models import Role


@role_required(Role.CREATOR, Role.BRAND, Role.FAN)
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Edit the public profile of the signed-in creator or brand, or the name a fan shows."""
    if request.user.role == Role.CREATOR:
        instance, form_class = request.user.creator, CreatorProfileForm
    elif request.user.role == Role.FAN:
        instance, form_class = request.user, FanProfileForm
    else:
        instance, form_class = request.user.brand, BrandProfileForm
    form = form_class(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "profile": instance})


NOTIFICATIONS_PAGE_SIZE = 30


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """What happened to the user's things, newest first. POST marks them all read."""
    if request.method == "POST":
        services.mark_notifications_read(user=request.user)
        return redirect("accounts:notifications")
    page = Paginator(request.user.notifications.all(), NOTIFICATIONS_PAGE_SIZE)
    return render(
        request,
        "accounts/notifications.html",
        {"page": page.get_page(request.GET.get("page"))},
    )
