from django import forms

from .models import Category, Level, Quiz


class CatalogSearchForm(forms.Form):
    q = forms.CharField(label="Search courses", required=False, max_length=80, strip=True)
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All categories",
    )
    level = forms.ChoiceField(choices=[("", "All levels"), *Level.choices], required=False)


class QuizForm(forms.Form):
    """One field per question: radios for a single answer, checkboxes for several. The
    choices carry ids only; which are right stays on the server (academy.services.submit_quiz
    scores an attempt)."""

    def __init__(self, *args: object, quiz: Quiz, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(quiz.questions.prefetch_related("choices"))
        for number, question in enumerate(self.questions, start=1):
            choices = [(choice.pk, choice.text) for choice in question.choices.all()]
            label = f"{number}. {question.text}"
            if question.multiple:
                field: forms.Field = forms.TypedMultipleChoiceField(
                    label=label,
                    choices=choices,
                    coerce=int,
                    widget=forms.CheckboxSelectMultiple,
                    help_text="Choose every answer that applies.",
                    error_messages={"required": "Choose at least one answer."},
                )
            else:
                field = forms.TypedChoiceField(
                    label=label,
                    choices=choices,
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={"required": "Choose an answer."},
                )
            self.fields[f"question_{question.pk}"] = field

    def answers(self) -> dict[int, set[int]]:
        chosen = {}
        for question in self.questions:
            value = self.cleaned_data[f"question_{question.pk}"]
            chosen[question.pk] = set(value) if isinstance(value, list) else {value}
        return chosen
