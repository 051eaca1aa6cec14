"""The shape of packages, subscribing and switching; the rules are subscriptions.services'."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings

from core.money import DECIMALS
from payments.forms import PayForm
from payments.models import SavedCard

from .models import Billing, Package, PerkCadence

CURRENCIES = ("USD", "EUR", "GBP")
PERK_ROWS = 3


def to_minor(value: Decimal, currency: str) -> int:
    """12.50 USD -> 1250; refuses more decimals than the currency has."""
    decimals = DECIMALS.get(currency, 2)
    scaled = value * 10**decimals
    if scaled != scaled.to_integral_value():
        raise forms.ValidationError(f"{currency} prices have at most {decimals} decimal places.")
    return int(scaled)


def from_minor(amount: int | None, currency: str) -> Decimal | None:
    if amount is None:
        return None
    return Decimal(amount) / 10 ** DECIMALS.get(currency, 2)


class PackageForm(forms.Form):
    name = forms.CharField(max_length=60)
    description = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What subscribers get, in your words.",
    )
    currency = forms.ChoiceField(choices=[(c, c) for c in CURRENCIES])
    monthly_price = forms.DecimalField(
        min_value=Decimal("1"), max_value=Decimal("1000"), decimal_places=2, label="Monthly price"
    )
    annual_price = forms.DecimalField(
        min_value=Decimal("1"),
        max_value=Decimal("10000"),
        decimal_places=2,
        required=False,
        label="Annual price",
        help_text="Optional. Leave empty to offer monthly billing only.",
    )
    has_trial = forms.BooleanField(required=False, label="7-day free trial for new subscribers")
    member_cap = forms.IntegerField(
        min_value=1,
        max_value=1_000_000,
        required=False,
        label="Member cap",
        help_text="Optional: the most subscribers at once.",
    )
    includes_chat = forms.BooleanField(required=False, label="Subscriber-only chat")
    includes_emojis = forms.BooleanField(required=False, label="Your custom emojis in chat")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, PERK_ROWS + 1):
            self.fields[f"perk_{n}"] = forms.CharField(
                max_length=80,
                required=False,
                label=f"Hand-delivered perk {n}",
                help_text="Optional, e.g. a monthly shout-out or a sticker pack." if n == 1 else "",
            )
            self.fields[f"perk_{n}_cadence"] = forms.ChoiceField(
                choices=PerkCadence.choices, required=False, label="Delivered"
            )

    @classmethod
    def for_package(cls, package: Package) -> "PackageForm":
        initial = {
            "name": package.name,
            "description": package.description,
            "currency": package.currency,
            "monthly_price": from_minor(package.monthly_price_minor, package.currency),
            "annual_price": from_minor(package.annual_price_minor, package.currency),
            "has_trial": package.has_trial,
            "member_cap": package.member_cap,
            "includes_chat": package.includes_chat,
            "includes_emojis": package.includes_emojis,
        }
        for n, perk in enumerate(package.custom_perks.all(), start=1):
            initial[f"perk_{n}"] = perk.name
            initial[f"perk_{n}_cadence"] = perk.cadence
        return cls(initial=initial)

    def clean(self) -> dict:
        data = super().clean()
        currency = data.get("currency") or settings.PAYMENTS_CURRENCY
        try:
            if data.get("monthly_price") is not None:
                data["monthly_price_minor"] = to_minor(data["monthly_price"], currency)
            annual = data.get("annual_price")
            data["annual_price_minor"] = None if annual is None else to_minor(annual, currency)
        except (forms.ValidationError, InvalidOperation) as error:
            raise forms.ValidationError(error) from None
        monthly = data.get("monthly_price_minor")
        if data.get("annual_price_minor") and monthly and data["annual_price_minor"] > monthly * 12:
            self.add_error("annual_price", "An annual price above twelve months costs no one less.")
        data["perks"] = [
            (data[f"perk_{n}"], data.get(f"perk_{n}_cadence") or PerkCadence.MONTHLY)
            for n in range(1, PERK_ROWS + 1)
            if data.get(f"perk_{n}", "").strip()
        ]
        return data


class SubscribeForm(PayForm):
    """Billing, a saved card or a new one, and the prices the fan saw."""

    billing = forms.ChoiceField(choices=Billing.choices, widget=forms.RadioSelect)
    # The prices the page showed: if they change before the fan pays, nothing is charged.
    seen_monthly = forms.IntegerField(widget=forms.HiddenInput)
    seen_annual = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: object, package: Package, cards: list[SavedCard], **kwargs: object
    ) -> None:
        super().__init__(*args, cards=cards, **kwargs)
        self.package = package
        billing = [(Billing.MONTHLY, f"Monthly: {package.monthly_display}")]
        if package.annual_price_minor:
            billing.append((Billing.ANNUAL, f"Yearly: {package.annual_display}"))
        self.fields["billing"].choices = billing
        self.fields["billing"].initial = Billing.MONTHLY
        self.fields["seen_monthly"].initial = package.monthly_price_minor
        self.fields["seen_annual"].initial = package.annual_price_minor
        # Field order: billing and card first, the new card's fields after.
        self.order_fields(["billing", "card", "number", "exp_month", "exp_year", "cvc"])

    def clean(self) -> dict:
        data = super().clean()
        seen = data.get("seen_annual" if data.get("billing") == Billing.ANNUAL else "seen_monthly")
        data["expected_price"] = seen
        return data
