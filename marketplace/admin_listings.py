"""Listings, their featured videos and match features, and brands' saved lists in admin.

Staff read them here; a listing changes through marketplace.listings (its creator's editor,
or the pause action below), features only through the nightly refresh."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import ReadOnlyAdmin

from . import listings
from .models import FeaturedVideo, Listing, MatchFeatures, SavedCreator, SavedList


class FeaturedVideoInline(admin.TabularInline):
    model = FeaturedVideo
    fields = ["position", "video"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    list_display = ["creator", "headline", "language", "availability", "paused_at", "joined_at"]
    list_filter = ["availability", "language", ("paused_at", admin.EmptyFieldListFilter)]
    list_select_related = ["creator"]
    search_fields = ["creator__handle", "headline"]
    date_hierarchy = "joined_at"
    inlines = [FeaturedVideoInline]
    actions = ["pause"]

    @admin.action(description="Pause the selected listings (hidden from brands)")
    def pause(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        paused = 0
        for listing in queryset.select_related("creator"):
            if not listing.is_paused:
                listings.pause_listing(listing=listing)
                paused += 1
        self.message_user(request, f"{paused} listing(s) paused.", messages.SUCCESS)


@admin.register(MatchFeatures)
class MatchFeaturesAdmin(ReadOnlyAdmin):
    list_display = [
        "creator",
        "followers",
        "avg_views",
        "engagement_bp",
        "authenticity",
        "posts_30d",
        "last_post_at",
        "refreshed_at",
    ]
    list_select_related = ["creator"]
    search_fields = ["creator__handle"]
    ordering = ["-followers"]


class SavedCreatorInline(admin.TabularInline):
    model = SavedCreator
    fields = ["creator", "added_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SavedList)
class SavedListAdmin(ReadOnlyAdmin):
    list_display = ["name", "brand", "created_at"]
    list_select_related = ["brand"]
    search_fields = ["name", "brand__company_name"]
    inlines = [SavedCreatorInline]
