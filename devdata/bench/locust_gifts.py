"""The gift burst, for `make bench-web` (run_web.py runs it when BENCH_PAGES names
`gift_burst`, or names nothing): fans of one creator sending gifts during the creator's live
session, each doing what the support page does in a browser (templates/gifts/support.html).

Each user takes one fan session of BENCH_SESSIONS (signed in through the login form by
run_web.py; the fan has coins, the creator takes gifts and is live, devdata/bench/gift_burst.py
saw to both) and:

1. joins: opens the creator's support page, `GET /@handle/support/`: the gift box, with the
   catalog (one radio button a gift), the targets (the live session on air among them, whose
   value the session's context names) and a fresh request key. The fans join over
   BENCH_GIFT_JOIN_S (run_web.py spawns them at that pace), as into a live session that
   fills up;
2. once every fan has joined (the page answered to all of them, however long that took), the
   burst: for BENCH_SECONDS each fan sends a gift on the live
   session every BENCH_GIFT_EVERY_S seconds on average (each gap drawn from half to one and a
   half times it, the first within one gap of the burst's start), as the gift box's hx-post
   does: the form's fields (a gift picked at random, the live session, the request key, now
   and then a message) with the CSRF token in X-CSRFToken, as base.html's hx-headers sends
   it. The answer is the gift box again, saying the gift was sent, with the next request key;
   any other answer (a 409 refusal among them) is an error. One request at a time per fan
   (the box disables its button while one is in flight), paced from the schedule rather than
   from the answers: a slow answer does not slow the arrivals.

With BENCH_GIFT_PROBE=1 the fans send no gift: at the same moments they GET the creator's
tip split fragment (`/@handle/support/tip/split/?amount=5`: the session, the fan, one query
for the creator, a small template), a cheap authenticated view, so the run measures the
floor this machine and server set for any request at that pace (run_web.py's check then
finds no gift, as none was sent).

200 fans every 5 s are 40 gifts arriving a second. A fan stops when the burst is over (gifts it
is still behind with are not sent); locust stops when every fan has, each with its last answer,
or at its time limit, when answers have been taking longer than that: the gifts still awaiting
an answer then are counted `unanswered` (the portal may yet store them). Each user counts the
gifts it was told were sent, and their coins; the totals go to BENCH_GIFT_REPORT as JSON when
the run stops, for run_web.py to compare with the database (gift_burst.py verify), with
`late_p95_ms`, how far behind its schedule a fan's gift left (above 0 when answers took longer
than the fan's pace: the portal did not keep up). Locust's own figures: gift_page (the join),
gift_send (the burst).
"""

import html
import itertools
import json
import math
import os
import random
import re
import time
from pathlib import Path

import gevent
from gevent.event import AsyncResult
from locust import FastHttpUser, constant, events, task

SESSIONS: list[dict] = json.loads(Path(os.environ["BENCH_SESSIONS"]).read_text())
REPORT = Path(os.environ["BENCH_GIFT_REPORT"])
SECONDS = float(os.environ.get("BENCH_SECONDS") or 30)
EVERY_S = float(os.environ.get("BENCH_GIFT_EVERY_S") or 5)
JOIN_S = float(os.environ.get("BENCH_GIFT_JOIN_S") or 10)
PROBE = os.environ.get("BENCH_GIFT_PROBE") == "1"
# A share of the gifts carry a message (cleaned and stored with the gift).
MESSAGE_SHARE = 0.3

GIFT = re.compile(r'<input type="radio" name="gift" value="(\d+)"')
PRICE = re.compile(r'<span class="gift-price">([\d,]+) coin')
REQUEST_KEY = re.compile(r'<input type="hidden" name="request_key" value="([0-9a-f]+)"')
SENT = re.compile(r'data-testid="gift-sent">([^<]*)<')
REFUSED = re.compile(r'data-testid="gift-error">([^<]*)<')

_next_user = itertools.count()
_started = time.monotonic()
FANS = int(os.environ.get("BENCH_GIFT_FANS") or len(SESSIONS))
# Shared by the users of this process (one locust process, gevent).
joined: set[int] = set()
# When the burst starts (time.monotonic()): a second after the last fan joined.
burst_at = AsyncResult()
told: dict[str, dict[str, int]] = {}
late: list[float] = []  # how far behind its schedule each gift left, in ms
answers: list[float] = []  # each gift's time to its answer, in ms
failed = 0  # gifts whose answer was not a gift sent
done: set[int] = set()
in_flight = 0
last_answer = 0.0  # when the last gift's answer came (time.monotonic())


def _percentile(values: list[float], share: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(share * len(ordered)) - 1)])


