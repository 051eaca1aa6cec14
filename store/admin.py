"""The store in admin: the catalog, and the fulfilment queue where staff decide redemptions.
Every decision goes through store.services, as it does from the pages and the nightly task,
and every change is recorded in the audit trail with its reason (accounts.audit)."""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.audit import AuditedAdmin, AuditTrailAdmin, audited_decision
from core.admin import Decision, ReadOnlyAdmin, decide_in_turn
from core.plurals import plural

from . import selectors, services
from .models import Entitlement, Redemption, RedemptionEvent, StoreItem


def _switch(pk: int, *, active: bool) -> None:
    StoreItem.objects.filter(pk=pk).update(is_active=active)
    services.catalog_changed()


# Switching items on and off from the list, each with the reason the audit trail keeps (an
# editable column in the list would save without one).
SWITCH_OFF = audited_decision(
    Decision(
        verb="switch_off",
        title="Take items out of the store",
        explanation="These items leave the store at once. Redemptions already made are kept "
        "and decided as usual.",
        label="Reason (kept in the audit trail)",
        submit="Take {count} out",
        noun="item",
        past="taken out of the store",
        decide=lambda pk, by, note: _switch(pk, active=False),
        refused=services.StoreError,
    ),
    model=StoreItem,
)
SWITCH_ON = audited_decision(
    Decision(
        verb="switch_on",
        title="Put items back in the store",
        explanation="These items are offered again, within their dates, stock and limits.",
        label="Reason (kept in the audit trail)",
        submit="Put {count} back",
        noun="item",
        past="put back in the store",
        decide=lambda pk, by, note: _switch(pk, active=True),
        refused=services.StoreError,
    ),
    model=StoreItem,
)


