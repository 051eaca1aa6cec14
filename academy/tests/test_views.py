"""The Academy's pages as each role meets them: the catalog, a course, lessons with htmx,
the player's reports, quizzes, certificates and their public check."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from academy import services
from academy.models import Certificate, Enrolment, LessonProgress, QuizAttempt
from academy.tests.factories import (
    CategoryFactory,
    CourseFactory,
    LessonFactory,
    ModuleFactory,
    QuizFactory,
    VideoLessonFactory,
    question,
)
from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory
from conftest import _client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def course() -> dict:
    course = CourseFactory(
        title="Hooks that hold", slug="hooks", category=CategoryFactory(slug="craft")
    )
    module = ModuleFactory(course=course, title="Openings")
    article = LessonFactory(module=module, title="What a hook is", position=1)
    video = VideoLessonFactory(module=module, title="Five hooks", position=2)
    quiz = QuizFactory(module=module, title="Hook basics", pass_mark=100)
    q = question(quiz, "What matters most?", ("The first seconds", True), ("The logo", False))
    return {"course": course, "article": article, "video": video, "quiz": quiz, "question": q}


def lesson_url(parts: dict, lesson: str, action: str = "lesson") -> str:
    return reverse(f"academy:{action}", kwargs={"slug": "hooks", "lesson_id": parts[lesson].pk})


def quiz_url(parts: dict) -> str:
    return reverse("academy:quiz", kwargs={"slug": "hooks", "quiz_id": parts["quiz"].pk})


def enrolled(creator: CreatorProfile, parts: dict) -> Enrolment:
    """Enrolled ten minutes ago: the player may report up to that much watching."""
    return services.enrol(
        creator=creator, course=parts["course"], now=timezone.now() - timedelta(minutes=10)
    )


def test_the_catalog_searches_and_filters_and_shows_progress(
    creator_client: Client, creator: CreatorProfile, course: dict
) -> None:
    CourseFactory(title="Going live", level="advanced")
    CourseFactory(title="Secret draft", published_at=None)
    enrolled(creator, course)
    html = creator_client.get(reverse("academy:home")).content.decode()
    assert "Hooks that hold" in html and "Going live" in html
    assert "Secret draft" not in html
    assert "Continue learning" in html and "0 / 3" in html
    found = creator_client.get(
        reverse("academy:home"), {"q": "hook"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Hooks that hold" in found and "Going live" not in found
    by_level = creator_client.get(
        reverse("academy:home"), {"level": "advanced"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Going live" in by_level and "Hooks that hold" not in by_level
    partial = creator_client.get(
        reverse("academy:home"), {"category": "craft"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert partial.lstrip().startswith('<div id="results"') and "Hooks that hold" in partial
    assert "Going live" not in partial


def test_a_bad_filter_is_a_400_in_words(creator_client: Client) -> None:
    response = creator_client.get(reverse("academy:home"), {"level": "wizard"})
    assert response.status_code == 400
    assert b"Choose a category and a level" in response.content


def test_drafts_are_invisible_to_creators_by_list_link_and_endpoint(
    creator_client: Client, creator: CreatorProfile, staff_client: Client
) -> None:
    draft = CourseFactory(slug="draft", published_at=None, title="Unfinished")
    lesson = LessonFactory(module=ModuleFactory(course=draft))
    quiz = QuizFactory(module=lesson.module)
    kwargs = {"slug": "draft", "lesson_id": lesson.pk}
    assert "Unfinished" not in creator_client.get(reverse("academy:home")).content.decode()
    for url in [
        reverse("academy:course", kwargs={"slug": "draft"}),
        reverse("academy:lesson", kwargs=kwargs),
        reverse("academy:quiz", kwargs={"slug": "draft", "quiz_id": quiz.pk}),
    ]:
        assert creator_client.get(url).status_code == 404
    for url in [
        reverse("academy:enrol", kwargs={"slug": "draft"}),
        reverse("academy:complete_lesson", kwargs=kwargs),
    ]:
        assert creator_client.post(url, headers={"HX-Request": "true"}).status_code == 404
    assert not creator.enrolments.exists()
    # Staff preview it as creators will see it.
    preview = staff_client.get(reverse("academy:lesson", kwargs=kwargs)).content.decode()
    assert "Preview" in preview and lesson.title in preview
    assert "Unfinished" in staff_client.get(reverse("academy:home")).content.decode()


def test_fans_and_brands_are_kept_out(
    fan_client: Client, brand_client: Client, course: dict
) -> None:
    for client in (fan_client, brand_client):
        assert client.get(reverse("academy:home")).status_code == 403
        assert client.get(lesson_url(course, "article")).status_code == 403
        assert client.post(lesson_url(course, "article", "complete_lesson")).status_code == 403


def test_enrolling_opens_the_first_lesson_and_resume_returns_to_the_last(
    creator_client: Client, creator: CreatorProfile, course: dict
) -> None:
    response = creator_client.post(reverse("academy:enrol", kwargs={"slug": "hooks"}))
    assert response.url == lesson_url(course, "article")
    creator_client.get(lesson_url(course, "video"))
    page = creator_client.get(reverse("academy:course", kwargs={"slug": "hooks"})).content.decode()
    assert f'href="{lesson_url(course, "video")}">Resume: Five hooks' in page


def test_a_lesson_before_enrolling_sends_the_creator_to_the_course(
    creator_client: Client, course: dict
) -> None:
    response = creator_client.get(lesson_url(course, "article"))
    assert response.status_code == 302 and response.url == course["course"].get_absolute_url()


def test_mark_complete_with_htmx_swaps_the_completion_region(
    creator_client: Client, creator: CreatorProfile, course: dict
) -> None:
    enrolled(creator, course)
    response = creator_client.post(
        lesson_url(course, "article", "complete_lesson"), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="completion"') and "Done" in html
    assert LessonProgress.objects.get(lesson=course["article"]).completed_at is not None
    # Without JavaScript the form posts and comes back to the lesson.
    plain = creator_client.post(lesson_url(course, "article", "complete_lesson"))
    assert plain.status_code == 302 and plain.url == lesson_url(course, "article")


def test_a_video_cannot_be_marked_complete_unwatched(
    creator_client: Client, creator: CreatorProfile, course: dict
) -> None:
    enrolled(creator, course)
    response = creator_client.post(
        lesson_url(course, "video", "complete_lesson"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert "Watch at least 90 %" in response.content.decode()


def test_the_player_reports_stretches_and_the_lesson_completes_at_ninety_percent(
    creator_client: Client, creator: CreatorProfile, course: dict
) -> None:
    enrolled(creator, course)
    url = lesson_url(course, "video", "watch")
    first = creator_client.post(url, {"played": "0-20"}, headers={"HX-Request": "true"})
    assert 'value="20" max="100"' in first.content.decode()
    # 70 s more at once, a moment after the last report: not what a player could have played.
    too_much = creator_client.post(url, {"played": "0-20,10-90"}, headers={"HX-Request": "true"})
    assert too_much.status_code == 400 and b"nothing was counted" in too_much.content
    LessonProgress.objects.update(reported_at=F("reported_at") - timedelta(seconds=40))
    done = creator_client.post(url, {"played": "0-20,10-90"}, headers={"HX-Request": "true"})
    assert "Done" in done.content.decode()
    assert LessonProgress.objects.get(lesson=course["video"]).watched_seconds == 90


@pytest.mark.parametrize("played", ["", "abc", "20-10", "-5-10", "1-2-3"])
def test_a_garbled_report_from_the_player_is_a_400(
    creator_client: Client, creator: CreatorProfile, course: dict, played: str
) -> None:
    enrolled(creator, course)
    response = creator_client.post(lesson_url(course, "video", "watch"), {"played": played})
    assert response.status_code == 400
    assert not LessonProgress.objects.exists()


def test_a_script_in_a_lesson_renders_inert(
    creator_client: Client, creator: CreatorProfile, course: dict
) -> None:
    from core.markdown import render_markdown

    article = course["article"]
    article.body = "Hello <script>alert('x')</script> [link](javascript:alert(1))"
    article.body_html = render_markdown(article.body)
    article.save()
    enrolled(creator, course)
    html = creator_client.get(lesson_url(course, "article")).content.decode()
    assert "<script>alert" not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;alert" in html  # shown as text, never run


def test_quiz_answers_are_not_sent_before_submission(
    creator_client: Client, creator: CreatorProfile, course: dict
) -> None:
    enrolled(creator, course)
    html = creator_client.get(quiz_url(course)).content.decode()
    assert "The first seconds" in html and "The logo" in html
    assert "right answer" not in html and "Because:" not in html  # no feedback, no explanation
    assert "correct" not in html.lower()


def test_a_quiz_failed_then_passed_shows_feedback_each_time(
    creator_client: Client, creator: CreatorProfile, course: dict
) -> None:
    enrolled(creator, course)
    q = course["question"]
    right = q.choices.get(is_correct=True).pk
    wrong = q.choices.get(is_correct=False).pk
    # Post, redirect, get: reloading the attempt's page submits nothing again.
    response = creator_client.post(quiz_url(course), {f"question_{q.pk}": wrong}, follow=True)
    failed = response.content.decode()
    assert response.redirect_chain[0][0].startswith(f"{quiz_url(course)}?attempt=")
    assert "Not passed yet: 0 %" in failed and "Because: What matters most?" in failed
    # A failed attempt says what was wrong, not which answer is right.
    assert "(right answer)" not in failed
    assert creator_client.get(response.redirect_chain[0][0]).status_code == 200
    assert QuizAttempt.objects.count() == 1
    passed = creator_client.post(
        quiz_url(course), {f"question_{q.pk}": right}, follow=True
    ).content.decode()
    assert "Passed: 100 %" in passed and "(right answer)" in passed
    assert "You have completed the course" not in passed  # the video is not watched yet
    assert QuizAttempt.objects.filter(passed=True).count() == 1


def test_another_creators_attempt_is_not_found(
    creator_client: Client, creator: CreatorProfile, course: dict
) -> None:
    enrolled(creator, course)
    other = CreatorFactory()
    q = course["question"]
    attempt = services.submit_quiz(
        enrolment=services.enrol(creator=other, course=course["course"]),
        quiz=course["quiz"],
        answers={q.pk: {q.choices.get(is_correct=True).pk}},
    )
    assert creator_client.get(f"{quiz_url(course)}?attempt={attempt.pk}").status_code == 404
    assert creator_client.get(f"{quiz_url(course)}?attempt=x").status_code == 400


def test_tampered_quiz_answers_are_refused(
    creator_client: Client, creator: CreatorProfile, course: dict
) -> None:
    enrolled(creator, course)
    q = course["question"]
    other = question(QuizFactory(), "Elsewhere?", ("Yes", True))
    right = q.choices.get(is_correct=True).pk
    unknown_choice = creator_client.post(quiz_url(course), {f"question_{q.pk}": 999_999})
    foreign_question = creator_client.post(
        quiz_url(course),
        {f"question_{q.pk}": right, f"question_{other.pk}": other.choices.get().pk},
    )
    another_questions_choice = creator_client.post(
        quiz_url(course), {f"question_{q.pk}": other.choices.get().pk}
    )
    for response in (unknown_choice, foreign_question, another_questions_choice):
        assert response.status_code == 400
    assert not QuizAttempt.objects.exists()


def test_an_unanswered_quiz_says_what_is_missing(
    creator_client: Client, creator: CreatorProfile, course: dict
) -> None:
    enrolled(creator, course)
    response = creator_client.post(quiz_url(course), {})
    assert response.status_code == 422 and "Choose an answer." in response.content.decode()


def finish(creator: CreatorProfile, parts: dict) -> Certificate:
    enrolment = enrolled(creator, parts)
    services.complete_lesson(enrolment=enrolment, lesson=parts["article"])
    services.record_watching(enrolment=enrolment, lesson=parts["video"], stretches=[(0, 100)])
    q = parts["question"]
    services.submit_quiz(
        enrolment=enrolment, quiz=parts["quiz"], answers={q.pk: {q.choices.get(is_correct=True).pk}}
    )
    return Certificate.objects.get(enrolment=enrolment)


def test_a_certificate_is_the_owners_and_its_check_is_public_and_minimal(
    creator_client: Client, creator: CreatorProfile, course: dict
) -> None:
    certificate = finish(creator, course)
    html = creator_client.get(certificate.get_absolute_url()).content.decode()
    assert certificate.code in html and "Hooks that hold" in html
    other = _client_for(CreatorFactory().user)
    assert other.get(certificate.get_absolute_url()).status_code == 404
    public = Client().get(certificate.get_verify_url())
    text = public.content.decode()
    assert public.status_code == 200 and "genuine" in text
    assert creator.display_name in text and "Hooks that hold" in text
    assert creator.user.email not in text and f"@{creator.handle}" not in text
    missing = Client().get(reverse("academy:verify", kwargs={"code": "NOPE"}))
    assert missing.status_code == 404 and b"No certificate has the code" in missing.content


def test_the_dashboard_recommends_courses_with_reasons_and_caches_them(
    creator_client: Client,
    creator: CreatorProfile,
    course: dict,
    django_assert_max_num_queries: object,
) -> None:
    course["course"].addresses = "irregular_posting"
    course["course"].save()
    html = creator_client.get(reverse("rewards:dashboard")).content.decode()
    panel = re.search(r'<section class="card" id="academy-panel".*?</section>', html, re.S)[0]
    assert "Hooks that hold" in panel and "28 days" in panel
    # Read again: the recommendations come from the cache (the dashboard's own regions too),
    # so none of the signals' reads of the creator's activity run.
    with django_assert_max_num_queries(4):
        again = creator_client.get(reverse("rewards:dashboard")).content.decode()
    assert panel in again


def queries_of_each_page(client: Client, parts: dict) -> list[int]:
    """The queries of the home, a lesson and marking it complete, each on a cold cache."""
    counts = []
    for send in (
        lambda: client.get(reverse("academy:home")),
        lambda: client.get(lesson_url(parts, "article")),
        lambda: client.post(
            lesson_url(parts, "article", "complete_lesson"), headers={"HX-Request": "true"}
        ),
    ):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert send().status_code == 200
        counts.append(len(queries))
    return counts


def test_academy_pages_run_the_same_queries_whatever_the_size(
    creator: CreatorProfile, course: dict
) -> None:
    small = _client_for(creator.user)
    enrolled(creator, course)
    few = queries_of_each_page(small, course)
    big = CreatorFactory()
    for n in range(4):
        extra = CourseFactory(title=f"Extra {n}")
        LessonFactory.create_batch(3, module=ModuleFactory(course=extra))
        services.enrol(creator=big, course=extra)
    enrolled(big, course)
    many = queries_of_each_page(_client_for(big.user), course)
    assert few == many
    # Cold: the home computes the recommendations and insight cards the day then reuses.
    assert few[0] <= 24 and few[1] <= 12 and few[2] <= 16


def test_courses_staff_withdraw_leave_continue_learning(
    creator_client: Client, creator: CreatorProfile, course: dict
) -> None:
    enrolled(creator, course)
    course["course"].published_at = None
    course["course"].save()
    html = creator_client.get(reverse("academy:home")).content.decode()
    assert "Hooks that hold" not in html
    assert creator_client.get(lesson_url(course, "article")).status_code == 404


def test_a_quiz_without_questions_is_not_found_by_creators(
    creator_client: Client, creator: CreatorProfile, course: dict
) -> None:
    empty = QuizFactory(module=ModuleFactory(course=course["course"]))
    enrolled(creator, course)
    url = reverse("academy:quiz", kwargs={"slug": "hooks", "quiz_id": empty.pk})
    assert creator_client.get(url).status_code == 404


def test_staff_cannot_save_a_question_nobody_could_answer(staff_client: Client) -> None:
    quiz = QuizFactory()
    single = question(quiz, "Which?", ("A", False), ("B", False))
    url = reverse("admin:academy_question_change", args=[single.pk])
    choices = list(single.choices.all())
    form = {
        "quiz": quiz.pk,
        "text": "Which?",
        "position": 0,
        "explanation": "",
        "choices-TOTAL_FORMS": 2,
        "choices-INITIAL_FORMS": 2,
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
    }
    for n, choice in enumerate(choices):
        form |= {
            f"choices-{n}-id": choice.pk,
            f"choices-{n}-question": single.pk,
            f"choices-{n}-text": choice.text,
            f"choices-{n}-position": n,
        }
    response = staff_client.post(url, form)
    assert response.status_code == 200
    assert "exactly one right choice" in response.content.decode()
    response = staff_client.post(url, form | {"choices-1-is_correct": "on"})
    assert response.status_code == 302
    assert single.choices.get(is_correct=True).text == "B"


def test_the_academy_home_is_cached_until_the_creator_learns_or_staff_edit(
    creator_client: Client,
    creator: CreatorProfile,
    course: dict,
    staff_client: Client,
    django_assert_max_num_queries: object,
) -> None:
    enrolment = enrolled(creator, course)
    home = reverse("academy:home")
    assert "0 / 3" in creator_client.get(home).content.decode()
    with django_assert_max_num_queries(2):  # the session's user and its creator profile
        assert "0 / 3" in creator_client.get(home).content.decode()
    services.complete_lesson(enrolment=enrolment, lesson=course["article"])
    assert "1 / 3" in creator_client.get(home).content.decode()
    # Staff rename the course in admin: creators see it at once.
    change = reverse("admin:academy_course_change", args=[course["course"].pk])
    form = staff_client.get(change).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data |= {
        "title": "Hooks that hold, revised",
        "category": course["course"].category_id,
        "published_at_0": "2026-01-01",
        "published_at_1": "00:00:00",
        "modules-TOTAL_FORMS": 0,
        "modules-INITIAL_FORMS": 0,
    }
    data.pop("published_at", None)
    data.pop("prerequisites", None)
    data.pop("cover", None)
    data.pop("badge", None)
    assert staff_client.post(change, data).status_code == 302
    assert "Hooks that hold, revised" in creator_client.get(home).content.decode()


def test_a_lesson_seen_again_reads_only_what_can_change(
    creator_client: Client,
    creator: CreatorProfile,
    course: dict,
    django_assert_max_num_queries: object,
) -> None:
    enrolled(creator, course)
    url = lesson_url(course, "article")
    first = creator_client.get(url).content.decode()
    # the session's user, its creator profile, the lesson, the enrolment, the lesson's progress
    with django_assert_max_num_queries(5):
        again = creator_client.get(url).content.decode()
    main = re.compile(r'<article class="lesson">.*</nav>', re.S)
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # fresh on each request
    assert token.sub("", main.search(again)[0]) == token.sub("", main.search(first)[0])
    creator_client.post(lesson_url(course, "article", "complete_lesson"))
    assert "1 / 3" in creator_client.get(url).content.decode()  # the step shows at once


def test_a_course_with_a_cover_shows_it(
    creator_client: Client, course: dict, tmp_path: object, settings: object
) -> None:
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    course["course"].cover.save("hooks.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    home = creator_client.get(reverse("academy:home")).content.decode()
    page = creator_client.get(course["course"].get_absolute_url()).content.decode()
    assert 'class="course-cover"' in home and course["course"].cover.url in page


def test_reopening_a_video_lesson_restarts_what_the_player_may_report(
    creator_client: Client, creator: CreatorProfile, course: dict
) -> None:
    enrolment = enrolled(creator, course)  # ten minutes ago
    url = lesson_url(course, "video")
    creator_client.get(url)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        last_seen_at=timezone.now() - timedelta(days=1)
    )
    creator_client.get(url)  # opened again now: a whole video cannot have played since
    response = creator_client.post(lesson_url(course, "video", "watch"), {"played": "0-100"})
    assert response.status_code == 400 and b"nothing was counted" in response.content


def test_htmx_restoring_the_home_from_history_gets_the_whole_page(
    creator_client: Client, course: dict
) -> None:
    url = reverse("academy:home")
    region = creator_client.get(url, {"q": "hook"}, headers={"HX-Request": "true"})
    restored = creator_client.get(
        url, {"q": "hook"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert region.content.decode().lstrip().startswith('<div id="results"')
    assert "<!doctype html>" in restored.content.decode()
    assert "HX-Request" in region["Vary"]  # a browser's cache keeps the two apart
