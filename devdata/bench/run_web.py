"""`make bench-web`: the creator pages under load, served as in production.

    make bench-web                       # 10,000 creators, a year of history, 20 users, 60 s
    BENCH_SECONDS=20 BENCH_CREATORS=500 BENCH_DAYS=90 make bench-web
    BENCH_SECONDS=20 BENCH_PAGES=creator_page,feed,chat make bench-web
    BENCH_SECONDS=30 BENCH_PAGES=gift_burst make bench-web

1. Creates the benchmark's own PostgreSQL database if needed (BENCH_DATABASE_URL, by default
   `<DATABASE_URL's name>_web_bench` on the same server, never the database you work in),
   migrates it and runs `seed_bench_web`, which is skipped when the same seed is in place
   (creators with their history; fans subscribing to every hundredth creator; one busy chat
   room, creator 1's; a gift catalog, a creator taking gifts and fans with coins).
2. Collects static files and starts gunicorn with production settings (DEBUG=0, a random
   SECRET_KEY, ALLOWED_HOSTS=127.0.0.1). Only TLS is relaxed, through the settings' own
   switches: SECURE_SSL_REDIRECT=0 and SECURE_COOKIES=0, since locust speaks plain HTTP.
3. Signs in BENCH_USERS different creators through the real login form (CSRF token, allauth,
   the password hasher), once each, before the clock starts, and as many fans when a page's
   role is "fan" (devdata/bench/pages.py), and requests every page once per user to check it
   answers as expected (and to warm the workers and the database). Through the form rather
   than by writing sessions into the store: it proves the seeded accounts, cookies and
   middleware work as a browser would meet them, and its cost (one password hash per user)
   stays outside the measurement. allauth allows 30 logins a minute from one address, so
   each sign-in comes from an address of its own on the loopback network (127.0.0.2 and
   up), as each person's would; a limit met all the same is waited out.
4. Runs locust headless with BENCH_USERS users and no think time, and prints one JSON line
   per page of devdata/bench/pages.py on stdout (everything else goes to stderr):
   {"page": ..., "requests_per_s": ..., "p50_ms": ..., "p95_ms": ..., "errors": ...}
   BENCH_MIX=each (default) loads each page on its own for BENCH_SECONDS, so its figures are
   that page's own capacity and stay comparable as pages are added; BENCH_MIX=mixed loads
   all pages together for BENCH_SECONDS, each page taking its weight's share.
5. Drives the redemption again at fixed arrival rates (BENCH_RATES, default 100,150,200 a
   second; open loop, see the locustfile), and the pages with `open_loop_rates` at theirs
   (the creator page at 20 and 40 a second, the feed at 20), and prints a line for each,
   with "arrival_per_s": at saturation the closed loop's requests_per_s above is the
   ceiling, and at a given rate p95 is the latency a user meets, not the queue. Then
   check_ledger, when redemptions ran.
6. The subscriber chat (BENCH_PAGES naming `chat`, or naming nothing):
   BENCH_CHAT_USERS fans (100) of the busy room, signed in as above, poll it every 2 s with
   the cursor as the room page does, and BENCH_CHAT_POSTERS of them (10) post every 3-4 s
   (devdata/bench/locust_chat.py), for BENCH_SECONDS but at least CHAT_MIN_S (30: the fans
   join over the first 10 s, and the `steady_` figures start 4 s after). One line:
   {"page": "chat", "poll_p50_ms": ..., "poll_p95_ms": ..., "post_p95_ms": ..., "errors": ...,
    "lost": ..., "duplicated": ..., ...}: `lost` and `duplicated` count (fan, message)
   pairs, a message posted during the run that a fan was never shown, or shown twice;
   `stored` is the rows the room gained in the database, to compare with `messages_posted`.
7. The gift burst (BENCH_PAGES naming `gift_burst`, or naming nothing): the gift creator goes
   live afresh and the gift fans' coins are topped up (devdata/bench/gift_burst.py prepare);
   BENCH_GIFT_FANS fans (200), signed in as above, open the creator's support page over
   GIFT_JOIN_S (10 s); once all have, for BENCH_SECONDS each sends a gift on the live session every
   BENCH_GIFT_EVERY_S seconds on average (5: 40 gifts arriving a second), each a coin debit,
   a gift, and its credit of the creator's earnings posted in batches every
   BENCH_GIFT_POST_EVERY_S seconds (10, as beat does: gift_burst.py post runs alongside)
   (devdata/bench/locust_gifts.py). Then gift_burst.py verify posts what is left (beat's
   next run), checks every fan's coins against the gifts stored, the gifts stored
   against those the fans were told were sent, the creator's pending earnings, and runs
   check_ledger. One line:
   {"page": "gift_burst", "requests_per_s": ..., "p50_ms": ..., "p95_ms": ..., "errors": ...,
    "stored": ..., "balance_mismatches": ..., "lost": ..., "check_ledger": "passed", ...}
   A failed check is printed with the figures and makes the command exit 1.
8. Stops gunicorn, also on failure or Ctrl-C.

Knobs: BENCH_SECONDS (60), BENCH_USERS (20), BENCH_CREATORS (10000), BENCH_DAYS (365),
BENCH_WORKERS (gunicorn workers, 1 per core + 1), BENCH_PORT (8765), BENCH_RESEED (1 forces
a new seed), BENCH_MIX (each|mixed), BENCH_PAGES (names from devdata/bench/pages.py,
comma-separated, `chat` included; default all), BENCH_RATES (empty: no open-loop runs),
BENCH_DATABASE_URL, BENCH_FANS (the seed's fans; default one per creator, at least 100),
BENCH_CHAT_USERS (100), BENCH_CHAT_POSTERS (10), BENCH_GIFT_FANS (200), BENCH_GIFT_EVERY_S (5),
BENCH_GIFT_POST_EVERY_S (10),
BENCH_REDIS_URL (flushed at the start: give each concurrent run its own Redis database),
BENCH_LISTED (100000: the Marketplace's listed creators, seeded when BENCH_PAGES names a
brand page; devdata/bench/marketplace_run.py, which also times the nightly feature refresh
over them and prints it as a line of its own).
The JSON lines come last; stderr also logs the machine's load average around each locust
run, for judging how noisy the figures are.
"""

