"""URLs of the creator's subscription studio: an overview, subscribers, revenue, perks to
deliver (included by subscriptions/urls.py, same namespace)."""

from django.urls import path

from . import views_studio

urlpatterns = [
    path("studio/", views_studio.studio_home, name="studio"),
    path("studio/subscribers/", views_studio.subscribers, name="subscribers"),
    path("studio/subscribers.csv", views_studio.subscribers_csv, name="subscribers_csv"),
    path("studio/revenue/", views_studio.revenue, name="revenue"),
    # GET lists the perks; POST marks the chosen ones delivered.
    path("studio/perks/", views_studio.perks, name="perks"),
]
