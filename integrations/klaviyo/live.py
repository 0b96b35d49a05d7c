"""The live Klaviyo adapter: `KlaviyoGateway` over the klaviyo-api SDK (revision
2026-10-15 with klaviyo-api 25.0.0).

This is the only module that imports the SDK. The SDK's own retry loop is switched off
(`max_retries=0`) and urllib3 retries nothing either: retries belong to the Celery tasks
in `tasks.py`, which back off on 429 (honouring Retry-After) and stop at
KLAVIYO_MAX_RETRIES without holding a worker in `time.sleep`. Every request has an
explicit timeout (KLAVIYO_TIMEOUT_SECONDS).

Klaviyo takes no idempotency header. What makes a retried call safe is the operation
itself: profile-import upserts by email, subscribing twice changes nothing, deletion is
idempotent, and events carry a `unique_id` derived from our own row, on which Klaviyo
dedupes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import urllib3
from django.conf import settings
from klaviyo_api import KlaviyoAPI
from openapi_client.exceptions import ApiException
from openapi_client.models import (
    DataPrivacyCreateDeletionJobQuery,
    EventCreateQueryV2,
    ProfileUpsertQuery,
    SubscriptionCreateJobCreateQuery,
    SubscriptionDeleteJobCreateQuery,
)
from openapi_client.rest import RESTClientObject
from pydantic import ValidationError

from integrations.klaviyo import payloads
from integrations.klaviyo.types import (
    InvalidKlaviyoData,
    KlaviyoError,
    KlaviyoEvent,
    KlaviyoProfile,
    KlaviyoSubscription,
    KlaviyoSuppression,
    KlaviyoSuppressionPage,
    KlaviyoUnsubscription,
    SyncedProfile,
)

logger = logging.getLogger(__name__)


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == name.lower():
            return value
    return None


def _retry_after(headers: Any) -> float | None:
    value = _header(headers, "Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        # Retry-After may be an HTTP date; Klaviyo sends seconds, anything else falls
        # back to our own backoff.
        return None


def _cursor_from_next_link(link: Any) -> str:
    # The SDK only unpacks `page[cursor]` from https links; reading it ourselves works
    # for any host (and for the loopback server in the tests).
    if not isinstance(link, str) or not link:
        return ""
    values = parse_qs(urlsplit(link).query).get("page[cursor]") or [""]
    return values[0]


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def suppressions_from_document(
    document: Mapping[str, Any], *, since: datetime
) -> list[KlaviyoSuppression]:
    """Reads only what Aeyia needs from a get_profiles page: the email and, of the
    profile's global email suppressions, the newest one after `since`. Profiles without
    an email or a readable suppression are skipped."""
    found: list[KlaviyoSuppression] = []
    for profile in document.get("data") or []:
        attributes = (profile or {}).get("attributes") or {}
        email = attributes.get("email")
        marketing = ((attributes.get("subscriptions") or {}).get("email") or {}).get(
            "marketing"
        ) or {}
        newest: tuple[datetime, str] | None = None
        for entry in marketing.get("suppression") or []:
            when = _parse_time((entry or {}).get("timestamp"))
            reason = (entry or {}).get("reason")
            if when is None or when <= since or not isinstance(reason, str):
                continue
            if newest is None or when > newest[0]:
                newest = (when, reason)
        if not email or newest is None:
            continue
        try:
            found.append(KlaviyoSuppression(email=email, reason=newest[1], suppressed_at=newest[0]))
        except InvalidKlaviyoData:
            logger.warning("klaviyo suppression skipped", extra={"operation": "suppressions"})
    return found


class KlaviyoLiveClient:
    """Talks to Klaviyo with KLAVIYO_API_KEY. `test_host` points the SDK elsewhere (the
    tests use a loopback HTTP server). Raises `types.KlaviyoError`."""

    def __init__(self, *, api_key: str | None = None, test_host: str = ""):
        api_key = api_key if api_key is not None else settings.KLAVIYO_API_KEY
        if not api_key:
            raise KlaviyoError("KLAVIYO_API_KEY is not set.")
        self._api = KlaviyoAPI(api_key, max_delay=0, max_retries=0, test_host=test_host)
        # urllib3 would otherwise retry connection errors three times on its own.
        self._api.configuration.retries = urllib3.Retry(total=0, redirect=False)
        self._api.api_client.rest_client = RESTClientObject(self._api.configuration)
        self._timeout = float(settings.KLAVIYO_TIMEOUT_SECONDS)

    def _send(self, operation: str, call, *args, **kwargs):
        try:
            return call(*args, _request_timeout=self._timeout, **kwargs)
        except ApiException as error:
            status = error.status or 0
            raise KlaviyoError(
                f"Klaviyo answered {status} to {operation}: {(error.body or '')[:500]}",
                status=status,
                retryable=status == 429 or status >= 500 or status == 0,
                retry_after=_retry_after(error.headers),
            ) from error
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise KlaviyoError(
                f"Klaviyo could not be reached for {operation}: {error}", retryable=True
            ) from error

    @staticmethod
    def _model(model, body: dict[str, Any]):
        # model_validate, not the generated from_dict: from_dict sets every optional field
        # explicitly, and the SDK then sends them as null ("phone_number": null next to
        # the email), which the schemas do not allow and which Klaviyo's deletion job
        # reads as a second identifier.
        try:
            return model.model_validate(body)
        except ValidationError as error:
            raise InvalidKlaviyoData(f"{model.__name__} rejected our body: {error}") from error

    def profile_upsert(self, *, profile: KlaviyoProfile) -> SyncedProfile:
        query = self._model(ProfileUpsertQuery, payloads.profile_upsert_body(profile))
        response = self._send("profile_upsert", self._api.Profiles.create_or_update_profile, query)
        profile_id = response.data.id if response is not None and response.data else ""
        return SyncedProfile(profile_id=profile_id or "", email=profile.email, created=False)

    def list_subscribe(self, *, subscription: KlaviyoSubscription) -> None:
        query = self._model(
            SubscriptionCreateJobCreateQuery, payloads.subscription_body(subscription)
        )
        self._send("list_subscribe", self._api.Profiles.bulk_subscribe_profiles, query)

    def event_create(self, *, event: KlaviyoEvent) -> None:
        query = self._model(EventCreateQueryV2, payloads.event_body(event))
        self._send("event_create", self._api.Events.create_event, query)

    def profile_delete(self, *, email: str) -> None:
        query = self._model(
            DataPrivacyCreateDeletionJobQuery, payloads.profile_deletion_body(email)
        )
        self._send("profile_delete", self._api.Data_Privacy.request_profile_deletion, query)
        logger.info("klaviyo profile deletion requested", extra={"operation": "profile_delete"})

    def list_unsubscribe(self, *, unsubscription: KlaviyoUnsubscription) -> None:
        query = self._model(
            SubscriptionDeleteJobCreateQuery, payloads.unsubscription_body(unsubscription)
        )
        self._send("list_unsubscribe", self._api.Profiles.bulk_unsubscribe_profiles, query)

    def suppressions_since(self, *, since: datetime, cursor: str = "") -> KlaviyoSuppressionPage:
        # The sparse fieldset keeps the answer to the email and the suppression list (and
        # makes the SDK hand back plain dicts rather than its generated models).
        document = self._send(
            "suppressions_since",
            self._api.Profiles.get_profiles,
            additional_fields_profile=["subscriptions"],
            fields_profile=["email", "subscriptions.email.marketing.suppression"],
            filter=payloads.suppressions_filter(since),
            sort=payloads.SUPPRESSION_TIMESTAMP_FIELD,
            page_size=payloads.SUPPRESSION_PAGE_SIZE,
            page_cursor=cursor or None,
        )
        if hasattr(document, "to_dict"):
            document = document.to_dict()
        if not isinstance(document, Mapping):
            raise KlaviyoError("Klaviyo answered get_profiles with no document.", retryable=True)
        links = document.get("links") or {}
        return KlaviyoSuppressionPage(
            suppressions=tuple(suppressions_from_document(document, since=since)),
            next_cursor=_cursor_from_next_link(links.get("next")),
        )
