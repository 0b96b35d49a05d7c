"""The Contentful operations Aeyia uses: the Sync API (initial and incremental) and the
download of asset files. `live.ContentfulLiveClient` talks to the Content Delivery API;
`local.LocalContentful` is a complete in-process space for development and tests."""

from typing import Protocol

from integrations.contentful.types import SyncPage

# Larger files are refused rather than read into memory.
DEFAULT_MAX_ASSET_BYTES = 20 * 1024 * 1024


class ContentfulGateway(Protocol):
    def sync_initial(self) -> SyncPage:
        """The first page of a full sync: every published entry and asset.
        Raises `types.ContentfulError` subclasses."""
        ...

    def sync_next(self, token: str) -> SyncPage:
        """The page after `token`: a `next_page_token` continues the current sync, a
        `next_sync_token` asks for what changed since that sync (items and deletions).
        Raises `types.ContentfulError` subclasses (`ContentfulRequestError` for a token
        Contentful no longer knows)."""
        ...

    def fetch_asset_bytes(self, url: str, *, max_bytes: int = DEFAULT_MAX_ASSET_BYTES) -> bytes:
        """The file behind an asset's `url`. Raises `ContentfulRequestError` when it is
        larger than `max_bytes` and `ContentfulUnavailable` when it cannot be fetched."""
        ...
