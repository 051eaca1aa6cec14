from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from . import views

app_name = "portal"

portal_patterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("fan/", views.fan_home, name="fan_home"),
    path("brand/", views.brand_home, name="brand_home"),
    path("staff/", views.staff_home, name="staff_home"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/v1/activity/", include("activity.urls")),
    path("", include("rewards.urls")),
    path("", include("store.urls")),
    path("", include("payments.urls")),
    path("", include("subscriptions.urls")),
    path("", include("academy.urls")),
    path("", include("gifts.urls")),
    path("", include("marketplace.urls")),
    path("", include("reports.urls")),
    path("", include("privacy.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
# Uploaded store images: served by Django only with DEBUG on (`static()` adds nothing
# otherwise); in production a web server or object storage serves MEDIA_URL.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
