from django.urls import path

from . import views

app_name = "payments"

# Mounted at the site root (portal/urls.py).
urlpatterns = [
    path("payments/cards/", views.cards, name="cards"),
]
