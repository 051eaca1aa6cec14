"""Reads about accounts that pages and other apps may call."""

from dataclasses import dataclass
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import CreatorBadge, CreatorProfile, Niche, Role, Standing, User


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
