"""Checking an uploaded picture before it is stored: its real type (whatever its name says),
its size in bytes and in pixels. Used by every form that takes an image from a person."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

# Pillow's format name -> the extension the file is stored under.
WEB_FORMATS = {"PNG": "png", "GIF": "gif", "WEBP": "webp"}


def checked_image(
    upload: UploadedFile,
    *,
    noun: str,
    max_bytes: int,
    max_side: int,
    formats: dict[str, str] = WEB_FORMATS,
) -> UploadedFile:
    """`upload` renamed to `<noun>.<its real type>`, or a ValidationError in words."""
    kinds = list(formats)
    names = ", ".join(kinds[:-1]) + f" or {kinds[-1]}" if len(kinds) > 1 else kinds[0]
    if upload.size > max_bytes:
        raise forms.ValidationError(
            f"The image is {upload.size / 1024:,.0f} KB; {_a(noun)} can be "
            f"{max_bytes // 1024:,} KB at most."
        )
    try:
        # Only these decoders are tried, whatever the file's name says.
        with Image.open(upload, formats=list(formats)) as picture:
            kind, (width, height) = picture.format, picture.size
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise forms.ValidationError(
            f"That file is not a {names} image (or it is damaged)."
        ) from None
    if kind not in formats:
        raise forms.ValidationError(f"Upload a {names} image.")
    if width > max_side or height > max_side:
        raise forms.ValidationError(
            f"The image is {width} × {height} pixels; {_a(noun)} can be "
            f"{max_side} × {max_side} at most."
        )
    upload.seek(0)
    # Stored under its real type's extension, so it is served as what it is.
    upload.name = f"{noun}.{formats[kind]}"
    return upload


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"
