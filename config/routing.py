"""Every WebSocket route of the site, collected from the apps that own them."""

import importlib

from django.urls import URLPattern, URLResolver

# Build-out only: the notification centre and the session rooms are being written beside
# this file, so their routing modules may not exist yet. Exactly these two module names may
# be missing; any other import error (a typo inside one of them) still fails loudly. At
# integration this becomes two plain imports.
_ROUTING_MODULES = ("notifications.routing", "commerce.rooms.routing")


def _collect() -> list[URLPattern | URLResolver]:
    patterns: list[URLPattern | URLResolver] = []
    for name in _ROUTING_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            parts = name.split(".")
            if error.name not in {".".join(parts[:i]) for i in range(1, len(parts) + 1)}:
                raise
            continue
        patterns.extend(module.websocket_urlpatterns)
    return patterns


websocket_urlpatterns = _collect()
