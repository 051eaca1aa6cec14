"""The post editor's form: the shape of a post. The rules (own packages, at least one, the
video link's scheme) are subscriptions.posts'; the form checks them too, to point at the field."""

import warnings

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from PIL import Image

from accounts.models import CreatorProfile

from .models import Package
from .posts import IMAGE_EXTENSIONS, validate_video_url

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_SIDE = 4000
IMAGE_HELP = "JPEG, PNG, WebP or GIF; at most 2 MB and 4000 × 4000 pixels."


class PostImageField(forms.ImageField):
    """An uploaded picture that Pillow reads as a JPEG, PNG, WebP or GIF, no bigger than
    MAX_IMAGE_BYTES and MAX_IMAGE_SIDE pixels a side."""

    default_error_messages = {
        "invalid_image": "That file is not a picture we can read: upload a JPEG, PNG, WebP or GIF.",
    }

    def to_python(self, data: UploadedFile | None) -> UploadedFile | None:
        if data is not None and data.size is not None and data.size > MAX_IMAGE_BYTES:
            raise ValidationError(
                "The picture is %(size)s MB; at most 2 MB, please.",
                code="too_big",
                params={"size": f"{data.size / 1024 / 1024:.1f}"},
            )
        # A file whose header claims a vast canvas is refused before anything is decoded.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = super().to_python(data)
        if image is None:
            return None
        kind = image.image.format
        if kind not in IMAGE_EXTENSIONS:
            raise ValidationError(
                "%(kind)s pictures are not accepted: upload a JPEG, PNG, WebP or GIF.",
                code="format",
                params={"kind": kind or "These"},
            )
        width, height = image.image.size
        if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
            raise ValidationError(
                "The picture is %(width)s × %(height)s pixels; at most %(max)s × %(max)s, please.",
                code="too_large",
                params={"width": width, "height": height, "max": MAX_IMAGE_SIDE},
            )
        return image


class PictureInput(forms.ClearableFileInput):
    template_name = "subscriptions/posts/picture_input.html"


class VideoURLField(forms.URLField):
    """An http or https link only: a javascript: or data: URL would run in readers' pages."""

    default_validators = [validate_video_url]
    default_error_messages = {"invalid": "Use an http:// or https:// link."}


class AudienceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, package: Package) -> str:
        label = f"{package.name} · {package.monthly_display} a month"
        return label if package.is_published else f"{label} (not published yet)"


class PostForm(forms.Form):
    """Title, Markdown body, an optional picture and video link, and the packages whose
    subscribers read it: only the creator's own are choices, so another's id is an error."""

    title = forms.CharField(max_length=120)
    body = forms.CharField(
        max_length=20_000,
        label="Post",
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Markdown: **bold**, *italic*, [a link](https://…), lists, > quotes, "
        "# headings. HTML and pictures in the text are not shown; add a picture below.",
    )
    image = PostImageField(
        required=False,
        label="Picture",
        help_text=IMAGE_HELP,
        widget=PictureInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    video_url = VideoURLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        label="Video link",
        help_text="Optional: a link to a video, shown to readers as a link.",
    )
    packages = AudienceField(
        queryset=Package.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Who can read it",
        help_text="Subscribers of the packages you tick read the whole post; everyone else "
        "sees its title and first lines.",
        error_messages={
            "required": "Choose at least one package.",
            "invalid_choice": "Choose among your own packages.",
            "invalid_pk_value": "Choose among your own packages.",
        },
    )

    def __init__(
        self,
        data: QueryDict | None = None,
        files: MultiValueDict | None = None,
        *,
        creator: CreatorProfile,
        initial: dict | None = None,
    ) -> None:
        super().__init__(data, files, initial=initial)
        self.fields["packages"].queryset = creator.packages.order_by("position", "pk")
