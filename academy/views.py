"""The Creator Academy as creators take it: the catalog with recommendations, a course, its
lessons and quizzes, certificates, and the public check of a certificate.

Staff see every page of a draft as a creator will (a preview: nothing is recorded); creators
never reach a draft, by list, link or htmx endpoint.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.access import creator_or_staff_required, creator_required, public
from accounts.models import CreatorProfile
from core.clock import rewards_today
from core.http import bad_request, wants_fragment
from core.regions import REGION_SECONDS, region_key

from . import selectors, services
from .forms import CatalogSearchForm, QuizForm
from .insights import InsightCard, Recommendation
from .models import (
    Certificate,
    Course,
    Enrolment,
    Lesson,
    LessonKind,
    LessonProgress,
    Quiz,
    QuizAttempt,
)


def _creator(request: HttpRequest) -> CreatorProfile | None:
    """The signed-in creator; None for staff, who preview."""
    return getattr(request.user, "creator", None) if request.user.is_creator else None


def _course_or_404(request: HttpRequest, slug: str) -> Course:
    courses = Course.objects.select_related("category", "badge")
    if not request.user.is_staff:
        courses = courses.published()
    return get_object_or_404(courses, slug=slug)


def _enrolment(creator: CreatorProfile | None, course: Course) -> Enrolment | None:
    if creator is None:
        return None
    return creator.enrolments.filter(course=course).select_related("last_lesson").first()


@creator_or_staff_required
@require_GET
@vary_on_headers("HX-Request")  # the same URL answers htmx with its region only
def home(request: HttpRequest) -> HttpResponse:
    """The catalog (search, category, level) with the creator's courses and what their own
    data says to learn next. An htmx search swaps the results only."""
    form = CatalogSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return bad_request(request, "Choose a category and a level from the lists.")
    filters = form.cleaned_data if form.is_bound else {}
    creator = _creator(request)
    today = rewards_today()

    def cards() -> list[selectors.CourseCard]:
        courses = selectors.search_courses(
            query=filters.get("q", ""),
            category=filters["category"].slug if filters.get("category") else "",
            level=filters.get("level", ""),
            include_drafts=request.user.is_staff,
        )
        return selectors.course_cards(creator, courses)

    def mine() -> _Mine:
        if creator is None:
            return _Mine()
        return _Mine(
            taking=[card for card in selectors.my_courses(creator) if not card.completed],
            certificates=list(
                Certificate.objects.filter(enrolment__creator=creator).order_by("-issued_on", "-pk")
            ),
            recommended=selectors.recommended_for(creator, today=today),
            insights=selectors.insight_cards_for(creator, today=today),
        )

    context = {
        "form": form,
        "cards": SimpleLazyObject(cards),
        "mine": SimpleLazyObject(mine),
        # The page changes with the catalog and the creator's learning (each a version), the
        # day (recommendations and insights) and the search; see core.regions.
        "cache_key": region_key(
            request.user.pk,
            selectors.catalog_version(),
            selectors.learning_version(creator.pk) if creator else "preview",
            today,
            filters.get("q", ""),
            filters["category"].slug if filters.get("category") else "",
            filters.get("level", ""),
        ),
        "region_seconds": REGION_SECONDS,
    }
    if wants_fragment(request):
        return render(request, "academy/home.html#results", context)
    return render(request, "academy/home.html", context)


@dataclass(frozen=True)
class _Mine:
    """The parts of the Academy's home about the signed-in creator (none for staff)."""

    taking: list[selectors.CourseCard] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)
    recommended: list[Recommendation] = field(default_factory=list)
    insights: list[InsightCard] = field(default_factory=list)


