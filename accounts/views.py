from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .access import role_required
from .forms import BrandProfileForm, CreatorProfileForm
from .models import Role


@role_required(Role.CREATOR, Role.BRAND)
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Edit the public profile of the signed-in creator or brand."""
    if request.user.role == Role.CREATOR:
        instance, form_class = request.user.creator, CreatorProfileForm
    else:
        instance, form_class = request.user.brand, BrandProfileForm
    form = form_class(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "profile": instance})
