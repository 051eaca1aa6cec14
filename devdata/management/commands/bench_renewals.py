"""Benchmark the daily subscription renewals on a throwaway database, with the sandbox gateway.

    python manage.py bench_renewals --subscriptions 100000

Creates its own database next to the configured one (PostgreSQL: `<name>_renewals_bench`,
filled with COPY): N/100 creators (at least one) with one published monthly package each, N
fans each with a saved sandbox card (a reference the sandbox charges, as it charges the cards
it saves from 4242 4242 4242 4242) and a live monthly subscription to one of them, round
robin, whose period ended yesterday. Then it times `subscriptions.services.renew_due` (what
the daily task runs), the same run again (which must charge nothing), checks that every
subscription was charged exactly once (a paid SubscriptionCharge, a succeeded PaymentAttempt
and a SandboxPayment each, the period moved on a month) and that `check_ledger` passes,
prints one JSON line and drops the database.

Each renewal tells the fan by notification, whose email task runs on commit: here it runs in
this process (Celery eager) into Django's dummy email backend, so no task reaches a broker
another process could take it from and no mail leaves; its database work (claiming the
notification, reading it) is in `renew_s`, as a worker beside the task would add it to the
database's load (celery's log line per task is silenced). `queries` counts the statements
the renewals sent. `--cprofile` prints, on stderr, where the first run's time went: the
functions of the renewal with the most time spent in them and under them.
"""

import cProfile
import json
import logging
import os
import pstats
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from io import StringIO

from celery import current_app
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Count, Q
from django.test import override_settings

from accounts.models import CreatorProfile, User
from devdata.bench_db import copy_creators, copy_rows, throwaway_database
from payments.gateway.sandbox import PREFIX as SANDBOX_PREFIX
from payments.gateway.sandbox import Behaviour
from payments.models import (
    AttemptKind,
    AttemptState,
    Gateway,
    PaymentAttempt,
    PaymentCustomer,
    SandboxPayment,
    SavedCard,
)
from subscriptions import services
from subscriptions.models import (
    Billing,
    ChargeState,
    Package,
    State,
    Subscription,
    SubscriptionCharge,
)

SUBSCRIBERS_PER_CREATOR = 100
PRICE_MINOR = 799
MAX_SUBSCRIPTIONS = 10_000_000
# What --cprofile lists by time spent in and under them: the project's functions.
PROFILED = r"/(subscriptions|payments|accounts|rewards|activity|core)/[a-z_/]+\.py"


