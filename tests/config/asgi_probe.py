"""A WebSocket consumer for testing the ASGI stack itself (config/asgi.py) before, and
independently of, the apps' own consumers: it greets with the user the session named,
echoes what it receives, and relays events sent to its channel-layer group."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.routing import ProtocolTypeRouter
from django.urls import path

from config.asgi import django_asgi_app, websocket_application
from config.routing import websocket_urlpatterns

PROBE_GROUP = "asgi-probe"
PROBE_PATH = "/ws/probe/"


class ProbeConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add(PROBE_GROUP, self.channel_name)
        await self.accept()
        user = self.scope["user"]
        await self.send_json(
            {"type": "hello", "user": user.get_username() if user.is_authenticated else None}
        )

    async def disconnect(self, code):
        await self.channel_layer.group_discard(PROBE_GROUP, self.channel_name)

    async def receive_json(self, content, **kwargs):
        await self.send_json({"type": "echo", "data": content})

    async def probe_broadcast(self, event):
        await self.send_json({"type": "broadcast", "text": event["text"]})


def probe_application():
    """config.asgi's application with the probe route added beside the real ones, built by
    the same websocket_application, so origin checking and session auth are the real ones."""
    routes = [*websocket_urlpatterns, path(PROBE_PATH.lstrip("/"), ProbeConsumer.as_asgi())]
    return ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application(routes)})
