"""A brand's saved lists of creators: make, rename and delete them, add and remove creators.

A brand reaches only its own lists: every function takes the brand, or a list already
fetched through it (`list_of`), so one brand can never touch another's by id.
"""

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from accounts.models import BrandProfile, CreatorProfile

from .models import SavedCreator, SavedList

MAX_LISTS = 50
MAX_PER_LIST = 500


class ListsError(Exception):
    """A change to a saved list the rules refuse; the message is safe to show."""


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ListsError("Give the list a name.")
    if len(name) > SavedList._meta.get_field("name").max_length:
        raise ListsError("Keep the name to 60 characters.")
    return name


def lists_of(brand: BrandProfile) -> QuerySet[SavedList]:
    """The brand's lists by name, each with `size`, its number of creators."""
    return brand.lists.annotate(size=Count("entries")).order_by("name")


def list_of(brand: BrandProfile, pk: int) -> SavedList | None:
    return brand.lists.filter(pk=pk).first()


def entries_of(saved_list: SavedList) -> QuerySet[SavedCreator]:
    """The list's creators, latest added first, each with its creator and their listing (if
    any: a creator who left or paused stays on the list, marked)."""
    return saved_list.entries.select_related("creator__user", "creator__listing").order_by(
        "-added_at", "-pk"
    )


def lists_holding(brand: BrandProfile, creator: CreatorProfile) -> set[int]:
    """The ids of the brand's lists that hold `creator`."""
    return set(
        SavedCreator.objects.filter(saved_list__brand=brand, creator=creator).values_list(
            "saved_list_id", flat=True
        )
    )


@transaction.atomic
def create_list(*, brand: BrandProfile, name: str) -> SavedList:
    name = _clean_name(name)
    if brand.lists.count() >= MAX_LISTS:
        raise ListsError(f"A brand keeps at most {MAX_LISTS} lists: delete one first.")
    try:
        with transaction.atomic():
            return SavedList.objects.create(brand=brand, name=name, created_at=timezone.now())
    except IntegrityError as error:
        raise ListsError(f"You already have a list called “{name}”.") from error


@transaction.atomic
def rename_list(*, saved_list: SavedList, name: str) -> SavedList:
    name = _clean_name(name)
    if saved_list.brand.lists.filter(name=name).exclude(pk=saved_list.pk).exists():
        raise ListsError(f"You already have a list called “{name}”.")
    saved_list.name = name
    saved_list.save(update_fields=["name"])
    return saved_list


@transaction.atomic
def delete_list(*, saved_list: SavedList) -> str:
    """Delete the list (not the creators); returns its name."""
    name = saved_list.name
    saved_list.delete()
    return name


@transaction.atomic
def add_to_list(*, saved_list: SavedList, creator: CreatorProfile) -> bool:
    """Add the creator; False if the list held them already."""
    if saved_list.entries.count() >= MAX_PER_LIST:
        raise ListsError(f"A list holds at most {MAX_PER_LIST} creators.")
    _, created = SavedCreator.objects.get_or_create(saved_list=saved_list, creator=creator)
    return created


@transaction.atomic
def remove_from_list(*, saved_list: SavedList, creator: CreatorProfile) -> bool:
    """Remove the creator; False if the list did not hold them."""
    deleted, _ = SavedCreator.objects.filter(saved_list=saved_list, creator=creator).delete()
    return bool(deleted)
