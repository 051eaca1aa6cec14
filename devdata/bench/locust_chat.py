"""The subscriber chat under load, for `make bench-web` (run_web.py runs it when BENCH_PAGES
names `chat`): fans of one creator in one room, each doing what the room page does in a
browser (templates/subscriptions/chat/room.html), and checking what it is shown.

Each user takes one fan session of BENCH_SESSIONS (signed in through the login form by
run_web.py; every fan a live subscriber whose package includes the chat) and:

1. opens the room, `GET /@handle/chat/`: the last 50 messages and the poller, whose hx-get
   holds the reader's cursor (`after`, `first`, `since`);
2. polls that hx-get 2 s after each answer landed, as htmx's `every 2s` on a poller that each
   answer replaces does; an answer is a new poller (the next cursor) and the new messages;
3. the first BENCH_CHAT_POSTERS users also post a message every 3–4 s (the room allows a
   fan 1 a second and 5 in 10 s: subscriptions.chat.RATE_LIMITS), with the cursor the page
   holds, as the form does; the answer carries the fresh form and the same updates a poll
   would (the poster's own message among them), and its poller replaces the old one. One
   request at a time per user (the page's hx-sync): a post waits for a poll in flight.

Every message id a user is shown (on the room page, in a poll's or a post's answer) must be
new to it: one seen again counts as `duplicated`; one lower than an id it already holds
counts as `out_of_order`. Posters stop BENCH_CHAT_DRAIN_S (6 s) before the end; the others
keep polling, and when BENCH_SECONDS have passed since the run started each user checks it
was shown every message posted during the run: each one missing counts as `lost`. The
totals go to BENCH_CHAT_REPORT as JSON when the run stops; locust's own figures (chat_room,
chat_poll, chat_post) say how fast over the whole run.

The fans join over BENCH_CHAT_JOIN_S (run_web.py spawns them at that pace), each opening
the room (the page with the last 50 messages, several times a poll's cost). The report also
gives the polls' and posts' latency once the room is steady, from two poll intervals after
the last fan joined to the end (`steady_*`): what a fan in a busy room meets, without the
join. With BENCH_CHAT_TRACE (a file name), every poll and post is also written there as a
line "seconds since the start, name, ms, user", to see when slow answers came.
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
from urllib.parse import parse_qs, urlsplit

import gevent
from locust import FastHttpUser, constant, events, task

SESSIONS: list[dict] = json.loads(Path(os.environ["BENCH_SESSIONS"]).read_text())
REPORT = Path(os.environ["BENCH_CHAT_REPORT"])
POSTERS = int(os.environ.get("BENCH_CHAT_POSTERS") or 10)
SECONDS = float(os.environ.get("BENCH_SECONDS") or 60)
DRAIN_S = float(os.environ.get("BENCH_CHAT_DRAIN_S") or 6)
JOIN_S = float(os.environ.get("BENCH_CHAT_JOIN_S") or 10)
POLL_EVERY_S = 2.0
STEADY_FROM_S = JOIN_S + 2 * POLL_EVERY_S
TRACE = os.environ.get("BENCH_CHAT_TRACE", "")
# Between a post's answer and the next post: at least 3 s, so no 10 s holds 5 of one fan's.
POST_GAP_S = (3.0, 4.0)

POLLER = re.compile(r'<div id="chat-poll"[^>]*?\shx-get="([^"]*)"')
ROOM_LOG = re.compile(r'<ol class="chat-log" id="chat-log">(.*?)</ol>', re.S)
NEW_LINES = re.compile(r'<ol hx-swap-oob="beforeend:#chat-log">(.*?)</ol>', re.S)
LINE = re.compile(r'data-message="(\d+)"(.*?)</li>', re.S)
BODY = re.compile(r'<p class="chat-body">(.*?)</p>', re.S)

_next_user = itertools.count()
_started = time.monotonic()
# Shared by the users of this process (one locust process, gevent): every message posted
# during the run, by id, and each user's verdict.
posted: dict[int, str] = {}
verdicts: list[dict] = []
# Latencies (ms) of the requests sent once the room was steady, by request name.
steady: dict[str, list[float]] = {"chat_poll": [], "chat_post": []}
trace: list[str] = []


def _timed(name: str, started: float, user: int) -> None:
    ms = (time.monotonic() - started) * 1000
    if started >= _started + STEADY_FROM_S:
        steady[name].append(ms)
    if TRACE:
        trace.append(f"{started - _started:.3f} {name} {ms:.1f} {user}")


def _percentile(values: list[float], share: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(share * len(ordered)) - 1)])


class ChatFan(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.number = next(_next_user)
        session = SESSIONS[self.number % len(SESSIONS)]
        cookies = session["cookies"]["fan"]
        self.cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        self.csrf_token = cookies["csrftoken"]
        self.room = f"/@{session['context']['handle']}/chat/"
        self.poster = self.number < POSTERS
        self.seen: set[int] = set()
        self.highest = 0
        self.counts = {"duplicated": 0, "out_of_order": 0, "polls": 0, "posts": 0}
        self.rate_limited = 0
        self.finished = False
        self.poll_url = ""
        with self.client.get(
            self.room, name="chat_room", headers={"Cookie": self.cookie}, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                self.finished = True
                return
            text = response.text or ""
            room_log = ROOM_LOG.search(text)
            self._shown(room_log.group(1) if room_log else "")
            self._follow(text)
        now = time.monotonic()
        self.next_poll = now + POLL_EVERY_S
        self.next_post = now + random.uniform(1, 3) if self.poster else float("inf")
        self.stop_posting = _started + SECONDS - DRAIN_S
        self.check_at = _started + SECONDS

    @task
    def step(self) -> None:
        if self.finished:
            gevent.sleep(1)
            return
        now = time.monotonic()
        if now >= self.check_at:
            self._finish()
            return
        if self.next_post >= self.stop_posting:
            self.next_post = float("inf")
        due = min(self.next_poll, self.next_post, self.check_at)
        if due > now:
            gevent.sleep(due - now)
            return
        if self.next_post <= self.next_poll:
            self._post()
        else:
            self._poll()

    def _headers(self, target: str, trigger: str) -> dict[str, str]:
        # What htmx sends with a request (django-htmx reads HX-Request).
        return {
            "Cookie": self.cookie,
            "HX-Request": "true",
            "HX-Current-URL": self.room,
            "HX-Target": target,
            "HX-Trigger": trigger,
        }

    def _poll(self) -> None:
        started = time.monotonic()
        with self.client.get(
            self.poll_url,
            name="chat_poll",
            headers=self._headers("chat-poll", "chat-poll"),
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            else:
                self.counts["polls"] += 1
                self._updates(response.text or "")
        _timed("chat_poll", started, self.number)
        self.next_poll = time.monotonic() + POLL_EVERY_S

    def _post(self) -> None:
        cursor = {k: v[0] for k, v in parse_qs(urlsplit(self.poll_url).query).items()}
        body = f"Bench chat from fan {self.number} number {self.counts['posts'] + 1}"
        headers = {**self._headers("chat-compose", "chat-form"), "X-CSRFToken": self.csrf_token}
        started = time.monotonic()
        with self.client.post(
            f"{self.room}messages/",
            name="chat_post",
            headers=headers,
            data={"csrfmiddlewaretoken": self.csrf_token, "body": body, **cursor},
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                self.rate_limited += 1
                response.failure("rate limited (409)")
            elif response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            else:
                self.counts["posts"] += 1
                mine = self._updates(response.text or "", body=body)
                if mine is None:
                    response.failure("the answer does not show the message posted")
                else:
                    posted[mine] = body
        _timed("chat_post", started, self.number)
        now = time.monotonic()
        # The answer's poller replaced the old one: its 2 s start again.
        self.next_poll = now + POLL_EVERY_S
        self.next_post = now + random.uniform(*POST_GAP_S)

    def _follow(self, text: str) -> None:
        poller = POLLER.search(text)
        if poller is not None:
            self.poll_url = html.unescape(poller.group(1))

    def _updates(self, text: str, body: str | None = None) -> int | None:
        """Take in a poll's or a post's answer: the next cursor and the new messages. With
        `body`, the id of the new message showing it (the poster's own), if any."""
        self._follow(text)
        new = NEW_LINES.search(text)
        return self._shown(new.group(1) if new else "", body)

    def _shown(self, lines: str, body: str | None = None) -> int | None:
        found = None
        for match in LINE.finditer(lines):
            message = int(match.group(1))
            if message in self.seen:
                self.counts["duplicated"] += 1
            elif message < self.highest:
                self.counts["out_of_order"] += 1
            self.seen.add(message)
            self.highest = max(self.highest, message)
            if body is not None and found is None:
                shown = BODY.search(match.group(2))
                if shown is not None and html.unescape(shown.group(1)).strip() == body:
                    found = message
        return found

    def _finish(self) -> None:
        # No poll of its own here: a hundred at the same instant would be a burst no room
        # sees. Posting stopped DRAIN_S ago, so the regular polls since brought the rest.
        lost = [message for message in posted if message not in self.seen]
        verdicts.append(
            {
                "user": self.number,
                "poster": self.poster,
                "lost": len(lost),
                "rate_limited": self.rate_limited,
                **self.counts,
            }
        )
        self.finished = True


@events.test_stop.add_listener
def write_report(**kwargs: object) -> None:
    totals = {
        key: sum(v[key] for v in verdicts)
        for key in ("lost", "duplicated", "out_of_order", "polls", "posts", "rate_limited")
    }
    report = {
        **totals,
        "messages_posted": len(posted),
        "users_checked": len(verdicts),
        "first_message": min(posted, default=None),
        "last_message": max(posted, default=None),
        "steady_from_s": STEADY_FROM_S,
        "steady_polls": len(steady["chat_poll"]),
        "steady_polls_per_s": round(len(steady["chat_poll"]) / max(SECONDS - STEADY_FROM_S, 1), 1),
        "steady_poll_p50_ms": _percentile(steady["chat_poll"], 0.5),
        "steady_poll_p95_ms": _percentile(steady["chat_poll"], 0.95),
        "steady_poll_p99_ms": _percentile(steady["chat_poll"], 0.99),
        "steady_posts": len(steady["chat_post"]),
        "steady_post_p50_ms": _percentile(steady["chat_post"], 0.5),
        "steady_post_p95_ms": _percentile(steady["chat_post"], 0.95),
    }
    REPORT.write_text(json.dumps(report))
    if TRACE:
        Path(TRACE).write_text("\n".join(trace) + "\n")
