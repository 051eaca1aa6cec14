"""A brand's saved lists: make, rename, delete, add and remove, each brand its own."""

import pytest

from accounts.tests.factories import BrandFactory
from marketplace import lists
from marketplace.lists import ListsError
from marketplace.models import SavedCreator, SavedList
from marketplace.tests.factories_listings import listed_creator, saved_list

pytestmark = pytest.mark.django_db


def test_make_rename_and_delete(brand: object) -> None:
    made = lists.create_list(brand=brand, name="  Autumn   launch ")
    assert made.name == "Autumn launch"
    lists.rename_list(saved_list=made, name="Winter launch")
    assert SavedList.objects.get(pk=made.pk).name == "Winter launch"
    assert lists.delete_list(saved_list=made) == "Winter launch"
    assert not SavedList.objects.exists()


def test_names_are_unique_per_brand_only(brand: object) -> None:
    saved_list(brand, "Shortlist")
    with pytest.raises(ListsError, match="already have"):
        lists.create_list(brand=brand, name="Shortlist")
    other = saved_list(brand, "Other")
    with pytest.raises(ListsError, match="already have"):
        lists.rename_list(saved_list=other, name="Shortlist")
    saved_list(BrandFactory(), "Shortlist")  # another brand may use the name


def test_an_empty_name_is_refused(brand: object) -> None:
    with pytest.raises(ListsError, match="name"):
        lists.create_list(brand=brand, name="   ")


def test_add_and_remove_once_each(brand: object) -> None:
    creator = listed_creator()
    made = saved_list(brand)
    assert lists.add_to_list(saved_list=made, creator=creator) is True
    assert lists.add_to_list(saved_list=made, creator=creator) is False
    assert SavedCreator.objects.count() == 1
    assert lists.lists_holding(brand, creator) == {made.pk}
    assert lists.remove_from_list(saved_list=made, creator=creator) is True
    assert lists.remove_from_list(saved_list=made, creator=creator) is False


def test_a_brand_reaches_only_its_own_lists(brand: object) -> None:
    mine = saved_list(brand, "Mine", creators=(listed_creator(),))
    theirs = saved_list(BrandFactory(), "Theirs")
    assert lists.list_of(brand, theirs.pk) is None
    assert lists.list_of(brand, mine.pk) == mine
    assert [(s.name, s.size) for s in lists.lists_of(brand)] == [("Mine", 1)]
