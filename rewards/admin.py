from datetime import date, timedelta

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html

from accounts.audit import AuditedAdmin, audited_decision
from core.admin import Decision, ReadOnlyAdmin, decide_in_turn
from core.clock import rewards_today

from . import recalculation, services, tiers
from .models import (
    CountryRate,
    CourseCompletion,
    CreatorTier,
    EarningRule,
    MultiplierBand,
    PointsAccount,
    PointsEntry,
    ProgramLine,
    ProgramMember,
    ProgramRates,
    ProgramRun,
    ProgramStatement,
    RecalcLimits,
    RecalcLine,
    RecalcRun,
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

    def clean_valid_from(self) -> date:
        valid_from = self.cleaned_data["valid_from"]
        if valid_from <= rewards_today():
            raise forms.ValidationError(
                "A new version must start after today: days already earned keep their rules."
            )
        return valid_from


@admin.register(EarningRule)
class EarningRuleAdmin(AuditedAdmin):
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


class ProgramRatesForm(forms.ModelForm):
    class Meta:
        model = ProgramRates
        fields = ["valid_from", "currency", "default_rate_minor"]

    def clean_valid_from(self) -> date:
        valid_from = self.cleaned_data["valid_from"]
        if valid_from.day != 1:
            raise forms.ValidationError("Rates start on the first day of a month.")
        if valid_from <= rewards_today():
            raise forms.ValidationError(
                "A new version must start after today: months already paid keep their rates."
            )
        return valid_from

    def clean_currency(self) -> str:
        code = self.cleaned_data["currency"].strip().upper()
        if len(code) != 3 or not code.isascii() or not code.isalpha():
            raise forms.ValidationError("A three-letter currency code, e.g. USD.")
        return code


class _VersionPartAdmin(admin.TabularInline):
    """Rows of a rates version: editable only while the version is not yet in force."""

    extra = 0

    def _editable(self, obj: ProgramRates | None) -> bool:
        return not (obj and obj.is_history)

    def has_add_permission(self, request: HttpRequest, obj: ProgramRates | None = None) -> bool:
        return super().has_add_permission(request, obj) and self._editable(obj)

    def has_change_permission(self, request: HttpRequest, obj: ProgramRates | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request: HttpRequest, obj: ProgramRates | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._editable(obj)


class CountryRateInline(_VersionPartAdmin):
    model = CountryRate


class MultiplierBandInline(_VersionPartAdmin):
    model = MultiplierBand


@admin.register(ProgramRates)
class ProgramRatesAdmin(AuditedAdmin):
    """Creator Rewards Program rates in dated versions, like the earning rules. A version's
    audit entry holds its country rates' and bands' changes too."""

    form = ProgramRatesForm
    list_display = ["valid_from", "currency", "default_rate_minor", "created_at"]
    ordering = ["-valid_from"]
    inlines = [CountryRateInline, MultiplierBandInline]

    def has_change_permission(self, request: HttpRequest, obj: ProgramRates | None = None) -> bool:
        # A version in force may have paid a month: history. Add a new version instead.
        return super().has_change_permission(request, obj) and not (obj and obj.is_history)

    def has_delete_permission(self, request: HttpRequest, obj: ProgramRates | None = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.is_history)


class ProgramLineInline(admin.TabularInline):
    model = ProgramLine
    extra = 0
    can_delete = False
    fields = [
        "video",
        "activity_month",
        "kind",
        "views",
        "qualified_views",
        "base_rate_minor",
        "engagement_factor",
        "watch_factor",
        "due_minor",
        "amount_minor",
        "reason",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: ProgramStatement | None = None) -> bool:
        return False


@admin.register(ProgramStatement)
class ProgramStatementAdmin(ReadOnlyAdmin):
    list_display = ["creator", "month", "currency", "total_minor", "credited_minor", "closed_at"]
    list_filter = ["month"]
    search_fields = ["creator__handle"]
    list_select_related = ["creator"]
    inlines = [ProgramLineInline]


@admin.register(ProgramRun)
class ProgramRunAdmin(ReadOnlyAdmin):
    list_display = ["month", "started_at", "finished_at", "statements", "corrections"]


@admin.register(ProgramMember)
class ProgramMemberAdmin(ReadOnlyAdmin):
    list_display = ["creator", "joined_on"]
    search_fields = ["creator__handle"]
    list_select_related = ["creator"]


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

    def has_change_permission(self, request: HttpRequest, obj: RecalcRun | None = None) -> bool:
        return obj is None and request.user.is_staff  # lists and actions, never edits

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("rewards.approve_recalcrun")

    @admin.action(
        description="Approve held runs: recalculate and post despite the limits…",
        permissions=["approve"],
    )
    def approve(self, request: HttpRequest, queryset: QuerySet[RecalcRun]) -> HttpResponse | None:
        return decide_in_turn(
            self, request, queryset, APPROVE_HELD, lambda run: f"{run.day}: {run.held_reason}"
        )


# Approving overrides the limits staff set, so it is recorded with the reason, per run.
APPROVE_HELD = audited_decision(
    Decision(
        verb="approve",
        title="Approve held runs",
        explanation="A fresh run of each day replaces the held one and posts its points, moving "
        "them as far as the held run showed and no further. Runs no longer held are skipped.",
        label="Reason (kept in the audit trail)",
        submit="Approve {count}",
        noun="held run",
        past="approved",
        decide=lambda pk, by, note: services.approve_held_run(run_id=pk, by=by),
        refused=recalculation.RecalcError,
    ),
    model=RecalcRun,
)


@admin.register(RecalcLine)
class RecalcLineAdmin(ReadOnlyAdmin):
    """What a run found, line by line: held runs are judged from here before approval."""

    list_display = ["run", "creator", "metric", "measured", "posted", "due", "delta", "deferred"]
    list_filter = ["run", "metric", "deferred"]
    search_fields = ["creator__handle"]
    list_select_related = ["run", "creator"]
    ordering = ["-delta"]


@admin.register(RecalcLimits)
class RecalcLimitsAdmin(AuditedAdmin):
    list_display = [
        "__str__",
        "max_creator_change",
        "max_total_change_percent",
        "min_total_for_percent",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not RecalcLimits.objects.exists()  # one set of limits


@admin.register(Tier)
class TierAdmin(AuditedAdmin):
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
class CreatorTierAdmin(AuditedAdmin):
    """Tiers are computed nightly; staff set only a floor (a manual tier with an end date),
    and the creator's tier is recomputed at once when they do. A tier sets the creator's
    store discount, so they read the change and its reason among their staff changes."""

    audit_shown_to_creator = True

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

    def has_delete_permission(self, request: HttpRequest, obj: CreatorTier | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: CreatorTier, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        tiers.recompute(rewards_today() - timedelta(days=1), creator=obj.creator)