import csv
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import marketplace_run
import psycopg
import redis
import reports_run
import requests
from pages import PAGES, Page
from psycopg import sql
from requests.adapters import HTTPAdapter

# The project root (where manage.py is), two floors above this script: devdata/bench/.
ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PASSWORD = "bench-web-2026"
LOGIN_PATH = "/accounts/login/"
# Where signing in lands each role (portal.views.ROLE_HOMES).
HOME_PATHS = {"creator": "/creator/", "fan": "/fan/", "brand": "/brand/", "staff": "/staff/"}
# The chat scenario's name in BENCH_PAGES; not a page of pages.py.
CHAT = "chat"
# The chat users' figures (locust_chat.py's request names), and how long after BENCH_SECONDS
# locust runs on: the users check what they were shown when BENCH_SECONDS have passed.
CHAT_REQUESTS = ("chat_room", "chat_poll", "chat_post")
CHAT_GRACE_S = 8
# The chat users join over this many seconds; figures marked steady start two polls later.
CHAT_JOIN_S = 10
CHAT_MIN_S = 30
# The gift burst's name in BENCH_PAGES; its request names in locust_gifts.py. The fans join
# over GIFT_JOIN_S, and the burst starts when the last has; locust stops when every fan has
# had its last answer, at the latest GIFT_GRACE_S past the join and BENCH_SECONDS (room for
# a slow join, and gunicorn's 60 s timeout: no answer comes later).
GIFTS = "gift_burst"
GIFT_JOIN_S = 10
GIFT_GRACE_S = 120
GIFT_P95_TARGET_MS = 50


def log(message: str) -> None:
    print(f"bench-web: {message}", file=sys.stderr, flush=True)


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


