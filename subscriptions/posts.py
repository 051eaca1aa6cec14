"""Exclusive posts: writing them (publish, update, delete), rendering their Markdown, and who may
read which.

One module for the posts' sub-topic, as payments.payouts is for payouts: the write services
(keyword-only, atomic, raising PostError), the renderer they store body_html with, and the
reads pages need (the feed, a creator's previews, whether a viewer may read a post).

A post's body is Markdown, rendered and sanitised by core.markdown: the stored body_html is
safe to show as is, whatever was typed.
"""

import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from PIL import Image, ImageOps

from accounts.models import CreatorProfile, Standing, User
from core.markdown import render_markdown, teaser

from .models import LIVE_STATES, Package, Post, Subscription
from .selectors import subscribed_package_ids
from .services import page_changed

# What the creator page shows of a creator's posts.
PREVIEW_COUNT = 6

# The pictures a post may carry, by Pillow's name for their format.
IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}

VIDEO_SCHEMES = ("http", "https")
validate_video_url = URLValidator(schemes=VIDEO_SCHEMES, message="Use an http:// or https:// link.")


class PostError(Exception):
    """A post the rules refuse; the message is for the creator."""


# Writing


def _audience(creator: CreatorProfile, packages: Iterable[Package]) -> list[Package]:
    chosen = list(packages)
    if not chosen:
        raise PostError("Choose at least one package whose subscribers can read the post.")
    if any(package.creator_id != creator.pk for package in chosen):
        raise PostError("A post can only be for your own packages.")
    return chosen


def _check_video_url(video_url: str) -> None:
    if not video_url:
        return
    try:
        validate_video_url(video_url)
    except ValidationError as error:
        raise PostError("The video link must be an http:// or https:// address.") from error


def _clean_picture(image: UploadedFile) -> tuple[str, ContentFile]:
    """The picture as the portal stores it, under a random name whose extension is its real
    format. Random: the file is served from MEDIA_URL, so its name must not be guessable, and
    the uploader's own name says nothing anyone needs. The real format: the server picks the
    Content-Type by extension. Written again without its metadata (EXIF: the camera, the time,
    often where it was taken), turned upright first as the EXIF said; a GIF, which carries no
    EXIF and may be animated, is kept as it came."""
    try:
        with Image.open(image) as picture:
            extension = IMAGE_EXTENSIONS.get(picture.format or "")
            if extension is None:
                raise PostError("A picture must be a JPEG, PNG, WebP or GIF.")
            name = f"{secrets.token_urlsafe(18)}.{extension}"
            if picture.format == "GIF" or getattr(picture, "is_animated", False):
                image.seek(0)  # frames would be lost in writing it again
                return name, ContentFile(image.read())
            upright = ImageOps.exif_transpose(picture)
            buffer = io.BytesIO()
            upright.save(
                buffer,
                format=picture.format,
                quality=90,
                icc_profile=picture.info.get("icc_profile"),  # a phone's colours stay
            )
    except PostError:
        raise
    except Exception as error:  # Pillow raises OSError, SyntaxError, struct.error... on junk
        raise PostError("The picture cannot be read.") from error
    finally:
        image.seek(0)
    return name, ContentFile(buffer.getvalue())


def _delete_file_after_commit(name: str) -> None:
    if name:
        transaction.on_commit(partial(Post._meta.get_field("image").storage.delete, name))


@transaction.atomic
def publish_post(
    *,
    creator: CreatorProfile,
    title: str,
    body: str,
    packages: Iterable[Package],
    image: UploadedFile | None = None,
    video_url: str = "",
) -> Post:
    """A new post for subscribers of `packages` (the creator's own, at least one)."""
    audience = _audience(creator, packages)
    _check_video_url(video_url)
    picture = _clean_picture(image) if image is not None else None
    post = Post(
        creator=creator,
        title=title,
        body=body,
        body_html=render_markdown(body),
        teaser=teaser(body),
        video_url=video_url,
    )
    if image is not None:
        post.image.save(*picture, save=False)
    post.save()
    post.packages.set(audience)
    page_changed(creator.pk)
    return post


