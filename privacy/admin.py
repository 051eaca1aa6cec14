"""Privacy in admin, read-only: exports, closed accounts and the records kept after closing
are written only by privacy's services (exports, closing) and its nightly tasks."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import ClosedAccount, DataExport, RetainedRecord


@admin.register(ClosedAccount)
class ClosedAccountAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "closed_at", "closed_by"]
    list_filter = ["role", "closed_at"]
    list_select_related = ["user", "closed_by"]
    search_fields = ["=user__id"]
    date_hierarchy = "closed_at"
    readonly_fields = ["user", "role", "closed_at", "closed_by", "outcome"]


@admin.register(RetainedRecord)
class RetainedRecordAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "erase_after", "erased_at", "reason"]
    list_filter = ["kind", "erase_after", ("erased_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["=user__id"]
    readonly_fields = ["user", "kind", "description", "reason", "erase_after", "erased_at"]


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdmin):
    list_display = ["pk", "user", "state", "requested_at", "finished_at", "expires_at"]
    list_filter = ["state"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    date_hierarchy = "requested_at"
    exclude = ["archive"]
