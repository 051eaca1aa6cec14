from allauth.account.adapter import DefaultAccountAdapter
from django.forms import Form
from django.http import HttpRequest
from django.urls import reverse

from .models import Role, User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: User, form: Form, commit: bool = True) -> User:
        # The role chosen at signup; staff are only ever made by staff, never by signup.
        role = form.cleaned_data.get("role")
        user.role = role if role in (Role.CREATOR, Role.FAN, Role.BRAND) else Role.FAN
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return reverse("portal:home")
