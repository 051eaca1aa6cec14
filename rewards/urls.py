from django.urls import path

from . import views

app_name = "rewards"

urlpatterns = [
    path("how-points-work/", views.how_points_work, name="how_points_work"),
]
