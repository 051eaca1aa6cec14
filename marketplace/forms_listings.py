"""The shapes of the listing editor, the brand search and saved lists' input. Rules live in
listings.py, search.py and lists.py; these only check and convert what was typed."""

import functools
from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django_countries import countries

from accounts.selectors import niches
from core.money import DECIMALS

from .listings import CURRENCIES, ListingTerms
from .models import AGE_BANDS, LANGUAGES, MAX_FEATURED_VIDEOS, Availability, Campaign, Listing
from .search import SearchFilters, Sort


def to_minor(amount: Decimal | None, currency: str) -> int | None:
    """A price typed in major units ("12.50") as minor units in `currency` (1250)."""
    if amount is None:
        return None
    return int(amount * 10 ** DECIMALS.get(currency, 2))


def to_major(amount: int | None, currency: str) -> Decimal | None:
    if amount is None:
        return None
    return Decimal(amount) / 10 ** DECIMALS.get(currency, 2)


def _price(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("1000000"),
        decimal_places=2,
        max_digits=10,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class ListingForm(forms.Form):
    headline = forms.CharField(max_length=120, help_text="One line brands read first.")
    about = forms.CharField(
        max_length=1500, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    language = forms.ChoiceField(choices=LANGUAGES, help_text="The language of your videos.")
    currency = forms.ChoiceField(choices=[(c, c) for c in CURRENCIES])
    price_video = _price("Price per video")
    price_live = _price("Price per live")
    price_bundle = _price("Price per bundle")
    bundle_note = forms.CharField(
        max_length=120, required=False, label="What a bundle holds", help_text="e.g. 3 videos"
    )
    availability = forms.ChoiceField(choices=Availability.choices)
    availability_note = forms.CharField(
        max_length=120, required=False, help_text="e.g. “Booked until March”"
    )

    @classmethod
    def for_listing(cls, listing: Listing) -> "ListingForm":
        currency = listing.currency
        return cls(
            initial={
                "headline": listing.headline,
                "about": listing.about,
                "language": listing.language,
                "currency": currency,
                "price_video": to_major(listing.price_video_minor, currency),
                "price_live": to_major(listing.price_live_minor, currency),
                "price_bundle": to_major(listing.price_bundle_minor, currency),
                "bundle_note": listing.bundle_note,
                "availability": listing.availability,
                "availability_note": listing.availability_note,
            }
        )

    def clean(self) -> dict:
        data = super().clean()
        currency = data.get("currency", "USD")
        for name in ("price_video", "price_live", "price_bundle"):
            amount = data.get(name)
            if amount is not None and DECIMALS.get(currency, 2) == 0 and amount % 1:
                self.add_error(name, f"{currency} has no cents: give a whole amount.")
        return data

    def terms(self) -> ListingTerms:
        data = self.cleaned_data
        currency = data["currency"]
        return ListingTerms(
            headline=data["headline"],
            about=data["about"],
            language=data["language"],
            currency=currency,
            price_video_minor=to_minor(data["price_video"], currency),
            price_live_minor=to_minor(data["price_live"], currency),
            price_bundle_minor=to_minor(data["price_bundle"], currency),
            bundle_note=data["bundle_note"],
            availability=data["availability"],
            availability_note=data["availability_note"],
        )


class FeaturedForm(forms.Form):
    videos = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, videos: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["videos"].choices = [(v.pk, v.title) for v in videos]

    def clean_videos(self) -> list[int]:
        chosen = self.cleaned_data["videos"]
        if len(chosen) > MAX_FEATURED_VIDEOS:
            raise forms.ValidationError(f"Choose at most {MAX_FEATURED_VIDEOS} videos.")
        return chosen


def _percent(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        max_digits=4,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )


def _count(label: str, maximum: int = 10**10) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=maximum, widget=forms.NumberInput()
    )


def _bp(value: Decimal | None) -> int | None:
    return None if value is None else int(value * 100)


@functools.cache
def _country_choices(language: str | None) -> tuple[tuple[str, str], ...]:
    """Every country, "Any country" first, sorted by name in `language` (django-countries
    sorts some 250 translated names on each iteration: once per language is enough)."""
    return (("", "Any country"), *countries)


def every_country() -> tuple[tuple[str, str], ...]:
    return _country_choices(get_language())


class CountrySelect(forms.Select):
    """A select of every country whose HTML is rendered once per (name, value, attributes,
    language) in each process: the search page shows two of them, and Django's
    template-rendered options (some 250 each) cost more than the rest of the filters together
    (15-22 ms each, measured on the bench machine)."""

    def render(self, name: str, value: object, attrs: dict | None = None, renderer=None) -> str:
        every = {**self.attrs, **(attrs or {})}
        key = (name, str(value or ""), tuple(sorted(every.items())), get_language())
        html = _RENDERED_SELECTS.get(key)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if len(_RENDERED_SELECTS) >= 2_000:  # bounded: values come from query strings
                _RENDERED_SELECTS.clear()
            _RENDERED_SELECTS[key] = html
        return html


_RENDERED_SELECTS: dict[tuple, SafeString] = {}


class SearchForm(forms.Form):
    """The brand search's filters; every one optional, all in the query string."""

    niche = forms.ChoiceField(required=False)
    # Choices as a callable: evaluated when checked or rendered, not normalised per form.
    country = forms.ChoiceField(
        required=False, label="Creator's country", choices=every_country, widget=CountrySelect
    )
    language = forms.ChoiceField(required=False, choices=[("", "Any language"), *LANGUAGES])
    followers_min = _count("Followers from")
    followers_max = _count("Followers up to")
    engagement_min = _percent("Engagement from (%)")
    engagement_max = _percent("Engagement up to (%)")
    authenticity_min = _count("Authenticity at least", 100)
    budget = forms.DecimalField(
        required=False,
        label="Budget per creator",
        min_value=Decimal("0.01"),
        max_value=Decimal("1000000"),
        decimal_places=2,
        max_digits=10,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    currency = forms.ChoiceField(required=False, choices=[(c, c) for c in CURRENCIES])
    audience_country = forms.ChoiceField(
        required=False, label="Audience in", choices=every_country, widget=CountrySelect
    )
    audience_age = forms.ChoiceField(
        required=False,
        label="Audience aged",
        choices=[("", "Any age"), *[(a, a) for a in AGE_BANDS]],
    )
    audience_min = _percent("Audience share at least (%)")
    sort = forms.ChoiceField(required=False, choices=Sort.CHOICES)

    def __init__(self, *args: object, campaigns: Iterable[Campaign] = (), **kwargs: object) -> None:
        """`campaigns`: the searching brand's, each a "best match for" order of its own."""
        super().__init__(*args, **kwargs)
        self.campaigns = {campaign.pk: campaign for campaign in campaigns}
        self.fields["sort"].choices = [
            *Sort.CHOICES,
            *(
                (f"{Sort.MATCH}-{pk}", f"Best match for “{campaign.title}”")
                for pk, campaign in self.campaigns.items()
            ),
        ]
        self.fields["niche"].choices = [
            ("", "Any niche"),
            *niches().values_list("slug", "name"),
        ]
        # The page's htmx listens to these classes: a list's choice at once, a number as typed.
        for field in self.fields.values():
            kind = "number" if isinstance(field.widget, forms.NumberInput) else "choice"
            field.widget.attrs["class"] = f"filter-{kind}"

    def clean(self) -> dict:
        data = super().clean()
        pairs = [
            ("followers_min", "followers_max", "followers"),
            ("engagement_min", "engagement_max", "engagement"),
        ]
        for low, high, what in pairs:
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, f"The highest {what} must not be below the lowest.")
        return data

    def filters(self) -> SearchFilters:
        data = self.cleaned_data if self.is_bound else {}
        currency = data.get("currency") or "USD"
        budget = data.get("budget")
        return SearchFilters(
            niche=data.get("niche", ""),
            country=data.get("country", ""),
            language=data.get("language", ""),
            followers_min=data.get("followers_min"),
            followers_max=data.get("followers_max"),
            engagement_min_bp=_bp(data.get("engagement_min")),
            engagement_max_bp=_bp(data.get("engagement_max")),
            authenticity_min=data.get("authenticity_min"),
            budget_minor=to_minor(budget, currency) if budget is not None else None,
            currency=currency,
            audience_country=data.get("audience_country", ""),
            audience_age=data.get("audience_age", ""),
            audience_min_bp=_bp(data.get("audience_min")) or 0,
            sort=Sort.MATCH if self.campaign else data.get("sort") or Sort.FOLLOWERS,
            campaign_id=self.campaign.pk if self.campaign else None,
        )

    @property
    def campaign(self) -> Campaign | None:
        """The campaign the results are sorted by match to, if that is the order asked for."""
        sort = self.cleaned_data.get("sort", "") if self.is_bound else ""
        if not sort.startswith(f"{Sort.MATCH}-"):
            return None
        return self.campaigns.get(int(sort.removeprefix(f"{Sort.MATCH}-")))

    def error_text(self) -> str:
        """Every error in one sentence per field, for a 400 page."""
        parts = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            label = label or name.replace("_", " ").capitalize()
            parts.append(f"{label}: {' '.join(errors)}")
        return " ".join(parts)


class ListNameForm(forms.Form):
    name = forms.CharField(max_length=60, label="List name")
