from django.urls import path

from . import views

app_name = "store"

# Mounted at the site root (portal/urls.py), under /rewards/: where creators spend points.
urlpatterns = [
    path("rewards/store/", views.catalog, name="catalog"),
    path("rewards/store/<slug:slug>/", views.item, name="item"),
    path("rewards/store/<slug:slug>/redeem/", views.redeem, name="redeem"),
    path("rewards/redemptions/", views.redemptions, name="redemptions"),
    path("rewards/redemptions/<int:pk>/", views.redemption_detail, name="redemption"),
    path("rewards/tools/", views.my_tools, name="tools"),
]
