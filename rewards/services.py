"""Write use-cases for points: the only way points move, besides the recalculation's SQL."""

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts import audit
from accounts.models import CreatorProfile, User
from core.clock import rewards_today
from core.plurals import plural

from . import recalculation, selectors, tasks
from .models import (
    EARNING_KINDS,
    CourseCompletion,
    EarningRule,
    EntryKind,
    PointsAccount,
    PointsEntry,
    RecalcRun,
)


class PointsError(Exception):
    """A movement of points the rules refuse; the message is safe to show."""


def account_for(creator: CreatorProfile) -> PointsAccount:
    """The creator's points account, opened (and so enrolled in the loyalty program) today
    if they have none yet."""
    account, _ = PointsAccount.objects.get_or_create(
        creator=creator, defaults={"enrolled_on": rewards_today()}
    )
    return account


def lock_balance(*, creator: CreatorProfile) -> int:
    """Lock the creator's points account until the surrounding transaction ends and return
    its balance (0 before their first entry). A use-case that checks the balance before
    spending (the store) takes this lock first, so two such checks never both pass."""
    if not transaction.get_connection().in_atomic_block:
        raise PointsError("lock_balance needs a transaction to hold the lock in.")
    account = PointsAccount.objects.select_for_update().filter(creator=creator).first()
    return account.balance if account else 0


@transaction.atomic
def post_entry(
    *,
    creator: CreatorProfile,
    amount: int,
    kind: EntryKind,
    idempotency_key: str,
    memo: str = "",
    activity_date: date | None = None,
) -> PointsEntry:
    """Move points on a creator's account under its row lock; a repeated key returns the
    first entry. The database refuses a balance below zero; this says so in words first.

    `activity_date` defaults to today's rewards day: it dates the entry on the creator's
    history and, for points given (a positive adjustment), starts their 12 months to expiry."""
    if amount == 0:
        raise PointsError("An entry must move at least one point.")
    if kind in EARNING_KINDS:
        raise PointsError("Earned points and corrections come from the recalculation only.")
    existing = PointsEntry.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if (existing.account_id, existing.amount, existing.kind) != (creator.pk, amount, kind):
            raise PointsError("That request key was already used for a different movement.")
        return existing
    account = PointsAccount.objects.select_for_update().get(pk=account_for(creator).pk)
    if account.balance + amount < 0:
        raise PointsError(
            f"That needs {plural(-amount, 'point')} and the balance is {account.balance:,}."
        )
    try:
        with transaction.atomic():
            entry = PointsEntry.objects.create(
                account=account,
                amount=amount,
                kind=kind,
                idempotency_key=idempotency_key,
                memo=memo,
                activity_date=activity_date or rewards_today(),
            )
    except IntegrityError:
        # The same key committed by a concurrent request between our check and insert.
        return PointsEntry.objects.get(idempotency_key=idempotency_key)
    PointsAccount.objects.filter(pk=account.pk).update(
        balance=F("balance") + amount, updated_at=timezone.now()
    )
    return entry


def spend_under_lock(
    *, creator: CreatorProfile, amount: int, balance: int, idempotency_key: str, memo: str
) -> PointsEntry:
    """Spend `amount` points for a caller that holds the account's lock (`lock_balance`, whose
    answer is `balance`) and knows `idempotency_key` is new (a key of its own, checked under
    that lock): the store's redemption. One insert and one update, no savepoints: `post_entry`
    without the lookups that the lock and a fresh key make needless. The database still
    refuses a repeated key and a balance below zero."""
    if amount <= 0:
        raise PointsError("Spending must take at least one point.")
    if not transaction.get_connection().in_atomic_block:
        raise PointsError("spend_under_lock needs the transaction that holds the lock.")
    if balance < amount:
        raise PointsError(f"That needs {plural(amount, 'point')} and the balance is {balance:,}.")
    entry = PointsEntry.objects.create(
        account_id=creator.pk,
        amount=-amount,
        kind=EntryKind.REDEEMED,
        idempotency_key=idempotency_key,
        memo=memo,
        activity_date=rewards_today(),
    )
    PointsAccount.objects.filter(pk=creator.pk).update(
        balance=F("balance") - amount, updated_at=timezone.now()
    )
    return entry


