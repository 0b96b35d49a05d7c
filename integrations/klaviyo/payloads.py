"""The JSON:API bodies we send, built from `types` values. Both adapters use these:
`live` hands them to the SDK's generated models, `local` records them, and the tests
validate them against Klaviyo's own OpenAPI schemas."""

from __future__ import annotations

from typing import Any

from integrations.klaviyo.types import (
    KlaviyoEvent,
    KlaviyoProfile,
    KlaviyoSubscription,
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
