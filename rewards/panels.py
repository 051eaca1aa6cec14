"""Panels that apps above rewards add to the creator's dashboard (the Academy's "Recommended
for you"), registered in their AppConfig.ready(): the dashboard shows them without importing
those apps (DESIGN.md: a lower app learns from a higher one by a hook).

A panel is a function of the request and the creator returning HTML, or "" to show nothing.
It owns its cost: the dashboard's query budget is pinned, so a panel reads from a cache.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

from accounts.models import CreatorProfile

DashboardPanel = Callable[[HttpRequest, CreatorProfile], SafeString | str]

_panels: list[DashboardPanel] = []


def register_dashboard_panel(panel: DashboardPanel) -> None:
    if panel not in _panels:
        _panels.append(panel)


def dashboard_panels(request: HttpRequest, creator: CreatorProfile) -> list[SafeString | str]:
    return [html for panel in _panels if (html := panel(request, creator))]
