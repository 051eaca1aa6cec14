"""Where one request of each benchmarked page spends its time, on the benchmark's database.

    .venv/bin/python devdata/bench/profile_pages.py [--creator N] [--fan N] [--requests 20]
        [--pages creator_page,feed] [--cprofile]

Run it after `make bench-web` has seeded (same BENCH_DATABASE_URL / DATABASE_URL rules). In
this process, with production settings, it signs in seeded creator N and seeded fan N (default:
the middle ones), sends each page of devdata/bench/pages.py through Django's whole handler
(middleware included) as its role asks (the creator, the fan, or a visitor with no session),
and prints per page the median request time, the queries (count, time, the slowest ones),
the template time (and the queries run while rendering, which should be none) and the rest.
With --cprofile it adds, per page, the functions that take the most time of their own.

`--pages chat` (or no --pages) adds the busy room's poll as fan 1 (one of its subscribers)
sends it: with nothing new since its cursor, and with six new messages, about what a poll
brings while ten fans post every 3–4 s.

`--pages gift_burst` (or no --pages) adds the gift burst's gift as the first gift fan sends
it, a new gift each time, on the gift creator's live session: it starts the session afresh and
tops the fans' coins up first, as a run of the burst does (devdata/bench/gift_burst.py).
"""

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import gift_burst
from pages import PAGES, Page
from run_web import bench_database_url, fan_handles

# The project root (where manage.py is), two floors above this script: devdata/bench/.
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Sample:
    total_ms: float = 0.0
    template_ms: float = 0.0
    queries: list[tuple[float, str]] = field(default_factory=list)
    queries_in_templates: int = 0


class Probe:
    """Times every query (through the connection's execute wrapper) and the outermost
    template render of the request in progress."""

    def __init__(self) -> None:
        self.sample = Sample()
        self._depth = 0

    def query(
        self, execute: Callable, sql: str, params: object, many: bool, context: dict
    ) -> object:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sample.queries.append(((time.perf_counter() - started) * 1000, sql))
            if self._depth:
                self.sample.queries_in_templates += 1

    @contextmanager
    def rendering(self) -> object:
        self._depth += 1
        started = time.perf_counter()
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth:
                self.sample.template_ms += (time.perf_counter() - started) * 1000


def setup_django() -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": bench_database_url(),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def instrument_templates(probe: Probe) -> None:
    from django.template.base import Template

    original = Template.render

    def render(self: Template, context: object) -> object:
        with probe.rendering():
            return original(self, context)

    Template.render = render


def profile_page(client: object, probe: Probe, page: Page, context: dict, n: int) -> list[Sample]:
    from django.db import connection

    path = page.path.format(**context)
    samples = []
    for i in range(n + 3):  # three to warm up
        probe.sample = Sample()
        with connection.execute_wrapper(probe.query):
            started = time.perf_counter()
            response = client.generic(
                page.method,
                path,
                # A POST page's form, a fresh submission each time (the locustfile's too).
                urlencode(page.form(context, i)) if page.form else "",
                content_type="application/x-www-form-urlencoded",
                headers=dict(page.headers),
            )
            probe.sample.total_ms = (time.perf_counter() - started) * 1000
        if response.status_code != page.expect:
            raise SystemExit(f"{page.name}: HTTP {response.status_code} at {path}")
        if i >= 3:
            samples.append(probe.sample)
    return samples


def report(page: Page, samples: list[Sample]) -> None:
    median = statistics.median
    sql_ms = [sum(ms for ms, _ in s.queries) for s in samples]
    total = median(s.total_ms for s in samples)
    template = median(s.template_ms for s in samples)
    sql = median(sql_ms)
    print(f"\n{page.name}  ({len(samples)} requests, medians)")
    print(f"  request      {total:7.1f} ms")
    print(f"  SQL          {sql:7.1f} ms in {len(samples[0].queries)} queries")
    print(
        f"  templates    {template:7.1f} ms "
        f"({samples[0].queries_in_templates} queries while rendering, counted in SQL too)"
    )
    print(f"  other Python {total - template - sql:7.1f} ms (view code, middleware, sessions)")
    by_query: dict[int, list[float]] = {}
    for s in samples:
        for i, (ms, _) in enumerate(s.queries):
            by_query.setdefault(i, []).append(ms)
    slowest = sorted(by_query, key=lambda i: -median(by_query[i]))[:6]
    for i in slowest:
        text = " ".join(samples[0].queries[i][1].split())
        print(f"    {median(by_query[i]):6.2f} ms  q{i + 1:<2} {text[:150]}")


