"""The pages `make bench-web` measures: the one list to extend (run_web.py and the locustfile
both read it). Plain Python, no Django and no locust, so either side can import it.

A path may name fields of the signed-in user's context, filled in per request:
`{day}` is the last seeded day (yesterday, the latest day with points); run_web.py puts
whatever else a page needs in the context (an item id for the store, say).

A POST page gives `form`, a function of the context and a per-user request counter that
returns the form fields; the locustfile sends the CSRF token with it. For example, the store's
redemption below.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    name: str  # the "page" of its JSON line
    path: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    expect: int = 200  # any other status counts as an error
    form: Callable[[Mapping[str, str], int], Mapping[str, str]] | None = None
    # Share of the requests when pages are mixed (BENCH_MIX=mixed).
    weight: int = 1


PAGES = [
    Page("dashboard", "/creator/"),
    Page("chart", "/rewards/chart/?period=30", headers={"HX-Request": "true"}),
    Page("drill_down", "/rewards/days/{day}/"),
    Page("store", "/rewards/store/"),
    Page("store_item", "/rewards/store/bench-tool/"),
    # The earnings statement: this tax year's months by source, balances, chart and entries
    # (the seed gives each creator a year of them).
    Page("earnings", "/earnings/"),
    # The redeem button as htmx sends it; every request a new submission (a fresh key), so
    # each one is a real redemption: locks, ledger entry, entitlement and all.
    Page(
        "redeem",
        "/rewards/store/bench-tool/redeem/",
        method="POST",
        headers={"HX-Request": "true"},
        form=lambda context, n: {"request_key": f"{int(context['creator']):08x}{n + 1:024x}"},
    ),
]
