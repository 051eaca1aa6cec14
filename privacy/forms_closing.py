from django import forms

CONFIRM_WORD = "CLOSE"


class CloseAccountForm(forms.Form):
    """The two deliberate acts closing asks for: typing the word, and ticking the box."""

    confirm = forms.CharField(
        label=f"Type {CONFIRM_WORD} to confirm",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    understood = forms.BooleanField(
        label="I understand this cannot be undone.",
        error_messages={"required": "Tick the box to confirm you understand."},
    )

    def clean_confirm(self) -> str:
        typed = self.cleaned_data["confirm"].strip()
        if typed.upper() != CONFIRM_WORD:
            raise forms.ValidationError(f"Type {CONFIRM_WORD} to close your account.")
        return typed
