from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from core.plurals import plural

from . import services
from .models import (
    Badge,
    BrandProfile,
    CreatorBadge,
    CreatorProfile,
    Niche,
    Notification,
    Standing,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "role", "is_active", "is_staff", "date_joined", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser", "date_joined"]
    search_fields = ["email", "creator__handle", "creator__display_name", "brand__company_name"]
    readonly_fields = ["date_joined", "last_login"]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        # A role comes with its profile, made at signup; switching it by hand strands the user.
        return [*self.readonly_fields, "role"] if obj else self.readonly_fields

    fieldsets = [
        (None, {"fields": ["email", "password", "role"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]}),
    ]
    actions = ["deactivate", "reactivate"]

    @admin.action(description="Deactivate selected accounts (they can no longer sign in)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        changed = queryset.exclude(pk=request.user.pk).update(is_active=False)
        self.message_user(request, f"Deactivated {plural(changed, 'account')}.", messages.SUCCESS)

    @admin.action(description="Reactivate selected accounts")
    def reactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        changed = queryset.update(is_active=True)
        self.message_user(request, f"Reactivated {plural(changed, 'account')}.", messages.SUCCESS)


def _standing_action(standing: Standing) -> Callable[..., None]:
    @admin.action(description=f"Set standing: {standing.label}")
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        for creator in queryset:
            services.set_standing(
                creator=creator, standing=standing, reason="Changed by the portal's staff."
            )
        modeladmin.message_user(
            request,
            f"{plural(queryset.count(), 'creator')} now: {standing.label}.",
            messages.SUCCESS,
        )

    action.__name__ = f"set_standing_{standing.value}"
    return action


class CreatorBadgeInline(admin.TabularInline):
    """The badges a creator holds: granted by what earned them (an Academy course), never by
    hand, so staff read them here."""

    model = CreatorBadge
    extra = 0
    fields = ["badge", "reason", "granted_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CreatorProfile)
class CreatorProfileAdmin(admin.ModelAdmin):
    list_display = ["handle", "display_name", "user", "country", "followers", "standing"]
    list_filter = ["standing", "niches", "country"]
    search_fields = ["handle", "display_name", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["niches"]
    # Standing changes go through the service so each carries its reason and time.
    readonly_fields = ["standing", "standing_reason", "standing_changed_at", "created_at"]
    actions = [_standing_action(s) for s in Standing]
    inlines = [CreatorBadgeInline]


@admin.register(BrandProfile)
class BrandProfileAdmin(admin.ModelAdmin):
    list_display = ["company_name", "industry", "website", "user", "created_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["industry"]
    search_fields = ["company_name", "website", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    """Badges staff define; an Academy course grants one to everyone who completes it."""

    list_display = ["name", "slug", "description", "holders_count"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Badge]:
        return super().get_queryset(request).annotate(holder_total=models.Count("holders"))

    @admin.display(description="Holders", ordering="holder_total")
    def holders_count(self, badge: Badge) -> int:
        return badge.holder_total


@admin.register(Niche)
class NicheAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """What users were told: staff read it when a creator asks "why was I told this?"."""

    list_display = ["created_at", "user", "subject", "read_at", "emailed_at"]
    list_filter = ["created_at"]
    search_fields = ["user__email", "subject"]
    list_select_related = ["user"]
    readonly_fields = ["user", "subject", "body", "link", "created_at", "read_at", "emailed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False
