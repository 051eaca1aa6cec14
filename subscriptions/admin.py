"""Subscriptions in admin. Staff set the rules (who may offer packages, the revenue shares) and
invite creators; packages, subscriptions and their charges are read here and changed only by
their owners through subscriptions.services. Staff moderate chat by removing messages. The
rules and invitations are recorded in the audit trail with their reasons (accounts.audit)."""

from django.contrib import admin
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import AuditedAdmin
from core.admin import ReadOnlyAdmin
from core.plurals import plural

from . import chat
from .models import (
    ChatMessage,
    Invitation,
    Package,
    Rules,
    Subscription,
    SubscriptionCharge,
)
from .selectors import RULES_CACHE_KEY


@admin.register(Rules)
class RulesAdmin(AuditedAdmin):
    """One row: the eligibility rule to offer packages and the creator's share of revenue."""

    list_display = ["__str__", "invite_only", "min_followers", "creator_share_pct", "updated_at"]
    fieldsets = [
        ("Who may publish packages", {"fields": ["invite_only", "min_age", "min_followers"]}),
        (
            "Revenue share",
            {
                "fields": [
                    "creator_share_pct",
                    "raised_share_pct",
                    "raised_min_followers",
                    "raised_min_views_30d",
                    "raised_min_posts_30d",
                ]
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Rules.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Rules | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Rules, form: object, change: bool) -> None:
        obj.pk = 1
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        cache.delete(RULES_CACHE_KEY)


@admin.register(Invitation)
class InvitationAdmin(AuditedAdmin):
    """While subscriptions are invite-only, a creator may publish packages once invited (and
    while they meet the rest of the rule)."""

    list_display = ["creator", "invited_by", "note", "created_at"]
    list_select_related = ["creator", "invited_by"]
    search_fields = ["creator__handle", "creator__display_name"]
    autocomplete_fields = ["creator"]
    exclude = ["invited_by", "created_at"]

    def save_model(self, request: HttpRequest, obj: Invitation, form: object, change: bool) -> None:
        if not change:
            obj.invited_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Package)
class PackageAdmin(ReadOnlyAdmin):
    list_display = ["name", "creator", "monthly_price_minor", "currency", "published_at"]
    list_filter = ["currency", "has_trial"]
    list_select_related = ["creator"]
    search_fields = ["name", "creator__handle"]


class ChargeInline(admin.TabularInline):
    model = SubscriptionCharge
    fields = [
        "created_at",
        "kind",
        "amount_minor",
        "currency",
        "state",
        "share_pct",
        "creator_share_minor",
        "platform_fee_minor",
        "failure",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-created_at"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = [
        "fan",
        "creator",
        "package",
        "billing",
        "price_minor",
        "state",
        "current_period_end",
    ]
    list_filter = ["state", "billing"]
    list_select_related = ["fan", "creator", "package"]
    search_fields = ["fan__email", "creator__handle", "package__name"]
    date_hierarchy = "started_at"
    inlines = [ChargeInline]


@admin.register(SubscriptionCharge)
class SubscriptionChargeAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "subscription",
        "kind",
        "amount_minor",
        "currency",
        "state",
        "platform_fee_minor",
    ]
    list_filter = ["state", "kind"]
    list_select_related = ["subscription__fan", "subscription__package__creator"]
    search_fields = ["idempotency_key", "subscription__fan__email"]
    date_hierarchy = "created_at"


@admin.register(ChatMessage)
class ChatMessageAdmin(ReadOnlyAdmin):
    """Every message of every room, kept; staff remove one the way its creator would."""

    list_display = ["created_at", "creator", "author", "body", "deleted_at"]
    list_filter = ["deleted_at"]
    list_select_related = ["creator", "author"]
    search_fields = ["body", "creator__handle", "author__email"]
    date_hierarchy = "created_at"
    actions = ["remove"]

    @admin.action(description="Remove the selected messages from their rooms")
    def remove(self, request: HttpRequest, queryset: QuerySet[ChatMessage]) -> None:
        removed = 0
        for message in queryset.filter(deleted_at__isnull=True).select_related("creator"):
            chat.delete_message(creator=message.creator, message=message)
            removed += 1
        self.message_user(request, f"Removed {plural(removed, 'message')}.")
