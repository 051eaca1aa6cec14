from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import CoinAccount, CoinEntry


@admin.register(CoinAccount)
class CoinAccountAdmin(ReadOnlyAdmin):
    list_display = ["fan", "balance", "updated_at"]
    list_select_related = ["fan"]
    search_fields = ["fan__email"]
    ordering = ["-updated_at"]


@admin.register(CoinEntry)
class CoinEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "account", "amount", "reason", "document", "memo"]
    list_filter = ["reason"]
    list_select_related = ["account__fan"]
    search_fields = ["account__fan__email", "idempotency_key", "document"]
    date_hierarchy = "created_at"
