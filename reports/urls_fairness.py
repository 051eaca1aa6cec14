from django.urls import path

from . import views_fairness

urlpatterns = [
    path("", views_fairness.fairness, name="fairness"),
    path("what-if/", views_fairness.what_if, name="fairness_what_if"),
    path("rules/", views_fairness.save_rules, name="fairness_save_rules"),
]
