"""Writes and reads of the creator earnings ledger: the only way money owed to creators moves.

Every movement is an entry with its source, the document it came from and an idempotency key
(a repeated key returns the first entry and moves nothing), posted under the account's row
lock in the caller's transaction, so a fulfilment, a payout request and the daily release
never interleave on one account.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

from accounts.models import CreatorProfile
from core.clock import rewards_today
from core.db import update_rows
from core.money import format_minor

from .models import EarningsAccount, EarningsEntry, Source

# Refuse amounts no real movement reaches: a mistyped amount should not make history.
MAX_AMOUNT = 10**11  # one billion in major units of a two-decimal currency


class LedgerError(Exception):
    """A movement the ledger refuses; the message is safe to show."""


def _currency(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise LedgerError(f"{code or 'An empty code'} is not a currency code (e.g. USD).")
    return code


def _locked_account(creator: CreatorProfile, currency: str) -> EarningsAccount:
    """The creator's account in `currency`, created if need be, locked until the transaction
    ends."""
    locked = EarningsAccount.objects.select_for_update().filter(creator=creator, currency=currency)
    if (account := locked.first()) is not None:
        return account  # the usual case: one query
    EarningsAccount.objects.get_or_create(creator=creator, currency=currency)
    return locked.get()


def _is_pending(pending_until: date | None, account: EarningsAccount) -> bool:
    released = account.released_through or date.min
    return pending_until is not None and pending_until > released


def _post(
    account: EarningsAccount,
    *,
    amount: int,
    source: str,
    idempotency_key: str,
    pending_until: date | None,
    document: str,
    memo: str,
    reverses: EarningsEntry | None = None,
    now: datetime | None = None,
) -> EarningsEntry:
    pending = _is_pending(pending_until, account)
    balance = account.pending if pending else account.available
    if balance + amount < 0:
        which = "pending" if pending else "available"
        raise LedgerError(
            f"That takes {format_minor(-amount, account.currency)} and only "
            f"{format_minor(balance, account.currency)} is {which}."
        )
    entry = EarningsEntry.objects.create(
        account=account,
        amount=amount,
        source=source,
        pending_until=pending_until,
        document=document[:120],
        memo=memo[:300],
        idempotency_key=idempotency_key,
        reverses=reverses,
        created_at=now or timezone.now(),
    )
    field = "pending" if pending else "available"
    EarningsAccount.objects.filter(pk=account.pk).update(
        **{field: F(field) + amount}, updated_at=timezone.now()
    )
    setattr(account, field, balance + amount)
    return entry


def _existing(idempotency_key: str, creator: CreatorProfile, amount: int) -> EarningsEntry | None:
    if not idempotency_key or len(idempotency_key) > 120:
        raise LedgerError("A movement needs a request key of at most 120 characters.")
    existing = EarningsEntry.objects.select_related("account").filter(
        idempotency_key=idempotency_key
    )
    entry = existing.first()
    if entry is None:
        return None
    if (entry.account.creator_id, entry.amount) != (creator.pk, amount):
        raise LedgerError("That request key was already used for a different movement.")
    return entry


def _move(
    creator: CreatorProfile,
    amount: int,
    currency: str,
    *,
    source: str,
    idempotency_key: str,
    document: str,
    memo: str,
    pending_until: date | None,
    now: datetime | None,
) -> EarningsEntry:
    """Post a signed `amount` under the account's lock, once per key."""
    account = _locked_account(creator, _currency(currency))
    # Looked up under the account's lock: a twin request that got there first has committed.
    if (entry := _existing(idempotency_key, creator, amount)) is not None:
        return entry
    return _post(
        account,
        amount=amount,
        source=source,
        idempotency_key=idempotency_key,
        pending_until=pending_until,
        document=document,
        memo=memo,
        now=now,
    )


