"""Writes of the creator's subscription studio: marking hand-delivered perks delivered.

Reads of the studio are in subscriptions.selectors_studio."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import CreatorProfile, User
from accounts.services import notify

from .models import PerkDelivery


@transaction.atomic
def mark_perks_delivered(
    *, creator: CreatorProfile, delivery_ids: Iterable[int], now: datetime | None = None
) -> int:
    """Mark the creator's perk deliveries `delivery_ids` delivered and tell each fan once.

    Only deliveries due to the creator's own subscribers change: another creator's id changes
    nothing. One already delivered keeps its date, so a repeated call (a double click, a back
    button) changes nothing more. Returns how many deliveries changed."""
    now = now or timezone.now()
    ids = sorted({int(pk) for pk in delivery_ids})
    if not ids:
        return 0
    # Lock the rows, in pk order, so two requests never deliver (and notify) the same one.
    rows = list(
        PerkDelivery.objects.select_for_update(of=("self",))
        .filter(subscription__creator=creator, pk__in=ids, delivered_at__isnull=True)
        .select_related("perk", "subscription__fan")
        .order_by("pk")
    )
    if not rows:
        return 0
    changed = PerkDelivery.objects.filter(
        pk__in=[row.pk for row in rows], delivered_at__isnull=True
    ).update(delivered_at=now)
    by_fan: dict[int, tuple[User, list[PerkDelivery]]] = {}
    for row in rows:
        fan = row.subscription.fan
        by_fan.setdefault(fan.pk, (fan, []))[1].append(row)
    for fan, delivered in by_fan.values():
        _tell_fan(creator, fan, delivered)
    return changed


def _tell_fan(creator: CreatorProfile, fan: User, delivered: list[PerkDelivery]) -> None:
    names = [f"{row.perk.name} ({row.due_on:%B %Y})" for row in delivered]
    subject = (
        f"@{creator.handle} delivered your perk: {delivered[0].perk.name}"
        if len(delivered) == 1
        else f"@{creator.handle} delivered {len(delivered)} of your perks"
    )
    notify(
        user=fan,
        subject=subject[:200],
        body=f"{creator.display_name} marked delivered: {', '.join(names)}.",
        link=reverse("subscriptions:mine"),
    )
