from django import forms
from django.utils import timezone


class BlankTextInput(forms.TextInput):
    """A text box that never writes what was typed back into the page (card fields)."""

    def format_value(self, value: object) -> None:
        return None


class CardForm(forms.Form):
    """A card typed into the sandbox's form: shape only; the service and the gateway decide.
    Nothing here is stored; the view is @sensitive_post_parameters."""

    number = forms.RegexField(
        regex=r"^[0-9 ]{12,23}$",
        label="Card number",
        widget=BlankTextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
        error_messages={"invalid": "Enter the card number's digits."},
    )
    exp_month = forms.IntegerField(min_value=1, max_value=12, label="Expiry month")
    exp_year = forms.IntegerField(label="Expiry year")
    cvc = forms.RegexField(
        regex=r"^[0-9]{3,4}$",
        label="Security code",
        widget=BlankTextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
        error_messages={"invalid": "The security code is 3 or 4 digits."},
    )

    def clean_number(self) -> str:
        return self.cleaned_data["number"].replace(" ", "")

    def clean_exp_year(self) -> int:
        year = self.cleaned_data["exp_year"]
        this_year = timezone.now().year
        if year < 100:
            year += 2000
        if not this_year <= year <= this_year + 20:
            raise forms.ValidationError(f"Enter a year from {this_year} to {this_year + 20}.")
        return year