@transaction.atomic
def credit(
    *,
    creator: CreatorProfile,
    amount: int,
    currency: str,
    source: Source,
    idempotency_key: str,
    document: str = "",
    memo: str = "",
    pending_until: date | None = None,
    now: datetime | None = None,
) -> EarningsEntry:
    """Owe the creator `amount` minor units; pending until `pending_until` when it is after
    the last release, available at once otherwise. A repeated key returns the first entry.
    `now` dates the entry (by default, now)."""
    if not 0 < amount <= MAX_AMOUNT:
        raise LedgerError("A credit must be a positive amount of at most 1,000,000,000.00.")
    return _move(
        creator,
        amount,
        currency,
        source=source,
        idempotency_key=idempotency_key,
        document=document,
        memo=memo,
        pending_until=pending_until,
        now=now,
    )


@transaction.atomic
def credit_less_fee(
    *,
    creator: CreatorProfile,
    gross: int,
    fee: int,
    currency: str,
    source: Source,
    idempotency_key: str,
    document: str = "",
    memo: str = "",
    fee_memo: str = "",
    pending_until: date | None = None,
    now: datetime | None = None,
) -> tuple[EarningsEntry, EarningsEntry | None]:
    """Credit what a fan paid (`gross`) and take the platform's `fee` from it as an entry of
    its own (source PLATFORM_FEE, key `<key>:fee`), both under one lock and both pending until
    the same day, so the creator's statement shows the price and the fee line by line. A
    repeated key returns the first two entries."""
    if not 0 <= fee <= gross:
        raise LedgerError("A fee is between nothing and the whole amount.")
    entry = credit(
        creator=creator,
        amount=gross,
        currency=currency,
        source=source,
        idempotency_key=idempotency_key,
        document=document,
        memo=memo,
        pending_until=pending_until,
        now=now,
    )
    if not fee:
        return entry, None
    key = f"{idempotency_key}:fee"
    # Under the account's lock `credit` took: a twin call has committed or waits.
    if (existing := _existing(key, creator, -fee)) is not None:
        return entry, existing
    return entry, _post(
        entry.account,
        amount=-fee,
        source=Source.PLATFORM_FEE,
        idempotency_key=key,
        pending_until=pending_until,
        document=document,
        memo=fee_memo or f"Platform fee on {memo}".strip(),
        now=now,
    )


@dataclass(frozen=True)
class Credit:
    """One credit of `credit_many`: the same fields `credit` takes, and optionally the
    platform's `fee` taken from it as `credit_less_fee` takes it (an entry of its own, key
    `<key>:fee`), and `at`, the moment the entries are dated (by default the batch's)."""

    creator_id: int
    amount: int
    currency: str
    source: str
    idempotency_key: str
    document: str = ""
    memo: str = ""
    pending_until: date | None = None
    fee: int = 0
    fee_memo: str = ""
    at: datetime | None = None

    @property
    def fee_key(self) -> str:
        return f"{self.idempotency_key}:fee"


