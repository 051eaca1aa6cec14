"""Exclusive posts: what their bodies may contain once rendered, who reads them whole and who
sees a locked preview, the fan's feed, the creator's studio, uploads, and query counts."""

import io
import os
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from accounts.models import CreatorProfile, Standing, User
from accounts.tests.factories import CreatorFactory, FanFactory
from conftest import _client_for
from core import markdown
from subscriptions import posts
from subscriptions.models import Package, Post, State
from subscriptions.tests.factories import PackageFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

FEED = reverse("subscriptions:feed")
STUDIO = reverse("subscriptions:studio_posts")
NEW = reverse("subscriptions:post_new")

OPENING = "Behind the scenes of my **new** video, and what I learnt making it."
SECRET = "The-secret-ending-only-subscribers-read"
# A page's queries, whatever the number of posts: the user; the page count and the page of posts
# (with their creators, for the feed); the studio adds whether the creator has packages and the
# posts' audience. One more for the session where it is read from the database (no Redis).
FEED_QUERIES = 4
STUDIO_QUERIES = 6
BODY = f"{OPENING}\n\n{'More details about the shoot. ' * 12}\n\n{SECRET}"


class Markup(HTMLParser):
    """Every tag and attribute of an HTML fragment, as a browser would read them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def picture(
    fmt: str = "PNG", size: tuple[int, int] = (40, 30), name: str = "holiday.png"
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def publish(creator: CreatorProfile, *packages: Package, **fields: object) -> Post:
    values = {"title": "Behind the scenes", "body": BODY, **fields}
    return posts.publish_post(creator=creator, packages=packages, **values)


@pytest.fixture
def gold(creator: CreatorProfile) -> Package:
    return PackageFactory(creator=creator, name="Gold", monthly_price_minor=900, position=2)


@pytest.fixture
def silver(creator: CreatorProfile) -> Package:
    return PackageFactory(creator=creator, name="Silver", monthly_price_minor=400, position=1)


@pytest.fixture
def gold_post(creator: CreatorProfile, gold: Package) -> Post:
    return publish(creator, gold)


def posts_on(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-post="(\d+)"', html)]


def form_data(*packages: Package, **fields: object) -> dict:
    return {
        "title": "A new post",
        "body": "Hello *subscribers*.",
        "video_url": "",
        "packages": [p.pk for p in packages],
        **fields,
    }


# Rendering and sanitising


def test_a_body_renders_without_script_event_handlers_or_javascript_links(
    creator: CreatorProfile, gold: Package
) -> None:
    body = (
        "Hello <script>alert('x')</script> **friends**\n\n"
        "<img src=x onerror=alert(1)>\n\n"
        "[click](javascript:alert(1)) and [JS](JAVASCRIPT:alert(2)) and [ok](https://example.com)\n\n"
        '<a href="javascript:alert(3)" onclick="alert(4)">raw</a> <style>body{}</style>'
    )
    post = publish(creator, gold, body=body)

    markup = Markup(post.body_html)
    assert "script" not in markup.tags
    assert "style" not in markup.tags
    assert "img" not in markup.tags
    assert not [name for name, _ in markup.attributes if name.startswith("on")]
    hrefs = [value for name, value in markup.attributes if name == "href"]
    assert hrefs == ["https://example.com"]
    assert ("rel", "noopener nofollow ugc") in markup.attributes
    assert "<strong>friends</strong>" in post.body_html


def test_the_sanitiser_alone_refuses_what_raw_html_would_bring() -> None:
    # Markdown's raw HTML is off; the sanitiser holds even if it were turned on.
    dirty = (
        '<p onclick="x()">hi<script>alert(1)</script><img src=x onerror="alert(1)">'
        '<a href="javascript:alert(1)">a</a><a href="https://ok.example" target="_blank">b</a>'
        '<iframe src="https://evil.example"></iframe><style>p{}</style></p>'
    )
    clean = markdown.sanitise(dirty)

    markup = Markup(clean)
    assert set(markup.tags) == {"p", "a"}
    assert "alert" not in clean
    assert [value for name, value in markup.attributes if name == "href"] == ["https://ok.example"]
    assert {name for name, _ in markup.attributes} == {"href", "rel"}


def test_markdown_pictures_become_links_and_headings_stay_below_the_page_title(
    creator: CreatorProfile, gold: Package
) -> None:
    post = publish(creator, gold, body="# Big news\n\n![me](https://pics.example/me.png)")

    markup = Markup(post.body_html)
    assert markup.tags == ["h2", "p", "a"]
    assert ("href", "https://pics.example/me.png") in markup.attributes


def test_the_teaser_is_plain_text_from_the_markdown_and_short() -> None:
    body = "# Title\n\nSome **bold** and [a link](https://x.example) <b>tag</b>. " + "word " * 60

    teaser = markdown.teaser(body)

    assert teaser.startswith("Title Some bold and a link tag. word")
    assert len(teaser) <= markdown.TEASER_CHARS
    assert teaser.endswith("…")
    assert not set("*[]()<>#") & set(teaser)


# Services


def test_a_post_for_another_creators_package_is_refused(
    creator: CreatorProfile, gold: Package
) -> None:
    theirs = PackageFactory()
    with pytest.raises(posts.PostError, match="your own packages"):
        publish(creator, gold, theirs)
    assert not Post.objects.exists()


def test_a_post_needs_an_audience(creator: CreatorProfile) -> None:
    with pytest.raises(posts.PostError, match="at least one package"):
        publish(creator)
    assert not Post.objects.exists()


def test_a_picture_is_stored_under_a_random_name_with_its_real_formats_extension(
    creator: CreatorProfile, gold: Package
) -> None:
    post = publish(creator, gold, image=picture("GIF", name="page.html"))

    assert post.image.name.startswith("posts/")
    assert post.image.name.endswith(".gif")
    assert "page" not in post.image.name


def test_a_photo_is_stored_upright_without_its_exif(creator: CreatorProfile, gold: Package) -> None:
    # A phone's photo: taken sideways (orientation 6) and saying where (GPS).
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to show upright
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 60)).save(buffer, format="JPEG", exif=exif)
    photo = SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")

    post = publish(creator, gold, image=photo)

    with Image.open(post.image.path) as stored:
        assert stored.format == "JPEG" and post.image.name.endswith(".jpg")
        assert stored.size == (30, 40)  # turned upright
        assert not stored.getexif()  # no camera, no place, no orientation left


def test_a_file_that_is_not_a_picture_is_refused_by_the_service_too(
    creator: CreatorProfile, gold: Package
) -> None:
    with pytest.raises(posts.PostError, match="cannot be read"):
        publish(creator, gold, image=SimpleUploadedFile("x.png", b"<script>alert(1)</script>"))
    assert not Post.objects.exists()


def test_deleting_a_post_deletes_its_picture_after_commit(
    creator: CreatorProfile,
    gold: Package,
    django_capture_on_commit_callbacks: object,
) -> None:
    post = publish(creator, gold, image=picture())
    name = post.image.name
    assert name.startswith("posts/") and not name.endswith("holiday.png")
    private = storages["private"]
    assert private.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        posts.delete_post(post=post)

    assert not Post.objects.exists()
    assert not private.exists(name)


# Reading a post


def locked_viewers(gold: Package, silver: Package) -> dict[str, Client]:
    lapsed = SubscriptionFactory(package=gold, state=State.LAPSED)
    other_package = SubscriptionFactory(package=silver)
    return {
        "visitor": Client(),
        "non-subscriber": _client_for(FanFactory()),
        "lapsed subscriber": _client_for(lapsed.fan),
        "subscriber of another package": _client_for(other_package.fan),
        "another creator": _client_for(CreatorFactory().user),
    }


def test_anyone_without_access_sees_a_locked_preview_without_the_body(
    creator: CreatorProfile, gold: Package, silver: Package, gold_post: Post
) -> None:
    for who, client in locked_viewers(gold, silver).items():
        response = client.get(gold_post.get_absolute_url())

        html = response.content.decode()
        assert response.status_code == 200, who
        assert 'data-testid="post-locked"' in html, who
        assert 'data-testid="post-body"' not in html, who
        assert SECRET not in html, who
        assert "More details about the shoot. " * 4 not in html, who
        assert "Behind the scenes of my new video" in html, who  # the teaser, markup stripped
        assert "**new**" not in html and "<strong>new</strong>" not in html, who
        assert "Gold · 9.00 USD a month" in html, who
        assert "Silver" not in html, who
        subscribe = reverse(
            "subscriptions:subscribe", kwargs={"handle": creator.handle, "package_id": gold.pk}
        )
        if who == "another creator":  # not a fan: sent to the packages, which say so
            assert f'href="/@{creator.handle}/#packages"' in html, who
        else:
            assert f'href="{subscribe}">Subscribe: Gold' in html, who


@pytest.mark.parametrize("state", [State.ACTIVE, State.TRIALING, State.PAST_DUE])
def test_a_live_subscriber_of_the_posts_package_reads_it_whole(
    gold: Package, gold_post: Post, state: State
) -> None:
    subscription = SubscriptionFactory(package=gold, state=state)

    html = _client_for(subscription.fan).get(gold_post.get_absolute_url()).content.decode()

    assert SECRET in html
    assert "<strong>new</strong>" in html
    assert 'data-testid="post-locked"' not in html


def test_the_creator_reads_their_own_post_with_its_picture_and_video_link(
    creator_client: Client, creator: CreatorProfile, gold: Package
) -> None:
    post = publish(creator, gold, image=picture(), video_url="https://video.example/v/1")

    html = creator_client.get(post.get_absolute_url()).content.decode()

    assert SECRET in html
    assert f'src="{picture_url(post)}"' in html
    assert 'href="https://video.example/v/1" rel="noopener nofollow ugc"' in html


def test_a_locked_preview_shows_neither_picture_nor_video(
    fan_client: Client, creator: CreatorProfile, gold: Package
) -> None:
    post = publish(creator, gold, image=picture(), video_url="https://video.example/v/1")

    html = fan_client.get(post.get_absolute_url()).content.decode()

    assert picture_url(post) not in html
    assert "video.example" not in html


def picture_url(post: Post) -> str:
    return reverse(
        "subscriptions:post_picture",
        kwargs={"handle": post.creator.handle, "post_id": post.pk},
    )


def test_a_posts_picture_is_sent_only_to_its_readers(
    creator: CreatorProfile, gold: Package, silver: Package
) -> None:
    post = publish(creator, gold, image=picture())
    assert not (settings.MEDIA_ROOT / post.image.name).exists()  # nothing under MEDIA_URL
    readers = [_client_for(creator.user), _client_for(SubscriptionFactory(package=gold).fan)]
    for client in readers:
        response = client.get(picture_url(post))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "private, max-age=3600"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    for who, client in locked_viewers(gold, silver).items():
        assert client.get(picture_url(post)).status_code in (302, 404), who


def test_the_handle_is_found_whatever_its_case(creator: CreatorProfile, gold_post: Post) -> None:
    url = reverse(
        "subscriptions:post", kwargs={"handle": creator.handle.upper(), "post_id": gold_post.pk}
    )
    assert Client().get(url).status_code == 200


def test_a_suspended_creators_missing_or_someone_elses_post_is_not_found(
    creator: CreatorProfile, gold_post: Post
) -> None:
    other = CreatorFactory()
    urls = [
        reverse("subscriptions:post", kwargs={"handle": "nobody_here", "post_id": gold_post.pk}),
        reverse("subscriptions:post", kwargs={"handle": other.handle, "post_id": gold_post.pk}),
        reverse("subscriptions:post", kwargs={"handle": creator.handle, "post_id": 999_999}),
    ]
    for url in urls:
        assert Client().get(url).status_code == 404, url

    CreatorProfile.objects.filter(pk=creator.pk).update(standing=Standing.SUSPENDED)
    assert Client().get(gold_post.get_absolute_url()).status_code == 404


# Previews on the creator's page


def test_previews_are_locked_per_viewer(
    creator: CreatorProfile, gold: Package, silver: Package
) -> None:
    for_gold = publish(creator, gold, title="Gold only")
    for_both = publish(creator, gold, silver, title="Everyone paying")
    silver_fan = SubscriptionFactory(package=silver).fan

    def locks(viewer: User) -> dict[str, bool]:
        return {p.post.title: p.locked for p in posts.previews_for(creator, viewer)}

    assert locks(silver_fan) == {"Everyone paying": False, "Gold only": True}
    assert locks(FanFactory()) == {"Everyone paying": True, "Gold only": True}
    assert locks(creator.user) == {"Everyone paying": False, "Gold only": False}
    preview = posts.previews_for(creator, silver_fan)[1]
    assert preview.post == for_gold
    assert preview.packages == [gold]
    assert preview.teaser.startswith("Behind the scenes of my new video")
    assert [p.post for p in posts.previews_for(creator, silver_fan)] == [for_both, for_gold]


def test_posts_visible_to_are_the_ones_the_user_may_read(
    creator: CreatorProfile, gold: Package, silver: Package
) -> None:
    for_gold = publish(creator, gold, title="Gold only")
    for_both = publish(creator, gold, silver, title="Both")
    silver_fan = SubscriptionFactory(package=silver).fan
    lapsed_gold_fan = SubscriptionFactory(package=gold, state=State.LAPSED).fan

    assert list(posts.posts_visible_to(silver_fan, creator)) == [for_both]
    assert list(posts.posts_visible_to(lapsed_gold_fan, creator)) == []
    assert list(posts.posts_visible_to(creator.user, creator)) == [for_both, for_gold]
    assert list(posts.posts_visible_to(CreatorFactory().user, creator)) == []


def test_the_previews_partial_shows_teasers_and_never_bodies(
    creator: CreatorProfile, gold: Package
) -> None:
    publish(creator, gold)
    html = render_to_string(
        "subscriptions/posts/_previews.html",
        {"post_previews": posts.previews_for(creator, FanFactory())},
    )

    assert "Behind the scenes of my new video" in html
    assert SECRET not in html
    assert "Unlocks with Gold (9.00 USD a month)" in html
    subscribe = reverse(
        "subscriptions:subscribe", kwargs={"handle": creator.handle, "package_id": gold.pk}
    )
    assert f'href="{subscribe}">Subscribe to read: Gold' in html


@pytest.mark.parametrize("count", [1, 10])
def test_previews_take_three_queries_whatever_the_number_of_posts(
    creator: CreatorProfile,
    gold: Package,
    silver: Package,
    count: int,
    django_assert_max_num_queries: object,
) -> None:
    for n in range(count):
        publish(creator, gold, silver, title=f"Post {n}")
    fan = SubscriptionFactory(package=silver).fan

    with django_assert_max_num_queries(3):
        previews = posts.previews_for(creator, fan)
        assert [p.locked for p in previews] == [False] * min(count, posts.PREVIEW_COUNT)
        assert all(p.packages == [silver, gold] for p in previews)


# The fan's feed


def test_the_feed_shows_only_the_posts_the_fan_may_read_newest_first(
    fan: User, fan_client: Client, creator: CreatorProfile, gold: Package, silver: Package
) -> None:
    SubscriptionFactory(fan=fan, package=gold)
    older = publish(creator, gold, title="Older gold post")
    newer = publish(creator, gold, silver, title="Newer post for both")
    publish(creator, silver, title="Silver only")
    not_subscribed = PackageFactory()
    publish(not_subscribed.creator, not_subscribed, title="Not subscribed")
    lapsed = SubscriptionFactory(fan=fan, state=State.LAPSED)
    publish(lapsed.creator, lapsed.package, title="Lapsed creator's post")

    html = fan_client.get(FEED).content.decode()

    assert posts_on(html) == [newer.pk, older.pk]
    assert SECRET in html  # the whole post
    assert f'href="/@{creator.handle}/"' in html
    assert f'href="{older.get_absolute_url()}"' in html


def test_the_feed_leaves_out_suspended_creators(
    fan: User, fan_client: Client, creator: CreatorProfile, gold: Package, gold_post: Post
) -> None:
    SubscriptionFactory(fan=fan, package=gold)
    CreatorProfile.objects.filter(pk=creator.pk).update(standing=Standing.SUSPENDED)

    assert posts_on(fan_client.get(FEED).content.decode()) == []


def test_a_fan_who_follows_nobody_is_sent_to_discover(fan_client: Client) -> None:
    html = fan_client.get(FEED).content.decode()

    assert "Your feed is empty" in html
    assert f'href="{reverse("portal:fan_home")}"' in html


def test_the_feed_is_for_fans(creator_client: Client) -> None:
    assert creator_client.get(FEED).status_code == 403
    assert Client().get(FEED).status_code == 302


def queries_for(client: Client, url: str) -> tuple[int, str]:
    """How many queries a page takes, and its HTML (after a first visit: the session's own)."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    return len(queries), html


def test_the_feed_takes_as_many_queries_for_ten_posts_as_for_one(
    fan: User,
    fan_client: Client,
    creator: CreatorProfile,
    gold: Package,
    django_assert_max_num_queries: object,
) -> None:
    SubscriptionFactory(fan=fan, package=gold)
    other = SubscriptionFactory(fan=fan)
    publish(creator, gold, title="Gold 0", image=picture())
    one, html = queries_for(fan_client, FEED)
    assert len(posts_on(html)) == 1
    for n in range(1, 10):
        publish(creator, gold, title=f"Gold {n}", image=picture())
        publish(other.creator, other.package, title=f"Other {n}")

    ten, html = queries_for(fan_client, FEED)

    assert len(posts_on(html)) == 19
    assert ten == one
    with django_assert_max_num_queries(FEED_QUERIES):
        fan_client.get(FEED)


# The studio


def test_the_studio_lists_the_creators_own_posts_newest_first_with_their_audience(
    creator_client: Client, creator: CreatorProfile, gold: Package, silver: Package
) -> None:
    first = publish(creator, gold, title="First")
    second = publish(creator, gold, silver, title="Second")
    theirs = PackageFactory()
    publish(theirs.creator, theirs, title="Someone else's")

    html = creator_client.get(STUDIO).content.decode()

    assert posts_on(html) == [second.pk, first.pk]
    assert '<span class="chip">Silver</span><span class="chip">Gold</span>' in html
    assert f'href="{NEW}"' in html


def test_the_studio_list_takes_as_many_queries_for_ten_posts_as_for_one(
    creator_client: Client,
    creator: CreatorProfile,
    gold: Package,
    silver: Package,
    django_assert_max_num_queries: object,
) -> None:
    publish(creator, gold, title="Post 0")
    one, html = queries_for(creator_client, STUDIO)
    assert len(posts_on(html)) == 1
    for n in range(1, 10):
        publish(creator, gold, silver, title=f"Post {n}")

    ten, html = queries_for(creator_client, STUDIO)

    assert len(posts_on(html)) == 10
    assert ten == one
    with django_assert_max_num_queries(STUDIO_QUERIES):
        creator_client.get(STUDIO)


def test_a_creator_publishes_a_post_with_a_picture(
    creator_client: Client, creator: CreatorProfile, gold: Package, silver: Package
) -> None:
    response = creator_client.post(
        NEW,
        form_data(gold, body="Hello **you**", video_url="https://video.example/v/2")
        | {"image": picture("WEBP", name="me.webp")},
    )

    assert response.status_code == 302
    assert response["Location"] == STUDIO
    post = Post.objects.get()
    assert post.creator == creator
    assert list(post.packages.all()) == [gold]
    assert post.body_html == "<p>Hello <strong>you</strong></p>\n"
    assert post.video_url == "https://video.example/v/2"
    assert post.image.name.endswith(".webp")
    with Image.open(post.image.path) as stored:
        assert stored.format == "WEBP"


def test_a_creator_edits_their_post_and_removes_its_picture(
    creator_client: Client,
    creator: CreatorProfile,
    gold: Package,
    silver: Package,
    django_capture_on_commit_callbacks: object,
) -> None:
    post = publish(creator, gold, image=picture())
    old_image = post.image.name
    url = reverse("subscriptions:post_edit", kwargs={"post_id": post.pk})
    assert "Behind the scenes" in creator_client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = creator_client.post(
            url, form_data(silver, title="Renamed", body="New *text*") | {"image-clear": "on"}
        )

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "Renamed"
    assert post.body_html == "<p>New <em>text</em></p>\n"
    assert list(post.packages.all()) == [silver]
    assert not post.image
    assert not os.path.exists(default_storage.path(old_image))


def test_a_creator_deletes_their_post_after_confirming(
    creator_client: Client, creator: CreatorProfile, gold_post: Post
) -> None:
    url = reverse("subscriptions:post_delete", kwargs={"post_id": gold_post.pk})

    assert "Delete this post?" in creator_client.get(url).content.decode()
    assert Post.objects.exists()
    assert creator_client.post(url)["Location"] == STUDIO
    assert not Post.objects.exists()


def test_another_creator_can_neither_edit_nor_delete_a_post(gold: Package, gold_post: Post) -> None:
    # The intruder has packages of their own, so only ownership of the post is in question.
    intruder_package = PackageFactory()
    intruder = _client_for(intruder_package.creator.user)
    edit = reverse("subscriptions:post_edit", kwargs={"post_id": gold_post.pk})
    delete = reverse("subscriptions:post_delete", kwargs={"post_id": gold_post.pk})

    assert intruder.get(edit).status_code == 404
    assert intruder.post(edit, form_data(intruder_package, title="Hijacked")).status_code == 404
    assert intruder.get(delete).status_code == 404
    assert intruder.post(delete).status_code == 404
    gold_post.refresh_from_db()
    assert gold_post.title == "Behind the scenes"


def test_a_creator_cannot_post_for_another_creators_package(
    creator_client: Client, gold: Package
) -> None:
    theirs = PackageFactory()

    response = creator_client.post(NEW, form_data(gold, theirs))

    assert response.status_code == 400
    assert "Choose among your own packages." in response.content.decode()
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"packages": []}, "Choose at least one package."),
        ({"video_url": "javascript:alert(1)"}, "Use an http:// or https:// link."),
        ({"video_url": "ftp://files.example/v.mp4"}, "Use an http:// or https:// link."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_a_post_that_does_not_fit_is_refused_with_a_form_error(
    creator_client: Client, gold: Package, fields: dict, error: str
) -> None:
    response = creator_client.post(NEW, form_data(gold) | fields)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Post.objects.exists()


def big_noise_png() -> SimpleUploadedFile:
    # Random pixels do not compress: 1,000 × 1,000 of them make a PNG of about 3 MB.
    image = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    assert buffer.tell() > 2 * 1024 * 1024
    return SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (
            lambda: SimpleUploadedFile("notes.png", b"just some text", content_type="image/png"),
            "not a picture we can read",
        ),
        (big_noise_png, "at most 2 MB"),
        (lambda: picture(size=(4001, 10)), "4001 × 10 pixels; at most 4000 × 4000"),
        (lambda: picture("BMP", name="old.bmp"), "BMP pictures are not accepted"),
    ],
)
def test_a_bad_picture_is_refused_and_nothing_is_saved(
    creator_client: Client, gold: Package, upload: object, error: str
) -> None:
    response = creator_client.post(NEW, form_data(gold) | {"image": upload()})

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Post.objects.exists()


def test_a_creator_without_packages_is_asked_to_create_one(creator_client: Client) -> None:
    html = creator_client.get(NEW).content.decode()

    assert "create a package first" in html
    assert f'href="{reverse("subscriptions:package_new")}"' in html


def test_the_studio_is_for_creators(fan_client: Client) -> None:
    for url in (STUDIO, NEW):
        assert fan_client.get(url).status_code == 403
        assert Client().get(url).status_code == 302


def test_a_picture_pillow_chokes_on_is_refused_in_words(
    creator: CreatorProfile, gold: Package, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Broken EXIF makes Pillow raise SyntaxError or struct.error, not only OSError.
    def choke(picture: object) -> None:
        raise SyntaxError("not a TIFF file")

    monkeypatch.setattr(posts.ImageOps, "exif_transpose", choke)
    with pytest.raises(posts.PostError, match="cannot be read"):
        publish(creator, gold, image=picture("JPEG", name="junk.jpg"))
    assert not Post.objects.exists()


def test_a_missing_picture_file_is_a_404(creator: CreatorProfile, gold: Package) -> None:
    post = publish(creator, gold, image=picture())
    storages["private"].delete(post.image.name)
    assert _client_for(creator.user).get(picture_url(post)).status_code == 404
