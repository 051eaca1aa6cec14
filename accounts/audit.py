"""The audit trail: every staff change to what governs points, money and standing, recorded
with who, when, each field before and after, and the reason given (issue 19).

- `record` writes one entry, in the transaction of the change it describes, so a change
  that rolls back leaves no entry and no change goes unrecorded.
- `AuditedAdmin` records what its change forms add, change and delete (inline rows
  included), and refuses to save or delete without a reason. Its history page lists the
  object's entries (`AuditTrailAdmin`, for admins whose rows change only through actions).
- `audited_decision` wraps an admin action's `core.admin.Decision`, so each row the action
  decides through its service is recorded with the note staff gave on the intermediate page.

Entries are never changed or removed (see AuditEntry). Reading them takes the
"accounts.view_audit_trail" permission (`can_read_audit_trail`).
"""

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.fields.files import FieldFile
from django.forms.models import BaseModelFormSet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse

from core.admin import Decision

from .models import AuditEntry, CreatorProfile, User

AUDIT_PERMISSION = "accounts.view_audit_trail"
# The change form's field, and the delete pages' (a name no model field of the portal uses).
REASON = "audit_reason"
REASON_MAX = 500
REASON_MISSING = "Say why: the reason is kept in the audit trail with the change."
# What an entry shows for a field whose values staff may not read back.
HIDDEN = "(hidden)"
ALWAYS_HIDDEN = frozenset({"password"})
# What the entry's JSON keeps as it is (DjangoJSONEncoder writes dates and decimals as text).
PLAIN_TYPES = (str, int, float, bool, list, dict, date, time, timedelta, Decimal, UUID)


def can_read_audit_trail(user: User) -> bool:
    """Staff granted the permission, directly or through a group; superusers have it."""
    return bool(user.is_active and user.is_staff and user.has_perm(AUDIT_PERMISSION))


def record(
    *,
    actor: User | None,
    target: Model,
    action: str,
    changes: Mapping[str, list],
    reason: str = "",
    creator_id: int | None = None,
    shown_to_creator: bool = False,
) -> AuditEntry:
    """Write one entry about `target`. Call it inside the transaction of the change: the entry
    and the change commit or roll back together."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Record an audit entry inside the transaction of its change.")
    entry = _entry(actor, target, action, changes, reason, creator_id, shown_to_creator)
    entry.save(force_insert=True)
    return entry


def record_many(
    *,
    actor: User | None,
    targets: Iterable[Model],
    action: str,
    changes_of: Callable[[Model], Mapping[str, list]],
    reason: str = "",
    shown_to_creator: bool = False,
) -> list[AuditEntry]:
    """One entry per target of one staff decision (a bulk review), written in one INSERT;
    each target's creator is `creator_id_of(target)`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Record audit entries inside the transaction of their change.")
    return AuditEntry.objects.bulk_create(
        _entry(
            actor,
            target,
            action,
            changes_of(target),
            reason,
            creator_id_of(target),
            shown_to_creator,
        )
        for target in targets
    )


def _entry(
    actor: User | None,
    target: Model,
    action: str,
    changes: Mapping[str, list],
    reason: str,
    creator_id: int | None,
    shown_to_creator: bool,
) -> AuditEntry:
    opts = target._meta
    return AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        app_label=opts.app_label,
        model=opts.model_name,
        object_id=str(target.pk),
        object_repr=str(target)[:200],
        action=action[:60],
        changes=dict(changes),
        reason=reason.strip(),
        creator_id=creator_id,
        shown_to_creator=shown_to_creator and creator_id is not None,
    )


def creator_id_of(obj: Model) -> int | None:
    """The creator a row belongs to, where it has one: the profile itself, a row with a
    `creator`, or a creator's user account."""
    if isinstance(obj, CreatorProfile):
        return obj.pk
    if isinstance(obj, User):
        return CreatorProfile.objects.filter(user=obj).values_list("pk", flat=True).first()
    return getattr(obj, "creator_id", None)


