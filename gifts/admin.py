from django.contrib import admin
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html

from accounts import audit
from accounts.audit import AuditedAdmin, AuditTrailAdmin
from accounts.models import User
from core import regions
from core.admin import Decision, ReadOnlyAdmin, decide_in_turn
from core.clock import rewards_today

from . import services
from .forms import GiftAdminForm
from .models import (
    CoinAccount,
    CoinEntry,
    CoinPack,
    CoinPurchase,
    CreatorSupport,
    DiamondRate,
    Gift,
    GiftSent,
    PurchaseState,
    SupportBlock,
    SupportRules,
    Tip,
)
from .selectors import CATALOG_VERSION_KEY, RATES_VERSION_KEY, RULES_CACHE_KEY


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


def _refund(pk: int, by: User, note: str) -> CoinPurchase:
    """The refund, then its audit entry: the gateway's call runs in a transaction of its own
    (it cannot sit inside the entry's), so the entry records the outcome once it is known."""
    purchase = CoinPurchase.objects.get(pk=pk)
    before = purchase.state
    purchase = services.refund_coin_purchase(purchase=purchase, reason=note)
    if purchase.state == before:  # refunded already: nothing changed, nothing to record
        return purchase
    with transaction.atomic():
        audit.record(
            actor=by,
            target=purchase,
            action="refunded",
            changes={"state": [before, purchase.state]},
            reason=note,
        )
    return purchase


REFUND = Decision(
    verb="refund",
    title="Refund coin purchases",
    explanation="Each fan gets their money back through the gateway. The pack's coins still in "
    "their balance are taken back; coins already spent are never taken below zero: the gifts "
    "they paid for are taken back from the creators while that money is still held, and the "
    "rest the platform absorbs. The fan reads the outcome, with your reason, in their coin "
    "history.",
    label="Reason (the fan reads it)",
    submit="Refund {count}",
    noun="coin purchase",
    past="refunded",
    decide=_refund,
    refused=services.GiftsError,
)


@admin.register(CoinPurchase)
class CoinPurchaseAdmin(AuditTrailAdmin, ReadOnlyAdmin):
    list_display = ["created_at", "fan", "pack", "coins", "price_minor", "currency", "state"]
    list_filter = ["state", "currency"]
    list_select_related = ["fan", "pack"]
    search_fields = ["fan__email", "request_key"]
    date_hierarchy = "created_at"
    readonly_fields = ["refund_note"]
    actions = ["refund"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Changed only through the refund action (the payments permission staff hold).
        return request.user.has_perm("gifts.change_coinpurchase")

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in CoinPurchase._meta.fields]

    @admin.action(description="Refund selected coin purchases…", permissions=["change"])
    def refund(self, request: HttpRequest, queryset: QuerySet[CoinPurchase]) -> HttpResponse | None:
        queryset = queryset.filter(state=PurchaseState.PAID).select_related("fan")
        return decide_in_turn(self, request, queryset, REFUND, self._describe)

    @staticmethod
    def _describe(purchase: CoinPurchase) -> str:
        return f"{purchase.fan}: {purchase.coins:,} coins for {purchase.price_display}"


@admin.register(SupportRules)
class SupportRulesAdmin(AuditedAdmin):
    """One row: who may receive tips and gifts, and a tip's bounds."""

    list_display = ["__str__", "min_age", "needs_good_standing", "min_followers", "updated_at"]
    fieldsets = [
        (
            "Who may receive tips and gifts",
            {"fields": ["min_age", "needs_good_standing", "min_followers"]},
        ),
        ("Tips", {"fields": ["tip_currency", "tip_min_minor", "tip_max_minor"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not SupportRules.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: SupportRules | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: SupportRules, form: object, change: bool
    ) -> None:
        obj.pk = 1
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        cache.delete(RULES_CACHE_KEY)


@admin.register(Gift)
class GiftAdmin(admin.ModelAdmin):
    form = GiftAdminForm
    list_display = ["picture", "name", "coins", "is_active", "position"]
    list_display_links = ["name"]
    list_editable = ["is_active", "position"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    @admin.display(description="")
    def picture(self, gift: Gift) -> str:
        return format_html('<img src="{}" alt="" width="32" height="32">', gift.image.url)

    # Support pages and gifts read the catalog from the cache: any change makes it read anew.
    def save_model(self, request: HttpRequest, obj: Gift, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        regions.bump(CATALOG_VERSION_KEY)

    def delete_model(self, request: HttpRequest, obj: Gift) -> None:
        super().delete_model(request, obj)
        regions.bump(CATALOG_VERSION_KEY)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Gift]) -> None:
        super().delete_queryset(request, queryset)
        regions.bump(CATALOG_VERSION_KEY)


@admin.register(DiamondRate)
class DiamondRateAdmin(AuditedAdmin):
    """A new rate is a new row from a day on; gifts keep the rate of their day, so a rate in
    force is never edited: add the next one."""

    list_display = [
        "effective_from",
        "currency",
        "diamonds_per_100_coins",
        "diamond_value_minor_per_100",
        "coin_value_minor_per_100",
    ]

    def save_model(
        self, request: HttpRequest, obj: DiamondRate, form: object, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        regions.bump(RATES_VERSION_KEY)

    def delete_model(self, request: HttpRequest, obj: DiamondRate) -> None:
        super().delete_model(request, obj)
        regions.bump(RATES_VERSION_KEY)

    def has_change_permission(self, request: HttpRequest, obj: DiamondRate | None = None) -> bool:
        if obj is not None and obj.effective_from <= rewards_today():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: DiamondRate | None = None) -> bool:
        return self.has_change_permission(request, obj)


@admin.register(CreatorSupport)
class CreatorSupportAdmin(ReadOnlyAdmin):
    list_display = ["creator", "accepts", "changed_at"]
    list_filter = ["accepts"]
    search_fields = ["creator__handle"]


@admin.register(SupportBlock)
class SupportBlockAdmin(ReadOnlyAdmin):
    list_display = ["creator", "fan", "created_at"]
    search_fields = ["creator__handle", "fan__email"]


@admin.register(GiftSent)
class GiftSentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "fan", "creator", "gift", "coins", "diamonds", "reversed_at"]
    list_select_related = ["fan", "creator", "gift"]
    list_filter = ["gift"]
    search_fields = ["fan__email", "creator__handle", "request_key"]
    date_hierarchy = "created_at"


@admin.register(Tip)
class TipAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "fan",
        "creator",
        "amount_minor",
        "currency",
        "fee_minor",
        "state",
    ]
    list_select_related = ["fan", "creator"]
    list_filter = ["state", "currency"]
    search_fields = ["fan__email", "creator__handle", "request_key"]
    date_hierarchy = "created_at"
