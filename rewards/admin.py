from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.clock import rewards_today

from . import recalculation, store, tasks, tiers
from .forms import DecisionForm
from .models import (
    CourseCompletion,
    CreatorTier,
    EarningRule,
    Entitlement,
    PointsAccount,
    PointsEntry,
    RecalcLimits,
    RecalcLine,
    RecalcRun,
    RecalcState,
    Redemption,
    RedemptionEvent,
    StoreItem,
    Tier,
)


class EarningRuleForm(forms.ModelForm):
    class Meta:
        model = EarningRule
        fields = [
            "metric",
            "valid_from",
            "is_active",
            "unit_size",
            "points_per_unit",
            "daily_cap",
            "taper_above",
            "taper_percent",
        ]

    def clean_valid_from(self) -> object:
        valid_from = self.cleaned_data["valid_from"]
        if valid_from <= rewards_today():
            raise forms.ValidationError(
                "A new version must start after today: days already earned keep their rules."
            )
        return valid_from


@admin.register(EarningRule)
class EarningRuleAdmin(admin.ModelAdmin):
    form = EarningRuleForm
    list_display = EarningRuleForm.Meta.fields
    list_filter = ["metric", "is_active"]
    search_fields = ["metric"]
    ordering = ["metric", "-valid_from"]

    def has_change_permission(self, request: HttpRequest, obj: EarningRule | None = None) -> bool:
        # Versions in force have paid points; they are history. Add a new version instead.
        return super().has_change_permission(request, obj) and not (obj and obj.is_history)

    def has_delete_permission(self, request: HttpRequest, obj: EarningRule | None = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.is_history)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "account", "amount", "kind", "metric", "activity_date", "memo"]
    list_filter = ["kind", "metric", "activity_date"]
    search_fields = ["account__creator__handle", "idempotency_key", "memo"]
    list_select_related = ["account__creator"]
    date_hierarchy = "created_at"


@admin.register(PointsAccount)
class PointsAccountAdmin(ReadOnlyAdmin):
    list_display = ["creator", "balance", "updated_at"]
    search_fields = ["creator__handle", "creator__user__email"]
    list_select_related = ["creator"]
    ordering = ["-balance"]


@admin.register(CourseCompletion)
class CourseCompletionAdmin(ReadOnlyAdmin):
    list_display = ["creator", "title", "completed_on"]
    search_fields = ["creator__handle", "title", "course_key"]
    list_select_related = ["creator"]


@admin.register(RecalcRun)
class RecalcRunAdmin(ReadOnlyAdmin):
    list_display = [
        "day",
        "state",
        "shards_planned",
        "shards_posted",
        "shard_count",
        "entries_posted",
        "points_delta",
        "day_total_due",
        "previous_day_total",
        "held_reason",
        "differences",
        "started_at",
        "finished_at",
    ]
    list_filter = ["state", "day"]
    date_hierarchy = "day"
    actions = ["approve"]

    @admin.display(description="Differences")
    def differences(self, run: RecalcRun) -> str:
        url = reverse("admin:rewards_recalcline_changelist") + f"?run__id__exact={run.pk}"
        return format_html('<a href="{}">What it found</a>', url)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return obj is None and request.user.is_staff  # lists and actions, never edits

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("rewards.approve_recalcrun")

    @admin.action(
        description="Approve held runs: recalculate and post despite the limits",
        permissions=["approve"],
    )
    def approve(self, request: HttpRequest, queryset: QuerySet[RecalcRun]) -> None:
        approved = 0
        for run in queryset.filter(state=RecalcState.HELD):
            try:
                with transaction.atomic():
                    fresh = recalculation.approve_held_run(run=run, approver=request.user)
                    tasks.queue_planning(fresh)
            except recalculation.RecalcError as exc:
                self.message_user(request, f"{run.day}: {exc}", messages.ERROR)
                continue
            approved += 1
        self.message_user(request, f"{approved} held run(s) approved and queued.", messages.SUCCESS)


@admin.register(RecalcLine)
class RecalcLineAdmin(ReadOnlyAdmin):
    """What a run found, line by line: held runs are judged from here before approval."""

    list_display = ["run", "creator", "metric", "measured", "posted", "due", "delta", "deferred"]
    list_filter = ["run", "metric", "deferred"]
    search_fields = ["creator__handle"]
    list_select_related = ["run", "creator"]
    ordering = ["-delta"]


