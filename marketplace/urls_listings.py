"""Listings, the brand search and saved lists (marketplace.views_listings), in the
`marketplace` namespace (marketplace.urls)."""

from django.urls import path

from . import views_listings as views

urlpatterns = [
    # Brands (and staff) search listed creators.
    path("marketplace/", views.search_page, name="search"),
    # The creator's own listing.
    path("marketplace/listing/", views.listing, name="listing"),
    path("marketplace/listing/join/", views.join, name="join"),
    path("marketplace/listing/videos/", views.featured, name="featured"),
    path("marketplace/listing/pause/", views.pause, name="pause"),
    path("marketplace/listing/resume/", views.resume, name="resume"),
    # A brand's saved lists.
    path("marketplace/lists/", views.lists_page, name="lists"),
    path("marketplace/lists/new/", views.list_create, name="list_create"),
    path("marketplace/lists/<int:pk>/", views.list_detail, name="list_detail"),
    path("marketplace/lists/<int:pk>/rename/", views.list_rename, name="list_rename"),
    path("marketplace/lists/<int:pk>/delete/", views.list_delete, name="list_delete"),
    path(
        "marketplace/lists/<int:pk>/@<str:handle>/remove/",
        views.list_remove,
        name="list_remove",
    ),
    # A listed creator as brands see them, and saving them to a list.
    path("marketplace/@<str:handle>/", views.creator_detail, name="creator_detail"),
    path("marketplace/@<str:handle>/save/", views.list_add, name="list_add"),
]
