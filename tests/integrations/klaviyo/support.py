"""Klaviyo test helpers: validators built from Klaviyo's own OpenAPI slices
(tests/vendor_data/klaviyo) and a loopback HTTP server standing in for a.klaviyo.com,
so the real SDK (urllib3, which `responses` cannot intercept) sends real requests."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from jsonschema import Draft4Validator

from tests.vendor import VENDOR_DIR

SLICES = {
    "profile_upsert": ("create_or_update_profile.json", "/api/profile-import"),
    "list_subscribe": (
        "bulk_subscribe_profiles.json",
        "/api/profile-subscription-bulk-create-jobs",
    ),
    "event_create": ("create_event.json", "/api/events"),
}


@cache
def request_validator(operation: str) -> Draft4Validator:
    """Draft4Validator for the request body of one of Klaviyo's operations."""
    filename, api_path = SLICES[operation]
    document = json.loads((VENDOR_DIR / "klaviyo" / filename).read_text())
    post = document["paths"][api_path]["post"]
    ref = post["requestBody"]["content"]["application/vnd.api+json"]["schema"]["$ref"]
    return Draft4Validator({"components": document["components"], "$ref": ref})


def schema_errors(operation: str, body: dict[str, Any]) -> list[str]:
    return [error.message for error in request_validator(operation).iter_errors(body)]


@dataclass
class CapturedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class Reply:
    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


PROFILE_RESPONSE = {
    "data": {
        "type": "profile",
        "id": "01GDDKASAP8TKDDA2GRZDSVP4H",
        "attributes": {"email": "sarah.mason@klaviyo-demo.com"},
        "links": {"self": "https://a.klaviyo.com/api/profiles/01GDDKASAP8TKDDA2GRZDSVP4H/"},
    }
}


def default_reply(path: str) -> Reply:
    if path.startswith("/api/profile-import"):
        return Reply(201, PROFILE_RESPONSE)
    return Reply(202)


class FakeKlaviyoServer:
    """Records every request; answers from `replies` (a queue) or Klaviyo's usual
    success for the path: 201 with a profile for profile-import, 202 with no body for
    events, subscription jobs and deletion jobs."""

    def __init__(self):
        self.requests: list[CapturedRequest] = []
        self.replies: list[Reply] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                server.requests.append(
                    CapturedRequest(
                        method="POST",
                        path=self.path,
                        headers={key.lower(): value for key, value in self.headers.items()},
                        body=json.loads(raw) if raw else None,
                    )
                )
                reply = server.replies.pop(0) if server.replies else default_reply(self.path)
                payload = json.dumps(reply.body).encode() if reply.body is not None else b""
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/vnd.api+json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                if payload:
                    self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeKlaviyoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


CLIENT_ERROR = {
    "errors": [
        {
            "id": "7f1b1f2e-1111-4c4c-9a9a-000000000001",
            "code": "invalid",
            "title": "Invalid input.",
            "detail": "The payload provided in the request is invalid.",
            "source": {"pointer": "/data/attributes/email"},
        }
    ]
}
THROTTLED = {
    "errors": [
        {
            "id": "7f1b1f2e-1111-4c4c-9a9a-000000000002",
            "code": "throttled",
            "title": "Request was throttled.",
            "detail": "Request was throttled. Expected available in 3 seconds.",
        }
    ]
}
