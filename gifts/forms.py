"""The shape of what fans send (coin packs, gifts, tips) and staff upload (gift pictures);
the rules are gifts.services' and gifts.support's."""

import secrets
from decimal import Decimal

from django import forms
from django.core.files.uploadedfile import UploadedFile

from core.images import checked_image
from core.money import DECIMALS
from payments.forms import PayForm

from .models import Gift
from .support import MESSAGE_MAX

GIFT_IMAGE_MAX_BYTES = 200 * 1024
GIFT_IMAGE_MAX_SIDE = 512

MESSAGE_ERRORS = {
    "max_length": "A message can be %(limit_value)d characters at most; "
    "this one has %(show_value)d."
}


def message_field() -> forms.CharField:
    return forms.CharField(
        label="Message (optional)",
        max_length=MESSAGE_MAX,
        required=False,
        error_messages=MESSAGE_ERRORS,
        widget=forms.TextInput(attrs={"maxlength": MESSAGE_MAX, "autocomplete": "off"}),
        help_text=f"Up to {MESSAGE_MAX} characters; the creator sees it, and other fans "
        "unless the creator hides it.",
    )


def anonymous_field() -> forms.BooleanField:
    return forms.BooleanField(
        label="Hide my name from other fans", required=False, help_text="The creator still sees it."
    )


class BuyCoinsForm(PayForm):
    """A coin pack paid with a saved card or a new one."""


class GiftForm(forms.Form):
    gift = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Gift")
    target = forms.ChoiceField(label="Send it on")
    message = message_field()
    anonymous = anonymous_field()
    request_key = forms.RegexField(regex=r"^[0-9a-f]{16,64}$", widget=forms.HiddenInput)

    def __init__(
        self, *args: object, gifts: list[Gift], targets: list[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.gifts = {gift.pk: gift for gift in gifts}
        self.fields["gift"].choices = [(gift.pk, gift.name) for gift in gifts]
        self.fields["gift"].error_messages["invalid_choice"] = (
            "That gift is not in the catalog any more: choose another."
        )
        self.fields["target"].choices = targets
        self.fields["target"].error_messages["invalid_choice"] = (
            "That video or live session cannot take gifts now: choose another."
        )
        if targets:
            self.fields["target"].initial = targets[0][0]
        self.fields["request_key"].initial = secrets.token_hex(16)


class TipForm(PayForm):
    amount = forms.DecimalField(
        label="Amount",
        min_value=Decimal("0.01"),
        max_digits=9,
        decimal_places=2,
        error_messages={"max_decimal_places": "Cents at most: two decimal places."},
    )
    message = message_field()
    anonymous = anonymous_field()

    def __init__(self, *args: object, currency: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].label = f"Amount ({currency})"
        self.order_fields(["amount", "message", "anonymous", "card"])

    def clean_amount(self) -> int:
        amount = self.cleaned_data["amount"]
        scaled = amount * 10 ** DECIMALS.get(self.currency, 2)
        if scaled != scaled.to_integral_value():
            raise forms.ValidationError(f"{self.currency} amounts have fewer decimal places.")
        return int(scaled)


class GiftAdminForm(forms.ModelForm):
    """A gift's picture is checked before it is stored: a real PNG, GIF or WEBP, small."""

    class Meta:
        model = Gift
        fields = ["name", "coins", "image", "is_active", "position"]

    def clean_image(self) -> UploadedFile:
        image = self.cleaned_data["image"]
        if not isinstance(image, UploadedFile):
            return image  # the picture already stored, unchanged
        return checked_image(
            image, noun="gift", max_bytes=GIFT_IMAGE_MAX_BYTES, max_side=GIFT_IMAGE_MAX_SIDE
        )