def record_course_completion(
    *, creator: CreatorProfile, course_key: str, title: str, completed_on: date
) -> CourseCompletion:
    """The hook the Academy calls when a creator finishes a course. The points follow at the
    next recalculation of that day, under the 'courses' rule. Reporting twice changes nothing."""
    completion, _ = CourseCompletion.objects.get_or_create(
        creator=creator,
        course_key=course_key,
        defaults={"title": title, "completed_on": completed_on},
    )
    return completion


@transaction.atomic
def approve_held_run(*, run_id: int, by: User) -> RecalcRun:
    """Staff approve a held recalculation run: a fresh run of its day replaces it, allowed to
    move points as far as the held run showed and no further, and its planning is queued once
    this commits. Returns the fresh run. Raises `recalculation.RecalcError`, changing nothing,
    when the run is no longer held or another run of the day is under way. Whether `by` may
    approve is the caller's check (the "Can approve a held recalculation" permission)."""
    fresh = recalculation.replace_held_run(run_id=run_id, approver=by)
    tasks.queue_planning(fresh)
    return fresh


class RuleVersionError(Exception):
    """A rule version the rules refuse to save; the message is safe to show."""


@transaction.atomic
def save_rule_version(
    *, drafts: Sequence[EarningRule], valid_from: date, by: User | None = None
) -> list[EarningRule]:
    """Save staff's draft rules (unsaved EarningRules, one per metric at most) as the next
    dated version from `valid_from`: a new row for each metric whose draft pays differently
    from the version that would apply that day; versions already saved are never touched.
    Returns the new versions. Raises RuleVersionError, saving nothing, for a date not after
    today (days up to today keep the rules they were published with, as in admin), a
    metric drafted twice, a draft the model refuses, a metric that already has a version
    on that date, or a draft that changes nothing."""
    if valid_from <= rewards_today():
        raise RuleVersionError(
            "A new version must start after today: days already earned keep their rules."
        )
    metrics = [draft.metric for draft in drafts]
    if len(set(metrics)) != len(metrics):
        raise RuleVersionError("Each metric can be drafted once.")
    in_force = selectors.rule_versions_on(valid_from)
    changed = [d for d in drafts if not selectors.same_terms(d, in_force.get(d.metric))]
    if not changed:
        raise RuleVersionError(
            f"The draft is the same as the rules in force on {valid_from:%-d %B %Y}: "
            "there is nothing to save."
        )
    taken = EarningRule.objects.filter(
        metric__in=[d.metric for d in changed], valid_from=valid_from
    ).first()
    if taken is not None:
        raise RuleVersionError(
            f"{taken.get_metric_display()} already has a version from {valid_from:%-d %B %Y}; "
            "choose another date, or change that version in admin."
        )
    saved = []
    for draft in changed:
        rule = EarningRule(
            metric=draft.metric,
            valid_from=valid_from,
            **{term: getattr(draft, term) for term in selectors.RULE_TERMS},
        )
        try:
            rule.full_clean(exclude=["created_at"])
        except ValidationError as error:
            raise RuleVersionError(
                f"{rule.get_metric_display()}: {' '.join(error.messages)}"
            ) from error
        saved.append(rule)
    try:
        with transaction.atomic():
            created = EarningRule.objects.bulk_create(saved)
            for rule in created:  # the audit trail: who published which terms, and from when
                audit.record(
                    actor=by,
                    target=rule,
                    action="added",
                    changes=audit.added(audit.snapshot(rule)),
                    reason=f"Saved from the fairness report's what-if, in force from "
                    f"{valid_from:%-d %B %Y}.",
                )
            return created
    except IntegrityError as error:
        # A version for the same metric and day saved by someone else since the check above.
        raise RuleVersionError(
            "Another version was saved for that date a moment ago; reload and check."
        ) from error
