"""The gift burst's set-up and its check afterwards, in Django, for run_web.py (which runs
this script with the benchmark's environment: its database, Redis and production settings).

    python devdata/bench/gift_burst.py prepare --fans 200 --minutes 40 > state.json
    python devdata/bench/gift_burst.py post --every 10      # until SIGTERM, during the burst
    python devdata/bench/gift_burst.py verify state.json report.json

`prepare` starts the gift creator's live session afresh, as the platform sends one (through
ingestion, a new record id each run, started now), tops the gift fans' coins back up to the
seed's amount (gifts.services.credit_coins, as a bought pack), and prints what the check
compares with: each fan's coins, the creator's earnings, the catalog's prices.

`post` does what Celery beat does in production while the fans send gifts: every `--every`
seconds it runs gifts.tasks.post_gifts, which credits the creator's earnings ledger with the
gifts sent since its last run (one transaction per creator: the gift requests themselves no
longer lock the creator's earnings account). Stopped with SIGTERM, it prints one JSON line:
its runs, the gifts they posted, and the longest run.

`verify` first runs the poster once more (the run beat makes within seconds of the last gift),
then reads the live session's gifts from the database and checks, printing one JSON line
and exiting 1 when anything is wrong:
- the gifts stored are the gifts the fans were told were sent (locust_gifts.py's report), fan
  by fan: none lost, and none extra but for the gifts locust stopped waiting for (`unanswered`,
  counted as errors by run_web.py);
- every fan's coins are their coins before less the coins of their gifts stored, and each
  gift took its coins through its own entry;
- each gift's Diamonds and money are its rate's, each is on the creator's earnings ledger
  once, and the creator's pending earnings grew by exactly the money of the gifts (list value
  less the platform's fee), the available not at all;
- `check_ledger` passes (every points, earnings and coin balance equals its entries).
"""

import argparse
import io
import json
import os
import signal
import sys
import time
from datetime import timedelta
from pathlib import Path

# The project root (where manage.py is), two floors above this script: devdata/bench/.
ROOT = Path(__file__).resolve().parents[2]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _earnings(creator: object, currency: str) -> dict[str, int]:
    from payments.models import EarningsAccount

    account = EarningsAccount.objects.filter(creator=creator, currency=currency).first()
    return {
        "pending": account.pending if account else 0,
        "available": account.available if account else 0,
    }


def prepare(fans: int, minutes: int) -> dict:
    from django.utils import timezone

    from accounts.models import CreatorProfile, User
    from activity import ingestion
    from activity.models import LiveSession
    from core.clock import rewards_day_of
    from devdata import bench_data
    from gifts import selectors, services
    from gifts.models import CoinReason

    stored = bench_data.stored_seed()
    if stored is None or "gift_handle" not in stored[1]:
        raise SystemExit("The benchmark's database holds no seed with the gift burst's data.")
    summary = stored[1]
    if not summary["gift_handle"]:
        raise SystemExit("No seeded creator may receive gifts (or no Diamond rate is in force).")
    if fans > summary["gift_fans"]:
        raise SystemExit(f"BENCH_GIFT_FANS is above the seed's {summary['gift_fans']} gift fans.")
    creator = CreatorProfile.objects.get(handle=summary["gift_handle"])
    if not selectors.eligibility(creator).receives:
        raise SystemExit(f"@{creator.handle} does not take gifts: the seed's opt-in is gone.")
    now = timezone.now()
    rate = selectors.rate_on(rewards_day_of(now))
    if rate is None:
        raise SystemExit("No Diamond rate is in force today.")
    record_id = f"bench-live-{now:%Y%m%dT%H%M%S%f}"
    report = ingestion.ingest_records(
        [
            {
                "type": "live_session",
                "id": record_id,
                "creator": creator.handle,
                # A second ago: on air from the first request on.
                "started_at": (now - timedelta(seconds=1)).isoformat(),
                "minutes": minutes,
                "peak_viewers": fans,
            }
        ]
    )
    if report.rejected:
        raise SystemExit(f"The live session was refused: {report.as_dict()}")
    live = LiveSession.objects.get(record_id=record_id)
    on_air = selectors.live_now(creator)
    if on_air is None or on_air.pk != live.pk:
        raise SystemExit(f"@{creator.handle}'s new live session {live.pk} is not the one on air.")
    emails = [summary["fan_email_pattern"].format(n=n) for n in range(1, fans + 1)]
    coins = summary["gift_coins"]
    before = {}
    for fan in User.objects.filter(email__in=emails).order_by("pk"):
        balance = selectors.coin_balance(fan)
        if balance < coins:
            services.credit_coins(
                fan=fan,
                amount=coins - balance,
                reason=CoinReason.PURCHASE,
                idempotency_key=f"bench-coins:{fan.pk}:{record_id}",
                memo="Bench coins, topped up",
            )
        before[fan.email] = {"id": fan.pk, "coins": selectors.coin_balance(fan)}
    if len(before) != fans:
        raise SystemExit(f"Only {len(before)} of the {fans} gift fans are in the database.")
    return {
        "handle": creator.handle,
        "creator_id": creator.pk,
        "live_id": live.pk,
        "live_record": record_id,
        "target": f"live:{live.pk}",
        "prepared_at": now.isoformat(),
        "rate_id": rate.pk,
        "currency": rate.currency,
        "fans": before,
        "earnings": _earnings(creator, rate.currency),
        "gifts": {
            str(pk): coins for pk, coins in selectors.gift_catalog().values_list("pk", "coins")
        },
    }


