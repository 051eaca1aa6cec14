"""`make bench-web`: the creator pages under load, served as in production.

    make bench-web                       # 10,000 creators, a year of history, 20 users, 60 s
    BENCH_SECONDS=20 BENCH_CREATORS=500 BENCH_DAYS=90 make bench-web

1. Creates the benchmark's own PostgreSQL database if needed (BENCH_DATABASE_URL, by default
   `<DATABASE_URL's name>_web_bench` on the same server, never the database you work in),
   migrates it and runs `seed_bench_web`, which is skipped when the same seed is in place.
2. Collects static files and starts gunicorn with production settings (DEBUG=0, a random
   SECRET_KEY, ALLOWED_HOSTS=127.0.0.1). Only TLS is relaxed, through the settings' own
   switches: SECURE_SSL_REDIRECT=0 and SECURE_COOKIES=0, since locust speaks plain HTTP.
3. Signs in BENCH_USERS different creators through the real login form (CSRF token, allauth,
   the password hasher), once each, before the clock starts, and requests every page once
   per user to check it answers as expected (and to warm the workers and the database).
   Through the form rather than by writing sessions into the store: it proves the seeded
   accounts, cookies and middleware work as a creator's browser would meet them, and its
   cost (one password hash per user) stays outside the measurement. allauth allows 30
   logins a minute from one address; past that, sign-in waits for the limit to pass.
4. Runs locust headless with BENCH_USERS users and no think time, and prints one JSON line
   per page of devdata/bench/pages.py on stdout (everything else goes to stderr):
   {"page": ..., "requests_per_s": ..., "p50_ms": ..., "p95_ms": ..., "errors": ...}
   BENCH_MIX=each (default) loads each page on its own for BENCH_SECONDS, so its figures are
   that page's own capacity and stay comparable as pages are added; BENCH_MIX=mixed loads
   all pages together for BENCH_SECONDS, each page taking its weight's share.
5. Drives the redemption again at fixed arrival rates (BENCH_RATES, default 100,150,200 a
   second; open loop, see the locustfile) and prints a line for each, with
   "arrival_per_s": at saturation the closed loop's requests_per_s above is the ceiling, and
   at a given rate p95 is the latency a creator meets, not the queue. Then check_ledger.
6. Stops gunicorn, also on failure or Ctrl-C.

Knobs: BENCH_SECONDS (60), BENCH_USERS (20), BENCH_CREATORS (10000), BENCH_DAYS (365),
BENCH_WORKERS (gunicorn workers, 1 per core + 1), BENCH_PORT (8765), BENCH_RESEED (1 forces
a new seed), BENCH_MIX (each|mixed), BENCH_PAGES (names from devdata/bench/pages.py,
comma-separated; default all), BENCH_RATES (empty: no open-loop runs), BENCH_DATABASE_URL.
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

import psycopg
import redis
import requests
from pages import PAGES, Page
from psycopg import sql

# The project root (where manage.py is), two floors above this script: devdata/bench/.
ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PASSWORD = "bench-web-2026"
LOGIN_PATH = "/accounts/login/"
DASHBOARD_PATH = "/creator/"


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


def _pages(names: str) -> list[Page]:
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    unknown = set(wanted) - {page.name for page in PAGES}
    if unknown:
        raise BenchError(f"BENCH_PAGES names no page {', '.join(sorted(unknown))}.")
    return [page for page in PAGES if not wanted or page.name in wanted]


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
    # Pages also driven at fixed arrival rates (open loop), and the rates.
    open_loop_pages: tuple[str, ...] = ("redeem",)
    rates: tuple[int, ...] = (100, 150, 200)

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
        )
        if config.users > config.creators:
            raise BenchError("BENCH_USERS cannot exceed BENCH_CREATORS: one creator per user.")
        if config.mix not in ("each", "mixed"):
            raise BenchError("BENCH_MIX is 'each' (one page at a time) or 'mixed'.")
        return config

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


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
    seed_args += ["--password", PASSWORD, "--json"] + (["--reseed"] if config.reseed else [])
    summary = json.loads(manage(env, "seed_bench_web", *seed_args))
    how = "seeded" if summary["seeded"] else "found in place"
    log(
        f"seed {how} in {time.perf_counter() - started:.0f} s: {summary['entries']:,} entries, "
        f"{summary['video_days']:,} video-days, {summary['first_day']} to {summary['last_day']}"
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
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    raise BenchError(f"gunicorn did not answer {url} within {timeout:.0f} s:\n{_tail(errors)}")


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text().splitlines()[-lines:]) if path.exists() else ""


class RateLimited(Exception):
    pass


def sign_in(base_url: str, email: str) -> dict[str, str]:
    """Log in through the form, as a browser does; the session's cookies."""
    with requests.Session() as browser:
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
        if landed.status_code != 200 or urlsplit(landed.url).path != DASHBOARD_PATH:
            raise BenchError(
                f"{email} did not reach {DASHBOARD_PATH} after signing in "
                f"(HTTP {landed.status_code} at {landed.url})"
            )
        return {
            "sessionid": browser.cookies["sessionid"],
            "csrftoken": browser.cookies["csrftoken"],
        }