class BenchError(Exception):
    """The benchmark cannot go on; the message says why."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise BenchError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < 1:
        raise BenchError(f"{name} must be at least 1.")
    return value


def _rates(raw: str) -> tuple[int, ...]:
    try:
        return tuple(int(rate) for rate in raw.split(",") if rate.strip())
    except ValueError:
        raise BenchError(
            f"BENCH_RATES is whole requests a second, comma-separated: {raw!r}"
        ) from None


def _wanted(names: str) -> list[str]:
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    unknown = set(wanted) - {page.name for page in PAGES} - {CHAT, GIFTS, reports_run.REPORTS}
    if unknown:
        raise BenchError(f"BENCH_PAGES names no page {', '.join(sorted(unknown))}.")
    return wanted


def _pages(names: str) -> list[Page]:
    wanted = _wanted(names)
    # `reports` names every staff report page (devdata/bench/reports_run.py).
    staff = reports_run.REPORTS in wanted
    return [p for p in PAGES if not wanted or p.name in wanted or (staff and p.role == "staff")]


def _chat(names: str) -> bool:
    wanted = _wanted(names)
    return not wanted or CHAT in wanted


def _gifts(names: str) -> bool:
    wanted = _wanted(names)
    return not wanted or GIFTS in wanted


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise BenchError(f"{name} must be a number of seconds, not {raw!r}.") from None
    if value <= 0:
        raise BenchError(f"{name} must be above 0.")
    return value


def bench_database_url() -> str:
    if url := os.environ.get("BENCH_DATABASE_URL"):
        return url
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = "postgres://postgres@127.0.0.1:5432/portal"
    parts = urlsplit(base)
    return parts._replace(path=f"{parts.path.rstrip('/')}_web_bench").geturl()


@dataclass(frozen=True)
class Config:
    seconds: int
    users: int
    creators: int
    days: int
    workers: int
    port: int
    reseed: bool
    mix: str
    pages: list[Page]
    database_url: str
    # Pages also driven at fixed arrival rates (open loop) at BENCH_RATES, and those rates;
    # other pages at their own open_loop_rates. No rates: no open-loop runs at all.
    open_loop_pages: tuple[str, ...] = ("redeem",)
    rates: tuple[int, ...] = (100, 150, 200)
    chat: bool = True
    chat_users: int = 100
    chat_posters: int = 10
    fans: int | None = None  # the seed's default
    gifts: bool = True
    gift_fans: int = 200
    gift_every_s: float = 5.0

    @classmethod
    def from_env(cls) -> "Config":
        config = cls(
            seconds=_int("BENCH_SECONDS", 60),
            users=_int("BENCH_USERS", 20),
            creators=_int("BENCH_CREATORS", 10_000),
            days=_int("BENCH_DAYS", 365),
            # One per core and one more: PostgreSQL, Redis and locust share these cores, and
            # on the 2-core machine 3 workers served the dashboard 275/s against 208/s for
            # gunicorn's usual 2 × cores + 1 (measured 2026-11-29).
            workers=_int("BENCH_WORKERS", (os.cpu_count() or 1) + 1),
            port=_int("BENCH_PORT", 8765),
            reseed=os.environ.get("BENCH_RESEED", "") not in ("", "0"),
            mix=os.environ.get("BENCH_MIX", "each"),
            pages=_pages(os.environ.get("BENCH_PAGES", "")),
            database_url=bench_database_url(),
            rates=tuple(
                int(r) for r in os.environ.get("BENCH_RATES", "100,150,200").split(",") if r
            ),
            chat=_chat(os.environ.get("BENCH_PAGES", "")),
            chat_users=_int("BENCH_CHAT_USERS", 100),
            chat_posters=int(os.environ.get("BENCH_CHAT_POSTERS") or 10),
            fans=_int("BENCH_FANS", 1) if os.environ.get("BENCH_FANS") else None,
            gifts=_gifts(os.environ.get("BENCH_PAGES", "")),
            gift_fans=_int("BENCH_GIFT_FANS", 200),
            gift_every_s=_seconds("BENCH_GIFT_EVERY_S", 5.0),
        )
        if config.users > config.creators:
            raise BenchError("BENCH_USERS cannot exceed BENCH_CREATORS: one creator per user.")
        if config.chat_posters > config.chat_users:
            raise BenchError("BENCH_CHAT_POSTERS cannot exceed BENCH_CHAT_USERS.")
        if config.mix not in ("each", "mixed"):
            raise BenchError("BENCH_MIX is 'each' (one page at a time) or 'mixed'.")
        return config

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def open_loop(self) -> list[tuple[Page, tuple[int, ...]]]:
        """The pages driven at fixed arrival rates, each with its rates."""
        if not self.rates:
            return []
        runs = [
            (page, self.rates if page.name in self.open_loop_pages else page.open_loop_rates)
            for page in self.pages
        ]
        return [(page, rates) for page, rates in runs if rates]


def production_env(config: Config) -> dict[str, str]:
    """The portal's production settings, relaxed only where plain HTTP needs it."""
    return {
        **os.environ,
        "DATABASE_URL": config.database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
        # Production runs with Redis (cache, sessions, broker): so does the benchmark, on a
        # database of its own that each run starts empty.
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
    }


