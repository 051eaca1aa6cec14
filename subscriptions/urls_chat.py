"""URLs of subscriptions' chat (included by subscriptions/urls.py, same namespace)."""

urlpatterns: list = []
