"""Locust users for `make bench-web`; devdata/bench/run_web.py starts locust with this file.

Each simulated user takes one of the sessions run_web.py opened through the login form
(BENCH_SESSIONS, a JSON file), so every user is a different creator, and then requests the
pages of devdata/bench/pages.py (those named in BENCH_PAGES) back to back, with no think time.
"""

import itertools
import json
import os
import random
from collections.abc import Mapping
from pathlib import Path

from locust import FastHttpUser, constant, task
from pages import PAGES, Page

SESSIONS: list[dict] = json.loads(Path(os.environ["BENCH_SESSIONS"]).read_text())
ONLY = set(filter(None, os.environ.get("BENCH_PAGES", "").split(",")))
_next_session = itertools.count()


class Creator(FastHttpUser):
    # FastHttpUser (geventhttpclient) costs the shared CPU far less per request than HttpUser.
    wait_time = constant(0)

    def on_start(self) -> None:
        session = SESSIONS[next(_next_session) % len(SESSIONS)]
        self.page_context: Mapping[str, str] = session["context"]
        self.csrf_token: str = session["cookies"]["csrftoken"]
        self.cookie = "; ".join(f"{k}={v}" for k, v in session["cookies"].items())
        self.pages = [page for page in PAGES if not ONLY or page.name in ONLY]
        self.weights = [page.weight for page in self.pages]
        self.sent = itertools.count()

    @task
    def request_page(self) -> None:
        page: Page = random.choices(self.pages, self.weights)[0]
        headers = {"Cookie": self.cookie, **page.headers}
        form = page.form(self.page_context, next(self.sent)) if page.form else None
        if page.method != "GET":
            headers["X-CSRFToken"] = self.csrf_token
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