class Command(BaseCommand):
    help = (
        "Benchmark the daily subscription renewals (sandbox gateway) on a throwaway database; "
        "one JSON line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--subscriptions", type=int, default=10_000)
        parser.add_argument(
            "--cprofile", action="store_true", help="where the first run's time went, on stderr"
        )

    def handle(self, *args: object, subscriptions: int, cprofile: bool, **options: object) -> None:
        if not 1 <= subscriptions <= MAX_SUBSCRIPTIONS:
            raise CommandError(f"--subscriptions must be between 1 and {MAX_SUBSCRIPTIONS:,}.")
        profiler = cProfile.Profile() if cprofile else None
        with throwaway_database("renewals_bench"), _mail_stays_here():
            result = self._bench(subscriptions, profiler)
        self.stdout.write(json.dumps(result))
        if profiler is not None:
            stats = pstats.Stats(profiler, stream=self.stderr._out)
            stats.sort_stats("cumulative").print_stats(PROFILED, 50)
            stats.sort_stats("tottime").print_stats(20)

    def _fill(self, count: int, now: datetime) -> int:
        creators = max(1, -(-count // SUBSCRIBERS_PER_CREATOR))
        joined = now - timedelta(days=60)
        # Each period ended yesterday, in the hour before this time of day.
        ended = now - timedelta(days=1)
        with connection.cursor() as cursor:
            cur = cursor.cursor if hasattr(cursor, "cursor") else cursor
            copy_creators(cur, creators, prefix="bench", followers=lambda i: 50_000)
            copy_rows(
                cur,
                "subscriptions_package",
                [
                    "id",
                    "creator_id",
                    "name",
                    "description",
                    "currency",
                    "monthly_price_minor",
                    "annual_price_minor",
                    "has_trial",
                    "includes_chat",
                    "includes_emojis",
                    "position",
                    "published_at",
                    "created_at",
                    "updated_at",
                ],
                (
                    (c, c, "Insider", "", "USD", PRICE_MINOR, None, False, True, True, 1)
                    + (joined,) * 3
                    for c in range(1, creators + 1)
                ),
            )
            copy_rows(
                cur,
                "accounts_user",
                [
                    "id",
                    "password",
                    "is_superuser",
                    "is_staff",
                    "is_active",
                    "date_joined",
                    "email",
                    "role",
                ],
                (
                    (creators + n, "!", False, False, True, joined, f"fan{n}@example.com", "fan")
                    for n in range(1, count + 1)
                ),
            )
            copy_rows(
                cur,
                "payments_paymentcustomer",
                ["id", "user_id", "gateway", "reference", "created_at"],
                (
                    (n, creators + n, Gateway.SANDBOX, f"cus_{SANDBOX_PREFIX}_bench{n}", joined)
                    for n in range(1, count + 1)
                ),
            )
            card = f"pm_{SANDBOX_PREFIX}_{Behaviour.SUCCEEDS.value}_bench"
            copy_rows(
                cur,
                "payments_savedcard",
                [
                    "id",
                    "customer_id",
                    "reference",
                    "brand",
                    "last4",
                    "exp_month",
                    "exp_year",
                    "created_at",
                ],
                (
                    (n, n, f"{card}{n}", "visa", "4242", 12, now.year + 3, joined)
                    for n in range(1, count + 1)
                ),
            )

            def subscription(n: int) -> tuple:
                end = ended - timedelta(seconds=n % 3600)
                start = end - relativedelta(months=1)
                creator = 1 + (n - 1) % creators
                return (
                    n,
                    creators + n,
                    creator,
                    creator,
                    Billing.MONTHLY,
                    PRICE_MINOR,
                    "USD",
                    n,
                    State.ACTIVE,
                    start,
                    start,
                    end,
                    False,
                    "",
                    1,
                    "",
                    start,
                    start,
                )

            rows = copy_rows(
                cur,
                "subscriptions_subscription",
                [
                    "id",
                    "fan_id",
                    "creator_id",
                    "package_id",
                    "billing",
                    "price_minor",
                    "currency",
                    "card_id",
                    "state",
                    "started_at",
                    "current_period_start",
                    "current_period_end",
                    "cancel_at_period_end",
                    "next_billing",
                    "months_paid",
                    "request_key",
                    "created_at",
                    "updated_at",
                ],
                (subscription(n) for n in range(1, count + 1)),
            )
            for sql in connection.ops.sequence_reset_sql(
                no_style(),
                [User, CreatorProfile, Package, PaymentCustomer, SavedCard, Subscription],
            ):
                cursor.execute(sql)
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        return rows

    def _bench(self, count: int, profiler: cProfile.Profile | None = None) -> dict:
        now = datetime.now(UTC).replace(microsecond=0)
        load_before = os.getloadavg()[0]
        self._fill(count, now)

        queries = _Counter()
        started = time.perf_counter()
        with connection.execute_wrapper(queries):
            if profiler is not None:
                profiler.enable()
            first = services.renew_due(now=now)
            if profiler is not None:
                profiler.disable()
        renew_s = time.perf_counter() - started
        charges = SubscriptionCharge.objects.count()
        attempts = PaymentAttempt.objects.count()
        payments = SandboxPayment.objects.count()

        started = time.perf_counter()
        again = services.renew_due(now=now)
        rerun_s = time.perf_counter() - started
        rerun_charges = SubscriptionCharge.objects.count() - charges
        rerun_payments = SandboxPayment.objects.count() - payments

        ledger = StringIO()
        call_command("check_ledger", stdout=ledger)  # raises CommandError when it fails
        return {
            "database": connection.vendor,
            "subscriptions": count,
            "renew_s": round(renew_s, 2),
            "per_subscription_ms": round(renew_s * 1000 / count, 2),
            "queries": queries.count,
            "queries_per_subscription": round(queries.count / count, 1),
            "rerun_s": round(rerun_s, 2),
            "charges": charges,
            "attempts": attempts,
            "sandbox_payments": payments,
            **self._charged_once(count, now),
            "renewed": first.renewed,
            "not_renewed": first.failed + first.ended + first.lapsed + first.waiting,
            "rerun_renewed": again.renewed,
            "rerun_charges": rerun_charges,
            "rerun_sandbox_payments": rerun_payments,
            "check_ledger": "passed",
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        }

    def _charged_once(self, count: int, now: datetime) -> dict:
        """How many subscriptions the first run charged exactly once, as every record of it
        agrees: one paid charge, one succeeded attempt and one sandbox payment under the
        charge's key, and the period moved on to end after now."""
        paid = SubscriptionCharge.objects.filter(state=ChargeState.SUCCEEDED)
        keys = paid.values("idempotency_key")
        once = (
            Subscription.objects.filter(
                state=State.ACTIVE, current_period_end__gt=now, months_paid=2
            )
            .annotate(
                charges_made=Count("charges"),
                charges_paid=Count("charges", filter=Q(charges__state=ChargeState.SUCCEEDED)),
            )
            .filter(charges_made=1, charges_paid=1)
            .count()
        )
        return {
            "charged_once": once,
            "paid_charges": paid.count(),
            "succeeded_attempts": PaymentAttempt.objects.filter(
                kind=AttemptKind.CHARGE, state=AttemptState.SUCCEEDED, idempotency_key__in=keys
            ).count(),
            "payments_with_charge_key": SandboxPayment.objects.filter(
                kind=AttemptKind.CHARGE, idempotency_key__in=keys
            ).count(),
        }


class _Counter:
    """Counts the statements sent through the connection (an execute wrapper)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., None], sql: str, params: tuple, many: bool, context: dict
    ) -> None:
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def _mail_stays_here() -> Iterator[None]:
    """Tasks queued by the renewals (the notifications' emails) run in this process, into the
    dummy email backend: none reaches a broker, where another process could take a task
    naming a row of this throwaway database."""
    conf = current_app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = True
    trace = logging.getLogger("celery.app.trace")
    level = trace.level
    trace.setLevel(logging.WARNING)
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            yield
    finally:
        conf.task_always_eager = eager
        trace.setLevel(level)