@transaction.atomic
def credit_many(credits: list[Credit], *, now: datetime | None = None) -> dict[str, EarningsEntry]:
    """`credit` (or `credit_less_fee`, for credits with a fee) for many creators at once, by
    the same rules and keys, in a fixed number of queries (a monthly program run credits every
    creator; the gift poster every gift since its last run): the accounts are locked together
    in id order, the entries go in with one insert and the balances with one update. Returns
    the entry for each key (fee lines under `<key>:fee`), the first one where a key was used
    before."""
    for each in credits:
        if not 0 < each.amount <= MAX_AMOUNT:
            raise LedgerError("A credit must be a positive amount of at most 1,000,000,000.00.")
        longest = each.fee_key if each.fee else each.idempotency_key
        if not each.idempotency_key or len(longest) > 120:
            raise LedgerError("A movement needs a request key of at most 120 characters.")
        if not 0 <= each.fee <= each.amount:
            raise LedgerError("A fee is between nothing and the whole amount.")
    keys = [each.idempotency_key for each in credits]
    keys += [each.fee_key for each in credits if each.fee]
    if len(set(keys)) != len(keys):
        raise LedgerError("Two credits in one batch share a request key.")
    wanted = {(each.creator_id, _currency(each.currency)) for each in credits}
    EarningsAccount.objects.bulk_create(
        [EarningsAccount(creator_id=creator_id, currency=code) for creator_id, code in wanted],
        ignore_conflicts=True,
    )
    accounts = {
        (account.creator_id, account.currency): account
        for account in EarningsAccount.objects.select_for_update()
        .filter(creator_id__in={creator_id for creator_id, _ in wanted})
        .order_by("pk")
    }
    # Looked up under the accounts' locks, as in `_move`.
    found = {
        entry.idempotency_key: entry
        for entry in EarningsEntry.objects.select_related("account").filter(
            idempotency_key__in=keys
        )
    }
    fresh = []
    changed = {}
    moment = now or timezone.now()

    def post(each: Credit, account: EarningsAccount, amount: int, **fields: str) -> None:
        field = "pending" if _is_pending(each.pending_until, account) else "available"
        setattr(account, field, getattr(account, field) + amount)
        changed[account.pk] = account
        fresh.append(
            EarningsEntry(
                account=account,
                amount=amount,
                pending_until=each.pending_until,
                document=each.document[:120],
                created_at=each.at or moment,
                **fields,
            )
        )

    for each in credits:
        if (entry := found.get(each.idempotency_key)) is not None:
            if (entry.account.creator_id, entry.amount) != (each.creator_id, each.amount):
                raise LedgerError("That request key was already used for a different movement.")
            continue  # its fee line, if any, went in with it (one transaction)
        account = accounts[each.creator_id, _currency(each.currency)]
        post(
            each,
            account,
            each.amount,
            source=each.source,
            memo=each.memo[:300],
            idempotency_key=each.idempotency_key,
        )
        if each.fee:
            post(
                each,
                account,
                -each.fee,
                source=Source.PLATFORM_FEE,
                memo=(each.fee_memo or f"Platform fee on {each.memo}".strip())[:300],
                idempotency_key=each.fee_key,
            )
    for entry in EarningsEntry.objects.bulk_create(fresh):
        found[entry.idempotency_key] = entry
    stamp = timezone.now()
    for account in changed.values():
        account.updated_at = stamp
    update_rows(EarningsAccount, changed.values(), ["available", "pending", "updated_at"])
    return found


@transaction.atomic
def debit(
    *,
    creator: CreatorProfile,
    amount: int,
    currency: str,
    source: Source,
    idempotency_key: str,
    document: str = "",
    memo: str = "",
    now: datetime | None = None,
) -> EarningsEntry:
    """Take `amount` minor units out of what is available (a payout): never more than is
    available, also when requests race (the account's row lock orders them)."""
    if not 0 < amount <= MAX_AMOUNT:
        raise LedgerError("A debit must be a positive amount of at most 1,000,000,000.00.")
    return _move(
        creator,
        -amount,
        currency,
        source=source,
        idempotency_key=idempotency_key,
        document=document,
        memo=memo,
        pending_until=None,
        now=now,
    )


@transaction.atomic
def reverse(*, entry_id: int, reason: str) -> EarningsEntry:
    """Mend a mistake: an entry of the opposite amount, pending or available as the original
    was, labelled a correction. Reversing twice returns the first reversal."""
    if not reason.strip():
        raise LedgerError("A reversal needs a reason the creator can read.")
    original = EarningsEntry.objects.select_related("account__creator").filter(pk=entry_id).first()
    if original is None:
        raise LedgerError(f"There is no earnings entry {entry_id}.")
    if original.reverses_id is not None:
        raise LedgerError("A reversal cannot itself be reversed; post a new entry instead.")
    account = _locked_account(original.account.creator, original.account.currency)
    key = f"reverse:{original.pk}"
    if (entry := EarningsEntry.objects.filter(idempotency_key=key).first()) is not None:
        return entry
    return _post(
        account,
        amount=-original.amount,
        source=Source.CORRECTION,
        idempotency_key=key,
        # Takes back from where the original sits now: pending until its date, or available.
        pending_until=original.pending_until,
        document=original.document,
        memo=f"Reverses entry {original.pk}: {reason}",
        reverses=original,
    )


