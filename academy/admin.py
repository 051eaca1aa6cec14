"""The Academy in admin: staff write courses (a course with its modules; a module with its
lessons and quiz; a quiz with its questions; a question with its choices) and preview a draft
as creators will see it ("View on site"). Enrolments, progress, attempts and certificates are
read here and written only by academy.services."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.admin import ReadOnlyAdmin
from core.plurals import plural

from . import services
from .models import (
    Category,
    Certificate,
    Choice,
    Course,
    Enrolment,
    Lesson,
    Module,
    PeerBand,
    Question,
    Quiz,
    QuizAttempt,
)


def _edit_link(obj: Module | Quiz | Question, label: str) -> str:
    """A link to the object's own page, where its inlines are: Django's admin nests one level."""
    if obj.pk is None:
        return "Save first, then add its content."
    url = reverse(f"admin:academy_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label)


class ContentAdmin(admin.ModelAdmin):
    """Course content: every change staff make here is a new catalog version, so the
    Academy's cached pages show it at once (services.catalog_changed)."""

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.catalog_changed()

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        services.catalog_changed()

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        super().delete_model(request, obj)
        services.catalog_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        services.catalog_changed()


@admin.register(Category)
class CategoryAdmin(ContentAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    fields = ["position", "title", "release_after_days", "content"]
    readonly_fields = ["content"]
    ordering = ["position", "pk"]

    @admin.display(description="Lessons and quiz")
    def content(self, module: Module) -> str:
        return _edit_link(module, "Edit lessons and quiz")


@admin.register(Course)
class CourseAdmin(ContentAdmin):
    list_display = ["title", "category", "level", "estimated_minutes", "status", "badge"]
    list_filter = ["published_at", "category", "level"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["prerequisites"]
    inlines = [ModuleInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "category", "level", "estimated_minutes"]}),
        ("Shown with it", {"fields": ["cover", "badge", "prerequisites", "addresses"]}),
        (
            "Publishing",
            {
                "fields": ["published_at"],
                "description": "Empty: a draft, seen only by staff (View on site shows it as "
                "creators will). Set a date to publish: now, or a date to come.",
            },
        ),
    ]

    @admin.display(description="Status")
    def status(self, course: Course) -> str:
        if course.is_published:
            return "Published"
        return f"Publishes {course.published_at:%-d %b %Y}" if course.published_at else "Draft"

    @admin.action(description="Publish the selected courses now")
    def publish(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        count = queryset.exclude(published_at__lte=timezone.now()).update(
            published_at=timezone.now()
        )
        services.catalog_changed()
        self.message_user(request, f"{plural(count, 'course')} published.")

    @admin.action(description="Unpublish (back to draft)")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        count = queryset.exclude(published_at=None).update(published_at=None)
        services.catalog_changed()
        self.message_user(request, f"{plural(count, 'course')} back to draft.")


class LessonFormSet(BaseInlineFormSet):
    def save_new(self, form: ModelForm, commit: bool = True) -> Lesson:
        services.render_lesson(form.instance)
        return super().save_new(form, commit)

    def save_existing(self, form: ModelForm, obj: Lesson, commit: bool = True) -> Lesson:
        services.render_lesson(obj)
        return super().save_existing(form, obj, commit)


class LessonInline(admin.StackedInline):
    model = Lesson
    formset = LessonFormSet
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 0
    ordering = ["position", "pk"]
    fields = [
        ("position", "title", "kind"),
        "body",
        ("video_file", "video_url", "video_seconds"),
        "transcript",
        "insight",
    ]


class QuizInline(admin.StackedInline):
    model = Quiz
    extra = 0
    fields = ["title", "pass_mark", "questions_link"]
    readonly_fields = ["questions_link"]

    @admin.display(description="Questions")
    def questions_link(self, quiz: Quiz) -> str:
        return _edit_link(quiz, "Edit the questions")


@admin.register(Module)
class ModuleAdmin(ContentAdmin):
    list_display = ["title", "course", "position", "release_after_days"]
    list_filter = ["course"]
    fields = ["course", "title", "position", "release_after_days"]
    inlines = [LessonInline, QuizInline]

    def view_on_site(self, module: Module) -> str:
        return module.course.get_absolute_url()


class ChoiceFormSet(BaseInlineFormSet):
    """A question creators can answer: at least two choices, and exactly one right answer for
    a single-answer question (at least one for a multiple-choice one)."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        right = sum(1 for choice in kept if choice.get("is_correct"))
        if len(kept) < 2:
            raise ValidationError("Give at least two choices.")
        if self.instance.multiple and right < 1:
            raise ValidationError("Mark at least one choice right.")
        if not self.instance.multiple and right != 1:
            raise ValidationError(
                "A single-answer question has exactly one right choice: mark one, or make "
                "the question multiple choice."
            )


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 3
    ordering = ["position", "pk"]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = [("position", "multiple"), "text", "explanation", "choices_link"]
    readonly_fields = ["choices_link"]
    ordering = ["position", "pk"]

    @admin.display(description="Choices")
    def choices_link(self, question: Question) -> str:
        return _edit_link(question, "Edit the choices")


@admin.register(Quiz)
class QuizAdmin(ContentAdmin):
    list_display = ["title", "module", "pass_mark"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(ContentAdmin):
    list_display = ["text", "quiz", "multiple"]
    list_filter = ["quiz__module__course"]
    inlines = [ChoiceInline]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["creator", "course", "enrolled_at", "last_seen_at", "completed_at"]
    list_filter = ["course", "completed_at"]
    search_fields = ["creator__handle", "course__title"]
    list_select_related = ["creator", "course"]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "quiz", "score", "passed", "submitted_at"]
    list_filter = ["passed", "quiz"]
    list_select_related = ["enrolment__creator", "enrolment__course", "quiz"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "course_title", "issued_on"]
    search_fields = ["code", "name", "course_title"]


@admin.register(PeerBand)
class PeerBandAdmin(ReadOnlyAdmin):
    list_display = ["min_followers", "day", "creators", "median_engagement_bp"]