# Snapshots: each field's value as the entry keeps it --------------------------------------


def _plain(obj: Model, field: Any) -> object:
    if field.is_relation:
        # The related row as people know it ("@mia", "Gold"): loaded by `fetch` in the
        # same query, so before and after read alike.
        if field.is_cached(obj):
            related = field.get_cached_value(obj)
            return None if related is None else str(related)
        return getattr(obj, field.attname)
    value = field.value_from_object(obj)
    if isinstance(value, FieldFile):
        return value.name or None
    if value is None or isinstance(value, PLAIN_TYPES):
        return value
    return str(value)  # a country, a money type: its text is what people read


def snapshot(obj: Model, *, m2m: Iterable[str] = ()) -> dict[str, object]:
    """Every concrete field but the primary key, and the many-to-many fields named. Hidden
    fields keep their values here, to compare; `diff`, `added` and `deleted` mask them."""
    values = {
        field.name: _plain(obj, field)
        for field in obj._meta.concrete_fields
        if not field.primary_key
    }
    for name in m2m:
        values[name] = sorted(str(related) for related in getattr(obj, name).all())
    return values


def _forward_relations(model: type[Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.is_relation]


def fetch(
    model: type[Model],
    pks: Iterable[object],
    *,
    m2m: Iterable[str] = (),
    lock: bool = False,
) -> dict[object, dict[str, object]]:
    """Snapshots of the rows as the database holds them, by primary key: one query (and one
    per many-to-many field and row). `lock` takes the rows' locks first, as their service will."""
    rows = model._base_manager.select_related(*_forward_relations(model)).filter(pk__in=list(pks))
    if lock:
        rows = rows.select_for_update(of=("self",))
    return {row.pk: snapshot(row, m2m=m2m) for row in rows}


def diff(
    before: Mapping[str, object],
    after: Mapping[str, object],
    *,
    hidden: frozenset[str] = ALWAYS_HIDDEN,
) -> dict[str, list]:
    """{field: [before, after]} for each field whose value differs; a hidden field that
    changed says so without its values."""
    return {
        name: [HIDDEN, HIDDEN] if name in hidden else [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def _filled(
    values: Mapping[str, object], hidden: frozenset[str] = ALWAYS_HIDDEN
) -> dict[str, object]:
    return {
        name: HIDDEN if name in hidden else value
        for name, value in values.items()
        if value not in (None, "", [])
    }


def added(
    values: Mapping[str, object], *, hidden: frozenset[str] = ALWAYS_HIDDEN
) -> dict[str, list]:
    return {name: [None, value] for name, value in _filled(values, hidden).items()}


def deleted(
    values: Mapping[str, object], *, hidden: frozenset[str] = ALWAYS_HIDDEN
) -> dict[str, list]:
    return {name: [value, None] for name, value in _filled(values, hidden).items()}


# Admin ---------------------------------------------------------------------------------------


class AuditTrailAdmin(admin.ModelAdmin):
    """An admin whose object history page lists the object's audit entries (to staff who may
    read the trail) above Django's own log."""

    object_history_template = "admin/audited_object_history.html"

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        context: dict[str, object] = {"audit_readable": can_read_audit_trail(request.user)}
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and context["audit_readable"]:
            entries = AuditEntry.objects.for_object(obj).select_related("actor")[:200]
            context["audit_entries"] = list(entries)
        return super().history_view(request, object_id, {**context, **(extra_context or {})})

    # Admin lets only active staff in (portal.admin.PortalAdminSite.has_permission); the URL
    # walk (portal/tests/test_access.py) reads this off the view, which lives in this app.
    history_view.access_rule = "staff"  # type: ignore[attr-defined]


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason for this change",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the audit trail with who changed what, before and after.",
        error_messages={"required": REASON_MISSING},
    )


def _posted_reason(request: HttpRequest) -> str:
    return request.POST.get(REASON, "").strip()[:REASON_MAX]


class _Pending:
    """What a change form's save has seen so far: its row before, and its inline rows'
    changes, until save_related records them as one entry."""

    def __init__(self, before: dict[str, object]) -> None:
        self.before = before
        self.inline_changes: dict[str, list] = {}


class AuditedAdmin(AuditTrailAdmin):
    """Records every add, change and delete made through this admin, with the reason staff
    must give. Subclasses say whose row it is (`audit_creator_id`) and whether the creator
    reads the entry (`audit_shown_to_creator`: changes to their points or money)."""

    audit_shown_to_creator = False
    audit_hidden_fields: frozenset[str] = ALWAYS_HIDDEN
    delete_confirmation_template = "admin/audited_delete_confirmation.html"
    delete_selected_confirmation_template = "admin/audited_delete_selected_confirmation.html"

    def audit_creator_id(self, obj: Model) -> int | None:
        return creator_id_of(obj)

    # The reason on the change form --------------------------------------------------------

    def _may_edit(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return self.has_change_permission(request, obj)

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [f for f in super().get_fields(request, obj) if f != REASON]

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> list:
        fieldsets = list(super().get_fieldsets(request, obj))
        if self._may_edit(request, obj):
            fieldsets.append(("Reason for this change", {"fields": [REASON]}))
        return fieldsets

    def get_form(
        self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        # The reason is no model field: the model form is built without it, then given it.
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        if kwargs["fields"] is not None:
            kwargs["fields"] = [f for f in kwargs["fields"] if f != REASON]
        form = super().get_form(request, obj, change=change, **kwargs)
        if not self._may_edit(request, obj):
            return form
        return type(form.__name__, (form,), {REASON: _reason_field()})

    def construct_change_message(
        self, request: HttpRequest, form: forms.ModelForm, formsets: list, add: bool = False
    ) -> list:
        # Admin's own log names the fields changed; the reason is no field of the row.
        if REASON in form.changed_data:
            form.changed_data.remove(REASON)
        return super().construct_change_message(request, form, formsets, add)

    # Recording what the change form saved -------------------------------------------------

    def _m2m_in(self, form: forms.ModelForm) -> list[str]:
        return [f.name for f in self.model._meta.many_to_many if f.name in form.fields]

    def save_model(
        self, request: HttpRequest, obj: Model, form: forms.ModelForm, change: bool
    ) -> None:
        before = {}
        if change:
            before = fetch(type(obj), [obj.pk], m2m=self._m2m_in(form)).get(obj.pk, {})
        request._audit_pending = _Pending(before)  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: BaseModelFormSet, change: bool
    ) -> None:
        model = formset.model
        touched = [
            f.instance.pk
            for f in formset.initial_forms
            if f.instance.pk is not None and (f.has_changed() or formset._should_delete_form(f))
        ]
        before = fetch(model, touched)
        super().save_formset(request, form, formset, change)
        pending = getattr(request, "_audit_pending", None)
        if pending is None:
            return
        fk = getattr(formset, "fk", None)
        skip = {fk.name} if fk is not None else set()
        label = str(model._meta.verbose_name)
        hidden = self.audit_hidden_fields
        after = fetch(model, [obj.pk for obj in formset.new_objects] + touched)
        for obj in formset.new_objects:
            values = {k: v for k, v in after.get(obj.pk, {}).items() if k not in skip}
            pending.inline_changes[f"{label} “{obj}”"] = [None, _filled(values, hidden)]
        for obj in formset.deleted_objects:
            values = {k: v for k, v in before.get(obj.pk, {}).items() if k not in skip}
            pending.inline_changes[f"{label} “{obj}”"] = [_filled(values, hidden), None]
        for obj, _changed in formset.changed_objects:
            changed = diff(before.get(obj.pk, {}), after.get(obj.pk, {}), hidden=hidden)
            for name, pair in changed.items():
                field = model._meta.get_field(name).verbose_name
                pending.inline_changes[f"{label} “{obj}” · {field}"] = pair

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: list, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        pending = getattr(request, "_audit_pending", None) or _Pending({})
        # Read back from the database: what save_model's overrides did after the form (a
        # tier recomputed, a timestamp set) is part of the change.
        after = fetch(type(obj), [obj.pk], m2m=self._m2m_in(form)).get(obj.pk, {})
        hidden = self.audit_hidden_fields
        changes = (
            diff(pending.before, after, hidden=hidden) if change else added(after, hidden=hidden)
        )
        changes.update(pending.inline_changes)
        if changes:
            record(
                actor=request.user,
                target=obj,
                action="changed" if change else "added",
                changes=changes,
                reason=form.cleaned_data.get(REASON, ""),
                creator_id=self.audit_creator_id(obj),
                shown_to_creator=self.audit_shown_to_creator,
            )

    # Deleting, with a reason ---------------------------------------------------------------

    def _record_deletions(self, request: HttpRequest, objs: list[Model]) -> None:
        before = fetch(self.model, [obj.pk for obj in objs])
        for obj in objs:
            record(
                actor=request.user,
                target=obj,
                action="deleted",
                changes=deleted(before.get(obj.pk, {}), hidden=self.audit_hidden_fields),
                reason=_posted_reason(request),
                creator_id=self.audit_creator_id(obj),
                shown_to_creator=self.audit_shown_to_creator,
            )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        with transaction.atomic():
            self._record_deletions(request, [obj])
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            self._record_deletions(request, list(queryset))
            super().delete_queryset(request, queryset)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        context = {"audit_reason_max": REASON_MAX, **(extra_context or {})}
        if request.method == "POST" and not _posted_reason(request):
            # Django deletes on any POST to this page: with the reason missing, show the
            # confirmation again, as if for the first time, with the error.
            request.POST = QueryDict()
            response = super().delete_view(
                request, object_id, {**context, "audit_reason_error": REASON_MISSING}
            )
            response.status_code = 400
            return response
        return super().delete_view(request, object_id, context)

    delete_view.access_rule = "staff"  # type: ignore[attr-defined]  # as history_view's

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (_delete_selected_with_reason, name, description)
        return actions


def _delete_selected_with_reason(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> HttpResponse | None:
    """Django's bulk delete, which asks for the reason on its confirmation page and deletes
    nothing without one."""
    if request.POST.get("post") and not _posted_reason(request):
        request.POST = request.POST.copy()
        del request.POST["post"]
        modeladmin.message_user(request, REASON_MISSING, messages.ERROR)
        response = delete_selected(modeladmin, request, queryset)
        if isinstance(response, TemplateResponse):
            response.status_code = 400
        return response
    return delete_selected(modeladmin, request, queryset)


_delete_selected_with_reason.allowed_permissions = ("delete",)  # type: ignore[attr-defined]


# Admin actions -----------------------------------------------------------------------------


def audited_decision(
    decision: Decision,
    *,
    model: type[Model],
    shown_to_creator: bool = False,
    creator_id: Callable[[Model], int | None] = creator_id_of,
) -> Decision:
    """The same decision, each row's service call recorded with the note staff gave: the row
    before and after, in one transaction with the call (a row the service refuses leaves no
    entry). `model` is the rows' model; the action is recorded as the decision's `past`."""
    decide = decision.decide

    def audited(pk: int, by: User, note: str) -> object:
        with transaction.atomic():
            before = fetch(model, [pk], lock=True).get(pk, {})
            result = decide(pk, by, note)
            row = model._base_manager.select_related(*_forward_relations(model)).get(pk=pk)
            record(
                actor=by,
                target=row,
                action=decision.past,
                changes=diff(before, snapshot(row)),
                reason=note,
                creator_id=creator_id(row),
                shown_to_creator=shown_to_creator,
            )
        return result

    return dataclasses.replace(decision, decide=audited)
