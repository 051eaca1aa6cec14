from django.urls import include, path

app_name = "marketplace"

# Listings, brand search and saved lists (urls_listings); campaigns, proposals and
# collaborations (urls_deals).
urlpatterns = [
    path("", include("marketplace.urls_listings")),
    path("", include("marketplace.urls_deals")),
]