@creator_or_staff_required
@require_GET
def course(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course_or_404(request, slug)
    creator = _creator(request)
    enrolment = _enrolment(creator, course)
    return render(
        request,
        "academy/course.html",
        {
            "course": course,
            "outline": selectors.outline(course, enrolment, now=timezone.now()),
            "enrolment": enrolment,
            "missing": selectors.missing_prerequisites(creator, course) if creator else [],
            "certificate": Certificate.objects.filter(enrolment=enrolment).first()
            if enrolment and enrolment.completed_at
            else None,
            "preview": creator is None,
        },
    )


@creator_required
@require_POST
def enrol(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(Course.objects.published(), slug=slug)
    try:
        enrolment = services.enrol(creator=request.user.creator, course=course)
    except services.AcademyError as error:
        messages.error(request, str(error))
        return redirect(course)
    first = selectors.outline(course, enrolment, now=timezone.now()).resume_lesson()
    if first is None:
        return redirect(course)
    return redirect("academy:lesson", slug=course.slug, lesson_id=first.pk)


def _certificate(enrolment: Enrolment) -> Certificate | None:
    return Certificate.objects.filter(enrolment=enrolment).first()


@dataclass(frozen=True)
class _LessonPlace:
    """Where a lesson sits in its course for the viewer: read for the cached regions only."""

    outline: selectors.Outline
    module: selectors.ModuleOutline
    previous: Lesson | None
    next: Lesson | None
    quiz_after: Quiz | None  # the module's quiz, after its last lesson
    insight: InsightCard | None


def _place(
    lesson: Lesson, enrolment: Enrolment | None, creator: CreatorProfile | None
) -> _LessonPlace:
    outline = selectors.outline(lesson.module.course, enrolment, now=timezone.now())
    previous, following = outline.neighbours(lesson)
    module = outline.module_of(lesson)
    insight = None
    if lesson.kind == LessonKind.INSIGHT and creator is not None:
        cards = selectors.insight_cards_for(creator, today=rewards_today())
        insight = next((card for card in cards if card.key == lesson.insight), None)
    return _LessonPlace(
        outline=outline,
        module=module,
        previous=previous,
        next=following,
        quiz_after=module.quiz.quiz
        if module.quiz and module.lessons[-1].lesson.pk == lesson.pk
        else None,
        insight=insight,
    )


@creator_or_staff_required
@require_GET
def lesson(request: HttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    """A lesson. What it shows of the course (the progress bar, the lesson, next and previous)
    is cached per creator under their learning version and the catalog's; each request reads
    the lesson, the enrolment (to check the creator may open it) and the lesson's progress."""
    lessons = Lesson.objects.select_related("module__course")
    if not request.user.is_staff:
        lessons = lessons.filter(module__course__in=Course.objects.published())
    lesson = get_object_or_404(lessons, pk=lesson_id, module__course__slug=slug)
    course = lesson.module.course
    creator = _creator(request)
    enrolment = _enrolment(creator, course)
    if creator is not None:
        if enrolment is None:
            messages.info(request, "Enrol in the course to start its lessons.")
            return redirect(course)
        opens = selectors.opens_on(enrolment, lesson.module)
        if opens > timezone.now():
            messages.info(
                request,
                f"“{lesson.module.title}” opens on {timezone.localtime(opens):%-d %B}.",
            )
            return redirect(course)
        # A video's opening is also where the player's first report is measured from.
        if enrolment.last_lesson_id != lesson.pk or lesson.kind == LessonKind.VIDEO:
            services.open_lesson(enrolment=enrolment, lesson=lesson)
    progress = enrolment.progress.filter(lesson=lesson).first() if enrolment else None
    return render(
        request,
        "academy/lesson.html",
        {
            "course": course,
            "lesson": lesson,
            "place": SimpleLazyObject(lambda: _place(lesson, enrolment, creator)),
            "done": progress is not None and progress.completed_at is not None,
            "watched_percent": _watched_percent(lesson, progress),
            "certificate": _certificate(enrolment)
            if enrolment is not None and enrolment.completed_at
            else None,
            "preview": creator is None,
            "cache_key": region_key(
                request.user.pk,
                lesson.pk,
                selectors.catalog_version(),
                selectors.learning_version(creator.pk) if creator else "preview",
                # An insight card shows the creator's figure of the day.
                rewards_today() if lesson.kind == LessonKind.INSIGHT else "",
            ),
            "region_seconds": REGION_SECONDS,
        },
    )


def _watched_percent(lesson: Lesson, progress: LessonProgress | None) -> int:
    if progress is None or lesson.kind != LessonKind.VIDEO:
        return 0
    return min(100, progress.watched_seconds * 100 // lesson.video_seconds)


def _enrolled_lesson(request: HttpRequest, slug: str, lesson_id: int) -> tuple[Enrolment, Lesson]:
    """The creator's enrolment in the published course and its lesson (two queries)."""
    enrolment = get_object_or_404(
        request.user.creator.enrolments.select_related("course"),
        course__slug=slug,
        course__published_at__lte=timezone.now(),
    )
    lesson = get_object_or_404(
        Lesson.objects.select_related("module"), pk=lesson_id, module__course=enrolment.course
    )
    return enrolment, lesson


def _completion(
    request: HttpRequest,
    enrolment: Enrolment,
    lesson: Lesson,
    progress: LessonProgress | None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The lesson's completion region after an htmx action, with the course's progress bar
    swapped out of band."""
    return render(
        request,
        "academy/lesson.html#completion",
        {
            "course": enrolment.course,
            "lesson": lesson,
            "done": progress is not None and progress.completed_at is not None,
            "watched_percent": _watched_percent(lesson, progress),
            "summary": (summary := selectors.progress_of(enrolment)),
            "certificate": _certificate(enrolment) if summary.completed else None,
            "error": error,
            "oob": True,
        },
        status=status,
    )


@creator_required
@require_POST
def complete_lesson(request: HttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    """Mark complete: htmx swaps the lesson's completion region (and the progress bar);
    without JavaScript the lesson page comes back."""
    enrolment, lesson = _enrolled_lesson(request, slug, lesson_id)
    try:
        progress = services.complete_lesson(enrolment=enrolment, lesson=lesson)
    except services.AcademyError as error:
        if not request.htmx:
            messages.error(request, str(error))
            return redirect("academy:lesson", slug=slug, lesson_id=lesson_id)
        progress = enrolment.progress.filter(lesson=lesson).first()
        return _completion(request, enrolment, lesson, progress, error=str(error), status=409)
    if not request.htmx:
        return redirect("academy:lesson", slug=slug, lesson_id=lesson_id)
    return _completion(request, enrolment, lesson, progress)


def _stretches(raw: str) -> list[tuple[int, int]]:
    """'0-20,40-50' (seconds) as [(0, 20), (40, 50)]; ValueError when it is not that."""
    stretches = []
    for part in raw.split(",")[:200]:
        start, end = (int(value) for value in part.split("-", 1))
        if start < 0 or end <= start:
            raise ValueError(part)
        stretches.append((start, end))
    return stretches


@creator_required
@require_POST
def watch(request: HttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    """The portal's player reports what it has played, as stretches of seconds."""
    enrolment, lesson = _enrolled_lesson(request, slug, lesson_id)
    try:
        stretches = _stretches(request.POST.get("played", ""))
    except ValueError:
        return bad_request(request, "Send what was played as start-end seconds, e.g. 0-20,40-50.")
    try:
        progress = services.record_watching(enrolment=enrolment, lesson=lesson, stretches=stretches)
    except services.AcademyError as error:
        return bad_request(request, str(error))
    return _completion(request, enrolment, lesson, progress)


@creator_or_staff_required
@require_http_methods(["GET", "POST"])
def quiz(request: HttpRequest, slug: str, quiz_id: int) -> HttpResponse:
    """The quiz ending a module. Answers are scored on the server; the attempt's page
    (?attempt=<id>, after a redirect, so a reload sends nothing twice) shows each question
    right or wrong with its explanation, and the right answers once the quiz is passed. The
    best attempt counts, and retakes are allowed."""
    course = _course_or_404(request, slug)
    quiz = get_object_or_404(
        Quiz.objects.select_related("module"), pk=quiz_id, module__course=course
    )
    creator = _creator(request)
    enrolment = _enrolment(creator, course)
    if creator is not None and enrolment is None:
        messages.info(request, "Enrol in the course to take its quizzes.")
        return redirect(course)
    outline = selectors.outline(course, enrolment, now=timezone.now())
    module = outline.module_of_quiz(quiz)
    if module.quiz is None and creator is not None:
        raise Http404("This quiz has no questions yet.")
    if not module.is_open:
        return redirect(course)
    form = QuizForm(request.POST if request.method == "POST" else None, quiz=quiz)
    if request.method == "POST":
        if creator is None:
            return bad_request(request, "A preview records no answers.")
        foreign = {
            key for key in request.POST if key.startswith("question_") and key not in form.fields
        }
        if foreign:
            return bad_request(request, "An answer was for a question that is not in this quiz.")
        if any(form.has_error(name, "invalid_choice") for name in form.fields):
            return bad_request(request, "An answer is not one of its question's choices.")
        if form.is_valid():
            try:
                attempt = services.submit_quiz(
                    enrolment=enrolment, quiz=quiz, answers=form.answers()
                )
            except services.AcademyError as error:
                return bad_request(request, str(error))
            return redirect(f"{request.path}?attempt={attempt.pk}")
    attempt = None
    if enrolment is not None and "attempt" in request.GET:
        try:
            attempt_id = int(request.GET["attempt"])
        except ValueError:
            return bad_request(request, "An attempt is named by its number.")
        attempt = get_object_or_404(enrolment.quiz_attempts, pk=attempt_id, quiz=quiz)
    passed = module.quiz is not None and module.quiz.passed
    return render(
        request,
        "academy/quiz.html",
        {
            "course": course,
            "quiz": quiz,
            "form": form,
            "attempt": attempt,
            "feedback": _feedback(form, attempt, reveal=passed) if attempt else [],
            "step": module.quiz,
            "next": outline.after(module),
            "certificate": Certificate.objects.filter(enrolment=enrolment).first()
            if enrolment is not None and passed
            else None,
            "preview": creator is None,
        },
        status=422 if form.is_bound else 200,
    )


def _feedback(form: QuizForm, attempt: QuizAttempt, *, reveal: bool) -> list[dict]:
    """Per question of a scored attempt: what was chosen, whether it was right, and why.
    Which choices are right is revealed only once the quiz is passed (`reveal`): a failed
    attempt must not hand out the answers to the next one."""
    rows = []
    for question in form.questions:
        chosen = set(attempt.answers.get(str(question.pk), []))
        right = {choice.pk for choice in question.choices.all() if choice.is_correct}
        rows.append(
            {
                "question": question,
                "correct": chosen == right,
                "choices": [
                    {"text": c.text, "chosen": c.pk in chosen, "right": reveal and c.pk in right}
                    for c in question.choices.all()
                ],
            }
        )
    return rows


@creator_required
@require_GET
def certificate(request: HttpRequest, code: str) -> HttpResponse:
    """The creator's own certificate, printable."""
    certificate = get_object_or_404(
        Certificate.objects.select_related("enrolment__course"),
        code=code,
        enrolment__creator=request.user.creator,
    )
    return render(request, "academy/certificate.html", {"certificate": certificate})


@public
@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone with a code may check it: the name, the course and the date, nothing else."""
    certificate = Certificate.objects.filter(code=code.upper()).first()
    if certificate is None:
        return render(request, "academy/verify.html", {"code": code[:32]}, status=404)
    return render(request, "academy/verify.html", {"certificate": certificate})


def dashboard_panel(request: HttpRequest, creator: CreatorProfile) -> str:
    """ "Recommended for you" on the creator's dashboard (registered with rewards.panels);
    the recommendations are cached (selectors.recommended_for): no query on a hit."""
    return render_to_string(
        "academy/_dashboard_panel.html",
        {"recommended": selectors.recommended_for(creator, today=rewards_today())},
        request=request,
    )
