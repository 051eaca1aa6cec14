"""Locust users for `make bench-web`; devdata/bench/run_web.py starts locust with this file.

Each simulated user takes one of the sessions run_web.py opened through the login form
(BENCH_SESSIONS, a JSON file): a creator and, when a page needs one, a fan, so every user is
a different creator (and fan). It then requests the pages of devdata/bench/pages.py (those
named in BENCH_PAGES) back to back, with no think time, each with the session its page's role
asks for (none for a visitor's page).

With BENCH_RATE (requests a second, all users together) each user instead sends at a fixed
pace, so requests arrive at that rate whatever the answers' latency, as long as an answer
takes less than a user's interval (run_web.py gives every user a second between requests):
latency measured at a given load rather than at saturation. Locust starts every user at
the same instant, so each user's schedule starts at a random moment of its first interval
and keeps its own pace from there: the requests arrive spread over each second, as
independent people's do. (locust's constant_throughput paces from the user's start, which
puts every user back in step after its first request: a burst of all of them once a second,
measured in 2026-11 as a p50 five times the server's own.) More users than sessions then
share creators; the request counter is the process's, so their submissions never collide.
"""

import itertools
import json
import os
import random
import time
from collections.abc import Mapping
from pathlib import Path

import gevent
from locust import FastHttpUser, task
from pages import PAGES, Page

SESSIONS: list[dict] = json.loads(Path(os.environ["BENCH_SESSIONS"]).read_text())
ONLY = set(filter(None, os.environ.get("BENCH_PAGES", "").split(",")))
RATE = float(os.environ.get("BENCH_RATE") or 0)
USERS = int(os.environ.get("BENCH_USERS_RUNNING") or 1)
_next_session = itertools.count()
# One counter for every user of this process: users sharing a creator send distinct keys.
_sent = itertools.count()


class Creator(FastHttpUser):
    # FastHttpUser (geventhttpclient) costs the shared CPU far less per request than HttpUser.

    def wait_time(self) -> float:
        """No wait in a closed loop; with BENCH_RATE, until this user's next turn (none when it
        is behind: an answer slower than its interval)."""
        if not RATE:
            return 0.0
        self.next_at += USERS / RATE
        return max(0.0, self.next_at - time.monotonic())

    def on_start(self) -> None:
        session = SESSIONS[next(_next_session) % len(SESSIONS)]
        self.page_context: Mapping[str, str] = session["context"]
        # Per role: the Cookie header and the CSRF token of the session signed in as it.
        self.signed_in: dict[str, tuple[str, str]] = {
            role: ("; ".join(f"{k}={v}" for k, v in cookies.items()), cookies["csrftoken"])
            for role, cookies in session["cookies"].items()
        }
        self.pages = [page for page in PAGES if not ONLY or page.name in ONLY]
        self.weights = [page.weight for page in self.pages]
        if RATE:
            self.next_at = time.monotonic() + random.uniform(0, USERS / RATE)
            gevent.sleep(self.next_at - time.monotonic())

    @task
    def request_page(self) -> None:
        page: Page = random.choices(self.pages, self.weights)[0]
        headers = dict(page.headers)
        if page.role in self.signed_in:
            cookie, csrf_token = self.signed_in[page.role]
            headers["Cookie"] = cookie
            if page.method != "GET":
                headers["X-CSRFToken"] = csrf_token
        form = page.form(self.page_context, next(_sent)) if page.form else None
        with self.client.request(
            page.method,
            page.path.format(**self.page_context),
            name=page.name,
            headers=headers,
            data=form,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != page.expect:
                response.failure(f"HTTP {response.status_code}, expected {page.expect}")
