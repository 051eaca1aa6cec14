import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client, override_settings

from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db
needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")


def test_healthz_is_ok_when_every_required_part_answers() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert body["checks"]["database"] == {
        "ok": True,
        "required": True,
        "detail": connection.vendor,
        "ms": body["checks"]["database"]["ms"],
    }


def test_healthz_names_the_database_when_it_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    # The database server going away is outside the system; simulate its refusal.
    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert "connection refused" in response.json()["checks"]["database"]["detail"]


@needs_redis
def test_healthz_reports_no_worker_as_a_failure_when_tasks_go_through_the_broker() -> None:
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["workers"]
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["cache"] == {**body["checks"]["cache"], "ok": True, "required": True}


@needs_redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # Celery closes the connection
def test_healthz_is_ok_with_a_real_worker_listening() -> None:
    with (
        start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
        override_settings(CELERY_TASK_ALWAYS_EAGER=False),
    ):
        response = Client().get("/healthz")
    assert response.status_code == 200, response.json()
    assert "1 worker(s) answered" in response.json()["checks"]["workers"]["detail"]


@needs_redis
def test_healthz_names_the_cache_when_redis_is_unreachable() -> None:
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=unreachable):
        from django.core.cache import caches

        caches._settings = None  # let the cache handler see the overridden CACHES
        try:
            response = Client().get("/healthz")
        finally:
            caches._settings = None
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


def test_without_redis_tasks_run_in_process_and_health_says_so() -> None:
    with override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=True):
        body = Client().get("/healthz").json()
    assert body["checks"]["workers"]["required"] is False
    assert "in-process" in body["checks"]["workers"]["detail"]
