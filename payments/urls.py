from django.urls import path

from .views import cards

app_name = "payments"

# Mounted at the site root (portal/urls.py).
urlpatterns = [
    path("payments/cards/", cards.cards, name="cards"),
]
