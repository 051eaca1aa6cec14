from django.urls import path

from . import views

app_name = "academy"

urlpatterns = [
    path("academy/", views.home, name="home"),
    path("academy/courses/<slug:slug>/", views.course, name="course"),
    path("academy/courses/<slug:slug>/enrol/", views.enrol, name="enrol"),
    path("academy/courses/<slug:slug>/lessons/<int:lesson_id>/", views.lesson, name="lesson"),
    path(
        "academy/courses/<slug:slug>/lessons/<int:lesson_id>/complete/",
        views.complete_lesson,
        name="complete_lesson",
    ),
    path("academy/courses/<slug:slug>/lessons/<int:lesson_id>/watch/", views.watch, name="watch"),
    path("academy/courses/<slug:slug>/quizzes/<int:quiz_id>/", views.quiz, name="quiz"),
    path("academy/certificates/<str:code>/", views.certificate, name="certificate"),
    # Public: what a brand or anyone handed a certificate checks.
    path("academy/verify/<str:code>/", views.verify, name="verify"),
]
