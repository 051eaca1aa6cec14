"""Checks behind GET /healthz: is each part the portal needs up right now?"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from core.plurals import plural
from portal.celery import app as celery_app

# Long enough for a worker busy with a task to answer, short enough for a load balancer.
WORKER_PING_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    required: bool
    detail: str
    ms: float


def _timed(name: str, required: bool, probe: Callable[[], str]) -> CheckResult:
    started = time.perf_counter()
    try:
        detail, ok = probe(), True
    except Exception as exc:  # a health check reports every failure instead of raising
        detail, ok = f"{type(exc).__name__}: {exc}", False
    return CheckResult(name, ok, required, detail, round((time.perf_counter() - started) * 1000, 1))


def _database() -> str:
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _cache() -> str:
    cache.set("healthz:probe", "ok", timeout=10)
    if cache.get("healthz:probe") != "ok":
        raise RuntimeError("a value written to the cache could not be read back")
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def _broker() -> str:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "redis"


def _workers() -> str:
    replies = celery_app.control.ping(timeout=WORKER_PING_TIMEOUT_S)
    if not replies:
        raise RuntimeError("no Celery worker answered a ping")
    return f"{plural(len(replies), 'worker')} answered"


def run_checks() -> list[CheckResult]:
    checks = [_timed("database", True, _database)]
    uses_redis = bool(settings.REDIS_URL)
    checks.append(
        _timed("cache", uses_redis, _cache)
        if uses_redis
        else CheckResult("cache", True, False, "in-memory (REDIS_URL not set)", 0.0)
    )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        in_process = "tasks run in-process (no broker configured)"
        checks += [
            CheckResult("broker", True, False, in_process, 0.0),
            CheckResult("workers", True, False, in_process, 0.0),
        ]
    else:
        checks += [_timed("broker", True, _broker), _timed("workers", True, _workers)]
    return checks
