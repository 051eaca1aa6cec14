from django.urls import include, path

app_name = "reports"

# One module of views and urls per report: program impact, fairness (with the rules' what-if),
# fraud review (flags and appeals) and operations. Every view is staff only.
urlpatterns = [
    path("staff/reports/impact/", include("reports.urls_impact")),
    path("staff/reports/fairness/", include("reports.urls_fairness")),
    path("staff/reports/fraud/", include("reports.urls_fraud")),
    path("staff/reports/operations/", include("reports.urls_operations")),
    path("staff/audit/", include("reports.urls_audit")),
]
