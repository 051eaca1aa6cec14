from django import forms

from .models import ItemKind


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
