"""WebSocket routes of session rooms (collected by config.routing)."""

from django.urls import path

from commerce.rooms.consumers import RoomConsumer

websocket_urlpatterns = [
    path("ws/rooms/<int:booking_id>/", RoomConsumer.as_asgi()),
]
