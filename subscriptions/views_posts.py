"""Exclusive posts' pages: a creator writes them in the studio; subscribers of the chosen
packages read them on /@handle/posts/<id>/ and in their feed; everyone else sees a locked
preview (title, date, the packages that unlock it, a plain-text teaser), never the body.

Studio pages fetch posts through `request.user.creator.posts`, so another creator's post id is
a 404. Writes go through subscriptions.posts.
"""

import mimetypes

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import creator_required, fan_required, login_required, public

from . import posts
from .forms_posts import PostForm
from .models import Post

FEED_PAGE_SIZE = 20
STUDIO_PAGE_SIZE = 20


@public
@require_GET
def post(request: HttpRequest, handle: str, post_id: int) -> HttpResponse:
    """The whole post for its creator and live subscribers of one of its packages; a locked
    preview, without the body, for anyone else."""
    creator = posts.public_creator(handle)
    if creator is None:
        raise Http404("No such creator.")
    found = get_object_or_404(posts.posts_of(creator), pk=post_id)
    shown = posts.preview(found, request.user)
    context = {
        "creator": creator,
        "post": found,
        "preview": shown,
        "subscribe_url": reverse("subscriptions:creator_page", kwargs={"handle": creator.handle})
        + "#packages",
        "is_author": posts.is_author(request.user, creator),
    }
    return render(request, "subscriptions/posts/post.html", context)


@login_required
@require_GET
def post_picture(request: HttpRequest, handle: str, post_id: int) -> HttpResponse:
    """A post's picture, for those who may read the post (its creator and live subscribers of
    one of its packages); anyone else gets a 404, as for a picture that does not exist."""
    creator = posts.public_creator(handle)
    if creator is None:
        raise Http404("No such creator.")
    found = get_object_or_404(posts.posts_of(creator).exclude(image=""), pk=post_id)
    if not posts.can_read(request.user, found):
        raise Http404("No such picture.")
    content_type, _ = mimetypes.guess_type(found.image.name)
    try:
        picture = found.image.open("rb")
    except FileNotFoundError as error:
        raise Http404("No such picture.") from error
    response = FileResponse(picture, content_type=content_type)
    # The reader's browser may keep it; shared caches may not.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@fan_required
@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    """The posts the fan may read from every creator they subscribe to, newest first."""
    page = Paginator(posts.feed_for(request.user), FEED_PAGE_SIZE).get_page(request.GET.get("page"))
    follows_anyone = bool(page.object_list) or posts.follows_anyone(request.user)
    return render(
        request,
        "subscriptions/posts/feed.html",
        {"page": page, "follows_anyone": follows_anyone},
    )


@creator_required
@require_GET
def studio_posts(request: HttpRequest) -> HttpResponse:
    """The creator's posts, newest first, each with the packages that read it."""
    creator = request.user.creator
    page = Paginator(posts.posts_of(creator), STUDIO_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "subscriptions/posts/studio_list.html",
        {"page": page, "has_packages": creator.packages.exists()},
    )


def _save(request: HttpRequest, form: PostForm, found: Post | None) -> Post | None:
    """The post written through the services, or None with the refusal on the form."""
    data = form.cleaned_data
    fields = {
        "title": data["title"],
        "body": data["body"],
        "packages": data["packages"],
        "video_url": data["video_url"],
    }
    # The picture field answers a new upload, False when cleared, or the current file (or
    # None) when left alone.
    image = data["image"]
    new_image = image if isinstance(image, UploadedFile) else None
    try:
        if found is None:
            return posts.publish_post(creator=request.user.creator, image=new_image, **fields)
        return posts.update_post(post=found, image=new_image, remove_image=image is False, **fields)
    except posts.PostError as error:
        form.add_error(None, str(error))
        return None


@creator_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, post_id: int | None = None) -> HttpResponse:
    """Write a new post, or change one of the creator's own."""
    creator = request.user.creator
    found = get_object_or_404(creator.posts, pk=post_id) if post_id is not None else None
    initial = None
    if found is not None:
        initial = {
            "title": found.title,
            "body": found.body,
            "image": found.image,
            "video_url": found.video_url,
            "packages": list(found.packages.values_list("pk", flat=True)),
        }
    form = PostForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        creator=creator,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid() and (saved := _save(request, form, found)) is not None:
            verb = "Published" if found is None else "Saved"
            messages.success(request, f"{verb} “{saved.title}”.")
            return redirect("subscriptions:studio_posts")
        status = 400
    context = {"form": form, "post": found, "has_packages": creator.packages.exists()}
    return render(request, "subscriptions/posts/edit.html", context, status=status)


@creator_required
@require_http_methods(["GET", "POST"])
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    """GET: ask to confirm. POST: delete the post and its picture."""
    found = get_object_or_404(request.user.creator.posts, pk=post_id)
    if request.method == "POST":
        title = found.title
        posts.delete_post(post=found)
        messages.success(request, f"Deleted “{title}”.")
        return redirect("subscriptions:studio_posts")
    return render(request, "subscriptions/posts/delete.html", {"post": found})
