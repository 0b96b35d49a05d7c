"""The offline Contentful space (DESIGN.md §4 `local`): nothing leaves the process.

`LocalContentful` holds entries, assets and deletions in memory and serves real Sync API
semantics over them: an initial sync returns everything published, in pages; the token
at its end encodes a position in the space's change log, and the next sync returns what
changed after it (the latest version of each changed entry or asset, and deletions).
Changes come through `publish()`, `publish_asset()` and `delete()` (tests, the demo, a
shell). The space starts with the demo content in `demo_space.json`; tests call
`LocalContentful.reset()` for an empty one. `fail_next()` makes the next request fail
the way Contentful can (401, 429, 5xx), for exercising back-off.

State is class-level and lock-protected, like Django's mail.outbox, so every instance
(the cached one from `get_contentful()` included) sees the same space.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from integrations.contentful.protocol import DEFAULT_MAX_ASSET_BYTES
from integrations.contentful.types import (
    ContentfulError,
    ContentfulRequestError,
    Deletion,
    DeletionKind,
    SyncedAsset,
    SyncedEntry,
    SyncItem,
    SyncPage,
)

DEMO_SPACE_FILE = Path(__file__).with_name("demo_space.json")
ASSET_HOST = "https://assets.local-contentful.invalid"
TOKEN_PREFIX = "local1."  # noqa: S105 (marks our token format)


def _now() -> datetime:
    return datetime.now(tz=UTC)


def _encode_token(**position: Any) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str) -> dict[str, int | str]:
    if not token.startswith(TOKEN_PREFIX):
        raise ContentfulRequestError("The sync token is not valid for this space.")
    payload = token[len(TOKEN_PREFIX) :]
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError) as error:
        raise ContentfulRequestError("The sync token is not valid for this space.") from error
    if (
        not isinstance(data, dict)
        or data.get("k") not in {"initial", "delta"}
        or not all(isinstance(data.get(key), int) and data[key] >= 0 for key in ("f", "t", "o"))
    ):
        raise ContentfulRequestError("The sync token is not valid for this space.")
    return data


def demo_png(color: tuple[int, int, int], size: tuple[int, int] = (960, 540)) -> bytes:
    """A soft illustration (a pale field with a rising circle in `color`), made on the spot
    so the demo space ships no binaries."""
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new("RGB", size, tuple(255 - (255 - c) // 5 for c in color))
    draw = ImageDraw.Draw(image)
    radius = height * 2 // 3
    centre_x, centre_y = width * 3 // 5, height
    draw.ellipse(
        (centre_x - radius, centre_y - radius, centre_x + radius, centre_y + radius), fill=color
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class LocalContentful:
    """A complete Contentful space in memory, behind `ContentfulGateway`."""

    page_size: ClassVar[int] = 100
    # The change log: (key, item) where item is the new SyncedEntry/SyncedAsset or a
    # Deletion. Positions in it are what sync tokens encode.
    _log: ClassVar[list[tuple[tuple[str, str], SyncItem]]] = []
    _files: ClassVar[dict[str, bytes]] = {}
    _failures: ClassVar[list[ContentfulError]] = []
    _loaded: ClassVar[bool] = False
    requests: ClassVar[list[str]] = []
    _lock: ClassVar[threading.RLock] = threading.RLock()

    # --- the space ------------------------------------------------------------------

    @classmethod
    def reset(cls, *, demo: bool = False) -> None:
        """Empty the space (or put the demo content back), the request log and failures."""
        with cls._lock:
            cls._log = []
            cls._files = {}
            cls._failures = []
            cls.requests = []
            cls.page_size = 100
            cls._loaded = True
            if demo:
                cls._load_demo()

    @classmethod
    def _ensure_loaded(cls) -> None:
        with cls._lock:
            if not cls._loaded:
                cls._loaded = True
                cls._load_demo()

    @classmethod
    def _load_demo(cls) -> None:
        demo = json.loads(DEMO_SPACE_FILE.read_text())
        for asset in demo["assets"]:
            cls.publish_asset(
                asset_id=asset["id"],
                title=asset["title"],
                description=asset.get("description", ""),
                file_name=asset["file_name"],
                content_type="image/png",
                data=demo_png(tuple(asset["color"])),
            )
        for entry in demo["entries"]:
            cls.publish(
                content_type=entry["content_type"], entry_id=entry["id"], fields=entry["fields"]
            )

    @classmethod
    def _current(cls, key: tuple[str, str]) -> SyncItem | None:
        for logged_key, item in reversed(cls._log):
            if logged_key == key:
                return item
        return None

    @classmethod
    def _next_version(cls, key: tuple[str, str]) -> int:
        # Contentful's sys.revision counts publishes, and survives unpublish/republish.
        versions = [
            item.version for logged_key, item in cls._log
            if logged_key == key and not isinstance(item, Deletion)
        ]  # fmt: skip
        return max(versions, default=0) + 1

    @classmethod
    def publish(cls, *, content_type: str, entry_id: str, fields: dict[str, Any]) -> SyncedEntry:
        """Publish (or republish) an entry. `fields` are in the default locale."""
        with cls._lock:
            cls._ensure_loaded()
            key = ("Entry", entry_id)
            entry = SyncedEntry(
                id=entry_id,
                content_type=content_type,
                fields=json.loads(json.dumps(fields)),
                updated_at=_now(),
                version=cls._next_version(key),
            )
            cls._log.append((key, entry))
            return entry

    @classmethod
    def publish_item(cls, item: SyncedEntry | SyncedAsset) -> SyncItem:
        """Publish an item as given (e.g. parsed from a recorded Contentful body), with
        its own version."""
        with cls._lock:
            cls._ensure_loaded()
            cls._log.append(((item.sys_type, item.id), item))
            return item

    @classmethod
    def publish_asset(
        cls,
        *,
        asset_id: str,
        title: str,
        file_name: str,
        content_type: str,
        data: bytes,
        description: str = "",
    ) -> SyncedAsset:
        """Publish (or republish) an asset with its file."""
        with cls._lock:
            cls._ensure_loaded()
            key = ("Asset", asset_id)
            version = cls._next_version(key)
            url = f"{ASSET_HOST}/{asset_id}/{version}/{file_name}"
            cls._files[url] = bytes(data)
            asset = SyncedAsset(
                id=asset_id,
                title=title,
                description=description,
                url=url,
                content_type=content_type,
                file_name=file_name,
                version=version,
                updated_at=_now(),
                size=len(data),
            )
            cls._log.append((key, asset))
            return asset

    @classmethod
    def delete(cls, *, kind: DeletionKind, id: str) -> Deletion:  # noqa: A002 (Contentful's name)
        """Unpublish or delete an entry or asset: the next delta reports a Deletion."""
        if kind not in ("Entry", "Asset"):
            raise ValueError(f"kind must be 'Entry' or 'Asset', not {kind!r}")
        with cls._lock:
            cls._ensure_loaded()
            key = (kind, id)
            current = cls._current(key)
            if current is None or isinstance(current, Deletion):
                raise KeyError(f"No published {kind} {id!r} in the local space.")
            deletion = Deletion(kind=kind, id=id)
            cls._log.append((key, deletion))
            return deletion

    @classmethod
    def fail_next(cls, error: ContentfulError) -> None:
        """The next request (sync or download) raises `error`, as Contentful would."""
        with cls._lock:
            cls._failures.append(error)

    @classmethod
    def published(cls) -> list[SyncedEntry | SyncedAsset]:
        """Everything published right now, in first-publish order."""
        with cls._lock:
            cls._ensure_loaded()
            return cls._snapshot(len(cls._log))

    # --- the port ------------------------------------------------------------------

    @classmethod
    def _snapshot(cls, upto: int) -> list[SyncedEntry | SyncedAsset]:
        latest: dict[tuple[str, str], SyncItem] = {}
        for key, item in cls._log[:upto]:
            latest[key] = item
        return [item for item in latest.values() if not isinstance(item, Deletion)]

    @classmethod
    def _changes(cls, since: int, upto: int) -> list[SyncItem]:
        latest: dict[tuple[str, str], SyncItem] = {}
        for key, item in cls._log[since:upto]:
            latest.pop(key, None)  # re-insert: order by the latest change
            latest[key] = item
        return list(latest.values())

    def _take_failure(self, request: str) -> None:
        self.requests.append(request)
        if self._failures:
            raise self._failures.pop(0)

    def _page(self, *, kind: str, since: int, upto: int, offset: int) -> SyncPage:
        items = self._snapshot(upto) if kind == "initial" else self._changes(since, upto)
        chunk = tuple(items[offset : offset + self.page_size])
        if offset + self.page_size < len(items):
            return SyncPage(
                items=chunk,
                next_page_token=_encode_token(k=kind, f=since, t=upto, o=offset + self.page_size),
            )
        return SyncPage(items=chunk, next_sync_token=_encode_token(k="delta", f=upto, t=upto, o=0))

    def sync_initial(self) -> SyncPage:
        with self._lock:
            self._ensure_loaded()
            self._take_failure("sync_initial")
            return self._page(kind="initial", since=0, upto=len(self._log), offset=0)

    def sync_next(self, token: str) -> SyncPage:
        with self._lock:
            self._ensure_loaded()
            self._take_failure("sync_next")
            position = _decode_token(token)
            if position["t"] > len(self._log) or position["f"] > position["t"]:
                raise ContentfulRequestError("The sync token is not valid for this space.")
            if position["k"] == "delta" and position["o"] == 0:
                # A sync token: what changed from its position up to now.
                return self._page(kind="delta", since=position["t"], upto=len(self._log), offset=0)
            return self._page(
                kind=str(position["k"]),
                since=position["f"],
                upto=position["t"],
                offset=position["o"],
            )

    def fetch_asset_bytes(self, url: str, *, max_bytes: int = DEFAULT_MAX_ASSET_BYTES) -> bytes:
        with self._lock:
            self._ensure_loaded()
            self._take_failure("fetch_asset_bytes")
            if url not in self._files:
                raise ContentfulRequestError(f"No file at {url!r} in the local space.")
            data = self._files[url]
        if len(data) > max_bytes:
            raise ContentfulRequestError(f"Asset is larger than {max_bytes} bytes.")
        return data