def ensure_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            log(f"creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(env: dict[str, str], *args: str) -> str:
    """Run a management command; its output goes to stderr, its last stdout line is returned."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    sys.stderr.write(done.stdout)
    if done.returncode:
        raise BenchError(f"manage.py {args[0]} failed (exit {done.returncode}).")
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def prepare(config: Config, env: dict[str, str]) -> dict:
    """Migrate, seed (or find the seed in place) and collect static files; the seed summary."""
    ensure_database(config.database_url)
    log(f"migrating {urlsplit(config.database_url).path.lstrip('/')}")
    manage(env, "migrate", "--noinput", "-v", "0")
    log(f"seeding {config.creators:,} creators × {config.days} days")
    started = time.perf_counter()
    seed_args = ["--creators", str(config.creators), "--days", str(config.days)]
    seed_args += ["--fans", str(config.fans)] if config.fans is not None else []
    seed_args += ["--password", PASSWORD, "--json"] + (["--reseed"] if config.reseed else [])
    summary = json.loads(manage(env, "seed_bench_web", *seed_args))
    how = "seeded" if summary["seeded"] else "found in place"
    log(
        f"seed {how} in {time.perf_counter() - started:.0f} s: {summary['entries']:,} entries, "
        f"{summary['video_days']:,} video-days, {summary['first_day']} to {summary['last_day']}, "
        f"{summary['fans']:,} fans with {summary['subscriptions']:,} subscriptions"
    )
    manage(env, "collectstatic", "--noinput", "-v", "0")
    return summary


@contextmanager
def gunicorn(config: Config, env: dict[str, str], log_dir: Path) -> Iterator[None]:
    errors = log_dir / "gunicorn.log"
    command = [
        str(BIN / "gunicorn"),
        "portal.wsgi:application",
        "--bind",
        f"127.0.0.1:{config.port}",
        "--workers",
        str(config.workers),
        "--worker-class",
        "sync",
        "--timeout",
        "60",
        "--log-level",
        "warning",
        "--error-logfile",
        str(errors),
    ]
    if _answers(config.port):
        raise BenchError(f"something already listens on port {config.port}: set BENCH_PORT.")
    log(f"starting gunicorn, {config.workers} sync workers, on {config.base_url}")
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_until_up(config.base_url + LOGIN_PATH, server, errors)
        yield
    finally:
        log("stopping gunicorn")
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_until_up(url: str, server: subprocess.Popen, errors: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited ({server.returncode}):\n{_tail(errors)}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not up, or busy starting
            pass
        time.sleep(0.3)
    raise BenchError(f"gunicorn did not answer {url} within {timeout:.0f} s:\n{_tail(errors)}")


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text().splitlines()[-lines:]) if path.exists() else ""


class RateLimited(Exception):
    pass


class _From(HTTPAdapter):
    """Connections from one local address: each sign-in its own client, as people are."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def sign_in(base_url: str, email: str, role: str, address: str = "") -> dict[str, str]:
    """Log in through the form, as a browser does (from `address`, a loopback address, if
    given); the session's cookies."""
    with requests.Session() as browser:
        if address:
            browser.mount("http://", _From(address))
        form = browser.get(base_url + LOGIN_PATH, timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        if form.status_code != 200 or token is None:
            raise BenchError(f"the login page answered HTTP {form.status_code} without a form")
        landed = browser.post(
            base_url + LOGIN_PATH,
            data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": base_url + LOGIN_PATH},
            timeout=60,
        )
        if landed.status_code == 429:
            raise RateLimited
        home = HOME_PATHS[role]
        if landed.status_code != 200 or urlsplit(landed.url).path != home:
            raise BenchError(
                f"{email} did not reach {home} after signing in "
                f"(HTTP {landed.status_code} at {landed.url})"
            )
        return {
            "sessionid": browser.cookies["sessionid"],
            "csrftoken": browser.cookies["csrftoken"],
        }


def sign_in_all(config: Config, emails: list[str], role: str) -> dict[str, dict[str, str]]:
    """One session per email, signed in as `role`; the cookies by email."""
    log(f"signing in {len(emails)} {role}s through the login form")
    cookies: dict[str, dict[str, str]] = {}
    # 127.0.0.2 to 127.0.0.251, one per sign-in in turn: the loopback network is all local.
    addresses = {email: f"127.0.0.{2 + i % 250}" for i, email in enumerate(emails)}
    while len(cookies) < len(emails):
        waiting = [email for email in emails if email not in cookies]
        with ThreadPoolExecutor(max_workers=config.workers) as pool:
            results = list(
                pool.map(
                    lambda email: _try_sign_in(config.base_url, email, role, addresses[email]),
                    waiting,
                )
            )
        cookies.update({email: c for email, c in zip(waiting, results, strict=True) if c})
        if len(cookies) < len(emails):
            # allauth counts logins over a sliding minute: a few seconds free the next ones.
            log(f"allauth's login rate limit: {len(emails) - len(cookies)} to go, retrying in 5 s")
            time.sleep(5)
    return cookies


def _try_sign_in(base_url: str, email: str, role: str, address: str) -> dict[str, str] | None:
    try:
        return sign_in(base_url, email, role, address)
    except RateLimited:
        return None


def fan_handles(database_url: str, emails: list[str], room: str) -> dict[str, str]:
    """For each fan's email, the handle of a creator the fan subscribes to: another than the
    busy room's `room` where the fan has one, the room's otherwise."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            """
            SELECT DISTINCT ON (u.email) u.email, c.handle
            FROM subscriptions_subscription s
            JOIN accounts_user u ON u.id = s.fan_id
            JOIN accounts_creatorprofile c ON c.id = s.creator_id
            WHERE u.email = ANY(%s) AND s.state IN ('trialing', 'active', 'past_due')
            ORDER BY u.email, c.handle = %s, s.id
            """,
            [emails, room],
        ).fetchall()
    return dict(rows)


def _spread(count: int, among: int) -> list[int]:
    """`count` numbers spread evenly over 1..among."""
    return [1 + k * among // count for k in range(count)]


def open_sessions(config: Config, summary: dict) -> list[dict]:
    """One session per user: a different creator each, spread over the seeded range, and a
    different fan each when a page needs fans. Each with the context its pages' paths name."""
    creators = _spread(config.users, config.creators)
    creator_emails = [summary["email_pattern"].format(n=n) for n in creators]
    creator_cookies = sign_in_all(config, creator_emails, "creator")
    sessions = [
        {
            "cookies": {"creator": creator_cookies[email]},
            "context": {
                "day": summary["last_day"],
                "creator": str(n),
                "course": summary.get("academy_course", ""),
                "lesson": str(summary.get("academy_lesson", "")),
            },
        }
        for n, email in zip(creators, creator_emails, strict=True)
    ]
    if any(page.role in ("fan", "visitor") for page in config.pages):
        if config.users > summary["fans"]:
            raise BenchError(f"BENCH_USERS is above the seed's {summary['fans']} fans.")
        fans = _spread(config.users, summary["fans"])
        fan_emails = [summary["fan_email_pattern"].format(n=n) for n in fans]
        handles = fan_handles(config.database_url, fan_emails, summary["chat_handle"])
        fan_cookies = (
            sign_in_all(config, fan_emails, "fan")
            if any(page.role == "fan" for page in config.pages)
            else {}
        )
        for session, n, email in zip(sessions, fans, fan_emails, strict=True):
            if email in fan_cookies:
                session["cookies"]["fan"] = fan_cookies[email]
            session["context"].update(fan=str(n), handle=handles[email])
    if any(page.role == "brand" for page in config.pages):
        marketplace_run.add_brands(
            sessions, summary["marketplace"], lambda emails: sign_in_all(config, emails, "brand")
        )
    if any(page.role == "staff" for page in config.pages):
        reports_run.add_staff(
            sessions, summary["reports"], lambda emails: sign_in_all(config, emails, "staff")
        )
    return sessions


def chat_sessions(config: Config, summary: dict) -> list[dict]:
    """The busy room's first BENCH_CHAT_USERS fans, each signed in."""
    if config.chat_users > summary["room_fans"]:
        raise BenchError(
            f"BENCH_CHAT_USERS is above the {summary['room_fans']} fans the seed put in the "
            "busy room."
        )
    emails = [summary["fan_email_pattern"].format(n=n) for n in range(1, config.chat_users + 1)]
    cookies = sign_in_all(config, emails, "fan")
    return [
        {"cookies": {"fan": cookies[email]}, "context": {"handle": summary["chat_handle"]}}
        for email in emails
    ]


def check_pages(config: Config, sessions: list[dict]) -> None:
    """Every page once for every user: each must answer as the benchmark expects."""
    for session in sessions:
        for page in config.pages:
            cookies = session["cookies"].get(page.role, {})
            headers = dict(page.headers)
            if cookies:
                headers["X-CSRFToken"] = cookies["csrftoken"]
            response = requests.request(
                page.method,
                config.base_url + page.path.format(**session["context"]),
                headers=headers,
                cookies=cookies,
                data=page.form(session["context"], -1) if page.form else None,
                allow_redirects=False,
                timeout=60,
            )
            if response.status_code != page.expect:
                raise BenchError(
                    f"{page.name} for user {session['context']} answered HTTP "
                    f"{response.status_code}, expected {page.expect}"
                )


def check_room(config: Config, sessions: list[dict]) -> None:
    """Every chat user may open the room (and the workers warm up to it)."""
    for session in sessions:
        path = f"/@{session['context']['handle']}/chat/"
        response = requests.get(
            config.base_url + path, cookies=session["cookies"]["fan"], timeout=60
        )
        if response.status_code != 200:
            raise BenchError(f"a chat user got HTTP {response.status_code} at {path}")


def run_locust(
    config: Config, sessions_file: Path, pages: list[Page], out: Path, rate: int = 0
) -> list[dict]:
    """One headless locust run on `pages`; locust's own per-page figures, as rows of its CSV.
    With `rate`, requests arrive at that many a second (open loop): one user per request a
    second, each sending at a fixed pace."""
    names = ",".join(page.name for page in pages)
    users = rate or config.users
    pace = f" at {rate}/s" if rate else ""
    env = {
        "BENCH_SESSIONS": str(sessions_file),
        "BENCH_PAGES": names,
        "BENCH_RATE": str(rate),
        "BENCH_USERS_RUNNING": str(users),
    }
    return _locust(config, "locustfile.py", users, config.seconds, env, out, f"{names}{pace}")


def _locust(
    config: Config,
    locustfile: str,
    users: int,
    seconds: int,
    extra_env: dict[str, str],
    out: Path,
    what: str,
    spawn_rate: float = 0,
) -> list[dict]:
    # The machine may be shared: the load average says how much else was running.
    log(f"locust: {users} users for {seconds} s on {what} (load {_load()})")
    command = [
        str(BIN / "locust"),
        "-f",
        str(HERE / locustfile),
        "--headless",
        "--only-summary",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate or users),
        "--run-time",
        f"{seconds}s",
        "--host",
        config.base_url,
        "--csv",
        str(out),
    ]
    env = {**os.environ, **extra_env}
    # Locust prints its summary and error report on stdout: keep ours for the JSON lines.
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=sys.stderr, check=False)
    log(f"locust done (load {_load()})")
    stats = Path(f"{out}_stats.csv")
    # Locust exits 1 when a request failed; failures are counted in the figures.
    if done.returncode not in (0, 1) or not stats.exists():
        raise BenchError(f"locust failed (exit {done.returncode}).")
    with stats.open(newline="") as file:
        return list(csv.DictReader(file))