@admin.register(StoreItem)
class StoreItemAdmin(AuditedAdmin):
    list_display = [
        "name",
        "kind",
        "price_points",
        "stock",
        "limit_per_creator",
        "cooldown_days",
        "min_tier",
        "is_active",
        "available_from",
        "available_until",
    ]
    list_filter = ["kind", "is_active", "min_tier"]
    actions = ["switch_off", "switch_on"]
    search_fields = ["name", "slug", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "summary", "description", "image"]}),
        (
            "Price and limits",
            {
                "fields": [
                    "price_points",
                    "stock",
                    "limit_per_creator",
                    "limit_period_days",
                    "cooldown_days",
                    "min_tier",
                ]
            },
        ),
        ("In the store", {"fields": ["is_active", "available_from", "available_until"]}),
        (
            "What the creator gets",
            {
                "description": "Fill in the part for the item's kind.",
                "fields": [
                    "entitlement_days",
                    ("slot_starts_on", "slot_ends_on"),
                    ("cash_amount_minor", "currency", "is_milestone_bonus"),
                ],
            },
        ),
    ]

    def save_model(
        self, request: HttpRequest, obj: StoreItem, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        services.catalog_changed()

    def delete_model(self, request: HttpRequest, obj: StoreItem) -> None:
        super().delete_model(request, obj)
        services.catalog_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        services.catalog_changed()

    @admin.action(description="Take selected items out of the store…", permissions=["change"])
    def switch_off(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return decide_in_turn(self, request, queryset, SWITCH_OFF, str)

    @admin.action(description="Put selected items back in the store…", permissions=["change"])
    def switch_on(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return decide_in_turn(self, request, queryset, SWITCH_ON, str)

    def has_delete_permission(self, request: HttpRequest, obj: StoreItem | None = None) -> bool:
        # Redeemed items are history; switch them off instead.
        return super().has_delete_permission(request, obj) and not (
            obj and obj.redemptions.exists()
        )


class RedemptionEventInline(admin.TabularInline):
    model = RedemptionEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "state", "note", "by_staff"]

    def has_add_permission(self, request: HttpRequest, obj: Redemption | None = None) -> bool:
        return False


class PendingForFilter(admin.SimpleListFilter):
    title = "waiting"
    parameter_name = "waiting"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("stale", "Longer than the automatic cancellation allows")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "stale":
            return queryset.filter(pk__in=selectors.stale_pending(timezone.now()).values("pk"))
        return queryset


# The creator reads each decision, with its note, among their staff changes: it moves their
# points (a refund) or their money (cash paid into their earnings).
FULFIL = audited_decision(
    Decision(
        verb="fulfil",
        title="Fulfil redemptions",
        explanation="These redemptions will be marked fulfilled (cash is paid into the creator's "
        "earnings) and each creator told, with your note. Any that are no longer pending are "
        "skipped.",
        label="Note to the creator",
        submit="Fulfil {count}",
        noun="redemption",
        past="fulfilled",
        decide=lambda pk, by, note: services.fulfil_redemption(redemption_id=pk, by=by, note=note),
        refused=services.StoreError,
    ),
    model=Redemption,
    shown_to_creator=True,
)
CANCEL = audited_decision(
    Decision(
        verb="cancel",
        title="Cancel and refund",
        explanation="These redemptions will be cancelled, their points refunded with a ledger "
        "entry, the stock put back, and each creator told why. Any that are no longer pending "
        "are skipped.",
        label="Reason",
        submit="Cancel and refund {count}",
        noun="redemption",
        past="cancelled and refunded",
        decide=lambda pk, by, note: services.cancel_redemption(
            redemption_id=pk, by=by, reason=note
        ),
        refused=services.StoreError,
    ),
    model=Redemption,
    shown_to_creator=True,
)


@admin.register(Redemption)
class RedemptionAdmin(AuditTrailAdmin):
    """The fulfilment queue: staff fulfil or cancel pending redemptions, one or many at a
    time, with a note the creator reads. Nothing here edits a redemption's fields."""

    list_display = [
        "pk",
        "created_at",
        "creator",
        "item",
        "kind",
        "points_paid",
        "state",
        "waiting",
    ]
    list_filter = ["state", "item__kind", PendingForFilter, "item"]
    list_select_related = ["creator", "item"]
    search_fields = ["creator__handle", "creator__user__email", "item__name"]
    date_hierarchy = "created_at"
    inlines = [RedemptionEventInline]
    actions = ["fulfil", "cancel"]
    readonly_fields = [
        "creator",
        "item",
        "state",
        "list_price",
        "discount_percent",
        "points_paid",
        "reason",
        "entry",
        "refund_entry",
        "created_at",
        "decided_at",
        "decided_by",
        "request_key",
    ]

    @admin.display(description="Kind", ordering="item__kind")
    def kind(self, redemption: Redemption) -> str:
        return redemption.item.get_kind_display()

    @admin.display(description="Waiting")
    def waiting(self, redemption: Redemption) -> str:
        if not redemption.is_pending:
            return "—"
        days = (timezone.now() - redemption.created_at).days
        return f"{days} day{'s' if days != 1 else ''}"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Redemption]:
        return super().get_queryset(request).select_related("item", "creator")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Redemption | None = None) -> bool:
        return False

    @staticmethod
    def _describe(r: Redemption) -> str:
        return (
            f"{r.item} for {r.creator} · {plural(r.points_paid, 'point')} · {r.get_state_display()}"
        )

    @admin.action(description="Fulfil selected redemptions…", permissions=["change"])
    def fulfil(self, request: HttpRequest, queryset: QuerySet[Redemption]) -> HttpResponse | None:
        queryset = queryset.select_related("item", "creator")
        return decide_in_turn(self, request, queryset, FULFIL, self._describe)

    @admin.action(description="Cancel and refund selected redemptions…", permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Redemption]) -> HttpResponse | None:
        queryset = queryset.select_related("item", "creator")
        return decide_in_turn(self, request, queryset, CANCEL, self._describe)


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyAdmin):
    list_display = ["creator", "item", "starts_at", "ends_at"]
    list_select_related = ["creator", "item"]
    search_fields = ["creator__handle", "item__name"]
    list_filter = ["item"]
