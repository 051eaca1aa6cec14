"""The Marketplace's panel on the creator's dashboard: partnership requests month by month,
cached until the next invitation."""

import pytest
from django.test import Client
from django.urls import reverse

from marketplace import proposals
from marketplace.tests.factories_deals import deal_rows

pytestmark = pytest.mark.django_db


def test_the_dashboard_counts_invitations_and_shows_a_new_one_at_once(
    creator: object, brand: object
) -> None:
    client = Client()
    client.force_login(creator.user)
    assert (
        'data-testid="partnership-requests"'
        not in client.get(reverse("rewards:dashboard")).content.decode()
    )
    deal_rows(creator, brand)  # lists the creator and invites them once
    page = client.get(reverse("rewards:dashboard")).content.decode()
    assert 'data-testid="partnership-requests"' in page
    assert [month.count for month in proposals.partnership_requests(creator)][-1] == 1
    assert '<strong class="num">1</strong>' in page
