"""The store in admin: the catalog, and the fulfilment queue where staff decide redemptions.
Every decision goes through store.services, as it does from the pages and the nightly task."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from core.admin import ReadOnlyAdmin
from core.plurals import plural

from . import selectors, services
from .forms import DecisionForm
from .models import Entitlement, Redemption, RedemptionEvent, StoreItem


@admin.register(StoreItem)
class StoreItemAdmin(admin.ModelAdmin):
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
    list_editable = ["is_active"]
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


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin):
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

    def _decide(self, request: HttpRequest, queryset: QuerySet, verb: str) -> HttpResponse | None:
        """Ask for the reason first (an intermediate page), then decide each redemption in
        its own transaction through the store's services."""
        form = DecisionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, refused = 0, []
            for pk in queryset.values_list("pk", flat=True):
                try:
                    if verb == "fulfil":
                        services.fulfil_redemption(
                            redemption_id=pk, by=request.user, note=form.cleaned_data["reason"]
                        )
                    else:
                        services.cancel_redemption(
                            redemption_id=pk, by=request.user, reason=form.cleaned_data["reason"]
                        )
                except services.StoreError as exc:
                    refused.append(str(exc))
                    continue
                done += 1
            past = "fulfilled" if verb == "fulfil" else "cancelled and refunded"
            self.message_user(request, f"{plural(done, 'redemption')} {past}.", messages.SUCCESS)
            for message in refused:
                self.message_user(request, message, messages.WARNING)
            return None
        return TemplateResponse(
            request,
            "admin/store/redemption/decide.html",
            {
                **self.admin_site.each_context(request),
                "title": "Fulfil redemptions" if verb == "fulfil" else "Cancel and refund",
                "verb": verb,
                "form": form,
                "redemptions": queryset.select_related("item", "creator"),
                "opts": self.model._meta,
                "action": verb,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Fulfil selected redemptions…", permissions=["change"])
    def fulfil(self, request: HttpRequest, queryset: QuerySet[Redemption]) -> HttpResponse | None:
        return self._decide(request, queryset, "fulfil")

    @admin.action(description="Cancel and refund selected redemptions…", permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Redemption]) -> HttpResponse | None:
        return self._decide(request, queryset, "cancel")


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyAdmin):
    list_display = ["creator", "item", "starts_at", "ends_at"]
    list_select_related = ["creator", "item"]
    search_fields = ["creator__handle", "item__name"]
    list_filter = ["item"]
