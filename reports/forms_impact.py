"""The program impact report's filters: a GET form, so every view of the report is a link."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django import forms

from rewards.fairness import FOLLOWER_BANDS

from .impact import DEFAULT_WINDOW, MAX_WINDOW, Cohort, Filters

if TYPE_CHECKING:
    from rewards.models import Tier

NO_TIER = "none"


class ImpactFilterForm(forms.Form):
    window = forms.IntegerField(
        label="Months before and after",
        required=False,
        min_value=1,
        max_value=MAX_WINDOW,
        help_text=f"1 to {MAX_WINDOW}; {DEFAULT_WINDOW} when empty.",
        widget=forms.NumberInput(
            attrs={"class": "filter-number", "inputmode": "numeric", "placeholder": DEFAULT_WINDOW}
        ),
    )
    cohort = forms.ChoiceField(label="Enrolment cohort", required=False)
    tier = forms.ChoiceField(label="Tier (now)", required=False)
    band = forms.ChoiceField(
        label="Followers at enrolment",
        required=False,
        choices=[("", "All"), *((str(i), band[0]) for i, band in enumerate(FOLLOWER_BANDS))],
    )

    def __init__(self, data: object, *, cohorts: Sequence[Cohort], tiers: Sequence["Tier"]) -> None:
        super().__init__(data)
        self.cohorts = {cohort.value: cohort for cohort in cohorts}
        months = [(c.value, c.label) for c in cohorts if "Q" not in c.value]
        quarters = [(c.value, c.label) for c in cohorts if "Q" in c.value]
        self.fields["cohort"].choices = [
            ("", "All"),
            *([("Months", months)] if months else []),
            *([("Quarters", quarters)] if quarters else []),
        ]
        self.tiers = {str(tier.pk): tier for tier in tiers}
        self.fields["tier"].choices = [
            ("", "All"),
            *((key, tier.name) for key, tier in self.tiers.items()),
            (NO_TIER, "No tier"),
        ]
        for name in ("cohort", "tier", "band"):
            self.fields[name].widget.attrs["class"] = "filter-choice"

    def error_text(self) -> str:
        """Every error, in words, for a message above the report or a 400 page."""
        return " ".join(
            f"{self.fields[name].label}: {' '.join(errors)}" for name, errors in self.errors.items()
        )

    def filters(self) -> Filters:
        data = self.cleaned_data
        cohort = self.cohorts.get(data["cohort"])
        tier = self.tiers.get(data["tier"])
        return Filters(
            window=data["window"] or DEFAULT_WINDOW,
            cohort=(cohort.first, cohort.last) if cohort else None,
            cohort_label=cohort.label if cohort else "",
            tier_id=tier.pk if tier else None,
            no_tier=data["tier"] == NO_TIER,
            tier_label=tier.name if tier else "No tier" if data["tier"] == NO_TIER else "",
            band=int(data["band"]) if data["band"] else None,
        )
