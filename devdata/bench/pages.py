"""The pages `make bench-web` measures: the one list to extend (run_web.py and the locustfile
both read it). Plain Python, no Django and no locust, so either side can import it.

A path may name fields of the signed-in user's context, filled in per request:
`{day}` is the last seeded day (yesterday, the latest day with points); `{handle}` is the
handle of a creator the user's fan subscribes to; run_web.py puts whatever else a page needs
in the context (an item id for the store, say).

`role` says who asks for the page: a signed-in creator (each locust user is a different
one), a signed-in fan (likewise, with live subscriptions from the seed), a signed-in brand
(likewise, each with an open campaign: devdata/bench/marketplace_seed.py), or a visitor (no
session at all). run_web.py signs in fans and brands only when a page needs them, and seeds
the Marketplace (BENCH_LISTED listed creators) only when a brand page is named.

`open_loop_rates` are arrival rates (requests a second, all users together) the page is also
driven at after its closed loop: each user sends one request a second whatever the answers'
latency (see the locustfile), so at 20 a second it is 20 people each clicking once a second,
and p95 is the latency they meet rather than the queue at saturation. The redemption's rates
are BENCH_RATES (run_web.py); BENCH_RATES set empty turns every open-loop run off.

A POST page gives `form`, a function of the context and a per-user request counter that
returns the form fields; the locustfile sends the CSRF token with it. For example, the store's
redemption below.

The subscriber chat is not a page here: its load is a scenario of its own (100 fans polling
one room, some posting), devdata/bench/locust_chat.py, which run_web.py runs when BENCH_PAGES
names `chat` (or names nothing).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

ROLES = ("creator", "fan", "brand", "visitor", "staff")
# What htmx adds to the requests it sends: the page answers with its region only.
HTMX = {"HX-Request": "true"}


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
    role: str = "creator"  # one of ROLES
    open_loop_rates: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"{self.name}: role {self.role!r} is not one of {ROLES}")


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
    # A creator's public page as one of their subscribers sees it (their package, the posts
    # unlocked for it), and as a visitor does (every post locked).
    Page("creator_page", "/@{handle}/", role="fan", open_loop_rates=(20, 40)),
    Page("creator_page_visitor", "/@{handle}/", role="visitor"),
    # The fan's feed: the newest posts they may read from every creator they subscribe to.
    Page("feed", "/subscriptions/feed/", role="fan", open_loop_rates=(20,)),
    # The Academy: its home (the creator's courses, recommendations from their own data,
    # insight cards, the catalog), the lesson the seed has every creator on, and its
    # "Mark complete" as htmx sends it (done already: the second click of a real creator).
    Page("academy", "/academy/"),
    Page("lesson", "/academy/courses/{course}/lessons/{lesson}/"),
    Page(
        "mark_complete",
        "/academy/courses/{course}/lessons/{lesson}/complete/",
        method="POST",
        headers={"HX-Request": "true"},
        form=lambda context, n: {},
    ),
    # The Marketplace as brands use it, over BENCH_LISTED (100,000) listed creators. The
    # search as a brand first opens it (no filter, most followers first, the whole page),
    # then the requests its htmx sends as filters change (the results region only): several
    # filters, each sort, the audience filters and a later page. {niche}, {country} and
    # {audience_country} differ from brand to brand (marketplace_run.add_brands).
    Page("market_search", "/marketplace/", role="brand"),
    Page(
        "market_filters",
        "/marketplace/?niche={niche}&country={country}&followers_min=20000"
        "&engagement_min=2&authenticity_min=80&sort=followers",
        headers=HTMX,
        role="brand",
    ),
    Page(
        "market_engagement",
        "/marketplace/?niche={niche}&followers_min=50000&sort=engagement",
        headers=HTMX,
        role="brand",
    ),
    Page(
        "market_price",
        "/marketplace/?niche={niche}&budget=2000&currency=USD&sort=price",
        headers=HTMX,
        role="brand",
    ),
    Page(
        "market_audience",
        "/marketplace/?audience_country={audience_country}&audience_age=25-34"
        "&audience_min=20&followers_max=1000000&sort=followers",
        headers=HTMX,
        role="brand",
    ),
    Page(
        "market_page",
        "/marketplace/?niche={niche}&followers_min=20000&sort=followers&page=5",
        headers=HTMX,
        role="brand",
    ),
    # Sorted by match to the brand's own campaign (its brief scored against every creator
    # the filters admit, each score explained).
    Page(
        "market_match",
        "/marketplace/?niche={niche}&followers_min=20000&sort=match-{campaign}",
        headers=HTMX,
        role="brand",
    ),
    # A campaign's creators ranked by match (the brief against every eligible listed
    # creator, each part explained), as the brand opens it and as its next page comes in.
    Page("campaign", "/marketplace/campaigns/{campaign}/", role="brand"),
    Page("campaign_page", "/marketplace/campaigns/{campaign}/?page=2", headers=HTMX, role="brand"),
    # The staff reports over BENCH_REPORT_CREATORS (100,000) creators (devdata/bench/
    # reports_seed.py; BENCH_PAGES=reports names them all): each as staff open it, then as
    # its htmx filters ask for its region. {cohort}, {band} differ from staff to staff
    # (reports_run.add_staff). The what-if is timed on its own (reports_run.time_what_if).
    Page("report_impact", "/staff/reports/impact/", role="staff"),
    Page(
        "report_impact_filtered",
        "/staff/reports/impact/?window=6&cohort={cohort}&band={band}",
        headers=HTMX,
        role="staff",
    ),
    Page(
        "report_impact_csv", "/staff/reports/impact/export.csv?window=3&band={band}", role="staff"
    ),
    Page("report_fairness", "/staff/reports/fairness/", role="staff"),
    Page(
        "report_fairness_90d",
        "/staff/reports/fairness/?first={first90}&last={report_day}",
        headers=HTMX,
        role="staff",
    ),
    Page(
        "report_fairness_12_months",
        "/staff/reports/fairness/?first={months_first}&last={months_last}",
        headers=HTMX,
        role="staff",
    ),
    Page("report_fraud", "/staff/reports/fraud/", role="staff"),
    Page(
        "report_fraud_filtered",
        "/staff/reports/fraud/?status=confirmed&reason=view_spike&first={first90}",
        headers=HTMX,
        role="staff",
    ),
    Page("report_operations", "/staff/reports/operations/", role="staff"),
]
