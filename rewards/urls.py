from django.urls import path

from . import views

app_name = "rewards"

urlpatterns = [
    path("how-points-work/", views.how_points_work, name="how_points_work"),
    path("chart/", views.points_panel, name="points_panel"),
    path("days/", views.day_lookup, name="day_lookup"),
    path("days/<str:day>/", views.day_detail, name="day"),
    path("entries/", views.history, name="history"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("what-if/", views.what_if, name="what_if"),
]
