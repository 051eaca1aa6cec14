from datetime import date, datetime, timedelta

from django import forms

from core.clock import FIRST_DAY

from . import whatif

# Far above any real video, and small enough that the arithmetic stays in 64-bit integers.
MAX_COUNT = 10**10


def _count(label: str, help_text: str = "", initial: int = 0) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_COUNT,
        initial=initial,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )


class WhatIfForm(forms.Form):
    length_s = forms.IntegerField(
        label="Length (seconds)",
        min_value=1,
        max_value=24 * 60 * 60,
        initial=75,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )
    views = _count("Views", initial=20_000)
    likes = _count("Likes", initial=1_200)
    comments = _count("Comments", initial=90)
    shares = _count("Shares", initial=60)
    watch_time_minutes = _count(
        "Total watch time (minutes)",
        help_text="All viewers together, as the platform's analytics show it.",
        initial=6_000,
    )
    is_original = forms.BooleanField(
        label="Original video (not a repost or duet)", required=False, initial=True
    )
    days = forms.TypedChoiceField(
        label="Days like this",
        choices=[(1, "One day"), (7, "Every day for a week"), (30, "Every day for a month")],
        coerce=int,
        required=False,
        empty_value=1,
        initial=1,
        help_text=(
            "Over several days, what a day leaves short of a whole unit carries over to the "
            "next day of the month."
        ),
    )

    def clean(self) -> dict:
        data = super().clean()
        views, likes = data.get("views"), data.get("likes")
        if views is not None and likes is not None and likes > views:
            self.add_error("likes", "Each like comes from a view: likes cannot exceed views.")
        return data

    def video(self) -> whatif.Video:
        return whatif.Video(**self.cleaned_data)


# How a day may be typed: the way every page shows it ("29 Nov 2026", "29 November 2026",
# "Nov 29, 2026"), with or without the year, and ISO (2026-11-29). Never 11/29/2026 or
# 29/11/2026: with digits alone, 1/2 is a different day in the US and in Europe.
DAY_FORMATS = ("%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y")
DAY_FORMATS_NO_YEAR = ("%d %b", "%d %B", "%b %d", "%B %d")
DAY_SHOWN = "%-d %b %Y"
MAX_DAY_LENGTH = len("30 September 2026")
# The "explain a day" box suggests this many days back from yesterday.
SUGGESTED_DAYS = 14


def _strptime(text: str, formats: tuple[str, ...]) -> datetime | None:
    for fmt in formats:
        try:
            # A calendar day: no time, so no time zone.
            return datetime.strptime(text, fmt)  # noqa: DTZ007
        except ValueError:
            continue
    return None


class DayField(forms.DateField):
    """A rewards day typed as the portal writes it; without a year, its latest past date."""

    widget = forms.DateInput(format=DAY_SHOWN)
    default_error_messages = {
        "invalid": "Pick a day like 29 Nov 2026 (or 2026-11-29).",
    }

    def __init__(self, *, today: date, **kwargs: object) -> None:
        self.today = today
        super().__init__(**kwargs)

    def to_python(self, value: object) -> date | None:
        if value in self.empty_values or isinstance(value, date):
            return super().to_python(value)
        text = " ".join(str(value).replace(",", " ").split())
        if len(text) > MAX_DAY_LENGTH:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        parsed = _strptime(text, DAY_FORMATS)
        if parsed is not None:
            return parsed.date()
        # Read in a leap year, so 29 Feb without a year is a day too.
        parsed = _strptime(f"{text} 2000", tuple(f"{fmt} %Y" for fmt in DAY_FORMATS_NO_YEAR))
        if parsed is not None:
            # The latest such day up to today (29 Feb: the latest leap year's).
            for year in range(self.today.year, self.today.year - 8, -1):
                try:
                    day = date(year, parsed.month, parsed.day)
                except ValueError:
                    continue
                if day <= self.today:
                    return day
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value is None:
            return
        if value > self.today:
            raise forms.ValidationError(
                f"Pick a day up to today, {self.today:{DAY_SHOWN}}: a day's points are worked "
                "out the night after.",
                code="future",
            )
        if value < FIRST_DAY:
            raise forms.ValidationError(
                f"Pick a day from {FIRST_DAY:{DAY_SHOWN}} on: the portal has nothing earlier.",
                code="too_early",
            )


class ExplainDayForm(forms.Form):
    """The dashboard's "explain a day" box: a plain GET form that works without JavaScript.
    A text box rather than the browser's date picker, which writes 11/29/2026 where every
    page says 29 Nov; the days before suggest themselves (a datalist, no script)."""

    def __init__(self, *args: object, today: date, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        yesterday = today - timedelta(days=1)
        # Made here, not declared: the field needs today.
        self.fields["day"] = DayField(
            today=today,
            label="Explain a day",
            initial=yesterday,
            widget=forms.DateInput(
                format=DAY_SHOWN,
                attrs={
                    "list": "explain-day-options",
                    "autocomplete": "off",
                    "inputmode": "text",
                    "size": 11,
                    "placeholder": f"{yesterday:{DAY_SHOWN}}",
                },
            ),
        )
        self.suggestions = [
            f"{yesterday - timedelta(days=back):{DAY_SHOWN}}" for back in range(SUGGESTED_DAYS)
        ]

    @property
    def first_error(self) -> str:
        return next(iter(self.errors.get("day") or ["Pick a day."]))
