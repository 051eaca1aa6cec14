from django.urls import path

from . import views_operations

urlpatterns = [
    path("", views_operations.operations, name="operations"),
]
