"""The ASGI entry point: HTTP goes to Django, WebSockets to Channels consumers.

Served by uvicorn in every mode (`make run`, gunicorn's UvicornWorker in production, the
`asgi_live_server` test fixture). Django is set up before anything imports models: the
consumers in config.routing do.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_asgi_app = get_asgi_application()

from asgiref.typing import ASGIApplication  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import URLPattern, URLResolver, re_path  # noqa: E402

from config.asgi_limits import ConcurrentRequestLimit  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402


class UnknownPath(AsyncWebsocketConsumer):
    """Refuses the handshake for a path no app serves (the client sees a 403), where the
    router alone would raise and the server would answer 500."""

    async def connect(self) -> None:
        await self.close()


def websocket_application(routes: list[URLPattern | URLResolver]) -> ASGIApplication:
    """The WebSocket side: a page on another site cannot open a socket with our visitor's
    session cookie (the Origin must be one of ALLOWED_HOSTS), and the session then names
    the user (scope["user"]) exactly as it does for a page request."""
    every_route = [*routes, re_path(r"", UnknownPath.as_asgi())]
    return AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(every_route)))


application = ProtocolTypeRouter(
    {
        "http": ConcurrentRequestLimit(django_asgi_app, limit=settings.WEB_CONCURRENT_REQUESTS),
        "websocket": websocket_application(websocket_urlpatterns),
    }
)
