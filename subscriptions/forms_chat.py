"""Forms of the subscriber-only chat: the shape of what the browser sends. The rules (who may
post, mutes, rate limits, an emoji code taken) are subscriptions.chat's."""

from django import forms
from django.core.files.uploadedfile import UploadedFile

from core.images import checked_image

from .chat import MAX_BODY, MUTE_CHOICES
from .models import validate_emoji_code

# Ids are bigints; a cursor's time is milliseconds since 1970, up to the year 9999.
MAX_ID = 2**63 - 1
MAX_MILLIS = 253_402_300_799_999

EMOJI_MAX_BYTES = 256 * 1024
EMOJI_MAX_SIDE = 256


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message",
        max_length=MAX_BODY,
        strip=True,
        error_messages={
            "required": "Write a message first.",
            "max_length": "A message can be %(limit_value)d characters at most; "
            "this one has %(show_value)d.",
        },
        # Drawn by hand in templates/subscriptions/chat/room.html (the #compose partial).
        widget=forms.TextInput,
    )


class CursorForm(forms.Form):
    """Where a reader of the room is (subscriptions.chat.Cursor); every field may be missing."""

    after = forms.IntegerField(min_value=0, max_value=MAX_ID, required=False)
    first = forms.IntegerField(min_value=0, max_value=MAX_ID, required=False)
    since = forms.IntegerField(min_value=0, max_value=MAX_MILLIS, required=False)


class MuteForm(forms.Form):
    duration = forms.ChoiceField(
        label="Mute",
        choices=[(key, label) for key, (label, _) in MUTE_CHOICES.items()],
        initial="1h",
    )


class EmojiForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=26,
        help_text="Fans type it between colons, like :wave:. 2 to 24 lowercase letters, "
        "digits or underscores.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    image = forms.FileField(
        label="Image",
        help_text="A PNG, GIF or WEBP of at most 256 KB and 256 × 256 pixels; "
        "square images look best.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/gif,image/webp"}),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().strip(":").lower()
        validate_emoji_code(code)
        return code

    def clean_image(self) -> UploadedFile:
        return checked_image(
            self.cleaned_data["image"],
            noun="emoji",
            max_bytes=EMOJI_MAX_BYTES,
            max_side=EMOJI_MAX_SIDE,
        )
