"""Every WebSocket route of the site, collected from the apps that own them."""

from commerce.rooms.routing import websocket_urlpatterns as room_routes
from notifications.routing import websocket_urlpatterns as notification_routes

websocket_urlpatterns = [*notification_routes, *room_routes]