@transaction.atomic
def update_post(
    *,
    post: Post,
    title: str,
    body: str,
    packages: Iterable[Package],
    image: UploadedFile | None = None,
    remove_image: bool = False,
    video_url: str = "",
) -> Post:
    """Change a post; `image` replaces its picture, `remove_image` drops it. A replaced or
    dropped picture's file is deleted once the change is committed."""
    audience = _audience(post.creator, packages)
    _check_video_url(video_url)
    picture = _clean_picture(image) if image is not None else None
    post.title, post.body, post.video_url = title, body, video_url
    post.body_html = render_markdown(body)
    post.teaser = teaser(body)
    old_image = post.image.name
    if image is not None:
        post.image.save(*picture, save=False)
    elif remove_image:
        post.image = ""
    post.save()
    post.packages.set(audience)
    if old_image and old_image != post.image.name:
        _delete_file_after_commit(old_image)
    page_changed(post.creator_id)
    return post


@transaction.atomic
def delete_post(*, post: Post) -> None:
    """Delete a post and, once that is committed, its picture's file."""
    image = post.image.name
    creator_id = post.creator_id
    post.delete()
    page_changed(creator_id)
    _delete_file_after_commit(image)


# Reading


def public_creator(handle: str) -> CreatorProfile | None:
    """The creator whose public pages live at /@handle/ (any case), unless suspended."""
    return CreatorProfile.objects.exclude(standing=Standing.SUSPENDED).with_handle(handle).first()


def _with_packages(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.prefetch_related(
        Prefetch("packages", queryset=Package.objects.order_by("position", "pk"))
    )


def posts_of(creator: CreatorProfile) -> QuerySet[Post]:
    """All the creator's posts, newest first, with their audience (for the studio, and to
    find one post of theirs)."""
    return _with_packages(creator.posts.all())


def is_author(user: User, creator: CreatorProfile) -> bool:
    return user.is_authenticated and user.pk == creator.user_id


def can_read(user: User, post: Post, subscribed: set[int] | None = None) -> bool:
    """The post's creator, or a live subscriber of one of its packages. `subscribed`: the
    user's subscribed package ids, when the caller has them already."""
    if is_author(user, post.creator):
        return True
    if subscribed is None:
        subscribed = subscribed_package_ids(user, [post.creator_id])
    return any(package.pk in subscribed for package in post.packages.all())


def posts_visible_to(user: User, creator: CreatorProfile) -> QuerySet[Post]:
    """The creator's posts the user may read in full, newest first."""
    posts = _with_packages(creator.posts.all())
    if is_author(user, creator):
        return posts
    audience = Post.packages.through.objects.filter(
        post=OuterRef("pk"), package_id__in=subscribed_package_ids(user, [creator.pk])
    )
    return posts.filter(Exists(audience))


@dataclass(frozen=True)
class PostPreview:
    """A post as a list shows it to one viewer: locked unless they may read it."""

    post: Post
    locked: bool
    teaser: str
    # The published packages that unlock the post, in the creator's order.
    packages: list[Package] = field(default_factory=list)

    @property
    def unlock_with(self) -> Package | None:
        """The cheapest package that unlocks the post: where "Subscribe to read" goes."""
        return min(self.packages, key=lambda p: p.monthly_price_minor, default=None)


def _published(post: Post) -> list[Package]:
    return [package for package in post.packages.all() if package.is_published]


def preview(post: Post, viewer: User, subscribed: set[int] | None = None) -> PostPreview:
    """One post for `viewer`; prefetch its packages (posts_of) to spare two queries."""
    return PostPreview(
        post=post,
        locked=not can_read(viewer, post, subscribed),
        teaser=post.teaser,
        packages=_published(post),
    )


def previews_for(
    creator: CreatorProfile, viewer: User, *, limit: int = PREVIEW_COUNT
) -> list[PostPreview]:
    """The creator's latest posts for their public page, each locked or not for `viewer`.
    Three queries at most, whatever the number of posts."""
    posts = list(_with_packages(creator.posts.all())[:limit])
    if not posts:
        return []
    subscribed = (
        set() if is_author(viewer, creator) else subscribed_package_ids(viewer, [creator.pk])
    )
    return [preview(post, viewer, subscribed) for post in posts]


def follows_anyone(fan: User) -> bool:
    """Whether the fan has a live subscription to any creator."""
    return Subscription.objects.filter(fan=fan, state__in=LIVE_STATES).exists()


def feed_for(fan: User) -> QuerySet[Post]:
    """The posts the fan may read from every creator they have a live subscription to, newest
    first; suspended creators' posts are left out, as their pages are."""
    live = Subscription.objects.filter(
        fan=fan, state__in=LIVE_STATES, package__posts=OuterRef("pk")
    )
    return (
        Post.objects.filter(Exists(live))
        .exclude(creator__standing=Standing.SUSPENDED)
        .select_related("creator")
        .order_by("-published_at", "-pk")
    )
