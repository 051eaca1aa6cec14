"""Campaigns, proposals and collaborations (marketplace.views_deals), in the `marketplace`
namespace (marketplace.urls)."""

from django.urls import path

from . import views_deals as views

urlpatterns = [
    # A brand's campaigns and the creators ranked for each.
    path("marketplace/campaigns/", views.campaign_list, name="campaigns"),
    path("marketplace/campaigns/new/", views.campaign_new, name="campaign_new"),
    path("marketplace/campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("marketplace/campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("marketplace/campaigns/<int:pk>/open/", views.campaign_open, name="campaign_open"),
    path("marketplace/campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("marketplace/campaigns/<int:pk>/invite/", views.campaign_invite, name="campaign_invite"),
    # A creator's open campaigns, and applying to one.
    path("marketplace/open-campaigns/", views.open_campaigns, name="open_campaigns"),
    path("marketplace/open-campaigns/<int:pk>/", views.open_campaign, name="open_campaign"),
    path("marketplace/open-campaigns/<int:pk>/apply/", views.campaign_apply, name="apply"),
    # Both sides' invitations and applications.
    path("marketplace/proposals/", views.proposal_list, name="proposals"),
    path("marketplace/proposals/<int:pk>/answer/", views.proposal_answer, name="answer"),
    # A collaboration, from the terms to payment.
    path("marketplace/collaborations/<int:pk>/", views.collab, name="collab"),
    path("marketplace/collaborations/<int:pk>/terms/", views.collab_terms, name="collab_terms"),
    path("marketplace/collaborations/<int:pk>/pay/", views.collab_pay, name="collab_pay"),
    path(
        "marketplace/collaborations/<int:pk>/deliver/", views.collab_deliver, name="collab_deliver"
    ),
    path(
        "marketplace/collaborations/<int:pk>/changes/", views.collab_changes, name="collab_changes"
    ),
    path(
        "marketplace/collaborations/<int:pk>/approve/", views.collab_approve, name="collab_approve"
    ),
    path("marketplace/collaborations/<int:pk>/cancel/", views.collab_cancel, name="collab_cancel"),
    path(
        "marketplace/collaborations/<int:pk>/messages/",
        views.collab_messages,
        name="collab_messages",
    ),
]
