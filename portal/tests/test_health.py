import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client, override_settings

from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db
needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    # The database server going away is outside the system: its refusal is simulated where the
    # check asks it (patching the connection itself would break the test's own transaction).
    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError('connection to "db.internal" as user "portal" refused')

    monkeypatch.setattr(connection, "ensure_connection", refuse)


def test_healthz_is_ok_when_every_required_part_answers(staff_client: Client) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    database = body["checks"]["database"]
    assert database == {"ok": True, "required": True, "ms": database["ms"]}
    staff_view = staff_client.get("/healthz").json()
    assert staff_view["checks"]["database"]["detail"] == connection.vendor


def test_healthz_names_the_database_when_it_is_down(
    staff_client: Client, database_down: None
) -> None:
    response = staff_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    # Sessions live in the database, so even staff cannot be recognised to see the error text.
    assert "detail" not in response.json()["checks"]["database"]


def test_healthz_keeps_error_texts_from_the_public(database_down: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert "db.internal" not in response.content.decode()


@needs_redis
def test_healthz_reports_no_worker_as_a_failure_when_tasks_go_through_the_broker(
    staff_client: Client,
) -> None:
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        response = staff_client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["workers"]
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True and body["checks"]["cache"]["required"] is True


@needs_redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # Celery closes the connection
def test_healthz_is_ok_with_a_real_worker_listening(staff_client: Client) -> None:
    with (
        start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
        override_settings(CELERY_TASK_ALWAYS_EAGER=False),
    ):
        response = staff_client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert "1 worker answered" in response.json()["checks"]["workers"]["detail"]


@needs_redis
def test_healthz_names_the_cache_when_redis_is_unreachable() -> None:
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=unreachable):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


def test_without_redis_tasks_run_in_process_and_health_says_so(staff_client: Client) -> None:
    with override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=True):
        body = staff_client.get("/healthz").json()
    assert body["checks"]["workers"]["required"] is False
    assert "in-process" in body["checks"]["workers"]["detail"]
