"""Campaigns, proposals, collaborations and their threads in admin. Collaborations move
money, so their steps, deliveries, charge and credit are read-only here: every change goes
through marketplace.collaborations."""

from django.contrib import admin
from django.http import HttpRequest

from .models import Campaign, Collaboration, Delivery, Message, Proposal, Step


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "brand", "state", "budget_display", "deadline", "created_at"]
    list_filter = ["state", "objective", "deliverable"]
    search_fields = ["title", "brand__company_name"]
    list_select_related = ["brand"]
    filter_horizontal = ["niches"]
    date_hierarchy = "created_at"


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["campaign", "creator", "direction", "state", "awaiting", "price_display"]
    list_filter = ["direction", "state"]
    search_fields = ["campaign__title", "creator__handle"]
    list_select_related = ["campaign", "creator"]
    raw_id_fields = ["campaign", "creator"]
    readonly_fields = ["created_at", "answered_at"]


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    can_delete = False
    fields = ["created_at", "state", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ["created_at", "links", "note"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Collaboration)
class CollaborationAdmin(admin.ModelAdmin):
    list_display = [
        "campaign",
        "brand",
        "creator",
        "state",
        "price_minor",
        "currency",
        "updated_at",
    ]
    list_filter = ["state", "auto_approved"]
    search_fields = ["campaign__title", "creator__handle", "brand__company_name"]
    list_select_related = ["campaign", "brand", "creator"]
    inlines = [StepInline, DeliveryInline]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in Collaboration._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["collab", "author", "created_at"]
    search_fields = ["body", "collab__campaign__title"]
    raw_id_fields = ["collab", "author"]
    list_select_related = ["collab__campaign", "author"]
