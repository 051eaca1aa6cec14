from django import forms

from . import whatif

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
