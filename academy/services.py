"""Writes of a creator's learning: enrolling, finishing lessons, watching videos, quiz attempts,
and completing a course (certificate, badge, the rewards hook), each atomic and safe to repeat.
Raise AcademyError, whose message is for the creator."""

from collections.abc import Mapping
from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import CreatorProfile
from core import regions
from core.clock import rewards_day_of
from core.markdown import render_markdown
from rewards import services as rewards_services

from . import selectors
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

# A video lesson counts as watched once this share of its distinct seconds was played.
WATCHED_PERCENT = 90
# What a report from the player may add: the seconds that passed since the last report (or
# since the lesson was opened) at the player's fastest speed, and a few for the clock's edges.
FASTEST_PLAYBACK = 2
REPORT_SLACK_SECONDS = 5


class AcademyError(Exception):
    """Something the Academy's rules refuse; the message is safe to show the creator."""


def learning_changed(creator_id: int) -> None:
    """The creator's learning moved (an enrolment, a step, a completion)."""
    regions.bump(selectors.learning_version_key(creator_id))


def catalog_changed() -> None:
    """Staff changed a course, module, lesson, quiz or question (admin calls this)."""
    regions.bump(selectors.CATALOG_VERSION)


def render_lesson(lesson: Lesson) -> Lesson:
    """The lesson's body as safe HTML, set before it is saved (admin, the demo seed): pages
    show body_html as it is."""
    lesson.body_html = render_markdown(lesson.body)
    return lesson


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


@transaction.atomic
def enrol(*, creator: CreatorProfile, course: Course, now: datetime | None = None) -> Enrolment:
    """Start a published course whose prerequisites the creator has completed. Enrolling
    twice returns the first enrolment."""
    now = _now(now)
    if not course.is_published:
        raise AcademyError("This course is not open yet.")
    if existing := Enrolment.objects.filter(creator=creator, course=course).first():
        return existing
    missing = selectors.missing_prerequisites(creator, course)
    if missing:
        names = ", ".join(f"“{prerequisite.title}”" for prerequisite in missing)
        raise AcademyError(f"Finish {names} first: this course builds on it.")
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                creator=creator, course=course, enrolled_at=now, last_seen_at=now
            )
        learning_changed(creator.pk)
        return enrolment
    except IntegrityError:  # the same click in two requests: the other one enrolled
        return Enrolment.objects.get(creator=creator, course=course)


def _check_open(enrolment: Enrolment, lesson_or_quiz: Lesson | Quiz, *, now: datetime) -> None:
    module = lesson_or_quiz.module
    if module.course_id != enrolment.course_id:
        raise AcademyError("That is not part of this course.")
    opens = selectors.opens_on(enrolment, module)
    if opens > now:
        raise AcademyError(
            f"“{module.title}” opens on {timezone.localtime(opens):%-d %B}, "
            f"{module.release_after_days} days after you enrolled."
        )


def open_lesson(*, enrolment: Enrolment, lesson: Lesson, now: datetime | None = None) -> None:
    """Remember the lesson the creator is on: Resume brings them back to it."""
    now = _now(now)
    Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson, last_seen_at=now)
    learning_changed(enrolment.creator_id)  # Resume and the order of Continue learning


def _progress_row(enrolment: Enrolment, lesson: Lesson) -> LessonProgress:
    """The creator's row for the lesson, locked: made if missing, without a race."""
    LessonProgress.objects.bulk_create(
        [LessonProgress(enrolment=enrolment, lesson=lesson)], ignore_conflicts=True
    )
    return LessonProgress.objects.select_for_update().get(enrolment=enrolment, lesson=lesson)


def watched_enough(progress: LessonProgress, lesson: Lesson) -> bool:
    return progress.watched_seconds * 100 >= WATCHED_PERCENT * (lesson.video_seconds or 0)


@transaction.atomic
def complete_lesson(
    *, enrolment: Enrolment, lesson: Lesson, now: datetime | None = None
) -> LessonProgress:
    """Mark the lesson done (a video only once WATCHED_PERCENT of it was played in the
    portal's player). Marking it again changes nothing; the course completes with its last
    lesson or quiz."""
    now = _now(now)
    _check_open(enrolment, lesson, now=now)
    done = LessonProgress.objects.filter(
        enrolment=enrolment, lesson=lesson, completed_at__isnull=False
    ).first()
    if done is not None:  # marked before: nothing to lock or write
        return done
    progress = _progress_row(enrolment, lesson)
    if progress.completed_at is None:
        if lesson.kind == LessonKind.VIDEO and not watched_enough(progress, lesson):
            raise AcademyError(
                f"Watch at least {WATCHED_PERCENT} % of the video first: you have watched "
                f"{progress.watched_seconds} of its {lesson.video_seconds} seconds."
            )
        progress.completed_at = now
        progress.save(update_fields=["completed_at"])
        learning_changed(enrolment.creator_id)
        finish_if_complete(enrolment=enrolment, now=now)
    return progress


def merge_stretches(
    stretches: list[tuple[int, int]] | list[list[int]], *, length: int
) -> list[list[int]]:
    """Stretches of [start, end) seconds, clamped to the video and merged: sorted, none
    overlapping or touching. The distinct seconds watched are the sum of their lengths."""
    clamped = sorted(
        (max(0, start), min(length, end)) for start, end in stretches if min(length, end) > start
    )
    merged: list[list[int]] = []
    for start, end in clamped:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


