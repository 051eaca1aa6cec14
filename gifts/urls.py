from django.urls import path

from . import views

app_name = "gifts"

urlpatterns = [
    # The fan's coins.
    path("coins/", views.coins, name="coins"),
    path("coins/buy/<int:pack_id>/", views.buy_coins, name="buy"),
    path("coins/privacy/", views.consent, name="consent"),
    # A creator's support page.
    path("@<str:handle>/support/", views.support_page, name="support"),
    path("@<str:handle>/support/gift/", views.send_gift, name="send_gift"),
    path("@<str:handle>/support/tip/", views.tip, name="tip"),
    path("@<str:handle>/support/tip/split/", views.tip_preview, name="tip_split"),
    # The creator's side.
    path("studio/support/", views.studio, name="studio"),
    path("studio/support/accept/", views.accept, name="accept"),
    path("studio/support/<str:kind>/<int:pk>/hide/", views.hide, name="hide"),
    path("studio/support/fans/<int:fan_id>/block/", views.block, name="block"),
    path("studio/support/fans/<int:fan_id>/unblock/", views.unblock, name="unblock"),
]
