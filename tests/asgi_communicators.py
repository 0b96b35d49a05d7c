"""In-process ASGI test clients for HTTP and WebSockets.

channels.testing cannot be imported here: its package imports daphne for its live-server
test case, and daphne is deliberately not installed (uvicorn serves, decision 0034). These
two communicators cover what the tests need, on asgiref's ApplicationCommunicator, with
the same method names as Channels' so tests read the same.
"""

import json
from urllib.parse import unquote, urlsplit

from asgiref.testing import ApplicationCommunicator

Headers = list[tuple[bytes, bytes]]


def _scope(kind: str, path: str, headers: Headers | None) -> dict:
    parts = urlsplit(path)
    return {
        "type": kind,
        "asgi": {"version": "3.0"},
        "path": unquote(parts.path),
        "raw_path": parts.path.encode(),
        "query_string": parts.query.encode(),
        "headers": [(b"host", b"localhost"), *(headers or [])],
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 80),
        "scheme": "ws" if kind == "websocket" else "http",
    }


class WebsocketCommunicator(ApplicationCommunicator):
    def __init__(self, application, path: str, headers: Headers | None = None):
        scope = _scope("websocket", path, headers)
        scope["subprotocols"] = []
        super().__init__(application, scope)

    async def connect(self, timeout: float = 3) -> tuple[bool, int | str | None]:
        """(True, subprotocol) when the application accepted, (False, close code) if not."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept", response
        return True, response.get("subprotocol")

    async def send_json_to(self, data) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_output_frame(self, timeout: float = 3) -> dict:
        return await self.receive_output(timeout)

    async def receive_json_from(self, timeout: float = 3):
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 3) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


class HttpCommunicator(ApplicationCommunicator):
    def __init__(self, application, method: str, path: str, body: bytes = b"", headers=None):
        scope = _scope("http", path, headers)
        scope.update({"method": method.upper(), "http_version": "1.1"})
        super().__init__(application, scope)
        self.body = body

    async def get_response(self, timeout: float = 10) -> dict:
        """{"status", "headers", "body"} of the whole response."""
        await self.send_input({"type": "http.request", "body": self.body})
        start = await self.receive_output(timeout)
        assert start["type"] == "http.response.start", start
        body = b""
        while True:
            chunk = await self.receive_output(timeout)
            body += chunk.get("body", b"")
            if not chunk.get("more_body", False):
                break
        return {"status": start["status"], "headers": start.get("headers", []), "body": body}
