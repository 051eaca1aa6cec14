"""The authentication backends, loading the signed-in user with their role's profile.

Every creator and brand page reads `request.user.creator` (or `.brand`) through its access
rule; fetching it with the user saves a query on each of their requests.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from .models import User


class _WithProfile:
    def get_user(self, user_id: int | str) -> User | None:
        user = User.objects.select_related("creator", "brand").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_WithProfile, DjangoModelBackend):
    """Django's backend (admin's login form)."""


class AuthenticationBackend(_WithProfile, AllauthBackend):
    """allauth's backend (the portal's login by email)."""
