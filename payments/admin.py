"""Payments in admin, read-only: money moves through payments.ledger and payments.services
only. Staff may settle a charge or refund left unsettled from what the gateway holds."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import ReadOnlyAdmin
from core.plurals import plural

from . import services
from .models import AttemptState, EarningsAccount, EarningsEntry, PaymentAttempt, SavedCard

UNSETTLED = [AttemptState.STARTED, AttemptState.UNKNOWN]


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


@admin.register(PaymentAttempt)
class PaymentAttemptAdmin(ReadOnlyAdmin):
    """Every charge and refund the portal asked a gateway for, with what came of it. An
    attempt left started or unknown (a crash, a timeout) is settled from what the gateway
    holds, never by calling it again."""

    list_display = ["created_at", "kind", "amount", "currency", "state", "gateway", "customer"]
    list_filter = ["state", "kind", "gateway"]
    list_select_related = ["customer__user"]
    search_fields = ["idempotency_key", "reference", "customer__user__email"]
    date_hierarchy = "created_at"
    actions = ["reconcile"]

    @admin.action(description="Settle from what the payment service holds")
    def reconcile(self, request: HttpRequest, queryset: QuerySet[PaymentAttempt]) -> None:
        settled, failed = 0, []
        for attempt in queryset.filter(state__in=UNSETTLED):
            try:
                services.reconcile_attempt(attempt=attempt)
                settled += 1
            except services.PaymentError as error:
                failed.append(f"{attempt.idempotency_key}: {error}")
        if settled:
            self.message_user(request, f"Settled {plural(settled, 'attempt')}.")
        for problem in failed:
            self.message_user(request, problem, level=messages.WARNING)
        if not settled and not failed:
            self.message_user(request, "None of those was left unsettled.", level=messages.INFO)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SavedCard)
class SavedCardAdmin(ReadOnlyAdmin):
    list_display = ["customer", "brand", "last4", "exp_month", "exp_year"]
    list_select_related = ["customer__user"]
    search_fields = ["customer__user__email", "last4"]