def figures(page: Page, rows: list[dict]) -> dict:
    row = next((r for r in rows if r["Name"] == page.name), None)
    if row is None or not int(row["Request Count"]):
        # A locust task that raised before its request: locust's log above says why.
        raise BenchError(f"locust sent no request for {page.name}.")
    return {
        "page": page.name,
        "requests_per_s": round(float(row["Requests/s"]), 1),
        "p50_ms": round(float(row["50%"])),
        "p95_ms": round(float(row["95%"])),
        "errors": int(row["Failure Count"]),
    }


def run_chat(config: Config, sessions_file: Path, work: Path, handle: str) -> dict:
    """The chat scenario (locust_chat.py) in `handle`'s room for BENCH_SECONDS; its line."""
    report = work / "chat-report.json"
    room = _room_messages(config, handle)
    seconds = max(config.seconds, CHAT_MIN_S)
    env = {
        "BENCH_SESSIONS": str(sessions_file),
        "BENCH_CHAT_REPORT": str(report),
        "BENCH_CHAT_POSTERS": str(config.chat_posters),
        "BENCH_CHAT_JOIN_S": str(CHAT_JOIN_S),
        "BENCH_SECONDS": str(seconds),
    }
    rows = _locust(
        config,
        "locust_chat.py",
        config.chat_users,
        seconds + CHAT_GRACE_S,
        env,
        work / "locust-chat",
        f"the chat ({config.chat_posters} posting)",
        # The fans join over the first CHAT_JOIN_S, as into a room that fills up, rather
        # than all opening it in the same instant; their polls spread as browsers' do.
        spawn_rate=config.chat_users / CHAT_JOIN_S,
    )
    if not report.exists():
        raise BenchError("the chat users wrote no report: locust's log above says why.")
    checked = json.loads(report.read_text())
    stored = _room_messages(config, handle) - room
    by_name = {row["Name"]: row for row in rows}
    failures = sum(int(by_name[name]["Failure Count"]) for name in CHAT_REQUESTS if name in by_name)

    def ms(name: str, column: str) -> int | None:
        row = by_name.get(name)
        return round(float(row[column])) if row and int(row["Request Count"]) else None

    return {
        "page": CHAT,
        "users": config.chat_users,
        "posters": config.chat_posters,
        "seconds": seconds,
        "polls": checked["polls"],
        "poll_p50_ms": ms("chat_poll", "50%"),
        "poll_p95_ms": ms("chat_poll", "95%"),
        "posts": checked["posts"],
        "post_p50_ms": ms("chat_post", "50%"),
        "post_p95_ms": ms("chat_post", "95%"),
        "room_p95_ms": ms("chat_room", "95%"),
        # Once every fan had joined and polled twice: the room's steady state.
        "steady_polls": checked["steady_polls"],
        "steady_polls_per_s": checked["steady_polls_per_s"],
        "steady_poll_p50_ms": checked["steady_poll_p50_ms"],
        "steady_poll_p95_ms": checked["steady_poll_p95_ms"],
        "steady_poll_p99_ms": checked["steady_poll_p99_ms"],
        "steady_post_p95_ms": checked["steady_post_p95_ms"],
        # Failures other than the room's rate limit (counted on their own).
        "errors": failures - checked["rate_limited"],
        "rate_limited": checked["rate_limited"],
        "lost": checked["lost"],
        "duplicated": checked["duplicated"],
        "out_of_order": checked["out_of_order"],
        "messages_posted": checked["messages_posted"],
        "stored": stored,
        "users_checked": checked["users_checked"],
    }


