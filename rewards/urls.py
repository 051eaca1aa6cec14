from django.urls import path

from . import store_views, views

app_name = "rewards"

urlpatterns = [
    path("how-points-work/", views.how_points_work, name="how_points_work"),
    path("chart/", views.points_panel, name="points_panel"),
    path("days/", views.day_lookup, name="day_lookup"),
    path("days/<str:day>/", views.day_detail, name="day"),
    path("entries/", views.history, name="history"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("what-if/", views.what_if, name="what_if"),
    path("store/", store_views.store_list, name="store"),
    path("store/<slug:slug>/", store_views.store_item, name="store_item"),
    path("store/<slug:slug>/redeem/", store_views.redeem, name="redeem"),
    path("redemptions/", store_views.redemptions, name="redemptions"),
    path("redemptions/<int:pk>/", store_views.redemption_detail, name="redemption"),
    path("tools/", store_views.my_tools, name="tools"),
]
