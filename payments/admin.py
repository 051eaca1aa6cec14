"""Payments in admin, read-only: money moves through payments.ledger and payments.services
only. Staff may settle a charge or refund left unsettled from what the gateway holds, and
decide payouts; each payout decision is recorded in the audit trail (accounts.audit)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from accounts.audit import AuditTrailAdmin, audited_decision
from core.admin import Decision, ReadOnlyAdmin, decide_in_turn
from core.plurals import plural

from . import payouts, services
from .models import (
    AttemptState,
    EarningsAccount,
    EarningsEntry,
    PaymentAttempt,
    PayoutEvent,
    PayoutMethod,
    PayoutRequest,
    SavedCard,
)

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


@admin.register(PayoutMethod)
class PayoutMethodAdmin(ReadOnlyAdmin):
    list_display = ["creator", "kind", "last4", "holder_name", "created_at", "replaced_at"]
    list_filter = ["kind"]
    list_select_related = ["creator"]
    search_fields = ["creator__handle", "creator__user__email", "holder_name", "last4"]


class PayoutEventInline(admin.TabularInline):
    model = PayoutEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "state", "note", "by_staff"]

    def has_add_permission(self, request: HttpRequest, obj: PayoutRequest | None = None) -> bool:
        return False


# The creator reads each decision, with its note, among their staff changes: it moves money.
APPROVE = audited_decision(
    Decision(
        verb="approve",
        title="Pay payouts",
        explanation="These payouts will be sent by the sandbox bank, marked paid, and each creator "
        "told, with your note. Any that are no longer requested are skipped.",
        label="Note to the creator (optional)",
        submit="Pay {count}",
        noun="payout",
        past="paid",
        decide=lambda pk, by, note: payouts.approve_payout(payout_id=pk, by=by, note=note),
        refused=payouts.PayoutError,
        note_required=False,
    ),
    model=PayoutRequest,
    shown_to_creator=True,
)
REJECT = audited_decision(
    Decision(
        verb="reject",
        title="Reject payouts",
        explanation="These payouts will be rejected, their money put back in each creator's "
        "available earnings (a reversal in the earnings ledger), and each creator told why. Any "
        "that are no longer requested are skipped.",
        label="Reason",
        submit="Reject and refund {count}",
        noun="payout",
        past="rejected and refunded",
        decide=lambda pk, by, note: payouts.reject_payout(payout_id=pk, by=by, reason=note),
        refused=payouts.PayoutError,
    ),
    model=PayoutRequest,
    shown_to_creator=True,
)


@admin.register(PayoutRequest)
class PayoutRequestAdmin(AuditTrailAdmin):
    """The payout queue: staff pay or reject requested payouts, one or many at a time,
    through payments.payouts; nothing here edits a request's fields."""

    list_display = ["pk", "created_at", "creator", "amount_shown", "method", "state"]
    list_filter = ["state", "currency", "final"]
    list_select_related = ["creator", "method"]
    search_fields = ["creator__handle", "creator__user__email", "transfer_reference"]
    date_hierarchy = "created_at"
    inlines = [PayoutEventInline]
    actions = ["approve", "reject"]
    readonly_fields = [
        "creator",
        "method",
        "amount",
        "currency",
        "state",
        "requested_on",
        "request_key",
        "entry",
        "refund_entry",
        "transfer_reference",
        "reason",
        "created_at",
        "decided_at",
        "decided_by",
    ]

    @admin.display(description="Amount", ordering="amount")
    def amount_shown(self, payout: PayoutRequest) -> str:
        return payout.amount_display

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PayoutRequest | None = None) -> bool:
        return False

    @staticmethod
    def _describe(p: PayoutRequest) -> str:
        return f"{p.amount_display} for {p.creator} to {p.method} · {p.get_state_display()}"

    @admin.action(description="Approve and pay selected payouts…", permissions=["change"])
    def approve(
        self, request: HttpRequest, queryset: QuerySet[PayoutRequest]
    ) -> HttpResponse | None:
        queryset = queryset.select_related("creator", "method")
        return decide_in_turn(self, request, queryset, APPROVE, self._describe)

    @admin.action(description="Reject and refund selected payouts…", permissions=["change"])
    def reject(
        self, request: HttpRequest, queryset: QuerySet[PayoutRequest]
    ) -> HttpResponse | None:
        queryset = queryset.select_related("creator", "method")
        return decide_in_turn(self, request, queryset, REJECT, self._describe)
