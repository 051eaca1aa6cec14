"""URLs of subscriptions' chat (included by subscriptions/urls.py, same namespace)."""

from django.urls import path

from . import views_chat

urlpatterns = [
    # A creator's room: the page, and what it polls and posts to.
    path("@<str:handle>/chat/", views_chat.room, name="chat"),
    path("@<str:handle>/chat/messages/", views_chat.room_messages, name="chat_messages"),
    # The creator's side: moderation of their own room, muted fans, custom emojis.
    path("studio/chat/", views_chat.studio, name="chat_studio"),
    path(
        "studio/chat/messages/<int:message_id>/delete/",
        views_chat.delete_message,
        name="chat_delete",
    ),
    path("studio/chat/messages/<int:message_id>/mute/", views_chat.mute, name="chat_mute"),
    path("studio/chat/mutes/<int:mute_id>/unmute/", views_chat.unmute, name="chat_unmute"),
    path("studio/emojis/", views_chat.emojis, name="emojis"),
    path("studio/emojis/<int:emoji_id>/delete/", views_chat.delete_emoji, name="emoji_delete"),
]
