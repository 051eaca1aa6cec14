"""Forms of the creator's subscription studio: the subscribers' filter and the perks' "mark
delivered". They check the shape of input only; whose rows they are is the selectors' and
services' business."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import CreatorProfile

from .models import Package
from .selectors_studio import PERK_FILTERS, STATE_FILTERS

# More than a page of perks at once is not a click on the page.
MAX_IDS = 500
# Database ids are positive 64-bit integers: anything else is no row at all.
MAX_ID = 2**63 - 1


class SubscriberFilterForm(forms.Form):
    """Which subscribers the list and its CSV show: a state and, optionally, one package."""

    state = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in STATE_FILTERS.items()], required=False
    )
    package = forms.ModelChoiceField(
        queryset=Package.objects.none(), required=False, empty_label="All packages"
    )

    def __init__(self, *args: Any, creator: CreatorProfile, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the creator's own packages: another creator's id is not a choice.
        self.fields["package"].queryset = Package.objects.filter(creator=creator).order_by(
            "position", "pk"
        )
        self.fields["package"].error_messages["invalid_choice"] = "Choose one of your packages."

    def clean_state(self) -> str:
        return self.cleaned_data.get("state") or "live"


class IdListField(forms.Field):
    """A list of row ids, each a positive integer (the checked boxes of a list)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if value in self.empty_values:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        if len(values) > MAX_IDS:
            raise ValidationError(f"Choose at most {MAX_IDS} at a time.")
        try:
            ids = [int(v) for v in values]
        except (TypeError, ValueError) as error:
            raise ValidationError("That selection was not understood.") from error
        if any(not 0 < pk <= MAX_ID for pk in ids):
            raise ValidationError("That selection was not understood.")
        return ids


class MarkDeliveredForm(forms.Form):
    """The perks list's form: the checked deliveries ("Mark selected delivered"), or the one
    a row's own button names; and the list to go back to."""

    delivery = IdListField(required=False)
    only = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    show = forms.ChoiceField(choices=list(PERK_FILTERS.items()), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def delivery_ids(self) -> list[int]:
        """The ids to mark: the row's button wins over the checked boxes."""
        if self.cleaned_data.get("only"):
            return [self.cleaned_data["only"]]
        return self.cleaned_data.get("delivery") or []
