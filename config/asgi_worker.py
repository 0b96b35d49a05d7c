"""The gunicorn worker class for production's web process (platform/entrypoints/web.sh):
gunicorn supervises the processes, uvicorn serves HTTP and WebSockets in each."""

from typing import Any

from uvicorn_worker import UvicornWorker


class WebWorker(UvicornWorker):
    CONFIG_KWARGS: dict[str, Any] = {
        "loop": "auto",
        "http": "auto",
        # The sans-I/O implementation: what `websockets` is becoming in uvicorn.
        "ws": "websockets-sansio",
        # Django has no startup or shutdown hooks to run; Channels' router would refuse the
        # lifespan messages and uvicorn would log that at every start.
        "lifespan": "off",
        # The client address stays the peer's; the app reads X-Forwarded-For itself, as many
        # hops deep as TRUSTED_PROXY_COUNT says (decision 0019), so uvicorn must not.
        "proxy_headers": False,
    }
