"""Demo Academy for seed_demo: the five courses of devdata/academy_courses.py, each video
lesson with a real video written here (slides with captions, WebM through PyAV, so the
portal's player plays it offline), and the demo creator's learning: one course completed
(certificate, points, a badge), one half done with a failed quiz attempt, and one drip module
still closed. All through academy.services, so progress, points and badges tell one story."""

from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from academy import services
from academy.models import (
    Category,
    Choice,
    Course,
    Enrolment,
    Lesson,
    LessonKind,
    Module,
    Question,
    Quiz,
)
from academy.tests.videos import video_of
from accounts.models import Badge, CreatorProfile
from core.clock import rewards_day_of
from devdata.academy_courses import COURSES


def _lesson(module: Module, position: int, spec: dict) -> Lesson:
    lesson = Lesson(
        module=module,
        position=position,
        title=spec["title"],
        kind=spec["kind"],
        body=spec.get("body", ""),
        transcript=spec.get("transcript", ""),
        insight=spec.get("insight", ""),
    )
    services.render_lesson(lesson)
    if spec["kind"] == LessonKind.VIDEO:
        seconds = spec["video_seconds"]
        lesson.video_seconds = seconds
        lesson.video_file.save(
            f"{module.course.slug}.webm",
            ContentFile(video_of(spec["title"], spec["slides"], seconds)),
            save=False,
        )
    lesson.save()
    return lesson


def _quiz(module: Module, spec: dict) -> None:
    quiz = Quiz.objects.create(module=module, title=spec["title"], pass_mark=spec["pass_mark"])
    for q_position, q in enumerate(spec["questions"], start=1):
        question = Question.objects.create(
            quiz=quiz,
            position=q_position,
            text=q["text"],
            multiple=q["multiple"],
            explanation=q.get("explanation", ""),
        )
        Choice.objects.bulk_create(
            Choice(question=question, position=c_position, text=text, is_correct=right)
            for c_position, (text, right) in enumerate(q["choices"], start=1)
        )


def seed_courses() -> int:
    """Write the courses that are missing, published; returns how many were written."""
    written = 0
    now = timezone.now()
    for spec in COURSES:
        if Course.objects.filter(slug=spec["slug"]).exists():
            continue
        category, _ = Category.objects.get_or_create(
            name=spec["category"],
            defaults={"slug": spec["category"].lower().replace(" ", "-")},
        )
        badge = None
        if spec.get("badge"):
            badge, _ = Badge.objects.get_or_create(
                slug=spec["badge"]["slug"], defaults=spec["badge"]
            )
        course = Course.objects.create(
            slug=spec["slug"],
            title=spec["title"],
            summary=spec["summary"],
            level=spec["level"],
            category=category,
            estimated_minutes=spec["estimated_minutes"],
            badge=badge,
            addresses=spec.get("addresses", ""),
            published_at=now,
        )
        for m_position, m in enumerate(spec["modules"], start=1):
            module = Module.objects.create(
                course=course,
                position=m_position,
                title=m["title"],
                release_after_days=m.get("release_after_days", 0),
            )
            for l_position, lesson in enumerate(m["lessons"], start=1):
                _lesson(module, l_position, lesson)
            if m.get("quiz"):
                _quiz(module, m["quiz"])
        written += 1
    for spec in COURSES:
        course = Course.objects.get(slug=spec["slug"])
        course.prerequisites.set(Course.objects.filter(slug__in=spec.get("prerequisites", [])))
    return written


def _right_answers(quiz: Quiz) -> dict[int, set[int]]:
    return {
        question.pk: {choice.pk for choice in question.choices.all() if choice.is_correct}
        for question in quiz.questions.prefetch_related("choices")
    }


def _wrong_answers(quiz: Quiz) -> dict[int, set[int]]:
    return {
        question.pk: {next(c.pk for c in question.choices.all() if not c.is_correct)}
        for question in quiz.questions.prefetch_related("choices")
    }


def _do_lesson(enrolment: Enrolment, lesson: Lesson, *, at: datetime) -> None:
    if lesson.kind == LessonKind.VIDEO:
        services.record_watching(
            enrolment=enrolment, lesson=lesson, stretches=[(0, lesson.video_seconds)], now=at
        )
    else:
        services.complete_lesson(enrolment=enrolment, lesson=lesson, now=at)
    services.open_lesson(enrolment=enrolment, lesson=lesson, now=at)


def complete_course(*, creator: CreatorProfile, slug: str, at: datetime) -> None:
    """Every lesson watched or done and every quiz passed, as the creator would."""
    course = Course.objects.get(slug=slug)
    enrolment = services.enrol(creator=creator, course=course, now=at)
    for module in course.modules.all():
        for lesson in module.lessons.all():
            _do_lesson(enrolment, lesson, at=at + timedelta(hours=1))
        if quiz := Quiz.objects.filter(module=module).first():
            services.submit_quiz(
                enrolment=enrolment,
                quiz=quiz,
                answers=_right_answers(quiz),
                now=at + timedelta(hours=2),
            )


def seed_learning(*, creator: CreatorProfile) -> date | None:
    """The demo creator's learning, if they have none yet: the cadence course completed a
    week ago, the hooks course half done (a quiz failed once), the going-live course just
    started (its last module opens in two days). Returns the rewards day of the completion,
    for seed_demo to recalculate, so its points show."""
    if creator.enrolments.exists():
        return None
    now = timezone.now()
    by_address = {course.addresses: course for course in Course.objects.published()}

    cadence = by_address["irregular_posting"]
    start = start_of_cadence = now - timedelta(days=9)
    enrolment = services.enrol(creator=creator, course=cadence, now=start)
    for module in cadence.modules.all():
        for lesson in module.lessons.all():
            _do_lesson(enrolment, lesson, at=start + timedelta(days=1))
        if quiz := Quiz.objects.filter(module=module).first():
            services.submit_quiz(
                enrolment=enrolment,
                quiz=quiz,
                answers=_right_answers(quiz),
                now=start + timedelta(days=2),
            )

    hooks = by_address["low_watch_time"]
    start = now - timedelta(days=3)
    enrolment = services.enrol(creator=creator, course=hooks, now=start)
    first = hooks.modules.first()
    for lesson in first.lessons.all():
        _do_lesson(enrolment, lesson, at=start + timedelta(hours=2))
    if quiz := Quiz.objects.filter(module=first).first():
        services.submit_quiz(
            enrolment=enrolment, quiz=quiz, answers=_wrong_answers(quiz), now=start
        )

    live = by_address["few_lives"]
    enrolment = services.enrol(creator=creator, course=live, now=now - timedelta(hours=5))
    _do_lesson(enrolment, live.modules.first().lessons.first(), at=now - timedelta(hours=4))
    return rewards_day_of(start_of_cadence + timedelta(days=2))
