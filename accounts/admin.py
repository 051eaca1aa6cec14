from collections.abc import Callable

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from core.admin import Decision, decide_in_turn

from . import services
from .audit import AuditedAdmin, audited_decision
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
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    """Accounts: every change (activity, staff powers, groups) is recorded with its reason."""

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

    @staticmethod
    def _describe(user: User) -> str:
        return f"{user.email} ({user.get_role_display()}{'' if user.is_active else ', inactive'})"

    @admin.action(
        description="Deactivate selected accounts (they can no longer sign in)…",
        permissions=["change"],
    )
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        return decide_in_turn(self, request, queryset, DEACTIVATE, self._describe)

    @admin.action(description="Reactivate selected accounts…", permissions=["change"])
    def reactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        return decide_in_turn(self, request, queryset, REACTIVATE, self._describe)


def _set_active(pk: int, by: User, active: bool) -> None:
    if not active and pk == by.pk:
        raise services.AccountsError("You cannot deactivate your own account.")
    User.objects.filter(pk=pk).update(is_active=active)


DEACTIVATE = audited_decision(
    Decision(
        verb="deactivate",
        title="Deactivate accounts",
        explanation="These accounts will no longer sign in. Nothing they own is removed; "
        "reactivating lets them in again.",
        label="Reason (kept in the audit trail)",
        submit="Deactivate {count}",
        noun="account",
        past="deactivated",
        decide=lambda pk, by, note: _set_active(pk, by, False),
        refused=services.AccountsError,
    ),
    model=User,
)
REACTIVATE = audited_decision(
    Decision(
        verb="reactivate",
        title="Reactivate accounts",
        explanation="These accounts will be able to sign in again.",
        label="Reason (kept in the audit trail)",
        submit="Reactivate {count}",
        noun="account",
        past="reactivated",
        decide=lambda pk, by, note: _set_active(pk, by, True),
        refused=services.AccountsError,
    ),
    model=User,
)


def _set_standing(standing: Standing) -> Decision:
    # The creator reads the reason with their standing, and in their staff changes: a
    # standing decides whether the programs pay them.
    return audited_decision(
        Decision(
            verb=f"set_standing_{standing.value}",
            title=f"Set standing: {standing.label}",
            explanation=f"These creators' standing becomes “{standing.label}”, with your "
            "reason, which each creator reads. Creators already there are left as they are.",
            label="Reason",
            submit=f"Set {{count}} to {standing.label}",
            noun="creator",
            past=f"standing set to {standing.label}",
            decide=lambda pk, by, note: services.set_standing(
                creator=CreatorProfile.objects.get(pk=pk), standing=standing, reason=note
            ),
            refused=services.AccountsError,
        ),
        model=CreatorProfile,
        shown_to_creator=True,
    )


def _standing_action(standing: Standing) -> Callable[..., HttpResponse | None]:
    decision = _set_standing(standing)

    @admin.action(description=f"Set standing: {standing.label}…", permissions=["change"])
    def action(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse | None:
        return decide_in_turn(modeladmin, request, queryset, decision, str)

    action.__name__ = decision.verb
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
class CreatorProfileAdmin(AuditedAdmin):
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
