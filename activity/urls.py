from django.urls import path

from . import views

app_name = "activity"

urlpatterns = [
    path("batches", views.ingest_batch, name="ingest_batch"),
]
