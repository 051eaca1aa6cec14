"""URLs of subscriptions' posts (included by subscriptions/urls.py, same namespace)."""

urlpatterns: list = []
