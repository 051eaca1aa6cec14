from django.urls import path

from .views import cards, payouts, statement

app_name = "payments"

# Mounted at the site root (portal/urls.py).
urlpatterns = [
    path("payments/cards/", cards.cards, name="cards"),
    path("payments/cards/<int:pk>/remove/", cards.remove, name="card_remove"),
    path("earnings/", statement.statement, name="statement"),
    path("earnings/statement.csv", statement.statement_csv, name="statement_csv"),
    path("earnings/payouts/", payouts.payouts_page, name="payouts"),
    path("earnings/payouts/method/", payouts.payout_method, name="payout_method"),
    path("earnings/payouts/<int:pk>/", payouts.payout, name="payout"),
]
