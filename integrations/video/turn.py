"""ICE servers for the browsers' RTCPeerConnection: STUN, plus TURN with short-lived
credentials in the TURN REST API convention (draft-uberti-behave-turn-rest), which coturn
checks with `use-auth-secret` / `static-auth-secret`.

The username is "<unix expiry>:<hint>" and the credential is
base64(HMAC-SHA1(TURN_SECRET, username)). coturn recomputes the HMAC with the shared
secret and refuses the allocation once the expiry has passed, so no per-user password is
ever stored and a leaked credential dies on its own after TURN_TTL seconds."""

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone


def turn_credential(*, secret: str, username: str) -> str:
    """The TURN REST API password for `username`."""
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def ice_servers(*, username_hint: str, now: datetime | None = None) -> list[dict[str, Any]]:
    """The `iceServers` list for one person joining a room, in RTCIceServer form.

    `username_hint` names the TURN user in coturn's logs ("user-<id>": never an email,
    never a name). It must not contain ":" because coturn splits the username there.
    Without TURN_URLS and TURN_SECRET only the STUN servers are returned (on `make run`
    both browsers are on one machine and need neither)."""
    if ":" in username_hint:
        raise ValueError("A TURN username hint cannot contain ':'.")
    servers: list[dict[str, Any]] = []
    if settings.STUN_URLS:
        servers.append({"urls": list(settings.STUN_URLS)})
    if settings.TURN_URLS and settings.TURN_SECRET:
        moment = now or timezone.now()
        expiry = int(moment.timestamp()) + int(settings.TURN_TTL)
        username = f"{expiry}:{username_hint}"
        servers.append(
            {
                "urls": list(settings.TURN_URLS),
                "username": username,
                "credential": turn_credential(secret=settings.TURN_SECRET, username=username),
            }
        )
    return servers


def turn_configured() -> bool:
    """Whether browsers behind NAT can relay through our TURN server."""
    return bool(settings.TURN_URLS and settings.TURN_SECRET)
