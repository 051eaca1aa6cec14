from datetime import date

from allauth.account import app_settings as allauth_settings
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from . import services
from .models import (
    BrandProfile,
    CreatorProfile,
    Industry,
    Niche,
    Role,
    User,
    age_on,
    validate_handle_format,
    validate_handle_not_reserved,
)

SIGNUP_ROLES = [
    (Role.CREATOR.value, "Creator — I make videos and want to earn and grow"),
    (Role.FAN.value, "Fan — I want to support creators I love"),
    (Role.BRAND.value, "Brand — I want to work with creators"),
]
# What a creator or a brand must give at signup, and what to say when it is missing.
CREATOR_FIELDS = {
    "handle": "Choose a handle.",
    "display_name": "Enter the name fans will see.",
    "date_of_birth": "Enter your date of birth.",
    "country": "Choose your country.",
    "niches": "Choose at least one niche.",
}
BRAND_FIELDS = {
    "company_name": "Enter your company's name.",
    "website": "Enter your company's website.",
    "industry": "Choose your industry.",
}
# A date of birth further back is a typing slip (or a probe), not a person.
OLDEST_AGE = 120


class DateInput(forms.DateInput):
    input_type = "date"


class SignupForm(AllauthSignupForm):
    """allauth's signup plus who you are; creators and brands give a little more.

    Every field is in one form so the page works without JavaScript; the stylesheet
    shows only the fieldset of the chosen role. Role fields are required in clean().
    """

    role = forms.ChoiceField(
        label="I am joining as", choices=SIGNUP_ROLES, widget=forms.RadioSelect
    )
    handle = forms.CharField(
        label="Handle",
        required=False,
        max_length=25,
        help_text="Your @handle: 3–24 letters, digits, underscores or dots.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(label="Display name", required=False, max_length=60)
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DateInput)
    country = LazyTypedChoiceField(
        label="Country", choices=[("", "Choose your country"), *list(countries)], required=False
    )
    niches = forms.ModelMultipleChoiceField(
        label="Niches",
        queryset=Niche.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Pick one or more; brands find you by them.",
    )
    company_name = forms.CharField(label="Company name", required=False, max_length=120)
    website = forms.URLField(
        label="Website", required=False, assume_scheme="https", help_text="e.g. https://acme.com"
    )
    industry = forms.ChoiceField(
        label="Industry", choices=[("", "Choose an industry"), *Industry.choices], required=False
    )

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"].strip().removeprefix("@")
        if not handle:
            return ""
        validate_handle_format(handle)
        validate_handle_not_reserved(handle)
        if services.handle_is_taken(handle):
            raise forms.ValidationError(f"@{handle} is already taken; choose another.")
        return handle

    def clean_date_of_birth(self) -> date | None:
        born = self.cleaned_data["date_of_birth"]
        if born is None:
            return None
        today = timezone.localdate()
        if born >= today:
            raise forms.ValidationError("Your date of birth must be in the past.")
        if age_on(born, today) > OLDEST_AGE:
            raise forms.ValidationError("Enter your real date of birth.")
        if age_on(born, today) < settings.CREATOR_MIN_SIGNUP_AGE:
            raise forms.ValidationError(
                f"You must be at least {settings.CREATOR_MIN_SIGNUP_AGE} to join as a creator."
            )
        return born

    def clean(self) -> dict:
        cleaned = super().clean()
        role = cleaned.get("role")
        # The fieldsets of the other roles are hidden: what was typed there is ignored.
        for other, fields in ((Role.CREATOR, CREATOR_FIELDS), (Role.BRAND, BRAND_FIELDS)):
            if role != other:
                for name in fields:
                    self.errors.pop(name, None)
                    cleaned.pop(name, None)
        required = {Role.CREATOR: CREATOR_FIELDS, Role.BRAND: BRAND_FIELDS}.get(role, {})
        for name, message in required.items():
            # A field that failed its own validation already carries its error.
            if name not in self.errors and not cleaned.get(name):
                self.add_error(name, message)
        return cleaned

    def try_save(self, request: HttpRequest) -> tuple[User | None, HttpResponse | None]:
        """allauth's save, with a clash that slipped past clean() (two signups racing for one
        handle or email) answered without failing the request: a taken handle on the form
        (handles are public), a taken email as allauth answers any taken email."""
        try:
            return super().try_save(request)
        except IntegrityError:
            if not allauth_settings.PREVENT_ENUMERATION:
                return self._clash("email", "That email address was just registered.", request)
            # The address has an account after all: "check your email", and the email says so.
            self.account_already_exists = True
            return super().try_save(request)
        except services.AccountsError as exc:
            return self._clash("handle", str(exc), request)

    def _clash(self, field: str, message: str, request: HttpRequest) -> tuple[None, HttpResponse]:
        self.add_error(field, message)
        context = {"form": self, "login_url": reverse("account_login")}
        return None, render(request, "account/signup.html", context, status=409)

    def save(self, request: HttpRequest) -> User:
        with transaction.atomic():
            user = super().save(request)
            data = self.cleaned_data
            if data["role"] == Role.CREATOR:
                services.create_creator_profile(
                    user=user, **{name: data[name] for name in CREATOR_FIELDS}
                )
            elif data["role"] == Role.BRAND:
                services.create_brand_profile(user=user, **{n: data[n] for n in BRAND_FIELDS})
        return user


class CreatorProfileForm(forms.ModelForm):
    """What a creator may change after signup. Handle and date of birth are fixed."""

    class Meta:
        model = CreatorProfile
        fields = ["display_name", "bio", "country", "niches"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        widgets = {"niches": forms.CheckboxSelectMultiple}


class FanProfileForm(forms.ModelForm):
    """The name a fan shows creators and other subscribers (never their email)."""

    class Meta:
        model = User
        fields = ["name"]
        labels = {"name": "Name shown to creators and in chats"}
        help_texts = {"name": "Leave it empty to appear as “Fan” and a number."}


class BrandProfileForm(forms.ModelForm):
    website = forms.URLField(assume_scheme="https", help_text="e.g. https://acme.com")

    class Meta:
        model = BrandProfile
        fields = ["company_name", "website", "industry"]
