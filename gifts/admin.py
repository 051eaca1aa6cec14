from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import CoinAccount, CoinEntry, CoinPack, CoinPurchase


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


@admin.register(CoinPack)
class CoinPackAdmin(admin.ModelAdmin):
    list_display = ["name", "coins", "price_minor", "currency", "is_active", "position"]
    list_editable = ["is_active", "position"]
    list_filter = ["currency", "is_active"]
    search_fields = ["name"]


@admin.register(CoinPurchase)
class CoinPurchaseAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "fan", "pack", "coins", "price_minor", "currency", "state"]
    list_filter = ["state", "currency"]
    list_select_related = ["fan", "pack"]
    search_fields = ["fan__email", "request_key"]
    date_hierarchy = "created_at"