class GiftFan(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.number = next(_next_user)
        session = SESSIONS[self.number % len(SESSIONS)]
        self.email = session["email"]
        cookies = session["cookies"]["fan"]
        self.cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        self.csrf_token = cookies["csrftoken"]
        self.page = f"/@{session['context']['handle']}/support/"
        self.target = session["context"]["target"]
        self.finished = False
        told.setdefault(self.email, {"n": 0, "coins": 0})
        self.next_send = 0.0
        try:
            self._join()
        finally:
            joined.add(self.number)
            if len(joined) == FANS:
                burst_at.set(time.monotonic() + 1)

    def _join(self) -> None:
        with self.client.get(
            self.page, name="gift_page", headers={"Cookie": self.cookie}, catch_response=True
        ) as response:
            text = response.text or ""
            gifts = GIFT.findall(text)
            prices = [int(p.replace(",", "")) for p in PRICE.findall(text)]
            key = REQUEST_KEY.search(text)
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif not gifts or len(prices) != len(gifts) or key is None:
                response.failure("the page has no gift box to send from")
            elif f'value="{self.target}"' not in text:
                response.failure(f"the page does not offer the live session ({self.target})")
            else:
                self.gifts = dict(zip(gifts, prices, strict=True))
                self.request_key = key.group(1)
                return
        self.finished = True

    @task
    def step(self) -> None:
        if self.finished:
            done.add(self.number)
            if len(done) == FANS:
                # Every fan is done and no answer is awaited: the run is over.
                gevent.spawn(self.environment.runner.quit)
            gevent.sleep(1)
            return
        start = burst_at.get()  # waits for the last fan to join
        if not self.next_send:
            self.next_send = start + random.uniform(0, EVERY_S)
        now = time.monotonic()
        if max(now, self.next_send) >= start + SECONDS:
            self.finished = True
            return
        if self.next_send > now:
            gevent.sleep(self.next_send - now)
            return
        late.append((now - self.next_send) * 1000)
        self._send()
        self.next_send += EVERY_S * random.uniform(0.5, 1.5)

    def _probe(self) -> None:
        global last_answer, failed
        asked = time.monotonic()
        with self.client.get(
            f"{self.page}tip/split/?amount=5",
            name="floor_probe",
            headers={"Cookie": self.cookie, "HX-Request": "true"},
            catch_response=True,
        ) as response:
            last_answer = time.monotonic()
            answers.append((last_answer - asked) * 1000)
            if response.status_code != 200 or "reaches" not in (response.text or ""):
                failed += 1
                response.failure(f"HTTP {response.status_code}")

    def _send(self) -> None:
        global in_flight, last_answer, failed
        if PROBE:
            self._probe()
            return
        gift = random.choice(list(self.gifts))
        form = {
            "csrfmiddlewaretoken": self.csrf_token,
            "gift": gift,
            "target": self.target,
            "request_key": self.request_key,
            "message": f"Hello from fan {self.number}!" if random.random() < MESSAGE_SHARE else "",
        }
        headers = {
            # What htmx sends with the gift box's hx-post (django-htmx reads HX-Request).
            "Cookie": self.cookie,
            "HX-Request": "true",
            "HX-Current-URL": self.page,
            "HX-Target": "gift-box",
            "X-CSRFToken": self.csrf_token,
        }
        in_flight += 1
        asked = time.monotonic()
        with self.client.post(
            f"{self.page}gift/", name="gift_send", headers=headers, data=form, catch_response=True
        ) as response:
            in_flight -= 1
            last_answer = time.monotonic()
            answers.append((last_answer - asked) * 1000)
            text = response.text or ""
            key = REQUEST_KEY.search(text)
            if key is not None:
                self.request_key = key.group(1)  # the box's next submission
            refused = REFUSED.search(text)
            failed += response.status_code != 200 or SENT.search(text) is None or key is None
            if response.status_code != 200:
                why = html.unescape(refused.group(1)).strip() if refused else ""
                response.failure(f"HTTP {response.status_code} {why}".strip())
            elif SENT.search(text) is None:
                response.failure("the answer does not say the gift was sent")
            elif key is None:
                response.failure("the answer has no request key for the next gift")
            else:
                told[self.email]["n"] += 1
                told[self.email]["coins"] += self.gifts[gift]


@events.test_stop.add_listener
def write_report(**kwargs: object) -> None:
    REPORT.write_text(
        json.dumps(
            {
                "sent": sum(fan["n"] for fan in told.values()),
                # Every gift's answer (exact percentiles, unlike locust's rounded ones, and
                # complete: locust's CSV may miss the last answers of a run it is told to end).
                "answers": len(answers),
                "failed": failed,
                "p50_ms": _percentile(answers, 0.5),
                "p95_ms": _percentile(answers, 0.95),
                "p99_ms": _percentile(answers, 0.99),
                "max_ms": round(max(answers)) if answers else None,
                "sent_by_fan": told,
                "unanswered": in_flight,
                "join_s": round(burst_at.get() - 1 - _started, 1) if burst_at.ready() else None,
                # From the burst's start to the last answer.
                "burst_s": round(last_answer - burst_at.get(), 1) if last_answer else None,
                "late_p95_ms": _percentile(late, 0.95),
            }
        )
    )
