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
    "list_unsubscribe": (
        "bulk_unsubscribe_profiles.json",
        "/api/profile-subscription-bulk-delete-jobs",
    ),
}


@cache
def _document(filename: str) -> dict[str, Any]:
    return json.loads((VENDOR_DIR / "klaviyo" / filename).read_text())


@cache
def request_validator(operation: str) -> Draft4Validator:
    """Draft4Validator for the request body of one of Klaviyo's operations."""
    filename, api_path = SLICES[operation]
    document = _document(filename)
    post = document["paths"][api_path]["post"]
    ref = post["requestBody"]["content"]["application/vnd.api+json"]["schema"]["$ref"]
    return Draft4Validator({"components": document["components"], "$ref": ref})


def schema_errors(operation: str, body: dict[str, Any]) -> list[str]:
    return [error.message for error in request_validator(operation).iter_errors(body)]


@cache
def profiles_response_validator() -> Draft4Validator:
    """Draft4Validator for get_profiles' 200 answer (GET /api/profiles)."""
    document = _document("get_profiles.json")
    get = document["paths"]["/api/profiles"]["get"]
    ref = get["responses"]["200"]["content"]["application/vnd.api+json"]["schema"]["$ref"]
    return Draft4Validator({"components": document["components"], "$ref": ref})


def profiles_response_errors(body: dict[str, Any]) -> list[str]:
    return [error.message for error in profiles_response_validator().iter_errors(body)]


def schema_example(schema: str, *path: str) -> Any:
    """The `example` Klaviyo wrote for a field of one of get_profiles' schemas, e.g.
    `schema_example("EmailMarketingSuppression", "reason")` → "HARD_BOUNCE"."""
    node = _document("get_profiles.json")["components"]["schemas"][schema]
    for key in path:
        node = node["properties"][key]
    return node["example"]


def schema_enum(schema: str, *path: str) -> list[str]:
    node = _document("get_profiles.json")["components"]["schemas"][schema]
    for key in path:
        node = node["properties"][key]
    return list(node["enum"])


KLAVIYO_API = "https://a.klaviyo.com/api"


def suppressed_profile(
    *, email: str, reason: str, timestamp: str, profile_id: str | None = None
) -> dict[str, Any]:
    """A profile resource as get_profiles returns it with `fields[profile]=email,
    subscriptions.email.marketing.suppression`, from Klaviyo's own example values."""
    profile_id = profile_id or schema_example(
        "ProfileResponsePluralConversationsObjectResource", "id"
    )
    return {
        "type": "profile",
        "id": profile_id,
        "attributes": {
            "email": email,
            "subscriptions": {
                "email": {
                    "marketing": {
                        "can_receive_email_marketing": False,
                        "consent": schema_example("EmailMarketing", "consent"),
                        "suppression": [{"reason": reason, "timestamp": timestamp}],
                    }
                }
            },
        },
        "links": {"self": f"{KLAVIYO_API}/profiles/{profile_id}/"},
    }


def profiles_page(profiles: list[dict[str, Any]], *, next_cursor: str = "") -> dict[str, Any]:
    """A get_profiles answer; `links.next` carries `page[cursor]` the way Klaviyo does."""
    links = {"self": f"{KLAVIYO_API}/profiles/"}
    if next_cursor:
        links["next"] = f"{KLAVIYO_API}/profiles/?page%5Bcursor%5D={next_cursor}&page%5Bsize%5D=100"
    return {"data": profiles, "links": links}


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
    if path.startswith("/api/profiles"):
        return Reply(200, profiles_page([]))
    return Reply(202)


class FakeKlaviyoServer:
    """Records every request; answers from `replies` (a queue) or Klaviyo's usual
    success for the path: 201 with a profile for profile-import, an empty page for
    GET /api/profiles, 202 with no body for events, subscription jobs and deletion
    jobs."""

    def __init__(self):
        self.requests: list[CapturedRequest] = []
        self.replies: list[Reply] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                self._answer("GET", None)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                self._answer("POST", json.loads(raw) if raw else None)

            def _answer(self, method, body):
                server.requests.append(
                    CapturedRequest(
                        method=method,
                        path=self.path,
                        headers={key.lower(): value for key, value in self.headers.items()},
                        body=body,
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