def chat_polls(summary: dict, context: dict) -> list[tuple[Page, object]]:
    """The busy room's poll as fan 1 (one of its subscribers) sends it, with its client: at
    the room's last message, and six messages before it."""
    from django.test import Client

    from accounts.models import User
    from subscriptions.models import ChatMessage

    client = Client()
    client.force_login(User.objects.get(email=summary["fan_email_pattern"].format(n=1)))
    handle = summary["chat_handle"]
    ids = list(
        ChatMessage.objects.filter(creator__handle=handle)
        .order_by("-pk")
        .values_list("pk", flat=True)[:57]
    )
    context["chat_since"] = str(int(time.time() * 1000))
    headers = {"HX-Request": "true"}

    def poll(name: str, after: int) -> tuple[Page, object]:
        path = f"/@{handle}/chat/messages/?after={after}&first={ids[-1]}&since={{chat_since}}"
        return Page(name, path, headers=headers, role="fan"), client

    return [poll("chat_poll", ids[0]), poll("chat_poll_6_new", ids[6])]


def gift_sends(context: dict) -> list[tuple[Page, object]]:
    """The gift burst's gift (an htmx POST of the gift box) as the first gift fan sends it,
    with its client: a fresh live session, each request a new gift (a new request key)."""
    from django.test import Client

    from accounts.models import User

    state = gift_burst.prepare(1, 60)
    email = next(iter(state["fans"]))
    client = Client()
    client.force_login(User.objects.get(email=email))
    gift = min(state["gifts"], key=lambda pk: state["gifts"][pk])
    run = secrets.token_hex(8)
    context.update(gift_handle=state["handle"])
    page = Page(
        "gift_send",
        "/@{gift_handle}/support/gift/",
        method="POST",
        headers={"HX-Request": "true"},
        form=lambda _context, n: {
            "gift": gift,
            "target": state["target"],
            "request_key": f"{run}{n:016x}",
            "message": "Hello from the profiler!",
        },
        role="fan",
    )
    # The support page each fan opens first (its gift box, the wall, the top supporters).
    return [(Page("gift_page", "/@{gift_handle}/support/", role="fan"), client), (page, client)]


def sign_in_brand(clients: dict, context: dict) -> None:
    """The brand pages as the Marketplace seed's first brand, with its campaign, niche and
    country (what marketplace_run.add_brands gives the first user)."""
    import marketplace_seed
    from django.test import Client

    from accounts.models import User
    from marketplace.models import Campaign

    brand = User.objects.filter(email=marketplace_seed.BRAND_EMAIL_PATTERN.format(n=1)).first()
    if brand is None:
        raise SystemExit("No Marketplace seed: run make bench-web with a brand page first.")
    clients["brand"] = Client()
    clients["brand"].force_login(brand)
    campaign = Campaign.objects.filter(brand__user=brand).first()
    niche = campaign.niches.values_list("slug", flat=True).first() or ""
    context.update(
        campaign=str(campaign.pk),
        niche=niche,
        country=next(iter(marketplace_seed.COUNTRY_LANGUAGES)),
        audience_country=list(marketplace_seed.COUNTRY_LANGUAGES)[3],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--creator", type=int, help="the seeded creator's number")
    parser.add_argument("--fan", type=int, help="the seeded fan's number")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--pages", default="", help="names from pages.py; default all")
    parser.add_argument("--cprofile", action="store_true")
    options = parser.parse_args()
    setup_django()
    from django.test import Client

    from accounts.models import User
    from devdata import bench_data

    stored = bench_data.stored_seed()
    if stored is None:
        raise SystemExit("No seed in the benchmark's database: run make bench-web first.")
    summary = stored[1]
    number = options.creator or summary["creators"] // 2
    fan = options.fan or summary["fans"] // 2
    fan_email = summary["fan_email_pattern"].format(n=fan)
    clients = {role: Client() for role in ("creator", "fan", "visitor")}
    clients["creator"].force_login(
        User.objects.get(email=summary["email_pattern"].format(n=number))
    )
    clients["fan"].force_login(User.objects.get(email=fan_email))
    handle = fan_handles(bench_database_url(), [fan_email], summary["chat_handle"])[fan_email]
    context = {
        "day": summary["last_day"],
        "creator": str(number),
        "fan": str(fan),
        "course": summary.get("academy_course", ""),
        "lesson": str(summary.get("academy_lesson", "")),
    }
    context["handle"] = handle
    probe = Probe()
    instrument_templates(probe)
    print(
        f"creator {number}, fan {fan} (reading @{handle}), {summary['creators']:,} creators × "
        f"{summary['days']} days seeded"
    )
    wanted = set(filter(None, options.pages.split(",")))
    if any(page.role == "brand" for page in PAGES if not wanted or page.name in wanted):
        sign_in_brand(clients, context)
    pages = [(page, clients[page.role]) for page in PAGES if not wanted or page.name in wanted]
    if not wanted or "chat" in wanted:
        pages += chat_polls(summary, context)
    if not wanted or "gift_burst" in wanted:
        pages += gift_sends(context)
    for page, client in pages:
        profiler = cProfile.Profile() if options.cprofile else None
        if profiler:
            profiler.enable()
        samples = profile_page(client, probe, page, context, options.requests)
        if profiler:
            profiler.disable()
        report(page, samples)
        if profiler:
            print(f"  {page.name}: functions by own time, over all its requests")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
