import secrets

from django import forms
from django.utils import timezone

from .gateway import CardDetails
from .models import SavedCard

NEW_CARD = "new"
CARD_FIELDS = ("number", "exp_month", "exp_year", "cvc")


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


class PayForm(CardForm):
    """Pay with a saved card or a new one (the card's fields, required only for a new card),
    with a request key so a double submit charges once. Subclasses add what is paid for."""

    card = forms.ChoiceField(widget=forms.RadioSelect, label="Pay with")
    request_key = forms.RegexField(regex=r"^[0-9a-f]{16,64}$", widget=forms.HiddenInput)

    def __init__(self, *args: object, cards: list[SavedCard], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.cards = {str(card.pk): card for card in cards}
        self.fields["card"].choices = [
            (key, f"{card.brand.title()} •••• {card.last4} (expires {card.expiry})")
            for key, card in self.cards.items()
        ] + [(NEW_CARD, "A new card")]
        self.fields["card"].initial = self.initial.get("card") or next(iter(self.cards), NEW_CARD)
        self.fields["request_key"].initial = secrets.token_hex(16)
        for name in CARD_FIELDS:
            self.fields[name].required = False

    def clean_number(self) -> str:
        return (self.cleaned_data.get("number") or "").replace(" ", "")

    def clean_exp_year(self) -> int | None:
        if self.cleaned_data.get("exp_year") is None:
            return None  # required only for a new card: see clean()
        return super().clean_exp_year()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("card") == NEW_CARD:
            for name in CARD_FIELDS:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Needed for a new card.")
        else:
            for name in CARD_FIELDS:
                self.errors.pop(name, None)  # the fields of a card not used
        return data

    @property
    def saved_card(self) -> SavedCard | None:
        """The saved card chosen, or None for a new one (after is_valid)."""
        return self.cards.get(self.cleaned_data["card"])

    def new_card(self) -> CardDetails:
        data = self.cleaned_data
        return CardDetails(
            number=data["number"],
            exp_month=data["exp_month"],
            exp_year=data["exp_year"],
            cvc=data["cvc"],
        )
