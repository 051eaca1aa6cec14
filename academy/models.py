"""The Creator Academy: courses of modules and lessons, quizzes, each creator's enrolments,
progress, quiz attempts and certificates, and the peer figures the insight cards compare with.

Content is written by staff in admin; every write of a creator's learning (enrolling,
finishing a lesson, watching, a quiz attempt, completing) goes through academy.services.
"""

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Badge, CreatorProfile


class Level(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class Signal(models.TextChoices):
    """What a creator's own data can show they need, and so which course to recommend
    (academy.insights reads each from their activity)."""

    LOW_WATCH_TIME = "low_watch_time", "Viewers leave early (low average watch time)"
    IRREGULAR_POSTING = "irregular_posting", "Posting is irregular"
    FEW_LIVES = "few_lives", "Rarely goes live"
    NOT_BRAND_READY = "not_brand_ready", "Large enough for brands, not yet Brand-ready"
    NO_SUBSCRIBERS = "no_subscribers", "Has an audience but no subscription income"


class Category(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class CourseQuerySet(models.QuerySet):
    def published(self) -> "CourseQuerySet":
        """Courses creators see: published, and not only from a date still to come."""
        return self.filter(published_at__lte=timezone.now())


class Course(models.Model):
    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.CharField(max_length=300)
    level = models.CharField(max_length=12, choices=Level.choices, default=Level.BEGINNER)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="courses")
    cover = models.ImageField(upload_to="academy/covers/", blank=True)
    estimated_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="unlocks"
    )
    badge = models.ForeignKey(
        Badge,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Granted to every creator who completes the course.",
    )
    addresses = models.CharField(
        max_length=20,
        choices=Signal.choices,
        blank=True,
        help_text="Recommend the course to creators whose data shows this.",
    )
    # Null while a draft, and a draft until then when set to a date to come: drafts are seen
    # by staff only (a preview as creators will see it).
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("academy:course", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()

    @property
    def reward_key(self) -> str:
        """The course's key in the rewards engine: one completion per creator and key."""
        return f"academy:{self.pk}"


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    release_after_days = models.PositiveSmallIntegerField(
        default=0, help_text="Opens this many days after the creator enrols (0: at once)."
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class LessonKind(models.TextChoices):
    ARTICLE = "article", "Article"
    VIDEO = "video", "Video"
    INSIGHT = "insight", "Insight card"


class InsightKey(models.TextChoices):
    """The creator's own figure an insight-card lesson shows beside its text."""

    BEST_TIME = "best_time", "Best posting weekday and hour"
    TOP_VIDEOS = "top_videos", "Top videos by completion rate"
    ENGAGEMENT = "engagement", "Engagement rate against similar creators"


class Lesson(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=LessonKind.choices, default=LessonKind.ARTICLE)
    body = models.TextField(blank=True, help_text="Markdown.")
    # Rendered and sanitised from the body whenever it is saved (services.render_lesson).
    body_html = models.TextField(editable=False, default="")
    # The portal's own player plays the video (watching is counted only there): a file
    # uploaded here, or the link of a video file (WebM or MP4) on a host in CSP_MEDIA_HOSTS.
    video_file = models.FileField(upload_to="academy/videos/", blank=True)
    video_url = models.URLField(blank=True, help_text="Or the link of a WebM or MP4 file.")
    video_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="The video's length in whole seconds."
    )
    transcript = models.TextField(blank=True)
    insight = models.CharField(max_length=12, choices=InsightKey.choices, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=LessonKind.VIDEO)
                | ((~Q(video_url="") | ~Q(video_file="")) & Q(video_seconds__gt=0)),
                name="academy_video_lesson_has_video",
                violation_error_message="A video lesson needs its video (a file or a link) and "
                "its length.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=LessonKind.INSIGHT) | ~Q(insight=""),
                name="academy_insight_lesson_has_insight",
                violation_error_message="An insight card needs the figure it shows.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def video_src(self) -> str:
        return self.video_file.url if self.video_file else self.video_url


class QuizQuerySet(models.QuerySet):
    def with_questions(self) -> "QuizQuerySet":
        """Quizzes a creator can take: one without questions yet is not part of its course."""
        return self.filter(Exists(Question.objects.filter(quiz=OuterRef("pk"))))


class Quiz(models.Model):
    """The quiz that ends a module: passed at `pass_mark` percent of questions right; a
    creator may retake it, and their best attempt counts."""

    module = models.OneToOneField(Module, on_delete=models.CASCADE, related_name="quiz")
    title = models.CharField(max_length=120)
    pass_mark = models.PositiveSmallIntegerField(
        default=70, validators=[MinValueValidator(1), MaxValueValidator(100)], help_text="%"
    )

    objects = QuizQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=1, pass_mark__lte=100), name="academy_pass_mark_pct"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    # Several right answers, all to be chosen (checkboxes); otherwise exactly one (radios).
    multiple = models.BooleanField("multiple choice", default=False)
    explanation = models.CharField(
        max_length=400, blank=True, help_text="Shown after an attempt, right or wrong."
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=200)
    is_correct = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class Enrolment(models.Model):
    creator = models.ForeignKey(CreatorProfile, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    enrolled_at = models.DateTimeField(default=timezone.now)
    # Where "Resume" goes: the lesson last opened.
    last_lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_seen_at = models.DateTimeField(default=timezone.now)
    # Set once, when every lesson was done and every quiz passed; never taken back.
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["creator", "course"], name="academy_enrol_once")
        ]

    def __str__(self) -> str:
        return f"{self.creator} in {self.course}"


