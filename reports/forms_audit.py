"""The audit trail page's filters: a GET form whose every field is optional. Forms check the
shape of input only; the search is accounts.selectors.audit_trail's."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from core.clock import FIRST_DAY

TEXT_MAX = 100


class AuditFilters(forms.Form):
    actor = forms.CharField(
        label="Staff member",
        max_length=TEXT_MAX,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "email", "type": "search"}),
    )
    q = forms.CharField(
        label="Object or reason",
        max_length=TEXT_MAX,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "words", "type": "search"}),
    )
    creator = forms.CharField(
        label="Creator",
        max_length=TEXT_MAX,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "handle", "type": "search"}),
    )
    model = forms.ChoiceField(label="Kind", required=False)
    object_id = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    first = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(min_value=1, max_value=10**6, required=False)

    def __init__(self, *args: object, kinds: list[tuple[str, str]], **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "Any kind"), *kinds]

    def clean_creator(self) -> str:
        return self.cleaned_data["creator"].strip().lstrip("@")

    def clean(self) -> dict:
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        latest = timezone.localdate() + timedelta(days=1)
        for name, day in (("first", first), ("last", last)):
            if day is not None and not FIRST_DAY <= day <= latest:
                self.add_error(name, f"Pick a day from {FIRST_DAY:%Y} up to today.")
        if first and last and first > last:
            self.add_error("last", "The range ends before it starts: swap the two days.")
        if cleaned.get("object_id") and not cleaned.get("model"):
            self.add_error("model", "Choose the kind of the object.")
        return cleaned

    @property
    def first_error(self) -> str:
        for field, errors in self.errors.items():
            label = self.fields[field].label if field in self.fields else ""
            return f"{label}: {errors[0]}" if label else errors[0]
        return "Check the filters."

    def search(self) -> dict[str, object]:
        """The selector's keyword arguments from the cleaned filters."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "actor": (data.get("actor") or "").strip(),
            "target": (data.get("q") or "").strip(),
            "handle": data.get("creator") or "",
            "model": data.get("model") or "",
            "object_id": (data.get("object_id") or "").strip(),
            "first": data.get("first"),
            "last": data.get("last"),
        }
