"""The live Typeform adapter: `TypeformGateway` over Typeform's Responses API
(`GET https://api.typeform.com/forms/{form_id}/responses`, personal access token as a
bearer token).

This is the only module that talks to Typeform over HTTP. Every request has explicit
connect and read timeouts (TYPEFORM_TIMEOUT_SECONDS) and at most TYPEFORM_MAX_ATTEMPTS
attempts: 429 (honouring a short Retry-After), 5xx and network errors are retried with a
short back-off, anything else fails at once. Only reads are made, so no idempotency key is
needed; responses are stored on their token by the caller.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

import requests
from django.conf import settings

from integrations.typeform.types import (
    InvalidTypeformPayload,
    TypeformError,
    TypeformResponse,
    TypeformResponsePage,
)

logger = logging.getLogger(__name__)

API_BASE = "https://api.typeform.com"
FORM_BASE = "https://form.typeform.com/to/"
MAX_PAGE_SIZE = 1000
MAX_RETRY_AFTER_SECONDS = 5.0


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class TypeformLiveClient:
    """Reads with TYPEFORM_API_TOKEN. `base_url`, `session` and `backoff_seconds` let the
    tests point it elsewhere and skip the waits. Raises `types.TypeformError`."""

    def __init__(
        self,
        *,
        api_token: str | None = None,
        base_url: str = API_BASE,
        session: requests.Session | None = None,
        backoff_seconds: float = 0.5,
    ):
        api_token = api_token if api_token is not None else settings.TYPEFORM_API_TOKEN
        if not api_token:
            raise TypeformError("TYPEFORM_API_TOKEN is not set.")
        self._token = api_token
        self._base = base_url.rstrip("/")
        self._session = session or requests.Session()
        self._timeout = float(settings.TYPEFORM_TIMEOUT_SECONDS)
        self._attempts = max(1, int(settings.TYPEFORM_MAX_ATTEMPTS))
        self._backoff = backoff_seconds

    def form_url(self, *, form_id: str, hidden: Mapping[str, str], return_url: str = "") -> str:
        # Typeform reads hidden fields from the URL fragment; the redirect after submitting
        # is set in Typeform's own builder, so `return_url` is not sent.
        fragment = urlencode(dict(hidden))
        return f"{FORM_BASE}{quote(form_id, safe='')}" + (f"#{fragment}" if fragment else "")

    def _get(self, path: str, params: Mapping[str, Any]) -> Mapping[str, Any]:
        url = f"{self._base}{path}"
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        for attempt in range(1, self._attempts + 1):
            wait = self._backoff * 2 ** (attempt - 1)
            try:
                response = self._session.get(
                    url, params=params, headers=headers, timeout=(self._timeout, self._timeout)
                )
            except requests.RequestException as error:
                if attempt == self._attempts:
                    raise TypeformError(
                        f"Typeform could not be reached: {type(error).__name__}", retryable=True
                    ) from error
            else:
                status = response.status_code
                if 200 <= status < 300:
                    try:
                        document = response.json()
                    except ValueError as error:
                        raise TypeformError("Typeform answered with no JSON.") from error
                    if not isinstance(document, Mapping):
                        raise TypeformError("Typeform answered with no JSON object.")
                    return document
                retryable = status == 429 or status >= 500
                if not retryable or attempt == self._attempts:
                    raise TypeformError(
                        f"Typeform answered {status} to GET {path}",
                        status=status,
                        retryable=retryable,
                    )
                given = _retry_after(response)
                if given is not None:
                    wait = min(given, MAX_RETRY_AFTER_SECONDS)
            if wait:
                time.sleep(wait)
        raise TypeformError("unreachable")  # pragma: no cover - the loop returns or raises

    def responses(
        self,
        *,
        form_id: str,
        since: datetime | None = None,
        before: str = "",
        tokens: tuple[str, ...] = (),
        page_size: int = 25,
    ) -> TypeformResponsePage:
        if not form_id:
            raise TypeformError("A form id is needed.")
        params: dict[str, Any] = {
            "page_size": max(1, min(page_size, MAX_PAGE_SIZE)),
            "completed": "true",
            "sort": "submitted_at,desc",
        }
        if since is not None:
            params["since"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if before:
            params["before"] = before
        if tokens:
            params["included_response_ids"] = ",".join(tokens)
        document = self._get(f"/forms/{quote(form_id, safe='')}/responses", params)
        items = []
        for item in document.get("items") or []:
            try:
                items.append(TypeformResponse.from_form_response(item, form_id=form_id))
            except InvalidTypeformPayload as error:
                # An unfinished response (no submitted_at) or a shape we do not read.
                logger.warning("typeform response skipped: %s", error)
        return TypeformResponsePage(
            items=tuple(items),
            total_items=int(document.get("total_items") or 0),
            page_count=int(document.get("page_count") or 0),
        )