class LessonProgress(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    # The distinct stretches of a video watched in the portal's player, merged:
    # [[start, end], ...] in whole seconds, sorted, none overlapping.
    watched = models.JSONField(default=list, blank=True)
    watched_seconds = models.PositiveIntegerField(default=0)
    # When the player last reported: what it says it played since cannot be longer than the
    # time that passed (services.record_watching).
    reported_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "lesson progress"
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "lesson"], name="academy_progress_once_per_lesson"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.lesson}"


class QuizAttempt(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="quiz_attempts")
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    # {question id: [chosen choice ids]}, as submitted and checked.
    answers = models.JSONField()
    correct = models.PositiveSmallIntegerField()
    questions = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField(help_text="% of questions right")
    passed = models.BooleanField()
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["enrolment", "quiz"])]

    def __str__(self) -> str:
        return f"{self.quiz}: {self.score} %"


def new_certificate_code() -> str:
    # 16 characters from a 32-letter alphabet without look-alikes: 80 bits, read aloud easily.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


class Certificate(models.Model):
    """Proof that a creator completed a course, verifiable by anyone with its code. The name
    and title are kept as they were on the day, as a printed certificate would be."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="certificate"
    )
    code = models.CharField(max_length=16, unique=True, default=new_certificate_code)
    name = models.CharField(max_length=120)
    course_title = models.CharField(max_length=120)
    issued_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.course_title}: {self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("academy:certificate", kwargs={"code": self.code})

    def get_verify_url(self) -> str:
        return reverse("academy:verify", kwargs={"code": self.code})


class PeerBand(models.Model):
    """Creators of similar size (followers from `min_followers` up to the next band), and
    their engagement over the 28 days to `day`: computed nightly (academy.tasks), so an
    insight card compares a creator with their peers without reading everyone's history."""

    min_followers = models.PositiveBigIntegerField(unique=True)
    day = models.DateField()
    creators = models.PositiveIntegerField()
    # Engagement rate = (likes + comments + shares) / views, in basis points (1/100 of a %).
    median_engagement_bp = models.PositiveIntegerField()

    class Meta:
        ordering = ["min_followers"]

    def __str__(self) -> str:
        return f"{self.min_followers}+ followers"
