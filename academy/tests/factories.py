import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from academy.models import Category, Choice, Course, Lesson, LessonKind, Module, Question, Quiz
from core.markdown import render_markdown


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    summary = "What the course teaches, in a sentence."
    category = factory.SubFactory(CategoryFactory)
    estimated_minutes = 20
    published_at = factory.LazyFunction(timezone.now)


class ModuleFactory(DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    position = factory.Sequence(int)


class LessonFactory(DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    position = factory.Sequence(int)
    kind = LessonKind.ARTICLE
    body = "### Why it matters\n\nThe **first** seconds decide."
    body_html = factory.LazyAttribute(lambda lesson: render_markdown(lesson.body))


class VideoLessonFactory(LessonFactory):
    kind = LessonKind.VIDEO
    video_url = "https://videos.example.com/lesson.webm"
    video_seconds = 100
    transcript = "Hello and welcome."


class QuizFactory(DjangoModelFactory):
    class Meta:
        model = Quiz

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Quiz {n}")
    pass_mark = 70


def question(quiz: Quiz, text: str, *choices: tuple[str, bool], multiple: bool = False) -> Question:
    """A question with its choices, ("text", is_correct) each."""
    q = Question.objects.create(
        quiz=quiz, text=text, multiple=multiple, explanation=f"Because: {text}"
    )
    for position, (choice, right) in enumerate(choices):
        Choice.objects.create(question=q, text=choice, is_correct=right, position=position)
    return q
