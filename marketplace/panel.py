"""The Marketplace's panel on the creator's dashboard (registered with rewards.panels): the
brand partnership requests they received month by month, and where their listing stands.
Cached under a version each invitation bumps, so a hit reads nothing."""

from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string

from accounts.models import CreatorProfile
from core import regions
from core.regions import REGION_SECONDS

from .models import Listing
from .proposals import partnership_requests, requests_version_key


def dashboard_panel(request: HttpRequest, creator: CreatorProfile) -> str:
    key = f"marketplace:panel:{creator.pk}:{regions.version(requests_version_key(creator.pk))}"
    if (cached := cache.get(key)) is None:
        listing = Listing.objects.filter(creator=creator).first()
        cached = {
            "months": partnership_requests(creator, months=6),
            "listed": listing is not None,
            "paused": listing is not None and listing.is_paused,
        }
        cache.set(key, cached, REGION_SECONDS)
    if not cached["listed"] and not any(month.count for month in cached["months"]):
        return ""  # nothing to show a creator outside the Marketplace: the path card says how
    return render_to_string("marketplace/_dashboard_panel.html", cached, request=request)