def sign_in_all(config: Config, summary: dict) -> list[dict]:
    """One session per user, each a different creator, spread over the seeded range."""
    numbers = [1 + k * config.creators // config.users for k in range(config.users)]
    emails = [summary["email_pattern"].format(n=n) for n in numbers]
    log(f"signing in {len(emails)} creators through the login form")
    cookies: dict[str, dict[str, str]] = {}
    while len(cookies) < len(emails):
        waiting = [email for email in emails if email not in cookies]
        with ThreadPoolExecutor(max_workers=config.workers) as pool:
            results = list(pool.map(_try_sign_in, [config.base_url] * len(waiting), waiting))
        cookies.update({email: c for email, c in zip(waiting, results, strict=True) if c})
        if len(cookies) < len(emails):
            # allauth counts logins over a sliding minute: a few seconds free the next ones.
            log(f"allauth's login rate limit: {len(emails) - len(cookies)} to go, retrying in 5 s")
            time.sleep(5)
    return [
        {"cookies": cookies[email], "context": {"day": summary["last_day"], "creator": str(n)}}
        for n, email in zip(numbers, emails, strict=True)
    ]


def _try_sign_in(base_url: str, email: str) -> dict[str, str] | None:
    try:
        return sign_in(base_url, email)
    except RateLimited:
        return None


def check_pages(config: Config, sessions: list[dict]) -> None:
    """Every page once for every user: each must answer as the benchmark expects."""
    for session in sessions:
        for page in config.pages:
            response = requests.request(
                page.method,
                config.base_url + page.path.format(**session["context"]),
                headers={**page.headers, "X-CSRFToken": session["cookies"]["csrftoken"]},
                cookies=session["cookies"],
                data=page.form(session["context"], -1) if page.form else None,
                allow_redirects=False,
                timeout=60,
            )
            if response.status_code != page.expect:
                raise BenchError(
                    f"{page.name} for creator {session['context']['creator']} answered HTTP "
                    f"{response.status_code}, expected {page.expect}"
                )


def run_locust(
    config: Config, sessions_file: Path, pages: list[Page], out: Path, rate: int = 0
) -> list[dict]:
    """One headless locust run on `pages`; locust's own per-page figures, as rows of its CSV.
    With `rate`, requests arrive at that many a second (open loop): one user per request a
    second, each sending at a fixed pace."""
    names = ",".join(page.name for page in pages)
    users = rate or config.users
    # The machine may be shared: the load average says how much else was running.
    pace = f" at {rate}/s" if rate else ""
    log(f"locust: {users} users{pace} for {config.seconds} s on {names} (load {_load()})")
    command = [
        str(BIN / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--only-summary",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{config.seconds}s",
        "--host",
        config.base_url,
        "--csv",
        str(out),
    ]
    env = {
        **os.environ,
        "BENCH_SESSIONS": str(sessions_file),
        "BENCH_PAGES": names,
        "BENCH_RATE": str(rate),
        "BENCH_USERS_RUNNING": str(users),
    }
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


def open_loop_figures(page: Page, rows: list[dict], rate: int) -> dict:
    """A page's figures at a fixed arrival rate: requests_per_s below `rate` means the
    portal could not keep up (or users waited on answers longer than their pace)."""
    return {**figures(page, rows), "arrival_per_s": rate}


def main() -> None:
    config = Config.from_env()
    env = production_env(config)
    summary = prepare(config, env)
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # a cold cache, and no rate limits left
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        work = Path(tmp)
        with gunicorn(config, env, work):
            sessions = sign_in_all(config, summary)
            sessions_file = work / "sessions.json"
            sessions_file.write_text(json.dumps(sessions))
            check_pages(config, sessions)
            runs = [[page] for page in config.pages] if config.mix == "each" else [config.pages]
            results = []
            for i, pages in enumerate(runs):
                rows = run_locust(config, sessions_file, pages, work / f"locust-{i}")
                results += [figures(page, rows) for page in pages]
            open_loop = [page for page in config.pages if page.name in config.open_loop_pages]
            for page in open_loop:
                for rate in config.rates:
                    out = work / f"locust-{page.name}-{rate}"
                    rows = run_locust(config, sessions_file, [page], out, rate=rate)
                    results.append(open_loop_figures(page, rows, rate))
        if open_loop:
            # Every redemption moved points: the ledger must still add up.
            results.append({"check_ledger": manage(env, "check_ledger")})
    for line in results:
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        log(f"failed: {exc}")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
