"""Reads of the Academy: the catalog with each creator's progress, a course's outline for one
enrolment, a lesson's neighbours, prerequisites, and what completes a course. Each read runs a
fixed number of queries, whatever the number of courses, lessons or attempts."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from accounts.models import CreatorProfile, User
from core import regions
from core.clock import rewards_day_of, start_of_rewards_day
from core.exports import plain_rows
from core.regions import REGION_SECONDS

from . import insights
from .models import (
    Certificate,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    Module,
    Quiz,
    QuizAttempt,
)

# A course's quizzes that count: those with questions (one staff have not written yet is not
# a step nobody could pass).
QUIZZES = Count("modules__quiz", filter=Q(modules__quiz__questions__isnull=False), distinct=True)


# Courses as staff write them: every page showing them is cached under this version, which
# admin's saves change (services.catalog_changed).
CATALOG_VERSION = "academy:catalog-version"


def catalog_version() -> int:
    return regions.version(CATALOG_VERSION)


# An enrolment's steps done: its lessons completed and its quizzes passed (each once).
STEPS_DONE = {
    "lessons_done": Count(
        "progress", filter=Q(progress__completed_at__isnull=False), distinct=True
    ),
    "quizzes_passed": Count(
        "quiz_attempts__quiz", filter=Q(quiz_attempts__passed=True), distinct=True
    ),
}


def learning_version_key(creator_id: int) -> str:
    return f"academy:learning-version:{creator_id}"


def learning_version(creator_id: int) -> int:
    """Changes with every step of the creator's learning (services.learning_changed: an
    enrolment, a lesson done, a video watched, a quiz attempt, a completion): what is cached
    of it (the Academy's home, the recommendations) is keyed by it."""
    return regions.version(learning_version_key(creator_id))


def opens_on(enrolment: Enrolment | None, module: Module) -> datetime | None:
    """When the module opens for the enrolment (its drip): at the start of the rewards day
    `release_after_days` after the day of enrolment, so "opens on 2 December" holds all that
    day. None for a preview."""
    if enrolment is None:
        return None
    return start_of_rewards_day(
        rewards_day_of(enrolment.enrolled_at) + timedelta(days=module.release_after_days)
    )


def completed_course_ids(creator: CreatorProfile) -> set[int]:
    return set(
        creator.enrolments.filter(completed_at__isnull=False).values_list("course_id", flat=True)
    )


def missing_prerequisites(creator: CreatorProfile, course: Course) -> list[Course]:
    """The course's prerequisites the creator has not completed, in title order."""
    done = Enrolment.objects.filter(
        creator=creator, course=OuterRef("pk"), completed_at__isnull=False
    )
    return list(course.prerequisites.published().exclude(Exists(done)))


def is_everything_done(enrolment: Enrolment) -> bool:
    """Every lesson of the course done and every quiz passed, as the course is now (two
    queries)."""
    lessons = Lesson.objects.filter(module__course_id=enrolment.course_id)
    done = LessonProgress.objects.filter(
        enrolment=enrolment, lesson=OuterRef("pk"), completed_at__isnull=False
    )
    if lessons.exclude(Exists(done)).exists():
        return False
    passed = QuizAttempt.objects.filter(enrolment=enrolment, quiz=OuterRef("pk"), passed=True)
    return not (
        Quiz.objects.with_questions()
        .filter(module__course_id=enrolment.course_id)
        .exclude(Exists(passed))
        .exists()
    )


@dataclass(frozen=True)
class Progress:
    """How far an enrolment is: steps (lessons and quizzes) done of all, and whether the
    course is complete (then every step shows done, later additions included)."""

    steps: int
    done: int
    completed: bool

    @property
    def shown_done(self) -> int:
        return self.steps if self.completed else min(self.done, self.steps)


def progress_of(enrolment: Enrolment) -> Progress:
    """Two queries: the course's steps, and the enrolment's steps done."""
    steps = Course.objects.filter(pk=enrolment.course_id).aggregate(
        lessons=Count("modules__lessons", distinct=True), quizzes=QUIZZES
    )
    row = (
        Enrolment.objects.filter(pk=enrolment.pk)
        .annotate(**STEPS_DONE)
        .values("lessons_done", "quizzes_passed", "completed_at")
        .get()
    )
    return Progress(
        steps=steps["lessons"] + steps["quizzes"],
        done=row["lessons_done"] + row["quizzes_passed"],
        completed=row["completed_at"] is not None,
    )


# --- the catalog ------------------------------------------------------------------------------


@dataclass
class CourseCard:
    course: Course
    steps: int  # lessons and quizzes
    done: int = 0
    enrolment: Enrolment | None = None
    missing: list[Course] = field(default_factory=list)  # prerequisites not completed

    @property
    def completed(self) -> bool:
        return self.enrolment is not None and self.enrolment.completed_at is not None

    @property
    def steps_done(self) -> int:
        """Steps done as shown: all of them once completed (steps added later included)."""
        return self.steps if self.completed else min(self.done, self.steps)

    @property
    def state(self) -> str:
        if self.completed:
            return "Completed"
        if self.enrolment is not None:
            return "In progress"
        return "Not started"


def search_courses(
    *, query: str = "", category: str = "", level: str = "", include_drafts: bool = False
) -> QuerySet[Course]:
    courses = Course.objects.all() if include_drafts else Course.objects.published()
    if query:
        courses = courses.filter(Q(title__icontains=query) | Q(summary__icontains=query))
    if category:
        courses = courses.filter(category__slug=category)
    if level:
        courses = courses.filter(level=level)
    return courses


def course_cards(creator: CreatorProfile | None, courses: QuerySet[Course]) -> list[CourseCard]:
    """The courses as cards with the creator's progress and missing prerequisites: four
    queries however many courses (courses, prerequisites, enrolments, steps done)."""
    courses = list(
        courses.select_related("category", "badge")
        .prefetch_related(
            Prefetch("prerequisites", queryset=Course.objects.published().only("title", "slug"))
        )
        .annotate(lessons=Count("modules__lessons", distinct=True), quizzes=QUIZZES)
    )
    cards = {course.pk: CourseCard(course, course.lessons + course.quizzes) for course in courses}
    if creator is None or not cards:
        return list(cards.values())
    enrolments = {e.course_id: e for e in creator.enrolments.filter(course__in=list(cards))}
    completed = {course_id for course_id, e in enrolments.items() if e.completed_at}
    for course_id, done in _steps_done(list(enrolments.values())).items():
        cards[course_id].done = done
    for card in cards.values():
        card.enrolment = enrolments.get(card.course.pk)
        card.missing = [p for p in card.course.prerequisites.all() if p.pk not in completed]
    return list(cards.values())


def _steps_done(enrolments: list[Enrolment]) -> dict[int, int]:
    """Per course, the lessons done and quizzes passed in the enrolments (one query)."""
    if not enrolments:
        return {}
    rows = (
        Enrolment.objects.filter(pk__in=[e.pk for e in enrolments])
        .annotate(**STEPS_DONE)
        .values_list("course_id", "lessons_done", "quizzes_passed")
    )
    return {course_id: lessons + quizzes for course_id, lessons, quizzes in rows}


def my_courses(creator: CreatorProfile) -> list[CourseCard]:
    """The courses the creator is taking, the last opened first, with their progress."""
    enrolled = (
        Course.objects.published()
        .filter(enrolments__creator=creator)
        .order_by("-enrolments__last_seen_at")
    )
    return course_cards(creator, enrolled)


# --- one course -------------------------------------------------------------------------------


@dataclass
class LessonStep:
    lesson: Lesson
    done: bool


@dataclass
class QuizStep:
    quiz: Quiz
    passed: bool
    best_score: int | None
    attempts: int


@dataclass
class ModuleOutline:
    module: Module
    opens: datetime | None
    is_open: bool
    lessons: list[LessonStep]
    quiz: QuizStep | None


@dataclass
class Outline:
    course: Course
    enrolment: Enrolment | None
    modules: list[ModuleOutline]

    @property
    def lessons(self) -> list[Lesson]:
        return [step.lesson for module in self.modules for step in module.lessons]

    @property
    def steps(self) -> int:
        return sum(len(m.lessons) + (m.quiz is not None) for m in self.modules)

    @property
    def done(self) -> int:
        return sum(
            sum(step.done for step in m.lessons) + bool(m.quiz and m.quiz.passed)
            for m in self.modules
        )

    @property
    def summary(self) -> Progress:
        return Progress(
            steps=self.steps,
            done=self.done,
            completed=self.enrolment is not None and self.enrolment.completed_at is not None,
        )

    def resume_lesson(self) -> Lesson | None:
        """Where Resume goes: the lesson last opened, else the first not done that is open."""
        if self.enrolment is not None and self.enrolment.last_lesson_id:
            for lesson in self.lessons:
                if lesson.pk == self.enrolment.last_lesson_id:
                    return lesson
        for module in self.modules:
            for step in module.lessons:
                if module.is_open and not step.done:
                    return step.lesson
        return self.lessons[0] if self.lessons else None

    def neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        lessons = self.lessons
        index = next(i for i, candidate in enumerate(lessons) if candidate.pk == lesson.pk)
        previous = lessons[index - 1] if index > 0 else None
        following = lessons[index + 1] if index + 1 < len(lessons) else None
        return previous, following

    def module_of(self, lesson: Lesson) -> ModuleOutline:
        return next(m for m in self.modules if m.module.pk == lesson.module_id)

    def module_of_quiz(self, quiz: Quiz) -> ModuleOutline:
        return next(m for m in self.modules if m.module.pk == quiz.module_id)

    def after(self, module: ModuleOutline) -> Lesson | None:
        """The first lesson of the modules after `module`: where its quiz leads."""
        index = self.modules.index(module)
        return next((m.lessons[0].lesson for m in self.modules[index + 1 :] if m.lessons), None)


def outline(course: Course, enrolment: Enrolment | None, *, now: datetime) -> Outline:
    """The course's modules, lessons and quizzes (those with questions) with the enrolment's
    progress (five queries: modules with their lessons and quizzes, the quizzes with
    questions, progress, attempts)."""
    modules = list(
        course.modules.prefetch_related(
            Prefetch("lessons", queryset=Lesson.objects.defer("body", "body_html", "transcript"))
        ).select_related("quiz")
    )
    asking = set(
        Quiz.objects.with_questions().filter(module__course=course).values_list("pk", flat=True)
    )
    done: set[int] = set()
    attempts: dict[int, list[QuizAttempt]] = {}
    if enrolment is not None:
        done = set(
            enrolment.progress.filter(completed_at__isnull=False).values_list(
                "lesson_id", flat=True
            )
        )
        for attempt in enrolment.quiz_attempts.only("quiz_id", "score", "passed"):
            attempts.setdefault(attempt.quiz_id, []).append(attempt)
    outlines = []
    for module in modules:
        opens = opens_on(enrolment, module)
        quiz = _quiz_of(module)
        quiz = quiz if quiz is not None and quiz.pk in asking else None
        tries = attempts.get(quiz.pk, []) if quiz else []
        outlines.append(
            ModuleOutline(
                module=module,
                opens=opens,
                is_open=opens is None or opens <= now,
                lessons=[LessonStep(lesson, lesson.pk in done) for lesson in module.lessons.all()],
                quiz=QuizStep(
                    quiz=quiz,
                    passed=any(t.passed for t in tries),
                    best_score=max((t.score for t in tries), default=None),
                    attempts=len(tries),
                )
                if quiz
                else None,
            )
        )
    return Outline(course, enrolment, outlines)


def _quiz_of(module: Module) -> Quiz | None:
    try:
        return module.quiz
    except Quiz.DoesNotExist:
        return None


def recommended_for(creator: CreatorProfile, *, today: date) -> list[insights.Recommendation]:
    """What the creator's own data says to learn next, each with the reason in words. Read
    once a day per creator and again after they enrol or complete a course (cached under
    their learning version): the Academy's home and the dashboard show it."""
    key = f"academy:recommended:{creator.pk}:{today}:{learning_version(creator.pk)}"

    def read() -> list[insights.Recommendation]:
        return insights.recommendations(
            creator,
            today=today,
            courses=Course.objects.published().select_related("category"),
            completed_course_ids=completed_course_ids(creator),
        )

    return cache.get_or_set(key, read, REGION_SECONDS)


def insight_cards_for(creator: CreatorProfile, *, today: date) -> list[insights.InsightCard]:
    """The creator's insight cards (best posting time, top videos, engagement against peers),
    read once a day: they describe the last 28 days to `today`, which change nightly."""
    key = f"academy:insights:{creator.pk}:{today}"
    return cache.get_or_set(
        key, lambda: list(insights.insight_cards(creator, today=today)), REGION_SECONDS
    )


def export_rows(user: User) -> dict[str, list[dict]]:
    """The Academy learning of `user` (a creator; nothing for others), for their data export
    (privacy.exports): enrolments, progress through each lesson, quiz attempts with the
    answers given, and certificates. Four queries."""
    return {
        "enrolments": plain_rows(
            Enrolment.objects.filter(creator__user=user)
            .order_by("enrolled_at", "pk")
            .values(
                "id", "enrolled_at", "last_seen_at", "completed_at", course_title=F("course__title")
            )
        ),
        "lesson_progress": plain_rows(
            LessonProgress.objects.filter(enrolment__creator__user=user)
            .order_by("enrolment_id", "pk")
            .values(
                "enrolment_id",
                "watched_seconds",
                "reported_at",
                "completed_at",
                lesson_title=F("lesson__title"),
            )
        ),
        "quiz_attempts": plain_rows(
            QuizAttempt.objects.filter(enrolment__creator__user=user)
            .order_by("submitted_at", "pk")
            .values(
                "enrolment_id",
                "correct",
                "questions",
                "score",
                "passed",
                "submitted_at",
                "answers",
                quiz_title=F("quiz__title"),
            )
        ),
        "certificates": plain_rows(
            Certificate.objects.filter(enrolment__creator__user=user)
            .order_by("issued_on", "pk")
            .values("code", "name", "course_title", "issued_on")
        ),
    }
