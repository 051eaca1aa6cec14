"""Write use-cases for accounts: the only place profiles and standing change."""

from collections.abc import Iterable, Mapping
from datetime import date
from functools import partial

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from . import tasks
from .models import (
    Badge,
    BrandProfile,
    CreatorBadge,
    CreatorProfile,
    Niche,
    Notification,
    Role,
    Standing,
    User,
)


class AccountsError(Exception):
    """A request that the accounts rules refuse; the message is safe to show the user."""


def handle_is_taken(handle: str, *, exclude: CreatorProfile | None = None) -> bool:
    taken = CreatorProfile.objects.with_handle(handle)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    return taken.exists()


@transaction.atomic
def create_creator_profile(
    *,
    user: User,
    handle: str,
    display_name: str,
    date_of_birth: date,
    country: str,
    niches: Iterable[Niche],
) -> CreatorProfile:
    """Make `user` a creator. The case-insensitive unique handle is the database's to keep."""
    try:
        with transaction.atomic():
            profile = CreatorProfile.objects.create(
                user=user,
                handle=handle,
                display_name=display_name,
                date_of_birth=date_of_birth,
                country=country,
            )
    except IntegrityError as exc:
        # Two signups raced for the same handle between the form's check and this insert.
        raise AccountsError(f"@{handle} was just taken; choose another.") from exc
    profile.niches.set(niches)
    if user.role != Role.CREATOR:
        user.role = Role.CREATOR
        user.save(update_fields=["role"])
    return profile


@transaction.atomic
def create_brand_profile(
    *, user: User, company_name: str, website: str, industry: str
) -> BrandProfile:
    profile = BrandProfile.objects.create(
        user=user, company_name=company_name, website=website, industry=industry
    )
    if user.role != Role.BRAND:
        user.role = Role.BRAND
        user.save(update_fields=["role"])
    return profile


@transaction.atomic
def set_standing(*, creator: CreatorProfile, standing: str, reason: str = "") -> CreatorProfile:
    """Record a change of standing with its reason and time; an unchanged standing is a no-op."""
    if standing not in Standing.values:
        raise AccountsError(f"Unknown standing {standing!r}.")
    creator = CreatorProfile.objects.select_for_update().get(pk=creator.pk)
    if creator.standing == standing:
        return creator
    creator.standing = standing
    creator.standing_reason = reason
    creator.standing_changed_at = timezone.now()
    creator.save(update_fields=["standing", "standing_reason", "standing_changed_at"])
    return creator


def record_followers(*, creator: CreatorProfile, followers: int) -> bool:
    """Show `followers` on the profile (the activity app passes the count of the latest day the
    platform reported); say whether it changed.

    `creator` as the caller already holds it: an unchanged count costs no query, which matters
    to ingestion, where every creator-day record comes here."""
    if followers == creator.followers:
        return False
    CreatorProfile.objects.filter(pk=creator.pk).update(followers=followers)
    creator.followers = followers
    return True


def record_followers_of_many(*, followers: Mapping[int, int]) -> int:
    """Show each creator's count (creator id to followers, as the activity app reads them from
    each creator's latest day) with one statement per 400 creators; profiles already showing
    theirs are not written. How many profiles changed."""
    table = connection.ops.quote_name(CreatorProfile._meta.db_table)
    changed = 0
    pairs = list(followers.items())
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), 400):
            chunk = pairs[start : start + 400]
            # VALUES names its columns column1, column2 on PostgreSQL and SQLite alike.
            cursor.execute(
                f"UPDATE {table} SET followers = counts.column2 "
                f"FROM (VALUES {', '.join(['(%s, %s)'] * len(chunk))}) AS counts "
                f"WHERE {table}.id = counts.column1 AND {table}.followers <> counts.column2",
                [value for pair in chunk for value in pair],
            )
            changed += cursor.rowcount
    return changed


def notify(*, user: User, subject: str, body: str, link: str = "") -> Notification:
    """Tell a user something in the portal, and by email once the caller's transaction commits
    (a rolled-back change sends nothing)."""
    notification = Notification.objects.create(user=user, subject=subject, body=body, link=link)
    _forget_unread(user.pk)
    transaction.on_commit(partial(tasks.email_notification.delay, notification.pk))
    return notification


def mark_notifications_read(*, user: User) -> int:
    marked = Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    _forget_unread(user.pk)
    return marked


def _unread_key(user_id: int) -> str:
    return f"accounts:unread-notifications:{user_id}"


def _forget_unread(user_id: int) -> None:
    # Now, and again once the change commits: a page rendered in between may have cached
    # the count from before it.
    cache.delete(_unread_key(user_id))
    transaction.on_commit(partial(cache.delete, _unread_key(user_id)))


def unread_notifications(user: User) -> int:
    """The header's count, on every page: cached, and forgotten by the two functions above,
    the only writers of what it counts."""
    return cache.get_or_set(
        _unread_key(user.pk),
        lambda: Notification.objects.filter(user=user, read_at__isnull=True).count(),
        timeout=24 * 3600,
    )


def grant_badge(*, creator: CreatorProfile, badge: Badge, reason: str, link: str = "") -> bool:
    """Give the creator `badge`, once: False when they already hold it (the first reason
    stays)."""
    _, created = CreatorBadge.objects.get_or_create(
        creator=creator, badge=badge, defaults={"reason": reason[:200], "link": link}
    )
    return created


# --- closing an account (privacy.closing) -----------------------------------------------------

CLOSED_NAME = "Closed account"
# A date of birth no one has: the real one is erased, and the field cannot be empty.
CLOSED_BIRTH_DATE = date(1900, 1, 1)


def closed_email(user: User) -> str:
    """The address a closed account keeps: unique, and undeliverable by design (RFC 2606)."""
    return f"closed-{user.pk}@closed.invalid"


@transaction.atomic
def pseudonymise_user(*, user: User) -> User:
    """Replace who a closing user is with a pseudonym, keeping the row (and every ledger entry
    tied to it): the email becomes closed-<id>@closed.invalid, names and handle "Closed
    account" and @closed_<id>, bio and website go, the date of birth is replaced, the password
    made unusable and the account inactive (no backend signs it in again, and its sessions
    stop resolving to it). allauth's addresses and authenticators and the user's
    notifications are deleted. Running it twice changes nothing more."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.email = closed_email(user)
    user.name = CLOSED_NAME
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "name", "is_active", "password"])
    CreatorProfile.objects.filter(user=user).update(
        handle=f"closed_{user.pk}",
        display_name=CLOSED_NAME,
        bio="",
        date_of_birth=CLOSED_BIRTH_DATE,
    )
    BrandProfile.objects.filter(user=user).update(company_name=CLOSED_NAME, website="")
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    _forget_unread(user.pk)
    return user