@transaction.atomic
def record_watching(
    *,
    enrolment: Enrolment,
    lesson: Lesson,
    stretches: list[tuple[int, int]],
    now: datetime | None = None,
) -> LessonProgress:
    """Add what the player saw played to what was watched before: the same stretch twice
    counts once. At WATCHED_PERCENT of the video's distinct seconds the lesson is done."""
    now = _now(now)
    if lesson.kind != LessonKind.VIDEO:
        raise AcademyError("Only a video lesson is watched.")
    _check_open(enrolment, lesson, now=now)
    progress = _progress_row(enrolment, lesson)
    length = lesson.video_seconds or 0
    watched = merge_stretches([*progress.watched, *stretches], length=length)
    seconds = sum(end - start for start, end in watched)
    since = progress.reported_at or enrolment.last_seen_at
    playable = int((now - since).total_seconds()) * FASTEST_PLAYBACK + REPORT_SLACK_SECONDS
    if seconds - progress.watched_seconds > playable:
        raise AcademyError(
            f"That is {seconds - progress.watched_seconds} seconds more of the video than "
            f"could have played since {timezone.localtime(since):%H:%M:%S}: nothing was counted."
        )
    progress.watched, progress.watched_seconds, progress.reported_at = watched, seconds, now
    fields = ["watched", "watched_seconds", "reported_at"]
    just_finished = progress.completed_at is None and watched_enough(progress, lesson)
    if just_finished:
        progress.completed_at = now
        fields.append("completed_at")
    progress.save(update_fields=fields)
    learning_changed(enrolment.creator_id)
    if just_finished:
        finish_if_complete(enrolment=enrolment, now=now)
    return progress


@transaction.atomic
def submit_quiz(
    *,
    enrolment: Enrolment,
    quiz: Quiz,
    answers: Mapping[int, set[int]],
    now: datetime | None = None,
) -> QuizAttempt:
    """Score an attempt on the server: a question is right when exactly its correct choices
    were chosen. Answers naming another quiz's question or another question's choice are
    refused, changing nothing. The best attempt counts; a pass may complete the course."""
    now = _now(now)
    _check_open(enrolment, quiz, now=now)
    questions = {question.pk: question for question in quiz.questions.prefetch_related("choices")}
    if unknown := set(answers) - set(questions):
        raise AcademyError(f"{len(unknown)} answer(s) are not for this quiz's questions.")
    unanswered = [pk for pk in questions if not answers.get(pk)]
    if unanswered:
        raise AcademyError(
            f"Answer every question: {len(unanswered)} of {len(questions)} have no answer."
        )
    correct = 0
    for pk, chosen in answers.items():
        question = questions[pk]
        choices = {choice.pk: choice for choice in question.choices.all()}
        if not chosen <= set(choices):
            raise AcademyError("An answer is not one of its question's choices.")
        if not question.multiple and len(chosen) != 1:
            raise AcademyError(f"Choose one answer to “{question.text}”.")
        right = {pk for pk, choice in choices.items() if choice.is_correct}
        correct += chosen == right
    score = correct * 100 // len(questions) if questions else 0
    attempt = QuizAttempt.objects.create(
        enrolment=enrolment,
        quiz=quiz,
        answers={str(pk): sorted(chosen) for pk, chosen in answers.items()},
        correct=correct,
        questions=len(questions),
        score=score,
        passed=score >= quiz.pass_mark,
        submitted_at=now,
    )
    learning_changed(enrolment.creator_id)
    if attempt.passed:
        finish_if_complete(enrolment=enrolment, now=now)
    return attempt


@transaction.atomic
def finish_if_complete(*, enrolment: Enrolment, now: datetime | None = None) -> bool:
    """Complete the course once every lesson is done and every quiz passed: the certificate,
    the course's badge, and the rewards hook, each once, however often this runs. Returns
    whether the enrolment is complete. A completion is never taken back (not by lessons
    added later either)."""
    now = _now(now)
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("course", "creator")
        .get(pk=enrolment.pk)
    )
    if enrolment.completed_at is not None:
        return True
    if not selectors.is_everything_done(enrolment):
        return False
    enrolment.completed_at = now
    enrolment.save(update_fields=["completed_at"])
    learning_changed(enrolment.creator_id)
    course, creator = enrolment.course, enrolment.creator
    today = rewards_day_of(now)
    certificate = Certificate.objects.create(
        enrolment=enrolment,
        name=creator.display_name,
        course_title=course.title,
        issued_on=today,
    )
    rewards_services.record_course_completion(
        creator=creator, course_key=course.reward_key, title=course.title, completed_on=today
    )
    if course.badge is not None:
        accounts_services.grant_badge(
            creator=creator,
            badge=course.badge,
            reason=f"Completed the Academy course “{course.title}”",
            link=certificate.get_verify_url(),
        )
    accounts_services.notify(
        user=creator.user,
        subject=f"Course completed: {course.title}",
        body=(
            "Your certificate is ready"
            + (f", with the {course.badge.name} badge on your profile" if course.badge else "")
            + ". The course's points arrive with the next points recalculation."
        ),
        link=reverse("academy:certificate", kwargs={"code": certificate.code}),
    )
    return True


# --- closing an account (privacy.closing) -----------------------------------------------------


def rename_certificates_of(*, creator: CreatorProfile) -> int:
    """Put the closed account's name on a closing creator's certificates in place of their
    real name, which anyone with a certificate's code can read on its public verify page.
    The course, the day and the code stay, so a certificate still verifies. Running it again
    changes nothing more. Returns how many changed."""
    changed = (
        Certificate.objects.filter(enrolment__creator=creator)
        .exclude(name=accounts_services.CLOSED_NAME)
        .update(name=accounts_services.CLOSED_NAME)
    )
    if changed:
        learning_changed(creator.pk)
    return changed
