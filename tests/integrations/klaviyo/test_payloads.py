"""Every body we send validates against Klaviyo's own request schemas (Draft 4 validators
built from the OpenAPI slices in tests/vendor_data/klaviyo); the deletion job, which has
no slice, validates against the SDK's generated model."""

from datetime import UTC, datetime

import pytest
from openapi_client.models import DataPrivacyCreateDeletionJobQuery
from pydantic import ValidationError

from integrations.klaviyo import payloads
from integrations.klaviyo.types import KlaviyoEvent, KlaviyoProfile, KlaviyoSubscription
from tests.integrations.klaviyo.support import schema_errors

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def _event(**properties) -> KlaviyoEvent:
    return KlaviyoEvent(
        email="ada@example.org",
        metric="Membership Started",
        unique_id="membership-3-sub_1-started",
        time=NOW,
        properties=properties,
    )


def test_profile_upsert_body_is_valid():
    profile = KlaviyoProfile(
        email="ada@example.org",
        first_name="Ada",
        last_name="Lovelace",
        external_id="lead-1234",
        properties={"utm_source": "instagram", "signed_up_at": NOW},
    )

    body = payloads.profile_upsert_body(profile)

    assert schema_errors("profile_upsert", body) == []
    assert body["data"]["attributes"]["properties"]["signed_up_at"] == "2026-11-25T09:30:00+00:00"


def test_minimal_profile_body_is_valid():
    body = payloads.profile_upsert_body(KlaviyoProfile(email="ada@example.org"))

    assert schema_errors("profile_upsert", body) == []
    assert body["data"]["attributes"] == {"email": "ada@example.org"}


def test_event_body_is_valid():
    body = payloads.event_body(_event(plan="member", amount_minor=1500, currency="gbp"))

    assert schema_errors("event_create", body) == []
    attributes = body["data"]["attributes"]
    assert attributes["metric"]["data"]["attributes"]["name"] == "Membership Started"
    assert attributes["unique_id"] == "membership-3-sub_1-started"


@pytest.mark.parametrize("missing", ["metric", "profile"])
def test_an_event_without_metric_or_profile_is_invalid(missing):
    body = payloads.event_body(_event())
    del body["data"]["attributes"][missing]

    assert schema_errors("event_create", body) != []


def test_subscription_body_is_valid_and_names_the_list():
    subscription = KlaviyoSubscription(
        email="ada@example.org", list_id="Y6nRLr", consented_at=NOW, source="Aeyia /newsletter/"
    )

    body = payloads.subscription_body(subscription)

    assert schema_errors("list_subscribe", body) == []
    assert body["data"]["relationships"]["list"]["data"] == {"type": "list", "id": "Y6nRLr"}
    marketing = body["data"]["attributes"]["profiles"]["data"][0]["attributes"]["subscriptions"]
    assert marketing["email"]["marketing"] == {
        "consent": "SUBSCRIBED",
        "consented_at": "2026-11-25T09:30:00+00:00",
    }


def test_a_subscription_without_profiles_is_invalid():
    body = payloads.subscription_body(
        KlaviyoSubscription(email="ada@example.org", list_id="Y6nRLr", consented_at=NOW)
    )
    del body["data"]["attributes"]["profiles"]

    assert schema_errors("list_subscribe", body) != []


def test_deletion_body_matches_the_sdk_model():
    body = payloads.profile_deletion_body("ada@example.org")

    model = DataPrivacyCreateDeletionJobQuery.model_validate(body)

    assert model.model_dump(mode="json", exclude_unset=True, by_alias=True) == body


def test_a_deletion_body_of_the_wrong_type_is_refused_by_the_sdk_model():
    body = payloads.profile_deletion_body("ada@example.org")
    body["data"]["type"] = "profile-deletion"

    with pytest.raises(ValidationError):
        DataPrivacyCreateDeletionJobQuery.model_validate(body)
