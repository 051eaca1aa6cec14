"""The payouts pages' forms: the shape of bank details and of a request. The rules (the lock,
the minimum, the balance, one a day) are payments.payouts'."""

import secrets
from decimal import Decimal

from django import forms
from django.http import QueryDict

from core.money import DECIMALS

from .forms import BlankTextInput
from .models import AccountKind


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch not in " -")


def _iban_is_valid(iban: str) -> bool:
    """ISO 13616: two letters, two check digits, up to 30 letters and digits; moved
    round, with letters as numbers, it leaves 1 divided by 97."""
    if not (15 <= len(iban) <= 34 and iban[:2].isalpha() and iban[2:4].isdigit()):
        return False
    if not iban.isascii() or not iban.isalnum():
        return False
    return int("".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])) % 97 == 1


def _routing_is_valid(routing: str) -> bool:
    """An ABA routing number: nine digits whose weighted sum (3, 7, 1) ends in 0."""
    if len(routing) != 9 or not routing.isdigit():
        return False
    d = [int(ch) for ch in routing]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0


class PayoutMethodForm(forms.Form):
    """Bank details for the sandbox. Nothing typed is written back into the page; the view
    is @sensitive_post_parameters."""

    holder_name = forms.CharField(max_length=100, label="Account holder's name")
    kind = forms.ChoiceField(
        choices=AccountKind.choices, label="Kind of account", widget=forms.RadioSelect
    )
    account_number = forms.CharField(
        max_length=42,
        label="IBAN or account number",
        widget=BlankTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    bank_code = forms.CharField(
        max_length=12,
        required=False,
        label="Sort code or routing number",
        help_text="UK: the 6-digit sort code. US: the 9-digit routing number. Not for an IBAN.",
        widget=BlankTextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        kind, raw = data.get("kind"), data.get("account_number")
        if not kind or raw is None:
            return data
        number = _digits(raw).upper()
        code = _digits(data.get("bank_code") or "")
        if kind == AccountKind.IBAN:
            if not _iban_is_valid(number):
                self.add_error("account_number", "That is not a valid IBAN.")
            code = ""
        elif kind == AccountKind.UK:
            if not (len(number) == 8 and number.isdigit()):
                self.add_error("account_number", "A UK account number is 8 digits.")
            if not (len(code) == 6 and code.isdigit()):
                self.add_error("bank_code", "A sort code is 6 digits, e.g. 12-34-56.")
        else:
            if not (4 <= len(number) <= 17 and number.isdigit()):
                self.add_error("account_number", "A US account number is 4 to 17 digits.")
            if not _routing_is_valid(code):
                self.add_error("bank_code", "That is not a valid 9-digit routing number.")
        data["account_number"], data["bank_code"] = number, code
        return data


class PayoutRequestForm(forms.Form):
    """An amount in major units (10.50) of a currency the creator holds, and the request's
    key: a double click sends the same key, and the service returns the first request."""

    amount = forms.DecimalField(
        min_value=Decimal("0.01"),
        max_digits=15,
        decimal_places=3,
        label="Amount",
        widget=forms.NumberInput(attrs={"step": "any", "placeholder": "e.g. 12.50"}),
    )
    currency = forms.ChoiceField(label="Currency")
    request_key = forms.RegexField(regex=r"^[0-9a-f]{16,64}$", widget=forms.HiddenInput)

    def __init__(self, data: QueryDict | None = None, *, currencies: list[str]) -> None:
        super().__init__(data, initial={"request_key": secrets.token_hex(16)})
        self.fields["currency"].choices = [(code, code) for code in currencies]

    def clean(self) -> dict:
        data = super().clean()
        amount, currency = data.get("amount"), data.get("currency")
        if amount is None or not currency:
            return data
        decimals = DECIMALS.get(currency, 2)
        minor = amount * 10**decimals
        if minor != minor.to_integral_value():
            places = f"{decimals} decimal place{'s' if decimals != 1 else ''}"
            self.add_error("amount", f"{currency} amounts have at most {places}.")
            return data
        data["amount_minor"] = int(minor)
        return data
