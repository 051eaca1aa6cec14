"""Taking a course: enrolling, lessons, watching, quizzes, and completing exactly once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from academy import services
from academy.models import Certificate, Enrolment, LessonProgress, QuizAttempt
from academy.tests.factories import (
    CourseFactory,
    LessonFactory,
    ModuleFactory,
    QuizFactory,
    VideoLessonFactory,
    question,
)
from accounts.models import Badge, CreatorBadge, Notification
from accounts.tests.factories import CreatorFactory
from rewards.models import CourseCompletion

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_with_quiz() -> dict:
    """One module: an article, a 100 s video, and a quiz of two questions (one single, one
    multiple choice) with a pass mark of 50 %."""
    course = CourseFactory(title="Hooks")
    module = ModuleFactory(course=course)
    article = LessonFactory(module=module, position=1)
    video = VideoLessonFactory(module=module, position=2)
    quiz = QuizFactory(module=module, pass_mark=50)
    single = question(quiz, "Which?", ("Right", True), ("Wrong", False))
    multiple = question(quiz, "Which ones?", ("A", True), ("B", True), ("C", False), multiple=True)
    return {
        "course": course,
        "article": article,
        "video": video,
        "quiz": quiz,
        "single": single,
        "multiple": multiple,
    }


def right(q: object) -> set[int]:
    return {c.pk for c in q.choices.all() if c.is_correct}


def minutes_later(minutes: int) -> datetime:
    return timezone.now() + timedelta(minutes=minutes)


def wrong(q: object) -> set[int]:
    return {next(c.pk for c in q.choices.all() if not c.is_correct)}


def finish_everything(enrolment: Enrolment, parts: dict) -> QuizAttempt:
    services.complete_lesson(enrolment=enrolment, lesson=parts["article"])
    services.record_watching(
        enrolment=enrolment, lesson=parts["video"], stretches=[(0, 100)], now=minutes_later(5)
    )
    return services.submit_quiz(
        enrolment=enrolment,
        quiz=parts["quiz"],
        answers={
            parts["single"].pk: right(parts["single"]),
            parts["multiple"].pk: right(parts["multiple"]),
        },
    )


def test_enrolling_twice_returns_the_first_enrolment(course_with_quiz: dict) -> None:
    creator = CreatorFactory()
    first = services.enrol(creator=creator, course=course_with_quiz["course"])
    again = services.enrol(creator=creator, course=course_with_quiz["course"])
    assert first.pk == again.pk
    assert Enrolment.objects.count() == 1


def test_a_draft_cannot_be_enrolled_in() -> None:
    with pytest.raises(services.AcademyError, match="not open"):
        services.enrol(creator=CreatorFactory(), course=CourseFactory(published_at=None))


def test_prerequisites_must_be_completed_first(course_with_quiz: dict) -> None:
    creator = CreatorFactory()
    advanced = CourseFactory(title="Advanced hooks")
    advanced.prerequisites.add(course_with_quiz["course"])
    with pytest.raises(services.AcademyError, match="Finish “Hooks” first"):
        services.enrol(creator=creator, course=advanced)
    finish_everything(
        services.enrol(creator=creator, course=course_with_quiz["course"]), course_with_quiz
    )
    assert services.enrol(creator=creator, course=advanced).course == advanced


def test_distinct_seconds_count_once_whatever_the_order() -> None:
    # Watching 20 s and then 50 s of a 100 s video is 70 %: overlaps and repeats count once.
    assert services.merge_stretches([(0, 20), (30, 80)], length=100) == [[0, 20], [30, 80]]
    assert services.merge_stretches([(30, 80), (0, 20), (10, 40), (0, 5)], length=100) == [[0, 80]]
    assert services.merge_stretches([(90, 130), (-5, 3)], length=100) == [[0, 3], [90, 100]]


def test_a_video_completes_itself_at_ninety_percent_of_distinct_seconds(
    course_with_quiz: dict,
) -> None:
    enrolment = services.enrol(creator=CreatorFactory(), course=course_with_quiz["course"])
    video = course_with_quiz["video"]
    progress = services.record_watching(
        enrolment=enrolment, lesson=video, stretches=[(0, 20)], now=minutes_later(1)
    )
    progress = services.record_watching(
        enrolment=enrolment, lesson=video, stretches=[(30, 80), (0, 20)], now=minutes_later(2)
    )
    assert progress.watched_seconds == 70 and progress.completed_at is None
    with pytest.raises(services.AcademyError, match="watched 70 of its 100 seconds"):
        services.complete_lesson(enrolment=enrolment, lesson=video)
    progress = services.record_watching(
        enrolment=enrolment, lesson=video, stretches=[(20, 30), (80, 90)], now=minutes_later(3)
    )
    assert progress.watched_seconds == 90 and progress.completed_at is not None


def test_a_report_of_more_than_could_have_played_is_refused(course_with_quiz: dict) -> None:
    # At most twice the time that passed (the player's fastest speed), and 5 s of slack.
    now = timezone.now()
    enrolment = services.enrol(creator=CreatorFactory(), course=course_with_quiz["course"], now=now)
    video = course_with_quiz["video"]
    services.record_watching(
        enrolment=enrolment, lesson=video, stretches=[(0, 25)], now=now + timedelta(seconds=10)
    )
    with pytest.raises(services.AcademyError, match=r"75 seconds more .* nothing was counted"):
        services.record_watching(
            enrolment=enrolment,
            lesson=video,
            stretches=[(0, 100)],
            now=now + timedelta(seconds=30),
        )
    assert LessonProgress.objects.get(lesson=video).watched_seconds == 25
    progress = services.record_watching(
        enrolment=enrolment, lesson=video, stretches=[(0, 100)], now=now + timedelta(seconds=48)
    )
    assert progress.watched_seconds == 100 and progress.completed_at is not None


def test_marking_a_lesson_twice_records_it_once(course_with_quiz: dict) -> None:
    enrolment = services.enrol(creator=CreatorFactory(), course=course_with_quiz["course"])
    first = services.complete_lesson(enrolment=enrolment, lesson=course_with_quiz["article"])
    again = services.complete_lesson(enrolment=enrolment, lesson=course_with_quiz["article"])
    assert first.completed_at == again.completed_at
    assert LessonProgress.objects.count() == 1


def test_another_courses_lesson_is_refused(course_with_quiz: dict) -> None:
    enrolment = services.enrol(creator=CreatorFactory(), course=course_with_quiz["course"])
    with pytest.raises(services.AcademyError, match="not part of this course"):
        services.complete_lesson(enrolment=enrolment, lesson=LessonFactory())


def test_a_drip_module_stays_closed_until_its_day(course_with_quiz: dict) -> None:
    later = ModuleFactory(course=course_with_quiz["course"], release_after_days=3)
    lesson = LessonFactory(module=later)
    now = timezone.now()
    enrolment = services.enrol(creator=CreatorFactory(), course=course_with_quiz["course"], now=now)
    with pytest.raises(services.AcademyError, match="3 days after you enrolled"):
        services.complete_lesson(enrolment=enrolment, lesson=lesson, now=now + timedelta(days=2))
    services.complete_lesson(enrolment=enrolment, lesson=lesson, now=now + timedelta(days=3))


def test_a_quiz_is_scored_on_the_server_and_the_best_attempt_counts(
    course_with_quiz: dict,
) -> None:
    parts = course_with_quiz
    enrolment = services.enrol(creator=CreatorFactory(), course=parts["course"])
    failed = services.submit_quiz(
        enrolment=enrolment,
        quiz=parts["quiz"],
        answers={
            parts["single"].pk: wrong(parts["single"]),
            parts["multiple"].pk: {right(parts["multiple"]).pop()},
        },
    )
    assert (failed.correct, failed.score, failed.passed) == (0, 0, False)
    passed = services.submit_quiz(
        enrolment=enrolment,
        quiz=parts["quiz"],
        answers={
            parts["single"].pk: right(parts["single"]),
            parts["multiple"].pk: wrong(parts["multiple"]),
        },
    )
    assert (passed.correct, passed.score, passed.passed) == (1, 50, True)
    worse = services.submit_quiz(
        enrolment=enrolment,
        quiz=parts["quiz"],
        answers={
            parts["single"].pk: wrong(parts["single"]),
            parts["multiple"].pk: wrong(parts["multiple"]),
        },
    )
    assert not worse.passed
    assert enrolment.quiz_attempts.filter(passed=True).exists()  # the pass still counts


def test_tampered_answers_are_refused_and_change_nothing(course_with_quiz: dict) -> None:
    parts = course_with_quiz
    enrolment = services.enrol(creator=CreatorFactory(), course=parts["course"])
    other_quiz = QuizFactory()
    foreign = question(other_quiz, "Elsewhere?", ("Yes", True))
    good = {
        parts["single"].pk: right(parts["single"]),
        parts["multiple"].pk: right(parts["multiple"]),
    }
    with pytest.raises(services.AcademyError, match="not for this quiz"):
        services.submit_quiz(
            enrolment=enrolment, quiz=parts["quiz"], answers={**good, foreign.pk: right(foreign)}
        )
    with pytest.raises(services.AcademyError, match="not one of its question's choices"):
        services.submit_quiz(
            enrolment=enrolment,
            quiz=parts["quiz"],
            answers={**good, parts["single"].pk: right(foreign)},
        )
    with pytest.raises(services.AcademyError, match="Choose one answer"):
        services.submit_quiz(
            enrolment=enrolment,
            quiz=parts["quiz"],
            answers={**good, parts["single"].pk: right(parts["single"]) | wrong(parts["single"])},
        )
    with pytest.raises(services.AcademyError, match="Answer every question"):
        services.submit_quiz(
            enrolment=enrolment,
            quiz=parts["quiz"],
            answers={parts["single"].pk: right(parts["single"])},
        )
    assert QuizAttempt.objects.count() == 0


def test_completing_a_course_issues_a_certificate_badge_and_points_once(
    course_with_quiz: dict,
) -> None:
    parts = course_with_quiz
    badge = Badge.objects.create(slug="brand-ready", name="Brand-ready", description="Ready.")
    parts["course"].badge = badge
    parts["course"].save()
    creator = CreatorFactory()
    enrolment = services.enrol(creator=creator, course=parts["course"])
    services.complete_lesson(enrolment=enrolment, lesson=parts["article"])
    assert not services.finish_if_complete(enrolment=enrolment)
    finish_everything(enrolment, parts)
    # however often the last step is repeated
    finish_everything(enrolment, parts)
    services.complete_lesson(enrolment=enrolment, lesson=parts["article"])
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.name == creator.display_name and certificate.course_title == "Hooks"
    assert len(certificate.code) == 16
    completion = CourseCompletion.objects.get(creator=creator)
    assert completion.course_key == parts["course"].reward_key
    assert CreatorBadge.objects.get(creator=creator).badge == badge
    assert Notification.objects.filter(user=creator.user, subject__contains="Hooks").count() == 1


def test_lessons_added_later_do_not_take_a_completion_away(course_with_quiz: dict) -> None:
    parts = course_with_quiz
    enrolment = services.enrol(creator=CreatorFactory(), course=parts["course"])
    finish_everything(enrolment, parts)
    LessonFactory(module=parts["article"].module)
    assert services.finish_if_complete(enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_last_lessons_at_once_complete_the_course_once() -> None:
    course = CourseFactory()
    module = ModuleFactory(course=course)
    first, second = LessonFactory(module=module), LessonFactory(module=module)
    creator = CreatorFactory()
    enrolment = services.enrol(creator=creator, course=course)
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def mark(lesson: object) -> None:
        try:
            barrier.wait()
            services.complete_lesson(enrolment=enrolment, lesson=lesson)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=mark, args=(lesson,)) for lesson in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1
    assert CourseCompletion.objects.filter(creator=creator).count() == 1


def test_a_draft_prerequisite_neither_shows_nor_blocks(course_with_quiz: dict) -> None:
    creator = CreatorFactory()
    advanced = CourseFactory()
    advanced.prerequisites.add(
        CourseFactory(published_at=None),
        CourseFactory(published_at=timezone.now() + timedelta(days=7)),  # publishes next week
    )
    assert services.enrol(creator=creator, course=advanced).course == advanced


def test_a_quiz_without_questions_is_no_step_of_its_course() -> None:
    course = CourseFactory()
    module = ModuleFactory(course=course)
    lesson = LessonFactory(module=module)
    QuizFactory(module=module)  # staff have not written its questions yet
    enrolment = services.enrol(creator=CreatorFactory(), course=course)
    services.complete_lesson(enrolment=enrolment, lesson=lesson)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_a_drip_module_opens_at_the_start_of_its_day() -> None:
    # Enrolled late in the evening: "opens on the 3rd" holds from the 3rd's first moment.
    course = CourseFactory()
    lesson = LessonFactory(module=ModuleFactory(course=course, release_after_days=2))
    enrolled_at = datetime(2026, 11, 1, 23, 30, tzinfo=UTC)
    enrolment = services.enrol(creator=CreatorFactory(), course=course, now=enrolled_at)
    with pytest.raises(services.AcademyError, match="opens on 3 November"):
        services.complete_lesson(
            enrolment=enrolment, lesson=lesson, now=datetime(2026, 11, 2, 23, 59, tzinfo=UTC)
        )
    services.complete_lesson(
        enrolment=enrolment, lesson=lesson, now=datetime(2026, 11, 3, 0, 0, tzinfo=UTC)
    )