def _room_messages(config: Config, handle: str) -> int:
    """How many messages `handle`'s room holds."""
    with psycopg.connect(config.database_url) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM subscriptions_chatmessage m "
            "JOIN accounts_creatorprofile c ON c.id = m.creator_id WHERE c.handle = %s",
            [handle],
        ).fetchone()
    return row[0]


def gift_script(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run devdata/bench/gift_burst.py (in Django, on the benchmark's database); its exit
    status and its last line on stdout."""
    done = subprocess.run(
        [sys.executable, str(HERE / "gift_burst.py"), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    return done.returncode, lines[-1] if lines else ""


def gift_sessions(config: Config, state: dict) -> list[dict]:
    """The gift fans, each signed in, with the creator's handle and the live session's value
    in the gift form."""
    emails = list(state["fans"])
    cookies = sign_in_all(config, emails, "fan")
    return [
        {
            "email": email,
            "cookies": {"fan": cookies[email]},
            "context": {"handle": state["handle"], "target": state["target"]},
        }
        for email in emails
    ]


def check_support_page(config: Config, sessions: list[dict]) -> None:
    """Every gift fan's support page answers and offers the live session (and the workers
    warm up to it)."""
    for session in sessions:
        path = f"/@{session['context']['handle']}/support/"
        response = requests.get(
            config.base_url + path, cookies=session["cookies"]["fan"], timeout=60
        )
        target = session["context"]["target"]
        if response.status_code != 200 or f'value="{target}"' not in response.text:
            raise BenchError(
                f"a gift fan got HTTP {response.status_code} at {path}, or a page without "
                f"the live session on air ({target})"
            )


@contextmanager
def gift_poster(env: dict[str, str], every_s: float, figures: dict) -> Iterator[None]:
    """gift_burst.py post, posting gifts to the creator's earnings every `every_s` seconds as
    beat does, for as long as the block runs; its figures (runs, gifts posted, the longest
    run) go into `figures`."""
    poster = subprocess.Popen(
        [sys.executable, str(HERE / "gift_burst.py"), "post", "--every", str(every_s)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield
    finally:
        poster.send_signal(signal.SIGTERM)
        try:
            out, _ = poster.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            poster.kill()
            out, _ = poster.communicate()
        lines = out.strip().splitlines()
        figures.update(json.loads(lines[-1]) if poster.returncode == 0 and lines else {})


def run_gifts(config: Config, env: dict[str, str], work: Path) -> dict:
    """The gift burst (locust_gifts.py) on a live session started for it; its figures (the
    check comes once gunicorn has stopped: check_gifts)."""
    minutes = (config.seconds + 59) // 60 + 30  # on air well past the run
    log(f"gift burst: a fresh live session, {config.gift_fans} fans' coins topped up")
    status, line = gift_script(
        env, "prepare", "--fans", str(config.gift_fans), "--minutes", str(minutes)
    )
    if status:
        raise BenchError(f"the gift burst's set-up failed (exit {status}): {line}")
    state = json.loads(line)
    state_file = work / "gift-state.json"
    state_file.write_text(line)
    sessions = gift_sessions(config, state)
    sessions_file = work / "gift-sessions.json"
    sessions_file.write_text(json.dumps(sessions))
    check_support_page(config, sessions)
    report = work / "gift-report.json"
    every_s = float(os.environ.get("BENCH_GIFT_POST_EVERY_S") or 10)
    poster: dict = {}
    with gift_poster(env, every_s, poster):
        rows = _run_gift_locust(config, sessions_file, report, work)
    if not report.exists():
        raise BenchError("the gift fans wrote no report: locust's log above says why.")
    told = json.loads(report.read_text())
    by_name = {row["Name"]: row for row in rows}
    if not told["answers"]:
        raise BenchError("locust sent no gift: its log above says why.")
    page = by_name.get("gift_page")
    page_p95 = round(float(page["95%"])) if page and int(page["Request Count"]) else None
    return {
        "page": GIFTS,
        "fans": config.gift_fans,
        "every_s": config.gift_every_s,
        "arrival_per_s": round(config.gift_fans / config.gift_every_s, 1),
        "seconds": config.seconds,
        # The gifts' own figures, from locust_gifts.py's report (every answer, exact).
        "gifts": told["answers"],
        # Answered gifts a second from the burst's start to its last answer.
        "requests_per_s": round(told["answers"] / told["burst_s"], 1),
        "p50_ms": told["p50_ms"],
        "p95_ms": told["p95_ms"],
        "p99_ms": told["p99_ms"],
        "max_ms": told["max_ms"],
        # Issue 16's target for the burst.
        "p95_target_ms": GIFT_P95_TARGET_MS,
        "p95_met": told["p95_ms"] <= GIFT_P95_TARGET_MS,
        # Failed answers, the join's too, and gifts still unanswered when locust stopped.
        "errors": told["failed"] + (int(page["Failure Count"]) if page else 0) + told["unanswered"],
        "unanswered": told["unanswered"],
        # How long the fans took to join (each opening the support page), before the burst.
        "join_s": told["join_s"],
        # How far behind schedule fans' gifts left: above 0, answers outlasted their pace.
        "late_p95_ms": told["late_p95_ms"],
        # The support page each fan opened as it joined, before the burst.
        "page_p95_ms": page_p95,
        "told_sent": told["sent"],
        # The batch poster beside the burst (beat's job): its runs, what they posted, the
        # longest run.
        "post_every_s": every_s,
        "poster": poster,
    }


def _run_gift_locust(config: Config, sessions_file: Path, report: Path, work: Path) -> list[dict]:
    return _locust(
        config,
        "locust_gifts.py",
        config.gift_fans,
        GIFT_JOIN_S + config.seconds + GIFT_GRACE_S,
        {
            "BENCH_SESSIONS": str(sessions_file),
            "BENCH_GIFT_REPORT": str(report),
            "BENCH_GIFT_EVERY_S": str(config.gift_every_s),
            "BENCH_GIFT_FANS": str(config.gift_fans),
            "BENCH_GIFT_JOIN_S": str(GIFT_JOIN_S),
            "BENCH_SECONDS": str(config.seconds),
        },
        work / "locust-gifts",
        f"the gift burst (a gift every {config.gift_every_s:g} s each)",
        # The fans join over GIFT_JOIN_S, as into a live session that fills up.
        spawn_rate=config.gift_fans / GIFT_JOIN_S,
    )


def check_gifts(env: dict[str, str], work: Path, figures: dict) -> dict:
    """The gift burst's line: its figures and the check of every fan's coins, the gifts, the
    creator's earnings and check_ledger (gift_burst.py verify), run with gunicorn stopped so
    nothing moves while it reads."""
    log("gift burst: checking every fan's coins, the creator's earnings and check_ledger")
    status, line = gift_script(
        env, "verify", str(work / "gift-state.json"), str(work / "gift-report.json")
    )
    if not line:
        raise BenchError(f"the gift burst's check printed nothing (exit {status}).")
    checked = json.loads(line)
    return {
        **figures,
        "posted_after": checked["posted_after"],
        "stored": checked["stored"],
        "lost": checked["lost"],
        "extra": checked["extra"],
        "coins_spent": checked["coins_spent"],
        "diamonds": checked["diamonds"],
        "creator_value_minor": checked["creator_value_minor"],
        "pending_grew_minor": checked["pending_grew_minor"],
        "fans_checked": checked["fans_checked"],
        "balance_mismatches": checked["balance_mismatches"],
        "check_ledger": checked["check_ledger"],
        "problems": checked["problems"],
    }


def open_loop_figures(page: Page, rows: list[dict], rate: int) -> dict:
    """A page's figures at a fixed arrival rate: requests_per_s below `rate` means the
    portal could not keep up (or users waited on answers longer than their pace)."""
    return {**figures(page, rows), "arrival_per_s": rate}


def main() -> None:
    config = Config.from_env()
    env = production_env(config)
    summary = prepare(config, env)
    market_lines = []
    if any(page.role == "brand" for page in config.pages):
        summary["marketplace"], refreshed = marketplace_run.prepare(
            env, PASSWORD, config.reseed, log
        )
        market_lines.append(refreshed)
    if any(page.role == "staff" for page in config.pages):
        summary["reports"], precomputed = reports_run.prepare(env, PASSWORD, config.reseed, log)
        market_lines.append(precomputed)
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # a cold cache, and no rate limits left
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        work = Path(tmp)
        with gunicorn(config, env, work):
            results = market_lines
            if config.pages:
                sessions = open_sessions(config, summary)
                sessions_file = work / "sessions.json"
                sessions_file.write_text(json.dumps(sessions))
                check_pages(config, sessions)
                runs = [[page] for page in config.pages] if config.mix == "each" else [config.pages]
                for i, pages in enumerate(runs):
                    rows = run_locust(config, sessions_file, pages, work / f"locust-{i}")
                    results += [figures(page, rows) for page in pages]
                for page, rates in config.open_loop():
                    for rate in rates:
                        out = work / f"locust-{page.name}-{rate}"
                        rows = run_locust(config, sessions_file, [page], out, rate=rate)
                        results.append(open_loop_figures(page, rows, rate))
                if any(page.role == "staff" for page in config.pages):
                    staff = sessions[0]["cookies"]["staff"]
                    results.append(
                        reports_run.time_what_if(
                            config.base_url, staff, summary["reports"], env, log
                        )
                    )
            if config.chat:
                chatters = chat_sessions(config, summary)
                chat_file = work / "chat-sessions.json"
                chat_file.write_text(json.dumps(chatters))
                check_room(config, chatters)
                results.append(run_chat(config, chat_file, work, summary["chat_handle"]))
            gift_figures = run_gifts(config, env, work) if config.gifts else None
        if gift_figures is not None:
            results.append(check_gifts(env, work, gift_figures))
        if any(page.name == "redeem" for page in config.pages):
            # Every redemption moved points: the ledger must still add up.
            results.append({"check_ledger": manage(env, "check_ledger")})
    for line in results:
        print(json.dumps(line), flush=True)
    failed = [
        line
        for line in results
        if line.get("page") == GIFTS and (line["problems"] or line["errors"])
    ]
    if failed:
        raise BenchError(
            "the gift burst had errors or did not add up afterwards: "
            + "; ".join(f"{line['errors']} errors, {line['problems']}" for line in failed)
        )


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        log(f"failed: {exc}")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
