"""URLs of subscriptions' posts (included by subscriptions/urls.py, same namespace)."""

from django.urls import path

from . import views_posts

urlpatterns = [
    # Reading: a post on its creator's page, and a fan's feed.
    path("@<str:handle>/posts/<int:post_id>/", views_posts.post, name="post"),
    path(
        "@<str:handle>/posts/<int:post_id>/picture/",
        views_posts.post_picture,
        name="post_picture",
    ),
    path("subscriptions/feed/", views_posts.feed, name="feed"),
    # Writing, in the creator's studio.
    path("studio/posts/", views_posts.studio_posts, name="studio_posts"),
    path("studio/posts/new/", views_posts.post_edit, name="post_new"),
    path("studio/posts/<int:post_id>/", views_posts.post_edit, name="post_edit"),
    path("studio/posts/<int:post_id>/delete/", views_posts.post_delete, name="post_delete"),
]
