"""The JSON:API bodies we send, built from `types` values. Both adapters use these:
`live` hands them to the SDK's generated models, `local` records them, and the tests
validate them against Klaviyo's own OpenAPI schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from integrations.klaviyo.types import (
    KlaviyoEvent,
    KlaviyoProfile,
    KlaviyoSubscription,
    KlaviyoUnsubscription,
)


def _profile_attributes(profile: KlaviyoProfile) -> dict[str, Any]:
    attributes: dict[str, Any] = {"email": profile.email}
    if profile.first_name:
        attributes["first_name"] = profile.first_name
    if profile.last_name:
        attributes["last_name"] = profile.last_name
    if profile.external_id:
        attributes["external_id"] = profile.external_id
    if profile.properties:
        attributes["properties"] = dict(profile.properties)
    return attributes


def profile_upsert_body(profile: KlaviyoProfile) -> dict[str, Any]:
    """`POST /api/profile-import` (ProfileUpsertQuery): creates or updates by email."""
    return {"data": {"type": "profile", "attributes": _profile_attributes(profile)}}


def event_body(event: KlaviyoEvent) -> dict[str, Any]:
    """`POST /api/events` (EventCreateQueryV2)."""
    return {
        "data": {
            "type": "event",
            "attributes": {
                "properties": dict(event.properties),
                "time": event.time.isoformat(),
                "unique_id": event.unique_id,
                "metric": {
                    "data": {"type": "metric", "attributes": {"name": event.metric}},
                },
                "profile": {
                    "data": {"type": "profile", "attributes": {"email": event.email}},
                },
            },
        }
    }


def subscription_body(subscription: KlaviyoSubscription) -> dict[str, Any]:
    """`POST /api/profile-subscription-bulk-create-jobs` (SubscriptionCreateJobCreateQuery).

    The consent was given on our site after double opt-in; `historical_import` with
    `consented_at` tells Klaviyo when, so it does not send its own confirmation."""
    attributes: dict[str, Any] = {
        "profiles": {
            "data": [
                {
                    "type": "profile",
                    "attributes": {
                        "email": subscription.email,
                        "subscriptions": {
                            "email": {
                                "marketing": {
                                    "consent": "SUBSCRIBED",
                                    "consented_at": subscription.consented_at.isoformat(),
                                }
                            }
                        },
                    },
                }
            ]
        },
        "historical_import": True,
    }
    if subscription.source:
        attributes["custom_source"] = subscription.source
    return {
        "data": {
            "type": "profile-subscription-bulk-create-job",
            "attributes": attributes,
            "relationships": {"list": {"data": {"type": "list", "id": subscription.list_id}}},
        }
    }


def profile_deletion_body(email: str) -> dict[str, Any]:
    """`POST /api/data-privacy-deletion-jobs` (DataPrivacyCreateDeletionJobQuery):
    deletes every profile with this email."""
    return {
        "data": {
            "type": "data-privacy-deletion-job",
            "attributes": {
                "profile": {"data": {"type": "profile", "attributes": {"email": email}}}
            },
        }
    }


def unsubscription_body(unsubscription: KlaviyoUnsubscription) -> dict[str, Any]:
    """`POST /api/profile-subscription-bulk-delete-jobs` (SubscriptionDeleteJobCreateQuery):
    withdraws email-marketing consent, and removes the profile from the list when one is
    named."""
    data: dict[str, Any] = {
        "type": "profile-subscription-bulk-delete-job",
        "attributes": {
            "profiles": {
                "data": [
                    {
                        "type": "profile",
                        "attributes": {
                            "email": unsubscription.email,
                            "subscriptions": {"email": {"marketing": {"consent": "UNSUBSCRIBED"}}},
                        },
                    }
                ]
            }
        },
    }
    if unsubscription.list_id:
        data["relationships"] = {"list": {"data": {"type": "list", "id": unsubscription.list_id}}}
    return {"data": data}


SUPPRESSION_TIMESTAMP_FIELD = "subscriptions.email.marketing.suppression.timestamp"
SUPPRESSION_PAGE_SIZE = 100


def klaviyo_datetime(value: datetime) -> str:
    """A UTC time as Klaviyo's filters take it (ISO 8601 with microseconds and Z)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def suppressions_filter(since: datetime) -> str:
    """`GET /api/profiles` filter: profiles whose global email suppression is at or after
    `since` (our high-water mark; the one at the mark comes back and re-applies harmlessly,
    so two with the same timestamp are never split by a crash)."""
    return f"greater-or-equal({SUPPRESSION_TIMESTAMP_FIELD},{klaviyo_datetime(since)})"
