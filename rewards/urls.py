from django.urls import path

from . import program_views, views

app_name = "rewards"

# Mounted at the site root (portal/urls.py): the dashboard is the creator's home, /creator/.
urlpatterns = [
    path("creator/", views.dashboard, name="dashboard"),
    path("rewards/how-points-work/", views.how_points_work, name="how_points_work"),
    path("rewards/chart/", views.points_panel, name="points_panel"),
    path("rewards/days/", views.day_lookup, name="day_lookup"),
    path("rewards/days/<str:day>/", views.day_detail, name="day"),
    path("rewards/flags/<int:pk>/appeal/", views.appeal_flag, name="appeal_flag"),
    path("rewards/entries/", views.history, name="history"),
    path("rewards/entries/<int:pk>/", views.entry_detail, name="entry"),
    path("rewards/what-if/", views.what_if, name="what_if"),
    path("rewards/program/", program_views.program_months, name="program_months"),
    path("rewards/program/<str:month>/", program_views.program_statement, name="program"),
]