@transaction.atomic
def take_back_pending(*, entry_id: int, reason: str) -> bool:
    """Reverse a credit and its fee line (`credit_less_fee`'s pair) while the money is still
    pending; False, and nothing moved, once it has been released (the creator may have been
    paid it). Taking back twice moves nothing more."""
    original = EarningsEntry.objects.select_related("account__creator").get(pk=entry_id)
    account = _locked_account(original.account.creator, original.account.currency)
    if EarningsEntry.objects.filter(idempotency_key=f"reverse:{original.pk}").exists():
        return True
    if not _is_pending(original.pending_until, account):
        return False
    fee = EarningsEntry.objects.filter(
        idempotency_key=f"{original.idempotency_key}:fee", account=account
    ).first()
    if fee is not None:
        reverse(entry_id=fee.pk, reason=reason)
    reverse(entry_id=original.pk, reason=reason)
    return True


def release_pending(*, today: date | None = None) -> int:
    """Move every pending entry dated up to `today` into available, account by account (each
    under its lock, advancing `released_through`, so each entry moves once however often this
    runs). Returns how many accounts changed."""
    today = today or rewards_today()
    due = (
        EarningsEntry.objects.filter(pending_until__lte=today)
        .filter(
            Q(account__released_through__isnull=True)
            | Q(pending_until__gt=F("account__released_through"))
        )
        .values_list("account_id", flat=True)
        .distinct()
    )
    changed = 0
    for account_id in list(due):
        with transaction.atomic():
            account = EarningsAccount.objects.select_for_update().get(pk=account_id)
            matured = account.entries.filter(pending_until__lte=today)
            if account.released_through is not None:
                matured = matured.filter(pending_until__gt=account.released_through)
            amount = matured.aggregate(total=Sum("amount"))["total"] or 0
            EarningsAccount.objects.filter(pk=account.pk).update(
                available=F("available") + amount,
                pending=F("pending") - amount,
                released_through=today,
                updated_at=timezone.now(),
            )
            changed += 1
    return changed


def version(creator: CreatorProfile) -> str:
    """A stamp that changes whenever the creator's earnings move (every posting and release
    touches the account's updated_at): the key of cached pages that show them."""
    stamp = EarningsAccount.objects.filter(creator=creator).aggregate(
        latest=Max("updated_at"), accounts=Count("pk")
    )
    latest = stamp["latest"]
    return f"{stamp['accounts']}-{latest.timestamp() if latest else 0}"


@dataclass(frozen=True)
class Balance:
    currency: str
    available: int
    pending: int


def balances(creator: CreatorProfile) -> list[Balance]:
    """The creator's available and pending money, per currency (one query)."""
    return [
        Balance(currency, available, pending)
        for currency, available, pending in EarningsAccount.objects.filter(
            creator=creator
        ).values_list("currency", "available", "pending")
    ]


# Accounts whose available or pending amount is not what their entries say.
MISMATCHES_SQL = """
    SELECT a.id, a.currency, a.available, a.pending,
           COALESCE(SUM(e.amount) FILTER (
               WHERE e.pending_until IS NULL OR e.pending_until <= a.released_through), 0),
           COALESCE(SUM(e.amount) FILTER (
               WHERE e.pending_until IS NOT NULL
                 AND (a.released_through IS NULL OR e.pending_until > a.released_through)), 0)
    FROM payments_earningsaccount a
    LEFT JOIN payments_earningsentry e ON e.account_id = a.id
    GROUP BY a.id, a.currency, a.available, a.pending, a.released_through
"""


def ledger_mismatches() -> tuple[int, list[str]]:
    """(accounts, what is wrong with each one that does not add up), for check_ledger."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(MISMATCHES_SQL)
        rows = cursor.fetchall()
    problems = [
        f"earnings account {pk} ({currency}): available {available:,}, pending {pending:,}; "
        f"entries say {want_available:,} and {want_pending:,}"
        for pk, currency, available, pending, want_available, want_pending in rows
        if (available, pending) != (want_available, want_pending)
    ]
    return len(rows), problems
