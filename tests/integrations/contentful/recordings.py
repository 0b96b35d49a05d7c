"""Replaying Contentful's own recordings (tests/vendor_data/contentful/) with `responses`
and vcrpy, and building entries in the recorded shape."""

from __future__ import annotations

import copy
import io
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import responses
from PIL import Image

VENDOR = Path(__file__).resolve().parents[2] / "vendor_data" / "contentful"
BODIES = VENDOR / "bodies"
SYNC_CASSETTE = VENDOR / "cassettes_py" / "client" / "sync.yaml"
# An initial sync recorded on environment "staging" of another space (a22o2qgm356c).
SYNC_ENVIRONMENT_CASSETTE = VENDOR / "cassettes_py" / "client" / "sync_environments.yaml"
CONTENT_TYPE = "application/vnd.contentful.delivery.v1+json"
SPACE = "cfexampleapi"
TOKEN = "b4c0n73n7fu1"  # Contentful's published read-only token for its demo space
SYNC_URL = f"https://cdn.contentful.com/spaces/{SPACE}/environments/master/sync"
INITIAL_SYNC = re.compile(re.escape(SYNC_URL) + r"\?.*initial=true")
NEXT_SYNC = re.compile(re.escape(SYNC_URL) + r"\?.*sync_token=")


@cache
def _raw_body(name: str) -> bytes:
    return (BODIES / name).read_bytes()


def body(name: str) -> dict[str, Any]:
    """A deep copy of a recorded body, to change freely."""
    return json.loads(_raw_body(name))


def index_row(name: str) -> dict[str, Any]:
    rows = json.loads(_raw_body("index.json"))
    return next(row for row in rows if row["file"] == name)


def token_in(name: str) -> str:
    """The sync_token of a recorded body's nextPageUrl/nextSyncUrl."""
    data = body(name)
    url = data.get("nextPageUrl") or data.get("nextSyncUrl")
    return re.search(r"sync_token=([^&]+)", url).group(1)


def serve(rsps: responses.RequestsMock, url, name: str, *, status: int | None = None, headers=None):
    """Register a recorded body with its recorded status (or `status`)."""
    rsps.add(
        responses.GET,
        url,
        body=_raw_body(name),
        status=status or index_row(name)["status"],
        content_type=CONTENT_TYPE,
        headers=headers or {},
    )


def serve_sync_sequence(rsps: responses.RequestsMock) -> None:
    """Initial sync page 1 (14 items, nextPageUrl) → page 2 (no items, nextSyncUrl) →
    a delta with 6 DeletedAsset and 1 DeletedEntry."""
    serve(rsps, INITIAL_SYNC, "rb__sync_page.json")
    serve(rsps, NEXT_SYNC, "rb__sync_page_2.json")
    serve(rsps, NEXT_SYNC, "rb__sync_deletion.json")


def recorded_entry(
    entry_id: str = "nyancat", *, content_type: str, fields: dict[str, Any], revision: int = 1
) -> dict[str, Any]:
    """An entry in the recorded Sync API shape (sys from the recorded `nyancat`), with
    another content type and fields (given in the default locale, wrapped per locale)."""
    template = next(
        item for item in body("rb__sync_page.json")["items"] if item["sys"]["type"] == "Entry"
    )
    entry = copy.deepcopy(template)
    entry["sys"]["id"] = entry_id
    entry["sys"]["revision"] = revision
    entry["sys"]["contentType"]["sys"]["id"] = content_type
    entry["fields"] = {name: {"en-US": value} for name, value in fields.items()}
    return entry


def recorded_asset(
    asset_id: str,
    *,
    url: str,
    content_type: str = "image/png",
    file_name: str = "pixel.png",
    revision: int = 1,
    title: str = "A picture",
    description: str = "",
) -> dict[str, Any]:
    """An asset in the recorded Sync API shape (the recorded `jake` asset's sys)."""
    template = next(
        item for item in body("rb__sync_page.json")["items"] if item["sys"]["type"] == "Asset"
    )
    asset = copy.deepcopy(template)
    asset["sys"]["id"] = asset_id
    asset["sys"]["revision"] = revision
    asset["fields"] = {
        "title": {"en-US": title},
        "file": {
            "en-US": {
                "url": url,
                "fileName": file_name,
                "contentType": content_type,
                "details": {"size": 100, "image": {"width": 4, "height": 3}},
            }
        },
    }
    if description:
        asset["fields"]["description"] = {"en-US": description}
    return asset


def sync_body(
    items: list[dict[str, Any]], *, next_sync_token: str = "", next_page_token: str = ""
) -> dict[str, Any]:
    """A Sync API body in the recorded envelope."""
    data = {"sys": {"type": "Array"}, "items": items}
    if next_page_token:
        data["nextPageUrl"] = f"{SYNC_URL}?sync_token={next_page_token}"
    else:
        data["nextSyncUrl"] = f"{SYNC_URL}?sync_token={next_sync_token or 'after'}"
    return data


def rich_text_document() -> dict[str, Any]:
    """The recorded Rich Text document ("All Features")."""
    return body("py__fields__rich_text__2.json")["items"][0]["fields"]["body"]


def png_bytes(size=(4, 3), color=(200, 120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def use_live_adapter(settings) -> None:
    """Point the factory at the live adapter for Contentful's demo space (the recordings)."""
    from integrations.contentful import get_contentful

    settings.CONTENTFUL_GATEWAY = "integrations.contentful.live.ContentfulLiveClient"
    settings.CONTENTFUL_SPACE_ID = SPACE
    settings.CONTENTFUL_ACCESS_TOKEN = TOKEN
    settings.CONTENTFUL_ENVIRONMENT = "master"
    settings.CONTENTFUL_LOCALE = "en-US"
    get_contentful.cache_clear()


IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF"}


def image_bytes(content_type: str, size=(4, 3)) -> bytes:
    """A tiny image in the format `content_type` names (made here, not vendor data)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 140, 120)).save(buffer, format=IMAGE_FORMATS[content_type])
    return buffer.getvalue()


def serve_recorded_asset_files(
    rsps: responses.RequestsMock, name: str = "rb__sync_page.json"
) -> dict[str, str]:
    """Serve a tiny image for every asset in a recorded page, in its declared format.
    Returns {asset id: url}."""
    urls = {}
    for item in body(name)["items"]:
        if item["sys"]["type"] != "Asset":
            continue
        file = item["fields"]["file"]["en-US"]
        url = "https:" + file["url"]
        rsps.add(
            responses.GET,
            url,
            body=image_bytes(file["contentType"]),
            content_type=file["contentType"],
        )
        urls[item["sys"]["id"]] = url
    return urls
