"""The fraud review page's forms: the queue's filters (a GET form) and the reviews (POST).

Forms check the shape of input only; what a review may do is activity.services' to say."""

from datetime import date, timedelta

from django import forms

from activity.models import FlagReason, FlagStatus
from activity.selectors import AppealFilter
from activity.services import NOTE_MAX, REVIEW_MAX
from core.clock import FIRST_DAY, rewards_today

from .fraud import SHORT_REASONS, Sort

ANY_STATUS = "all"
# Far beyond any day's points; keeps the number inside the database's integers.
MAX_HELD_FILTER = 10**9
HANDLE_MAX = 60


class QueueFilters(forms.Form):
    """What the queue shows. Every field is optional; the defaults show open flags, the most
    points held back first."""

    status = forms.ChoiceField(
        choices=[
            (FlagStatus.OPEN, "Open"),
            (FlagStatus.CONFIRMED, "Confirmed"),
            (FlagStatus.DISMISSED, "Dismissed"),
            (ANY_STATUS, "Any status"),
        ],
        required=False,
    )
    reason = forms.ChoiceField(
        choices=[("", "Any reason"), *((value, SHORT_REASONS[value]) for value in FlagReason)],
        required=False,
    )
    appeal = forms.ChoiceField(
        label="Appeals",
        choices=[
            (AppealFilter.ANY, "Appealed or not"),
            (AppealFilter.WAITING, "Appealed: waiting for an answer"),
            (AppealFilter.ANSWERED, "Appealed: answered"),
            (AppealFilter.NONE, "Never appealed"),
        ],
        required=False,
    )
    q = forms.CharField(
        label="Creator",
        max_length=HANDLE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "handle", "type": "search"}),
    )
    first = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    min_held = forms.IntegerField(
        label="Holding back at least",
        min_value=0,
        max_value=MAX_HELD_FILTER,
        required=False,
        widget=forms.NumberInput(attrs={"placeholder": "points", "inputmode": "numeric"}),
    )
    sort = forms.ChoiceField(choices=Sort.CHOICES, required=False)
    page = forms.IntegerField(min_value=1, max_value=10**6, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip().lstrip("@")

    def clean(self) -> dict:
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        for name, day in (("first", first), ("last", last)):
            if day is not None and not FIRST_DAY <= day <= rewards_today() + timedelta(days=1):
                self.add_error(name, f"Pick a day from {FIRST_DAY:%Y} up to today.")
        if first and last and first > last:
            self.add_error("last", "The range ends before it starts: swap the two days.")
        return cleaned

    @property
    def first_error(self) -> str:
        for field, errors in self.errors.items():
            label = self.fields[field].label or field.title() if field in self.fields else ""
            return f"{label}: {errors[0]}" if label else errors[0]
        return "Check the filters."

    # Cleaned values, with the defaults -------------------------------------------------

    def value(self, name: str) -> object:
        return self.cleaned_data.get(name) if self.is_bound and self.is_valid() else None

    @property
    def statuses(self) -> list[str]:
        status = self.value("status") or FlagStatus.OPEN
        return [] if status == ANY_STATUS else [status]

    @property
    def reasons(self) -> list[str]:
        reason = self.value("reason")
        return [reason] if reason else []

    @property
    def first_day(self) -> date | None:
        return self.value("first")

    @property
    def last_day(self) -> date | None:
        return self.value("last")

    @property
    def sort_order(self) -> str:
        return self.value("sort") or Sort.HELD

    @property
    def held_at_least(self) -> int:
        return self.value("min_held") or 0

    @property
    def page_number(self) -> int:
        return self.value("page") or 1


class ReviewForm(forms.Form):
    """Confirm or dismiss the flags ticked, with one note for all."""

    VERDICTS = {"confirm": FlagStatus.CONFIRMED, "dismiss": FlagStatus.DISMISSED}

    flag = forms.TypedMultipleChoiceField(coerce=int, required=False)
    verdict = forms.ChoiceField(
        choices=[("confirm", "Confirm"), ("dismiss", "Dismiss")],
        error_messages={
            "required": "Choose confirm or dismiss.",
            "invalid_choice": "Choose confirm or dismiss.",
        },
    )
    note = forms.CharField(
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX}),
        help_text="Kept with each flag; for a flag under appeal it is the answer the creator "
        "reads.",
    )
    # The queue's filters, as the page showed them: a full-page review returns to them.
    back = forms.CharField(max_length=1000, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Any id is accepted in shape (the service says which exist); the choices are only
        # what a multiple-choice field needs to validate against.
        raw = self.data.getlist("flag") if hasattr(self.data, "getlist") else []
        self.fields["flag"].choices = [(value, value) for value in raw]

    def clean_flag(self) -> list[int]:
        ids = self.cleaned_data["flag"]
        if not ids:
            raise forms.ValidationError("Tick at least one flag to review.")
        if len(ids) > REVIEW_MAX:
            raise forms.ValidationError(f"Review at most {REVIEW_MAX:,} flags at a time.")
        return ids

    @property
    def first_error(self) -> str:
        for errors in self.errors.values():
            return errors[0]
        return "Check the review."

    @property
    def status(self) -> str:
        return self.VERDICTS[self.cleaned_data["verdict"]]


class AnswerForm(forms.Form):
    """Staff's answer to one appeal: the verdict on its flag, and words for the creator."""

    verdict = forms.ChoiceField(
        choices=[("dismiss", "Accept: dismiss the flag"), ("confirm", "Refuse: confirm it")],
        error_messages={"required": "Choose to accept or refuse the appeal."},
    )
    answer = forms.CharField(
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX}),
        error_messages={"required": "Write an answer: the creator reads it beside the flag."},
    )
    back = forms.CharField(max_length=1000, required=False)

    @property
    def first_error(self) -> str:
        for errors in self.errors.values():
            return errors[0]
        return "Check the answer."

    @property
    def status(self) -> str:
        return ReviewForm.VERDICTS[self.cleaned_data["verdict"]]
