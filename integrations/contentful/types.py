"""Values that cross the Contentful boundary. SDK objects never leave `live.py`.

Entries and assets arrive already localised to the space's default locale
(settings.CONTENTFUL_LOCALE): a field missing in that locale is absent from `fields`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

DeletionKind = Literal["Entry", "Asset"]


@dataclass(frozen=True)
class SyncedEntry:
    """A published entry. `fields` maps field ids to values in the default locale; links
    stay links (`{"sys": {"type": "Link", "linkType": "Asset", "id": ...}}`) and rich
    text stays Contentful's document JSON. `version` is the entry's sys.revision."""

    id: str
    content_type: str
    fields: dict[str, Any]
    updated_at: datetime | None
    version: int
    sys_type: Literal["Entry"] = "Entry"


@dataclass(frozen=True)
class SyncedAsset:
    """A published asset. `url` is absolute (https); `size` is in bytes when Contentful
    says so, else 0."""

    id: str
    title: str
    description: str
    url: str
    content_type: str
    file_name: str
    version: int = 0
    updated_at: datetime | None = None
    size: int = 0
    sys_type: Literal["Asset"] = "Asset"


@dataclass(frozen=True)
class Deletion:
    """An entry or asset that was unpublished or deleted in Contentful since the token.
    `kind` is the type of the thing that went ("Entry" or "Asset")."""

    kind: DeletionKind
    id: str


SyncItem = SyncedEntry | SyncedAsset | Deletion


@dataclass(frozen=True)
class SyncPage:
    """One page of the Sync API. Exactly one of the two tokens is set: `next_page_token`
    while the current sync has more pages, `next_sync_token` on its last page (keep it
    for the next incremental sync)."""

    items: tuple[SyncItem, ...] = field(default_factory=tuple)
    next_page_token: str = ""
    next_sync_token: str = ""

    @property
    def token(self) -> str:
        """The token to store after this page: where the next request continues."""
        return self.next_page_token or self.next_sync_token

    @property
    def has_more(self) -> bool:
        return bool(self.next_page_token)


class ContentfulError(Exception):
    """Contentful refused the request or could not be reached."""


class ContentfulUnauthorized(ContentfulError):
    """The access token is missing, wrong or revoked (401/403). Retrying will not help."""


class ContentfulRateLimited(ContentfulError):
    """Contentful answered 429. Try again after `reset_seconds`
    (its X-Contentful-RateLimit-Reset header)."""

    def __init__(self, message: str, *, reset_seconds: int):
        super().__init__(message)
        self.reset_seconds = max(0, int(reset_seconds))


class ContentfulUnavailable(ContentfulError):
    """Timeouts, connection errors and 5xx: trying again later may succeed."""


class ContentfulRequestError(ContentfulError):
    """Contentful rejected the request itself (400, 404, an expired sync token, an asset
    that is too large or of the wrong type). Retrying the same request will not help."""
