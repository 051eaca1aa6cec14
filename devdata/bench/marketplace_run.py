"""The Marketplace's part of run_web.py, kept apart so the runner's own edits stay small:
the seed and the timed nightly refresh (devdata/bench/marketplace_seed.py, run in Django on
the benchmark's database), and the brands' sessions.

run_web.py calls `prepare` after seed_bench_web when BENCH_PAGES names a page whose role is
"brand" (devdata/bench/pages.py), and `add_brands` when it opens the users' sessions: each
locust user is then also a different brand, signed in through the login form like the
creators, with its own open campaign and a niche and country to filter on.
"""

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def listed() -> int:
    """BENCH_LISTED: how many listed creators the Marketplace seed makes (100,000)."""
    raw = os.environ.get("BENCH_LISTED", "")
    try:
        value = int(raw) if raw else 100_000
    except ValueError:
        raise SystemExit(f"BENCH_LISTED must be a whole number, not {raw!r}.") from None
    if value < 1:
        raise SystemExit("BENCH_LISTED must be at least 1.")
    return value


def _script(env: dict[str, str], *args: str) -> dict:
    """Run marketplace_seed.py; its progress goes to stderr, its last stdout line (JSON) is
    returned."""
    done = subprocess.run(
        [sys.executable, str(HERE / "marketplace_seed.py"), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        raise RuntimeError(f"marketplace_seed.py {args[0]} failed (exit {done.returncode}).")
    return json.loads(lines[-1])


def prepare(
    env: dict[str, str], password: str, reseed: bool, log: Callable[[str], None]
) -> tuple[dict, dict]:
    """Seed (or find in place) the listed creators and brands, then time the nightly feature
    refresh over them: the seed's summary, and the refresh's JSON line."""
    count = listed()
    log(f"Marketplace: {count:,} listed creators and their brands")
    args = ["seed", "--listed", str(count), "--password", password]
    summary = _script(env, *args, *(["--reseed"] if reseed else []))
    how = "seeded" if summary["seeded"] else "found in place"
    log(f"Marketplace seed {how} ({summary.get('seconds', 0)} s when it was made)")
    log("Marketplace: timing the nightly feature refresh (marketplace.refresh_features)")
    figures = _script(env, "refresh")
    log(f"feature refresh: {figures['creators']:,} creators in {figures['seconds']} s")
    return summary, figures


def add_brands(
    sessions: list[dict],
    market: dict,
    sign_in: Callable[[list[str]], dict[str, dict[str, str]]],
) -> None:
    """Give each user's session a different seeded brand, signed in with `sign_in` (the
    runner's login through the form), and what the brand pages' paths name: the brand's
    campaign, a niche and a creator country, spread so users search differently."""
    if len(sessions) > market["brands"]:
        raise SystemExit(f"BENCH_USERS is above the Marketplace seed's {market['brands']} brands.")
    emails = [market["brand_email_pattern"].format(n=k) for k in range(1, len(sessions) + 1)]
    cookies = sign_in(emails)
    niches, countries = market["niches"], market["countries"]
    for k, (session, email) in enumerate(zip(sessions, emails, strict=True)):
        session["cookies"]["brand"] = cookies[email]
        session["context"].update(
            campaign=str(market["campaigns"][k]),
            niche=niches[k % len(niches)],
            country=countries[k % len(countries)],
            audience_country=countries[(k + 3) % len(countries)],
        )
