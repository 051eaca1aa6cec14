"""The shape of what brands and creators send about campaigns, proposals and
collaborations; the rules are marketplace.campaigns', .proposals' and .collaborations'."""

from decimal import Decimal

from django import forms

from accounts.models import Niche
from core.money import DECIMALS
from payments.forms import PayForm

from .campaigns import Brief
from .listings import CURRENCIES
from .models import AGE_BANDS, Campaign, Deliverable, Objective, UsageRights


class MoneyField(forms.DecimalField):
    """An amount typed in major units, cleaned to minor units of `currency`."""

    def __init__(self, *, currency: str = "USD", **kwargs: object) -> None:
        kwargs.setdefault("min_value", Decimal("0.01"))
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        self.currency = currency

    def clean(self, value: object) -> int | None:
        amount = super().clean(value)
        if amount is None:
            return None
        return int(amount * 10 ** DECIMALS.get(self.currency, 2))


def _major(minor: int | None, currency: str) -> Decimal | None:
    if minor is None:
        return None
    return Decimal(minor) / 10 ** DECIMALS.get(currency, 2)


class CampaignForm(forms.Form):
    title = forms.CharField(max_length=100)
    objective = forms.ChoiceField(choices=Objective.choices)
    brief = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=3000)
    niches = forms.ModelMultipleChoiceField(
        queryset=Niche.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Up to five.",
    )
    target_countries = forms.CharField(
        required=False,
        max_length=60,
        label="Target countries",
        help_text="Two-letter codes separated by commas, such as GB, US. Empty for anywhere.",
    )
    target_ages = forms.MultipleChoiceField(
        required=False,
        choices=[(band, band) for band in AGE_BANDS],
        widget=forms.CheckboxSelectMultiple,
        label="Target age bands",
    )
    deliverable = forms.ChoiceField(choices=Deliverable.choices, label="Kind of deliverable")
    deliverables = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, label="What is delivered"
    )
    budget = MoneyField(label="Budget per creator")
    currency = forms.ChoiceField(choices=[(c, c) for c in CURRENCIES], initial="USD")
    deadline = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    min_followers = forms.IntegerField(min_value=0, initial=10_000, label="Minimum followers")

    @classmethod
    def for_campaign(cls, campaign: Campaign) -> "CampaignForm":
        return cls(
            initial={
                "title": campaign.title,
                "objective": campaign.objective,
                "brief": campaign.brief,
                "niches": list(campaign.niches.all()),
                "target_countries": ", ".join(campaign.target_countries),
                "target_ages": campaign.target_ages,
                "deliverable": campaign.deliverable,
                "deliverables": campaign.deliverables,
                "budget": _major(campaign.budget_minor, campaign.currency),
                "currency": campaign.currency,
                "deadline": campaign.deadline,
                "min_followers": campaign.min_followers,
            }
        )

    def brief_data(self) -> Brief:
        data = self.cleaned_data
        return Brief(
            title=data["title"],
            objective=data["objective"],
            brief=data["brief"],
            niches=list(data["niches"]),
            target_countries=[c for c in data["target_countries"].replace(" ", "").split(",") if c],
            target_ages=list(data["target_ages"]),
            deliverable=data["deliverable"],
            deliverables=data["deliverables"],
            budget_minor=data["budget"],
            currency=data["currency"].upper(),
            deadline=data["deadline"],
            min_followers=data["min_followers"],
        )


class OfferForm(forms.Form):
    """An invitation or an application: a price and a message."""

    price = MoneyField(label="Price")
    message = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    creator = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, currency: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["price"].currency = currency
        self.fields["price"].label = f"Price ({currency})"


class AnswerForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("accept", "Accept"), ("decline", "Decline"), ("counter", "Counter")]
    )
    price = MoneyField(required=False, label="Counter price")
    message = forms.CharField(required=False, max_length=1000)

    def __init__(self, *args: object, currency: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["price"].currency = currency
        self.fields["price"].label = f"Counter price ({currency})"


class TermsForm(forms.Form):
    deliverables = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Due on")
    price = MoneyField(label="Price")
    usage_rights = forms.ChoiceField(choices=UsageRights.choices, label="Usage rights")

    def __init__(self, *args: object, currency: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["price"].currency = currency
        self.fields["price"].label = f"Price ({currency})"


class DeliverForm(forms.Form):
    links = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One link a line: the videos or the live session.",
    )
    note = forms.CharField(required=False, max_length=1000)


class NoteForm(forms.Form):
    note = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class MessageForm(forms.Form):
    body = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Message"
    )


class PayCollabForm(PayForm):
    """The agreed price, paid into hold with a saved card or a new one."""


def major(minor: int, currency: str) -> Decimal | None:
    return _major(minor, currency)
