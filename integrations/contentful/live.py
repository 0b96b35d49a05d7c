"""The live Contentful adapter: the Sync API of the Content Delivery API through the
official `contentful` SDK, and asset downloads from Contentful's asset CDN.

This is the only module that imports `contentful`. The client is built with:
- `timeout_s` from CONTENTFUL_TIMEOUT_SECONDS for every request;
- `max_rate_limit_retries=0` and `max_rate_limit_wait=0`: the SDK would otherwise sleep in
  the worker on a 429. We raise `ContentfulRateLimited(reset_seconds)` instead and the
  Celery task comes back after X-Contentful-RateLimit-Reset, resuming from the token
  stored page by page;
- `content_type_cache=False` (no extra /content_types request at start-up) and
  `reuse_entries=False` (sync pages are independent; nothing to share).
Only read operations are made, so no idempotency key is needed.
"""

from __future__ import annotations

import logging

import contentful
import requests
from contentful import errors as sdk_errors
from django.conf import settings

from integrations.contentful.parsing import parse_sync_page
from integrations.contentful.protocol import DEFAULT_MAX_ASSET_BYTES
from integrations.contentful.types import (
    ContentfulError,
    ContentfulRateLimited,
    ContentfulRequestError,
    ContentfulUnauthorized,
    ContentfulUnavailable,
    SyncPage,
)

logger = logging.getLogger(__name__)

RATE_LIMIT_RESET_HEADER = "x-contentful-ratelimit-reset"
# Without the reset header we still must not hammer the API.
DEFAULT_RESET_SECONDS = 60
DOWNLOAD_CHUNK_BYTES = 64 * 1024


def _reset_seconds(response) -> int:
    try:
        return int(response.headers.get(RATE_LIMIT_RESET_HEADER, DEFAULT_RESET_SECONDS))
    except (TypeError, ValueError):
        return DEFAULT_RESET_SECONDS


def _translate(error: Exception) -> ContentfulError:
    """SDK and transport errors → our types (the SDK's own never leave this module)."""
    if isinstance(error, sdk_errors.RateLimitExceededError):
        return ContentfulRateLimited(
            "Contentful rate limit exceeded.", reset_seconds=_reset_seconds(error.response)
        )
    if isinstance(error, sdk_errors.UnauthorizedError | sdk_errors.AccessDeniedError):
        return ContentfulUnauthorized(f"Contentful refused the access token: {error}")
    if isinstance(
        error,
        sdk_errors.ServerError | sdk_errors.BadGatewayError | sdk_errors.ServiceUnavailableError,
    ):
        return ContentfulUnavailable(f"Contentful is unavailable: {error}")
    if isinstance(error, sdk_errors.HTTPError):
        if error.status_code >= 500:
            return ContentfulUnavailable(f"Contentful is unavailable: {error}")
        return ContentfulRequestError(f"Contentful rejected the request: {error}")
    if isinstance(error, requests.RequestException):
        return ContentfulUnavailable(f"Contentful could not be reached: {error}")
    return ContentfulRequestError(f"Contentful sent something unexpected: {error!r}")


class ContentfulLiveClient:
    """Reads CONTENTFUL_SPACE_ID / CONTENTFUL_ENVIRONMENT with CONTENTFUL_ACCESS_TOKEN (a
    Content Delivery API token). Raises `types.ContentfulError` subclasses."""

    def __init__(self, client: contentful.Client | None = None):
        self.locale = settings.CONTENTFUL_LOCALE
        if client is None and not (
            settings.CONTENTFUL_SPACE_ID and settings.CONTENTFUL_ACCESS_TOKEN
        ):
            raise ContentfulUnauthorized(
                "Set CONTENTFUL_SPACE_ID and CONTENTFUL_ACCESS_TOKEN to use the live adapter."
            )
        self._client = client or contentful.Client(
            settings.CONTENTFUL_SPACE_ID,
            settings.CONTENTFUL_ACCESS_TOKEN,
            environment=settings.CONTENTFUL_ENVIRONMENT,
            default_locale=self.locale,
            timeout_s=settings.CONTENTFUL_TIMEOUT_SECONDS,
            max_rate_limit_retries=0,
            max_rate_limit_wait=0,
            content_type_cache=False,
            reuse_entries=False,
        )

    def _sync(self, query: dict) -> SyncPage:
        try:
            page = self._client.sync(query)
        except KeyError as error:
            # The SDK reads the reset header of a 429 without checking that it is there.
            if error.args == (RATE_LIMIT_RESET_HEADER,):
                raise ContentfulRateLimited(
                    "Contentful rate limit exceeded.", reset_seconds=DEFAULT_RESET_SECONDS
                ) from error
            raise ContentfulRequestError(f"Unexpected sync response: {error!r}") from error
        except (sdk_errors.HTTPError, requests.RequestException, ValueError) as error:
            raise _translate(error) from error
        return parse_sync_page(page.raw, locale=self.locale)

    def sync_initial(self) -> SyncPage:
        return self._sync({"initial": True})

    def sync_next(self, token: str) -> SyncPage:
        if not token:
            raise ContentfulRequestError("An empty sync token.")
        return self._sync({"sync_token": token})

    def fetch_asset_bytes(self, url: str, *, max_bytes: int = DEFAULT_MAX_ASSET_BYTES) -> bytes:
        """Streams the file so an oversized one is refused without reading it whole."""
        if not url.startswith("https://"):
            raise ContentfulRequestError(f"Refusing to fetch a non-https asset URL {url!r}.")
        try:
            with requests.get(
                url, stream=True, timeout=settings.CONTENTFUL_TIMEOUT_SECONDS
            ) as response:
                if response.status_code == 429:
                    raise ContentfulRateLimited(
                        "Contentful's asset CDN rate limit exceeded.",
                        reset_seconds=_reset_seconds(response),
                    )
                if response.status_code >= 500:
                    raise ContentfulUnavailable(f"Asset download failed: {response.status_code}")
                if response.status_code != 200:
                    raise ContentfulRequestError(f"Asset download refused: {response.status_code}")
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise ContentfulRequestError(f"Asset is larger than {max_bytes} bytes.")
                data = bytearray()
                for chunk in response.iter_content(DOWNLOAD_CHUNK_BYTES):
                    data.extend(chunk)
                    if len(data) > max_bytes:
                        raise ContentfulRequestError(f"Asset is larger than {max_bytes} bytes.")
                return bytes(data)
        except requests.RequestException as error:
            raise ContentfulUnavailable(f"Asset could not be downloaded: {error}") from error
