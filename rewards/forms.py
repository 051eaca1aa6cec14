from django import forms

from . import whatif
from .models import ItemKind

# Far above any real video, and small enough that the arithmetic stays in 64-bit integers.
MAX_COUNT = 10**10


def _count(label: str, help_text: str = "", initial: int = 0) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_COUNT,
        initial=initial,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )


class WhatIfForm(forms.Form):
    length_s = forms.IntegerField(
        label="Length (seconds)",
        min_value=1,
        max_value=24 * 60 * 60,
        initial=75,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )
    views = _count("Views", initial=20_000)
    likes = _count("Likes", initial=1_200)
    comments = _count("Comments", initial=90)
    shares = _count("Shares", initial=60)
    watch_time_minutes = _count(
        "Total watch time (minutes)",
        help_text="All viewers together, as the platform's analytics show it.",
        initial=6_000,
    )
    is_original = forms.BooleanField(
        label="Original video (not a repost or duet)", required=False, initial=True
    )

    def clean(self) -> dict:
        data = super().clean()
        views, likes = data.get("views"), data.get("likes")
        if views is not None and likes is not None and likes > views:
            self.add_error("likes", "Each like comes from a view: likes cannot exceed views.")
        return data

    def video(self) -> whatif.Video:
        return whatif.Video(**self.cleaned_data)


class StoreFilterForm(forms.Form):
    """The store's filters; prices are what the creator pays, after their tier discount."""

    kind = forms.ChoiceField(
        choices=[("", "Everything"), *ItemKind.choices], required=False, label="Kind"
    )
    min_points = forms.IntegerField(min_value=0, required=False, label="From (points)")
    max_points = forms.IntegerField(min_value=0, required=False, label="Up to (points)")
    affordable = forms.BooleanField(required=False, label="I can afford it")

    def clean(self) -> dict:
        data = super().clean()
        low, high = data.get("min_points"), data.get("max_points")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError("“From” must not be more than “Up to”.")
        return data


class RedeemForm(forms.Form):
    """Only the request key comes from the browser: the item is the page's and the price the
    server's, so a tampered item id or price in the form changes nothing."""

    request_key = forms.RegexField(regex=r"^[0-9a-f]{16,64}$", widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    """Staff's reason or note when fulfilling or cancelling redemptions in admin."""

    reason = forms.CharField(
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The creator reads this.",
    )
