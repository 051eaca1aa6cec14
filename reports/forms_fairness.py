"""The fairness report's forms: the period it measures, and the draft rules of the what-if.

They check the shape of the input only; whether a draft may become a rule version is the
rewards service's rule (rewards.services.save_rule_version)."""

from datetime import date, timedelta

from django import forms

from core.clock import FIRST_DAY
from rewards.models import EarningRule
from rewards.points import MAX_POINTS_PER_UNIT

DEFAULT_DAYS = 30
# A year and a day: enough for any yearly comparison, and a bound on the work one page asks.
MOST_DAYS = 366
# Far beyond any real unit ("per 1,000,000 views"), and small enough for the SQL's integers.
MOST_UNIT_SIZE = 10**9
MOST_POINTS = 2**31 - 1


def last_days(today: date, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    """The `days` rewards days that end yesterday: the last day the nightly run has done."""
    last = today - timedelta(days=1)
    return last - timedelta(days=days - 1), last


def _months_back(month: date, months: int) -> date:
    """The first day of the month `months` before `month` (a month's first day)."""
    index = month.year * 12 + month.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def presets(today: date) -> list[tuple[str, date, date]]:
    """The periods offered as one click: the last 30 days (computed ahead, reports.tasks),
    then whole months (read from their monthly sums, rewards.fairness.per_creator_months)."""
    this_month = today.replace(day=1)
    before_this_month = this_month - timedelta(days=1)
    found = [("Last 30 days", *last_days(today))]
    if today.day > 1:
        found.append((f"{today:%B} so far", this_month, today - timedelta(days=1)))
    found += [
        (f"{_months_back(this_month, 1):%B %Y}", _months_back(this_month, 1), before_this_month),
        ("Last 3 whole months", _months_back(this_month, 3), before_this_month),
        ("Last 12 whole months", _months_back(this_month, 12), before_this_month),
    ]
    return [(label, first, last) for label, first, last in found if first >= FIRST_DAY]


class PeriodForm(forms.Form):
    """The period of the distributions; empty, the last 30 days."""

    first = forms.DateField(
        label="From", required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    last = forms.DateField(
        label="To", required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: object, today: date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.default = last_days(today)
        for name, day in zip(("first", "last"), self.default, strict=True):
            self.fields[name].widget.attrs.update(
                {"min": FIRST_DAY.isoformat(), "max": today.isoformat()}
            )
            self.fields[name].initial = day

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        first = data.get("first") or self.default[0]
        last = data.get("last") or self.default[1]
        if first > last:
            raise forms.ValidationError("The period must start on or before its last day.")
        if first < FIRST_DAY or last > self.today:
            raise forms.ValidationError(
                f"Choose days from {FIRST_DAY:%-d %B %Y} to today ({self.today:%-d %B %Y})."
            )
        if (last - first).days + 1 > MOST_DAYS:
            raise forms.ValidationError(f"Choose a period of at most {MOST_DAYS} days.")
        data["first"], data["last"] = first, last
        return data

    def period(self) -> tuple[date, date]:
        """The period asked for (valid forms) or the default (anything else)."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["first"], self.cleaned_data["last"]
        return self.default

    def first_error(self) -> str:
        return next(iter(self.errors.values()))[0] if self.errors else ""


def _amount(label: str, *, most: int, least: int = 0, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=least,
        max_value=most,
        required=required,
        widget=forms.NumberInput({"inputmode": "numeric"}),
    )


class RuleDraftForm(forms.Form):
    """One metric's draft rule. The metric is the form's own (its prefix), never a posted
    field, so a draft cannot be moved to another metric."""

    is_active = forms.BooleanField(label="Earns points", required=False)
    points_per_unit = _amount("Points per unit", most=MAX_POINTS_PER_UNIT)
    unit_size = _amount("Unit size", least=1, most=MOST_UNIT_SIZE)
    taper_above = _amount("Diminishing above (points a day)", most=MOST_POINTS, required=False)
    taper_percent = _amount("Share counted above it (%)", most=100)
    daily_cap = _amount("Daily cap (points)", most=MOST_POINTS, required=False)

    def __init__(self, *args: object, metric: str, label: str, **kwargs: object) -> None:
        super().__init__(*args, prefix=metric, **kwargs)
        self.metric = metric
        self.label = label

    def rule(self) -> EarningRule:
        """The draft as an unsaved rule (valid forms only)."""
        return EarningRule(metric=self.metric, **self.cleaned_data)


def rule_initial(rule: EarningRule | None) -> dict:
    """A draft's starting values: the version in force, or a switched-off rule of 1 point
    per unit where none has started."""
    if rule is None:
        return {"is_active": False, "points_per_unit": 1, "unit_size": 1, "taper_percent": 100}
    return {
        "is_active": rule.is_active,
        "points_per_unit": rule.points_per_unit,
        "unit_size": rule.unit_size,
        "taper_above": rule.taper_above,
        "taper_percent": rule.taper_percent,
        "daily_cap": rule.daily_cap,
    }


class SaveVersionForm(forms.Form):
    """When the draft would come into force, if saved."""

    valid_from = forms.DateField(
        label="In force from",
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
        required=False,
    )

    def __init__(self, *args: object, today: date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].widget.attrs["min"] = (today + timedelta(days=1)).isoformat()
        self.fields["valid_from"].initial = today + timedelta(days=1)
