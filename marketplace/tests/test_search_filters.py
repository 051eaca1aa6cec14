"""The brand search's filters fold behind a "Filters (N active)" summary on a phone: the
count in the full page and in each htmx answer, which updates it out of band."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from marketplace.tests.factories_listings import listed_creator, set_features

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def count_in(page: str) -> str:
    [count] = re.findall(r'<span id="filter-count"[^>]*>([^<]*)</span>', page)
    return count


@pytest.fixture
def listed() -> None:
    for n, followers in enumerate([90_000, 30_000]):
        set_features(listed_creator(handle=f"maker{n}"), followers=followers)


def test_the_filters_fold_behind_a_summary_that_counts_none_at_first(
    brand_client: Client, listed: None
) -> None:
    page = brand_client.get(reverse("marketplace:search")).content.decode()
    assert '<details class="filters-fold">' in page  # closed: the CSS opens it on wide screens
    assert count_in(page) == "(none active)"
    # Every filter is still inside the form the htmx updates listen to.
    start = page.index('id="search-filters"')
    form = page[start : page.index("</form>", start)]
    assert form.index("<summary") < form.index('name="niche"') < form.index("</details>")


def test_the_summary_counts_the_filters_set_but_not_the_sort_or_currency(
    brand_client: Client, listed: None
) -> None:
    query = {
        "niche": "beauty",
        "followers_min": "40000",
        "followers_max": "",
        "sort": "price",
        "currency": "EUR",
    }
    page = brand_client.get(reverse("marketplace:search"), query).content.decode()
    assert count_in(page) == "(2 active)"
    assert "maker0" in page and "maker1" not in page


def test_an_htmx_filter_change_updates_the_count_out_of_band(
    brand_client: Client, listed: None
) -> None:
    response = brand_client.get(
        reverse("marketplace:search"), {"followers_min": "40000", "authenticity_min": "50"}, **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith('<div id="results"')
    assert (
        '<span id="filter-count" class="filter-count" hx-swap-oob="true">(2 active)</span>' in page
    )
    assert page.count('id="filter-count"') == 1 and "maker0" in page and "maker1" not in page
