from django.urls import path

from . import views_fraud

urlpatterns = [
    path("", views_fraud.fraud, name="fraud"),
    path("review/", views_fraud.review, name="fraud_review"),
    path("appeals/<int:pk>/answer/", views_fraud.answer, name="fraud_answer"),
]
