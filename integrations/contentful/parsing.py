"""Contentful's JSON (Sync API items, as recorded and as served) → `types`. Shared by the
live adapter and the local one so both hand out exactly the same values."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from integrations.contentful.types import (
    ContentfulRequestError,
    Deletion,
    SyncedAsset,
    SyncedEntry,
    SyncItem,
    SyncPage,
)

DELETION_KINDS = {"DeletedEntry": "Entry", "DeletedAsset": "Asset"}


def parse_timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def localise(fields: Any, locale: str) -> dict[str, Any]:
    """Sync items carry every locale (`{"title": {"en-US": "..."}}`); keep `locale`'s value
    of each field. A field without a value in that locale is left out, as the Delivery
    API does for a single locale."""
    if not isinstance(fields, dict):
        return {}
    localised = {}
    for name, values in fields.items():
        if isinstance(values, dict) and locale in values:
            localised[name] = values[locale]
    return localised


def absolute_url(url: str) -> str:
    # Contentful serves protocol-relative asset URLs ("//images.ctfassets.net/...").
    if url.startswith("//"):
        return "https:" + url
    return url


def _version(sys: dict[str, Any]) -> int:
    # The Delivery API calls it `revision`; the Management API and webhooks `version`.
    value = sys.get("revision", sys.get("version", 0))
    return value if isinstance(value, int) else 0


def parse_item(raw: dict[str, Any], *, locale: str) -> SyncItem | None:
    """One Sync API item, or None for a type Aeyia does not use (e.g. a content type)."""
    sys = raw.get("sys") if isinstance(raw, dict) else None
    if not isinstance(sys, dict) or not isinstance(sys.get("id"), str):
        return None
    sys_type = sys.get("type")
    if sys_type in DELETION_KINDS:
        return Deletion(kind=DELETION_KINDS[sys_type], id=sys["id"])
    if sys_type == "Entry":
        content_type = (sys.get("contentType") or {}).get("sys", {}).get("id", "")
        return SyncedEntry(
            id=sys["id"],
            content_type=content_type,
            fields=localise(raw.get("fields"), locale),
            updated_at=parse_timestamp(sys.get("updatedAt")),
            version=_version(sys),
        )
    if sys_type == "Asset":
        fields = localise(raw.get("fields"), locale)
        file = fields.get("file") if isinstance(fields.get("file"), dict) else {}
        details = file.get("details") if isinstance(file.get("details"), dict) else {}
        size = details.get("size", 0)
        return SyncedAsset(
            id=sys["id"],
            title=str(fields.get("title") or ""),
            description=str(fields.get("description") or ""),
            url=absolute_url(str(file.get("url") or "")),
            content_type=str(file.get("contentType") or ""),
            file_name=str(file.get("fileName") or ""),
            version=_version(sys),
            updated_at=parse_timestamp(sys.get("updatedAt")),
            size=size if isinstance(size, int) else 0,
        )
    return None


def token_from_url(url: str) -> str:
    """The sync_token query parameter of a nextPageUrl / nextSyncUrl."""
    values = parse_qs(urlsplit(url).query).get("sync_token") or [""]
    return values[0]


def parse_sync_page(body: dict[str, Any], *, locale: str) -> SyncPage:
    """A whole Sync API response body."""
    items = tuple(
        item
        for item in (parse_item(raw, locale=locale) for raw in body.get("items") or [])
        if item is not None
    )
    next_page_token = token_from_url(body.get("nextPageUrl") or "")
    next_sync_token = "" if next_page_token else token_from_url(body.get("nextSyncUrl") or "")
    if not next_page_token and not next_sync_token:
        raise ContentfulRequestError("The sync page carries neither nextPageUrl nor nextSyncUrl.")
    return SyncPage(items=items, next_page_token=next_page_token, next_sync_token=next_sync_token)
