"""The staff reports' part of run_web.py, kept apart so the runner's own edits stay small: the
seed and the timed nightly precompute (devdata/bench/reports_seed.py, run in Django on the
benchmark's database), the staff's sessions, and the what-if timed on its own.

run_web.py calls `prepare` after seed_bench_web when BENCH_PAGES names a page whose role is
"staff" (devdata/bench/pages.py: the report pages, also named together as `reports`), and
`add_staff` when it opens the users' sessions: each locust user is then also a different
staff member, signed in through the login form like the creators, with the report filters
its pages' paths name. The report pages are measured as any other page (one JSON line each).
After them, `time_what_if` posts the fairness report's what-if (a draft of the rules replayed
over the last 30 days of 100,000 creators) once with the cache cold, then, after beat's
keep-warm task, WHAT_IF_TIMES times, one at a time, as the single staff member who uses it
would: issue 18 asks it to answer within 10 s.

Knob: BENCH_REPORT_CREATORS (100,000): the report creators the seed adds.
"""

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REPORTS = "reports"
WHAT_IF_PATH = "/staff/reports/fairness/what-if/"
WHAT_IF_TIMES = 3
WHAT_IF_TARGET_MS = 10_000
P95_TARGET_MS = 1_000


def creators() -> int:
    """BENCH_REPORT_CREATORS: how many report creators the seed makes (100,000)."""
    raw = os.environ.get("BENCH_REPORT_CREATORS", "")
    try:
        value = int(raw) if raw else 100_000
    except ValueError:
        raise SystemExit(f"BENCH_REPORT_CREATORS must be a whole number, not {raw!r}.") from None
    if value < 1:
        raise SystemExit("BENCH_REPORT_CREATORS must be at least 1.")
    return value


def prepare(
    env: dict[str, str], password: str, reseed: bool, log: Callable[[str], None]
) -> tuple[dict, dict]:
    """Seed (or find in place) the report creators and staff; the seed's summary, and the
    nightly precompute's line (timed when the seed was made)."""
    count = creators()
    log(f"reports: {count:,} report creators, a year of monthly sums, 30 days of tallies")
    args = ["seed", "--creators", str(count), "--password", password]
    done = subprocess.run(
        [sys.executable, str(HERE / "reports_seed.py"), *args, *(["--reseed"] if reseed else [])],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        raise RuntimeError(f"reports_seed.py seed failed (exit {done.returncode}).")
    summary = json.loads(lines[-1])
    how = "seeded" if summary["seeded"] else "found in place"
    log(f"reports seed {how} ({summary.get('seconds', 0)} s when it was made)")
    precompute = summary.get("precompute", {})
    return summary, {"page": "reports_precompute", "creators": count, **precompute}


def add_staff(
    sessions: list[dict],
    summary: dict,
    sign_in: Callable[[list[str]], dict[str, dict[str, str]]],
) -> None:
    """Give each user's session a different seeded staff member, signed in with `sign_in`
    (the runner's login through the form), and the filters the report pages' paths name."""
    if len(sessions) > summary["staff"]:
        raise SystemExit(f"BENCH_USERS is above the reports seed's {summary['staff']} staff.")
    emails = [summary["staff_email_pattern"].format(n=k) for k in range(1, len(sessions) + 1)]
    cookies = sign_in(emails)
    last = date.fromisoformat(summary["last_day"])
    this_month = (last + timedelta(days=1)).replace(day=1)
    twelve_months_back = this_month.replace(year=this_month.year - 1)
    for k, (session, email) in enumerate(zip(sessions, emails, strict=True)):
        session["cookies"]["staff"] = cookies[email]
        # Cohorts and bands differ from one staff member to the next.
        quarter = 1 + k % 3
        session["context"].update(
            cohort=f"{last.year}-Q{quarter}",
            band=str(1 + k % 4),
            report_day=last.isoformat(),
            first90=(last - timedelta(days=89)).isoformat(),
            # The last 12 whole months (the nightly monthly sums, rewards.fairness).
            months_first=twelve_months_back.isoformat(),
            months_last=(this_month - timedelta(days=1)).isoformat(),
        )


def _post_what_if(
    base_url: str, cookies: dict[str, str], form: dict, log: Callable[[str], None]
) -> tuple[float, bool]:
    """One what-if as htmx posts it: its time in ms, and whether it failed."""
    headers = {"HX-Request": "true", "X-CSRFToken": cookies["csrftoken"]}
    started = time.perf_counter()
    try:
        response = requests.post(
            base_url + WHAT_IF_PATH, data=form, headers=headers, cookies=cookies, timeout=120
        )
    except requests.RequestException as failed:  # gunicorn's timeout ends the worker
        elapsed = (time.perf_counter() - started) * 1000
        log(f"what-if failed after {elapsed / 1000:.1f} s: {failed}")
        return elapsed, True
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or 'class="num">Draft</th>' not in response.text:
        log(f"what-if answered HTTP {response.status_code} in {elapsed / 1000:.1f} s")
        return elapsed, True
    return elapsed, False


def keep_warm(env: dict[str, str]) -> float:
    """Beat's reports.keep_fairness_warm, once, in the benchmark's database and cache (what
    the next tick after a run or a lost cache does); its seconds."""
    done = subprocess.run(
        [sys.executable, str(HERE / "reports_seed.py"), "warm"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def time_what_if(
    base_url: str,
    cookies: dict[str, str],
    summary: dict,
    env: dict[str, str],
    log: Callable[[str], None],
) -> dict:
    """The what-if posted by one staff member: once cold (the benchmark flushed the cache,
    as a lost cache leaves it until beat's next tick), then, after beat's
    keep-warm task has run once, WHAT_IF_TIMES times one after another (htmx's request, the
    region back); its line. `met` is the kept-warm figure's; `cold_met` the cold one's."""
    form = {**summary["what_if_form"], "csrfmiddlewaretoken": cookies["csrftoken"]}
    log("reports: the what-if once cold")
    cold, cold_failed = _post_what_if(base_url, cookies, form, log)
    warmed = keep_warm(env)
    log(f"reports: kept warm in {warmed} s; the what-if, {WHAT_IF_TIMES} times at one staff member")
    times, errors = [], int(cold_failed)
    for _ in range(WHAT_IF_TIMES):
        elapsed, failed = _post_what_if(base_url, cookies, form, log)
        times.append(elapsed)
        errors += failed
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "page": "report_what_if",
        "cold_ms": round(cold),
        "keep_warm_s": warmed,
        "requests": len(times),
        "p50_ms": round(ordered[len(ordered) // 2]),
        "p95_ms": round(p95),
        "max_ms": round(ordered[-1]),
        "errors": errors,
        "target_ms": WHAT_IF_TARGET_MS,
        "met": not errors and ordered[-1] <= WHAT_IF_TARGET_MS,
        "cold_met": not cold_failed and cold <= WHAT_IF_TARGET_MS,
    }
