from django.urls import path

from . import views_closing, views_export

app_name = "privacy"

urlpatterns = [
    path("account/data/", views_export.data_page, name="data"),
    path(
        "account/data/exports/<int:export_id>/progress/",
        views_export.progress,
        name="export_progress",
    ),
    path(
        "account/data/exports/<int:export_id>/download/",
        views_export.download,
        name="export_download",
    ),
    path("account/close/", views_closing.close_account, name="close"),
    path("account/closed/", views_closing.closed, name="closed"),
]
