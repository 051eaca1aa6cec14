"""The earnings ledger in admin, read-only: money moves through payments.ledger only."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import EarningsAccount, EarningsEntry


@admin.register(EarningsAccount)
class EarningsAccountAdmin(ReadOnlyAdmin):
    list_display = ["creator", "currency", "available", "pending", "released_through"]
    list_select_related = ["creator__user"]
    search_fields = ["creator__handle", "creator__user__email"]


@admin.register(EarningsEntry)
class EarningsEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "account", "amount", "source", "pending_until", "document"]
    list_filter = ["source"]
    list_select_related = ["account__creator__user"]
    search_fields = ["account__creator__handle", "document", "memo", "idempotency_key"]
    date_hierarchy = "created_at"
