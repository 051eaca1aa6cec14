"""Failed Celery tasks are recorded (core.task_failures, connected in CoreConfig.ready)."""

import pytest
from celery import shared_task
from celery.signals import task_failure
from django.db import DatabaseError

from core.models import TaskFailure
from core.task_failures import record_failure, summarise_args

pytestmark = pytest.mark.django_db


@shared_task(name="core.tests.explode")
def explode(creator_id: int, *, day: str) -> None:
    raise ValueError(f"no rules for {day}")


def test_a_task_that_fails_is_recorded_with_its_arguments_and_error() -> None:
    result = explode.apply(args=(42,), kwargs={"day": "2026-11-18"}, throw=False)
    assert result.failed()
    failure = TaskFailure.objects.get()
    assert failure.task_name == "core.tests.explode"
    assert failure.task_id == result.id
    assert failure.args_summary == "42, day='2026-11-18'"
    assert failure.exception == "ValueError: no rules for 2026-11-18"
    assert "raise ValueError" in failure.traceback


def test_a_task_that_succeeds_records_nothing() -> None:
    @shared_task(name="core.tests.fine")
    def fine() -> int:
        return 1

    assert fine.apply().get() == 1
    assert not TaskFailure.objects.exists()


def test_long_arguments_and_errors_are_cut_to_fit() -> None:
    task_failure.send(
        sender=explode,
        task_id="abc",
        exception=RuntimeError("x" * 5_000),
        args=["y" * 2_000],
        kwargs={},
        traceback=None,
        einfo=None,
    )
    failure = TaskFailure.objects.get()
    assert len(failure.args_summary) == TaskFailure.ARGS_MAX
    assert failure.args_summary.endswith("…")
    assert len(failure.exception) == TaskFailure.EXCEPTION_MAX
    assert failure.traceback == ""


def test_the_recorder_never_raises_when_the_database_refuses(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(**kwargs: object) -> None:
        raise DatabaseError("database is down")

    monkeypatch.setattr(TaskFailure.objects, "create", refuse)
    record_failure(sender=explode, task_id="t1", exception=ValueError("boom"))
    assert "Could not record the failure of task core.tests.explode" in caplog.text


def test_arguments_are_summarised_as_one_line() -> None:
    assert summarise_args((1, "a"), {"day": None}) == "1, 'a', day=None"
    assert summarise_args(None, None) == ""