@admin.register(RecalcLimits)
class RecalcLimitsAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "max_creator_change",
        "max_total_change_percent",
        "min_total_for_percent",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not RecalcLimits.objects.exists()  # one set of limits


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["name", "min_points_90d", "store_discount_percent", "perks"]
    ordering = ["min_points_90d"]


class CreatorTierForm(forms.ModelForm):
    class Meta:
        model = CreatorTier
        fields = ["floor_tier", "floor_until", "floor_reason"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("floor_tier") and not data.get("floor_until"):
            self.add_error("floor_until", "A manual tier needs an end date.")
        if data.get("floor_until") and data["floor_until"] < rewards_today():
            self.add_error("floor_until", "The end date is in the past.")
        if data.get("floor_tier") and not data.get("floor_reason"):
            self.add_error("floor_reason", "Say why, for the record and for the creator.")
        if not data.get("floor_tier"):
            data["floor_until"], data["floor_reason"] = None, ""
        return data


@admin.register(CreatorTier)
class CreatorTierAdmin(admin.ModelAdmin):
    """Tiers are computed nightly; staff set only a floor (a manual tier with an end date),
    and the creator's tier is recomputed at once when they do."""

    form = CreatorTierForm
    list_display = [
        "creator",
        "tier",
        "earned_90d",
        "changed_on",
        "computed_on",
        "floor_tier",
        "floor_until",
    ]
    list_filter = ["tier", "floor_tier"]
    search_fields = ["creator__handle", "creator__user__email"]
    list_select_related = ["creator", "tier", "floor_tier"]
    readonly_fields = ["creator", "tier", "earned_90d", "computed_on", "changed_on"]
    fields = [*readonly_fields, "floor_tier", "floor_until", "floor_reason"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the nightly job makes a row for every creator

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: CreatorTier, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        tiers.recompute(rewards_today() - timedelta(days=1), creator=obj.creator)


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
                    ("cash_amount_minor", "currency"),
                ],
            },
        ),
    ]

    def save_model(self, request: HttpRequest, obj: StoreItem, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        store.catalog_changed()

    def delete_model(self, request: HttpRequest, obj: StoreItem) -> None:
        super().delete_model(request, obj)
        store.catalog_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        store.catalog_changed()

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

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PendingForFilter(admin.SimpleListFilter):
    title = "waiting"
    parameter_name = "waiting"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("stale", "Longer than the automatic cancellation allows")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "stale":
            return queryset.filter(pk__in=store.stale_pending(timezone.now()).values("pk"))
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

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def _decide(self, request: HttpRequest, queryset: QuerySet, verb: str) -> object:
        """Ask for the reason first (an intermediate page), then decide each redemption in
        its own transaction through the store's services."""
        form = DecisionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, refused = 0, []
            for pk in queryset.values_list("pk", flat=True):
                try:
                    if verb == "fulfil":
                        store.fulfil_redemption(
                            redemption_id=pk, by=request.user, note=form.cleaned_data["reason"]
                        )
                    else:
                        store.cancel_redemption(
                            redemption_id=pk, by=request.user, reason=form.cleaned_data["reason"]
                        )
                except store.StoreError as exc:
                    refused.append(str(exc))
                    continue
                done += 1
            past = "fulfilled" if verb == "fulfil" else "cancelled and refunded"
            self.message_user(request, f"{done} redemption(s) {past}.", messages.SUCCESS)
            for message in refused:
                self.message_user(request, message, messages.WARNING)
            return None
        return TemplateResponse(
            request,
            "admin/rewards/redemption/decide.html",
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
    def fulfil(self, request: HttpRequest, queryset: QuerySet[Redemption]) -> object:
        return self._decide(request, queryset, "fulfil")

    @admin.action(description="Cancel and refund selected redemptions…", permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Redemption]) -> object:
        return self._decide(request, queryset, "cancel")


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyAdmin):
    list_display = ["creator", "item", "starts_at", "ends_at"]
    list_select_related = ["creator", "item"]
    search_fields = ["creator__handle", "item__name"]
    list_filter = ["item"]
