"""The notification centre's WebSocket route (collected by config.routing)."""

from django.urls import path

from notifications.consumers import UnreadCountConsumer

websocket_urlpatterns = [
    path("ws/notifications/", UnreadCountConsumer.as_asgi(), name="ws-notifications"),
]
