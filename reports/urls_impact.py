from django.urls import path

from . import views_impact

urlpatterns = [
    path("", views_impact.impact_report, name="impact"),
    path("export.csv", views_impact.impact_csv, name="impact_csv"),
]
