"""Admin building blocks every app may use."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from .models import TaskFailure
from .plurals import plural


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only their services write (ledgers, runs, unlocks): staff read them
    in admin and change them through the use-cases that own them, never by editing a row."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class DecisionForm(forms.Form):
    """Staff's note or reason for a decision on many rows at once; the creator reads it."""

    reason = forms.CharField(
        max_length=250,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The creator reads this.",
    )


@dataclass(frozen=True)
class Decision:
    """One admin action that decides rows through a service, after an intermediate page
    asking for the note or reason (store fulfilment, payouts)."""

    verb: str  # the action's name
    title: str  # the page's title
    explanation: str  # what will happen to each row, in words
    label: str  # the note's label
    submit: str  # the button, with "{count}" for the number of rows
    noun: str  # what a row is ("redemption")
    past: str  # what became of the rows decided ("fulfilled")
    decide: Callable[[int, Any, str], object]  # (row id, staff user, note): the service call
    refused: type[Exception]  # the service's error, shown as a warning for that row
    note_required: bool = True


def decide_in_turn(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    decision: Decision,
    describe: Callable[[Model], str],
) -> HttpResponse | None:
    """Ask for the note first (an intermediate page listing the rows, `describe`d), then
    decide each row in its own transaction through its service; a row the service refuses
    is reported and skipped."""
    form = DecisionForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        note = form.cleaned_data["reason"].strip()
        if decision.note_required and not note:
            form.add_error("reason", "Say why: the creator reads it.")
        else:
            decided, refused = 0, []
            for pk in queryset.values_list("pk", flat=True):
                try:
                    decision.decide(pk, request.user, note)
                except decision.refused as error:
                    refused.append(str(error))
                    continue
                decided += 1
            model_admin.message_user(
                request, f"{plural(decided, decision.noun)} {decision.past}.", messages.SUCCESS
            )
            for message in refused:
                model_admin.message_user(request, message, messages.WARNING)
            return None
    rows = list(queryset)
    return TemplateResponse(
        request,
        "admin/decide.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": decision.title,
            "decision": decision,
            "submit": decision.submit.format(count=len(rows)),
            "form": form,
            "rows": [(row.pk, describe(row)) for row in rows],
            "opts": model_admin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


@admin.register(TaskFailure)
class TaskFailureAdmin(ReadOnlyAdmin):
    """Tasks that failed for good, as core.task_failures recorded them (the operations report
    lists the latest). Read only; staff may delete what they have dealt with."""

    list_display = ["failed_at", "task_name", "task_id", "args_summary", "exception_line"]
    list_filter = ["task_name"]
    search_fields = ["task_name", "task_id", "exception"]
    date_hierarchy = "failed_at"

    @admin.display(description="Exception")
    def exception_line(self, failure: TaskFailure) -> str:
        first = failure.exception.splitlines()[0] if failure.exception else ""
        return first[:120]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)
