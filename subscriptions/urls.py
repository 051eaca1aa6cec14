from django.urls import include, path

from . import views

app_name = "subscriptions"

urlpatterns = [
    # A creator's public page and what hangs off it (posts and chat have their own modules).
    path("@<str:handle>/", views.creator_page, name="creator_page"),
    path("@<str:handle>/subscribe/<int:package_id>/", views.subscribe, name="subscribe"),
    path("", include("subscriptions.urls_posts")),
    path("", include("subscriptions.urls_chat")),
    path("", include("subscriptions.urls_studio")),
    # The fan's subscriptions.
    path("subscriptions/", views.my_subscriptions, name="mine"),
    path("subscriptions/<int:subscription_id>/cancel/", views.cancel, name="cancel"),
    path("subscriptions/<int:subscription_id>/resume/", views.resume, name="resume"),
    path("subscriptions/<int:subscription_id>/switch/", views.switch, name="switch"),
    path("subscriptions/<int:subscription_id>/card/", views.change_card, name="change_card"),
    # The creator's side.
    path("studio/packages/", views.packages, name="packages"),
    path("studio/packages/new/", views.package_edit, name="package_new"),
    path("studio/packages/<int:package_id>/", views.package_edit, name="package_edit"),
    path(
        "studio/packages/<int:package_id>/publish/", views.package_publish, name="package_publish"
    ),
]
