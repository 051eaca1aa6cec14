"""Reads about accounts that pages and other apps may call."""

from dataclasses import dataclass
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.text import capfirst

from core.exports import plain_rows

from .models import (
    AuditEntry,
    BrandProfile,
    CreatorBadge,
    CreatorProfile,
    Niche,
    Role,
    Standing,
    User,
)


@dataclass(frozen=True)
class SecuritySummary:
    email_verified: bool
    totp_enabled: bool
    recovery_codes_enabled: bool

    @property
    def steps_left(self) -> int:
        return [self.email_verified, self.totp_enabled].count(False)


def security_summary(user: User) -> SecuritySummary:
    """One query, on every home page."""

    def has(rows: QuerySet) -> Exists:
        return Exists(rows.filter(user_id=OuterRef("pk")))

    row = (
        User.objects.filter(pk=user.pk)
        .values_list(
            has(EmailAddress.objects.filter(verified=True)),
            has(Authenticator.objects.filter(type=Authenticator.Type.TOTP)),
            has(Authenticator.objects.filter(type=Authenticator.Type.RECOVERY_CODES)),
        )
        .get()
    )
    return SecuritySummary(*row)


def creators_to_discover(
    *, limit: int = 12, query: str = "", niche: str = ""
) -> QuerySet[CreatorProfile]:
    """Creators a fan might follow: active accounts not suspended, most followed first; with
    `query`, those whose name or handle contains it or whose niche is named by it; with
    `niche` (a slug), those in that niche."""
    found = CreatorProfile.objects.filter(user__is_active=True).exclude(standing=Standing.SUSPENDED)
    query = query.strip().lstrip("@")
    if query:
        found = found.filter(
            Q(display_name__icontains=query)
            | Q(handle__icontains=query)
            | Q(niches__name__iexact=query)
        ).distinct()
    if niche:
        found = found.filter(niches__slug=niche)
    return found.prefetch_related("niches").order_by("-followers", "handle")[:limit]


def niches() -> QuerySet[Niche]:
    return Niche.objects.order_by("name")


def active_users_by_role() -> dict[Role, int]:
    counts = dict(User.objects.filter(is_active=True).values_list("role").annotate(n=Count("id")))
    return {role: counts.get(role.value, 0) for role in Role}


def creators_by_standing() -> dict[Standing, int]:
    counts = dict(CreatorProfile.objects.values_list("standing").annotate(n=Count("id")))
    return {standing: counts.get(standing.value, 0) for standing in Standing}


def signups_per_day(*, days: int, today: date | None = None) -> list[tuple[date, int]]:
    """Signups for each of the last `days` days, today included, zero-filled."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    counts = dict(
        User.objects.filter(date_joined__date__gte=first)
        .annotate(day=TruncDate("date_joined"))
        .values_list("day")
        .annotate(n=Count("id"))
    )
    return [(first + timedelta(d), counts.get(first + timedelta(d), 0)) for d in range(days)]


def creator_profile_table() -> str:
    """The creators' table, for another app's set-based SQL (the rewards recalculation and
    tiers), so it names the table from here instead of copying it."""
    return CreatorProfile._meta.db_table


def badges_of(creator: CreatorProfile) -> list[CreatorBadge]:
    """The badges the creator holds, oldest first, each with its badge (one query)."""
    return list(creator.badges.select_related("badge"))


def public_creators() -> QuerySet[CreatorProfile]:
    """Creators whose pages anyone may open: active accounts, not suspended."""
    return (
        CreatorProfile.objects.select_related("user")
        .filter(user__is_active=True)
        .exclude(standing=Standing.SUSPENDED)
    )


def audit_trail(
    *,
    actor: str = "",
    target: str = "",
    handle: str = "",
    model: str = "",
    object_id: str = "",
    first: date | None = None,
    last: date | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries, newest first, each with its actor and creator (one query a page):
    `actor` is part of the staff member's email, `target` part of the changed row's name or
    of the reason, `handle` the creator's handle, `model` "app_label.model_name" (with
    `object_id`, one row's entries), `first` and `last` days in the portal's time zone.
    Whoever calls this has checked the reader's permission (accounts.audit)."""
    entries = AuditEntry.objects.select_related("actor", "creator")
    if actor:
        entries = entries.filter(actor__email__icontains=actor)
    if target:
        entries = entries.filter(Q(object_repr__icontains=target) | Q(reason__icontains=target))
    if handle:
        entries = entries.filter(creator__in=CreatorProfile.objects.with_handle(handle.lstrip("@")))
    if model:
        app_label, _, model_name = model.partition(".")
        entries = entries.filter(app_label=app_label, model=model_name)
        if object_id:
            entries = entries.filter(object_id=object_id)
    if first:
        entries = entries.filter(at__date__gte=first)
    if last:
        entries = entries.filter(at__date__lte=last)
    return entries.order_by("-at", "-pk")


def audited_models() -> list[tuple[str, str]]:
    """Each kind of row the audit trail has entries about, as ("app_label.model_name",
    "Earning rule"), by label (one query)."""
    pairs = AuditEntry.objects.order_by().values_list("app_label", "model").distinct()
    kinds = [
        (f"{app_label}.{model}", capfirst(AuditEntry(app_label=app_label, model=model).model_label))
        for app_label, model in pairs
    ]
    return sorted(kinds, key=lambda kind: kind[1].lower())


def staff_changes_for(creator: CreatorProfile, *, limit: int = 50) -> list[AuditEntry]:
    """The latest staff changes to the creator's points or money that they may read, newest
    first (one query). Who on the staff made each is not the creator's to see."""
    return list(
        AuditEntry.objects.filter(creator=creator, shown_to_creator=True).order_by("-at", "-pk")[
            :limit
        ]
    )


def export_rows(user: User) -> dict[str, list[dict]]:
    """What the accounts app holds about `user`, for their data export (privacy.exports):
    JSON-ready rows by kind. Six queries (seven for a creator), whatever their history."""
    creator = plain_rows(
        CreatorProfile.objects.filter(user=user).values(
            "handle",
            "display_name",
            "bio",
            "date_of_birth",
            "country",
            "followers",
            "standing",
            "standing_reason",
            "standing_changed_at",
            "created_at",
        )
    )
    if creator:
        creator[0]["niches"] = list(
            Niche.objects.filter(creators__user=user).values_list("name", flat=True)
        )
    return {
        "profile": plain_rows(
            User.objects.filter(pk=user.pk).values(
                "id", "email", "name", "role", "date_joined", "last_login", "is_active"
            )
        ),
        "email_addresses": plain_rows(
            EmailAddress.objects.filter(user=user)
            .order_by("pk")
            .values("email", "verified", "primary")
        ),
        "creator_profile": creator,
        "brand_profile": plain_rows(
            BrandProfile.objects.filter(user=user).values(
                "company_name", "website", "industry", "created_at"
            )
        ),
        "notifications": plain_rows(
            user.notifications.order_by("created_at", "pk").values(
                "subject", "body", "link", "created_at", "read_at", "emailed_at"
            )
        ),
        "badges": plain_rows(
            CreatorBadge.objects.filter(creator__user=user)
            .order_by("granted_at", "pk")
            .values("reason", "link", "granted_at", badge_name=F("badge__name"))
        ),
    }