def post(every: float) -> dict:
    """Run the gift poster every `every` seconds, as beat does, until SIGTERM; its figures."""
    from gifts import tasks

    stop = False

    def finish(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, finish)
    runs, posted, longest = 0, 0, 0.0
    while not stop:
        started = time.perf_counter()
        posted += tasks.post_gifts()
        took = time.perf_counter() - started
        runs, longest = runs + 1, max(longest, took)
        deadline = started + every
        while not stop and time.perf_counter() < deadline:
            time.sleep(0.1)
    return {"runs": runs, "posted": posted, "longest_run_ms": round(longest * 1000)}


def verify(state: dict, report: dict) -> dict:
    from django.core.management import CommandError, call_command
    from django.db.models import Count, F, Sum

    from accounts.models import CreatorProfile
    from gifts import tasks
    from gifts.models import DiamondRate, GiftSent
    from payments.models import EarningsEntry

    # Beat's next run after the last gift: whatever the runs during the burst left.
    started = time.perf_counter()
    posted_after = tasks.post_gifts()
    last_run_ms = round((time.perf_counter() - started) * 1000)
    creator = CreatorProfile.objects.get(pk=state["creator_id"])
    gifts = GiftSent.objects.filter(live_id=state["live_id"])
    totals = gifts.aggregate(
        n=Count("pk"),
        coins=Sum("coins", default=0),
        diamonds=Sum("diamonds", default=0),
        value=Sum("creator_value_minor", default=0),
        list_value=Sum("list_value_minor", default=0),
    )
    problems: list[str] = []
    if gifts.exclude(creator_id=creator.pk).exists():
        problems.append("gifts on the live session went to another creator")
    by_fan = {
        row["fan_id"]: row
        for row in gifts.values("fan_id").annotate(n=Count("pk"), coins=Sum("coins"))
    }
    # Each fan: their coins now against their coins before less their gifts stored, and their
    # gifts stored against the gifts they were told were sent.
    told = report.get("sent_by_fan", {})
    mismatched, lost, extra = [], 0, 0
    for email, fan in state["fans"].items():
        stored = by_fan.get(fan["id"], {"n": 0, "coins": 0})
        now = _coins(fan["id"])
        if now != fan["coins"] - stored["coins"]:
            mismatched.append(f"{email}: {fan['coins']:,} - {stored['coins']:,} != {now:,}")
        shown = told.get(email, {"n": 0, "coins": 0})
        lost += max(0, shown["n"] - stored["n"])
        extra += max(0, stored["n"] - shown["n"])
        if shown["n"] == stored["n"] and shown["coins"] != stored["coins"]:
            mismatched.append(f"{email}: told {shown['coins']:,} coins, stored {stored['coins']:,}")
    if mismatched:
        problems.append(f"{len(mismatched)} fans' coins do not add up: {mismatched[:5]}")
    if lost or extra > report.get("unanswered", 0):
        problems.append(
            f"gifts told sent but not stored: {lost}; stored but not told: {extra}, of which "
            f"{report.get('unanswered', 0)} may be the answers locust stopped waiting for"
        )
    # Each gift took its own coins and is on the creator's earnings ledger, at its rate.
    if gifts.exclude(coin_entry__amount=-F("coins")).exists():
        problems.append("a gift's coin entry is not minus its coins")
    if gifts.filter(earnings_entry__isnull=True).exists():
        problems.append("a gift has no earnings entry")
    keys = list(gifts.values_list("request_key", flat=True))
    on_ledger = EarningsEntry.objects.filter(idempotency_key__in=keys).count()
    if on_ledger != len(keys):
        problems.append(f"{len(keys):,} gifts, {on_ledger:,} gift credits on the ledger")
    rate = DiamondRate.objects.get(pk=state["rate_id"])
    wrong_rate = [
        pk
        for pk, coins, diamonds, value, rate_id in gifts.values_list(
            "pk", "coins", "diamonds", "creator_value_minor", "rate_id"
        )
        if rate_id != rate.pk
        or diamonds != rate.diamonds_for(coins)
        or value != rate.value_of(diamonds)
    ]
    if wrong_rate:
        problems.append(f"{len(wrong_rate)} gifts' Diamonds or money are not their rate's")
    after = _earnings(creator, state["currency"])
    pending_grew = after["pending"] - state["earnings"]["pending"]
    if pending_grew != totals["value"]:
        problems.append(
            f"the creator's pending earnings grew by {pending_grew:,}, the gifts' money is "
            f"{totals['value']:,}"
        )
    if after["available"] != state["earnings"]["available"]:
        problems.append("the creator's available earnings moved")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_ledger", stdout=out, stderr=err)
        ledger = "passed"
    except CommandError as error:
        ledger = f"FAILED: {error}"
        problems.append(f"check_ledger: {error} {err.getvalue().strip()[:500]}")
    return {
        "posted_after": posted_after,
        "last_post_ms": last_run_ms,
        "stored": totals["n"],
        "coins_spent": totals["coins"],
        "diamonds": totals["diamonds"],
        "list_value_minor": totals["list_value"],
        "creator_value_minor": totals["value"],
        "pending_grew_minor": pending_grew,
        "fans_checked": len(state["fans"]),
        "balance_mismatches": len(mismatched),
        "lost": lost,
        "extra": extra,
        "check_ledger": ledger,
        "problems": problems,
    }


def _coins(fan_id: int) -> int:
    from gifts.models import CoinAccount

    balance = CoinAccount.objects.filter(pk=fan_id).values_list("balance", flat=True).first()
    return balance or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    ready = commands.add_parser("prepare")
    ready.add_argument("--fans", type=int, required=True)
    ready.add_argument("--minutes", type=int, required=True)
    poster = commands.add_parser("post")
    poster.add_argument("--every", type=float, required=True)
    check = commands.add_parser("verify")
    check.add_argument("state", type=Path)
    check.add_argument("report", type=Path)
    options = parser.parse_args()
    setup_django()
    if options.command == "prepare":
        print(json.dumps(prepare(options.fans, options.minutes)))
        return
    if options.command == "post":
        print(json.dumps(post(options.every)), flush=True)
        return
    result = verify(json.loads(options.state.read_text()), json.loads(options.report.read_text()))
    print(json.dumps(result))
    if result["problems"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
