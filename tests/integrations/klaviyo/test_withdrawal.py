"""Consent withdrawal through the port, both ways: the bulk unsubscription job we send
(validated against Klaviyo's bulk_unsubscribe_profiles slice, also as captured from the
real SDK) and the suppressions we read back with get_profiles (answers built from the
slice's own example values, validated against its 200 schema, served to the real SDK on
a loopback server), plus the offline adapter's suppression store."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from integrations.klaviyo import payloads
from integrations.klaviyo.live import KlaviyoLiveClient, suppressions_from_document
from integrations.klaviyo.local import LocalKlaviyo
from integrations.klaviyo.types import (
    InvalidKlaviyoData,
    KlaviyoError,
    KlaviyoSubscription,
    KlaviyoSuppression,
    KlaviyoUnsubscription,
)
from tests.integrations.klaviyo.support import (
    THROTTLED,
    FakeKlaviyoServer,
    Reply,
    profiles_page,
    profiles_response_errors,
    schema_enum,
    schema_errors,
    schema_example,
    suppressed_profile,
)

SINCE = datetime(2023, 1, 1, tzinfo=UTC)
EXAMPLE_EMAIL = schema_example(
    "ProfileResponsePluralConversationsObjectResource", "attributes", "email"
)
EXAMPLE_REASON = schema_example("EmailMarketingSuppression", "reason")
EXAMPLE_TIME = schema_example("EmailMarketingSuppression", "timestamp")


@pytest.fixture
def server():
    with FakeKlaviyoServer() as fake:
        yield fake


@pytest.fixture
def client(server, settings):
    settings.KLAVIYO_TIMEOUT_SECONDS = 5
    return KlaviyoLiveClient(api_key="pk_test_123", test_host=server.url)


# ---- the body we send ----


def test_the_unsubscription_body_is_valid_with_and_without_a_list():
    with_list = payloads.unsubscription_body(
        KlaviyoUnsubscription(email="ada@example.org", list_id="Y6nRLr")
    )
    without_list = payloads.unsubscription_body(KlaviyoUnsubscription(email="ada@example.org"))

    assert schema_errors("list_unsubscribe", with_list) == []
    assert schema_errors("list_unsubscribe", without_list) == []
    assert with_list["data"]["relationships"]["list"]["data"] == {"type": "list", "id": "Y6nRLr"}
    assert "relationships" not in without_list["data"]
    profile = with_list["data"]["attributes"]["profiles"]["data"][0]["attributes"]
    assert profile == {
        "email": "ada@example.org",
        "subscriptions": {"email": {"marketing": {"consent": "UNSUBSCRIBED"}}},
    }


def test_the_schema_refuses_a_wrong_consent_or_a_missing_profile_list():
    body = payloads.unsubscription_body(KlaviyoUnsubscription(email="ada@example.org"))
    profile = body["data"]["attributes"]["profiles"]["data"][0]["attributes"]
    profile["subscriptions"]["email"]["marketing"]["consent"] = "SUBSCRIBED"
    assert schema_errors("list_unsubscribe", body) != []

    del body["data"]["attributes"]["profiles"]
    assert schema_errors("list_unsubscribe", body) != []


def test_an_unsubscription_needs_an_email_address():
    with pytest.raises(InvalidKlaviyoData):
        KlaviyoUnsubscription(email="not an email")


def test_the_filter_asks_for_suppressions_after_the_mark_in_utc():
    since = datetime(2026, 11, 25, 10, 30, 0, 123456, tzinfo=UTC)

    assert payloads.suppressions_filter(since) == (
        "greater-or-equal(subscriptions.email.marketing.suppression.timestamp,"
        "2026-11-25T10:30:00.123456Z)"
    )


# ---- live: the real SDK against the loopback server ----


def test_the_sdk_sends_a_valid_bulk_unsubscribe(server, client):
    client.list_unsubscribe(
        unsubscription=KlaviyoUnsubscription(email="ada@example.org", list_id="Y6nRLr")
    )

    (request,) = server.requests
    assert request.method == "POST"
    assert request.path == "/api/profile-subscription-bulk-delete-jobs"
    assert request.headers["authorization"] == "Klaviyo-API-Key pk_test_123"
    assert request.headers["revision"] == "2026-10-15"
    assert schema_errors("list_unsubscribe", request.body) == []
    # model_validate keeps unset optional fields out: no "phone_number": null.
    profile = request.body["data"]["attributes"]["profiles"]["data"][0]["attributes"]
    assert set(profile) == {"email", "subscriptions"}


def test_a_throttled_unsubscribe_is_retryable_with_retry_after(server, client):
    server.replies.append(Reply(429, THROTTLED, {"Retry-After": "7"}))

    with pytest.raises(KlaviyoError) as raised:
        client.list_unsubscribe(unsubscription=KlaviyoUnsubscription(email="ada@example.org"))

    assert (raised.value.status, raised.value.retryable, raised.value.retry_after) == (
        429,
        True,
        7.0,
    )


def test_the_example_answers_are_valid_get_profiles_responses():
    first = profiles_page(
        [suppressed_profile(email=EXAMPLE_EMAIL, reason=EXAMPLE_REASON, timestamp=EXAMPLE_TIME)],
        next_cursor="bmV4dDo6aWQ6OjQz",
    )

    assert profiles_response_errors(first) == []
    broken = profiles_page([{"type": "profile", "attributes": {"email": EXAMPLE_EMAIL}}])
    assert profiles_response_errors(broken) != []  # a profile needs its links
    assert EXAMPLE_REASON in schema_enum("EmailMarketingSuppression", "reason")


def test_suppressions_walk_two_pages_with_the_cursor(server, client):
    reasons = schema_enum("EmailMarketingSuppression", "reason")
    first = profiles_page(
        [suppressed_profile(email=EXAMPLE_EMAIL, reason=EXAMPLE_REASON, timestamp=EXAMPLE_TIME)],
        next_cursor="bmV4dDo6aWQ6OjQz",
    )
    second = profiles_page(
        [
            suppressed_profile(
                email="matt-kemp@klaviyo-demo.com",
                reason="SPAM_COMPLAINT",
                timestamp="2023-03-01T08:00:00+00:00",
                profile_id="01GDDKASAP8TKDDA2GRZDSVP4J",
            )
        ]
    )
    assert "SPAM_COMPLAINT" in reasons
    for body in (first, second):
        assert profiles_response_errors(body) == []
    server.replies.extend([Reply(200, first), Reply(200, second)])

    page_one = client.suppressions_since(since=SINCE)
    page_two = client.suppressions_since(since=SINCE, cursor=page_one.next_cursor)

    assert page_one.suppressions == (
        KlaviyoSuppression(
            email=EXAMPLE_EMAIL,
            reason=EXAMPLE_REASON,
            suppressed_at=datetime(2023, 2, 21, 20, 7, 38, tzinfo=UTC),
        ),
    )
    assert page_one.next_cursor == "bmV4dDo6aWQ6OjQz"
    assert [(item.email, item.reason) for item in page_two.suppressions] == [
        ("matt-kemp@klaviyo-demo.com", "SPAM_COMPLAINT")
    ]
    assert page_two.next_cursor == ""

    first_request, second_request = server.requests
    assert first_request.method == "GET"
    query = parse_qs(urlsplit(first_request.path).query)
    assert urlsplit(first_request.path).path == "/api/profiles"
    assert query["additional-fields[profile]"] == ["subscriptions"]
    assert query["fields[profile]"] == ["email,subscriptions.email.marketing.suppression"]
    assert query["filter"] == [
        "greater-or-equal(subscriptions.email.marketing.suppression.timestamp,"
        "2023-01-01T00:00:00.000000Z)"
    ]
    assert query["sort"] == ["subscriptions.email.marketing.suppression.timestamp"]
    assert query["page[size]"] == ["100"]
    assert "page[cursor]" not in query
    assert first_request.headers["revision"] == "2026-10-15"
    second_query = parse_qs(urlsplit(second_request.path).query)
    assert second_query["page[cursor]"] == ["bmV4dDo6aWQ6OjQz"]


def test_a_throttled_page_is_retryable_with_retry_after(server, client):
    server.replies.append(Reply(429, THROTTLED, {"Retry-After": "3"}))

    with pytest.raises(KlaviyoError) as raised:
        client.suppressions_since(since=SINCE)

    assert raised.value.status == 429
    assert raised.value.retryable is True
    assert raised.value.retry_after == 3.0
    assert len(server.requests) == 1


def test_only_the_newest_suppression_after_the_mark_and_only_three_fields_are_kept():
    profile = suppressed_profile(email=EXAMPLE_EMAIL, reason="UNSUBSCRIBE", timestamp=EXAMPLE_TIME)
    marketing = profile["attributes"]["subscriptions"]["email"]["marketing"]
    marketing["suppression"] = [
        {"reason": "HARD_BOUNCE", "timestamp": "2022-05-01T00:00:00+00:00"},
        {"reason": "UNSUBSCRIBE", "timestamp": "2023-02-21T20:07:38+00:00"},
        {"reason": "SPAM_COMPLAINT", "timestamp": "2023-02-20T10:00:00+00:00"},
    ]
    profile["attributes"]["first_name"] = "Sarah"
    no_email = suppressed_profile(email=EXAMPLE_EMAIL, reason="UNSUBSCRIBE", timestamp="x")
    del no_email["attributes"]["email"]  # a profile known only by phone number
    old = suppressed_profile(
        email="old@example.org", reason="UNSUBSCRIBE", timestamp="2022-01-01T00:00:00+00:00"
    )
    document = profiles_page([profile, no_email, old])
    assert profiles_response_errors(document) == []

    (found,) = suppressions_from_document(document, since=SINCE)

    assert found == KlaviyoSuppression(
        email=EXAMPLE_EMAIL,
        reason="UNSUBSCRIBE",
        suppressed_at=datetime(2023, 2, 21, 20, 7, 38, tzinfo=UTC),
    )
    assert set(vars(found)) == {"email", "reason", "suppressed_at"}


# ---- local ----


def test_local_suppressions_page_oldest_first_after_the_mark(local_klaviyo):
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for number in range(150):
        local_klaviyo.suppress(f"p{number}@example.org", at=start + timedelta(minutes=number))
    local_klaviyo.suppress("early@example.org", reason="HARD_BOUNCE", at=start - timedelta(days=1))
    gateway = LocalKlaviyo()

    first = gateway.suppressions_since(since=start - timedelta(seconds=1))
    second = gateway.suppressions_since(
        since=start - timedelta(seconds=1), cursor=first.next_cursor
    )

    assert len(first.suppressions) == 100 and first.next_cursor
    assert len(second.suppressions) == 50 and second.next_cursor == ""
    times = [item.suppressed_at for item in first.suppressions + second.suppressions]
    assert times == sorted(times)
    assert "early@example.org" not in {item.email for item in first.suppressions}
    assert local_klaviyo.requests_for("suppressions_since")[0]["filter"].startswith(
        "greater-or-equal(subscriptions.email.marketing.suppression.timestamp,"
    )


def test_local_unsubscribe_suppresses_and_leaves_the_list_and_a_new_subscription_lifts_it(
    local_klaviyo,
):
    gateway = LocalKlaviyo()
    now = datetime.now(UTC)
    gateway.list_subscribe(
        subscription=KlaviyoSubscription(email="ada@example.org", list_id="L1", consented_at=now)
    )

    gateway.list_unsubscribe(
        unsubscription=KlaviyoUnsubscription(email="ada@example.org", list_id="L1")
    )
    gateway.list_unsubscribe(
        unsubscription=KlaviyoUnsubscription(email="ada@example.org", list_id="L1")
    )

    assert local_klaviyo.profiles["ada@example.org"].lists == set()
    assert local_klaviyo.suppressions["ada@example.org"].reason == "UNSUBSCRIBE"
    assert local_klaviyo.unsubscriptions == ["ada@example.org", "ada@example.org"]
    for body in local_klaviyo.requests_for("list_unsubscribe"):
        assert schema_errors("list_unsubscribe", body) == []

    gateway.list_subscribe(
        subscription=KlaviyoSubscription(email="ada@example.org", list_id="L1", consented_at=now)
    )
    assert "ada@example.org" not in local_klaviyo.suppressions


def test_a_bounce_stays_suppressed_after_a_new_subscription(local_klaviyo):
    local_klaviyo.suppress("ada@example.org", reason="HARD_BOUNCE")

    LocalKlaviyo().list_subscribe(
        subscription=KlaviyoSubscription(
            email="ada@example.org", list_id="L1", consented_at=datetime.now(UTC)
        )
    )

    assert local_klaviyo.suppressions["ada@example.org"].reason == "HARD_BOUNCE"


def test_local_failures_can_be_scripted_for_the_new_operations(local_klaviyo):
    local_klaviyo.fail_next("suppressions_since", status=429, retry_after=5)

    with pytest.raises(KlaviyoError) as raised:
        LocalKlaviyo().suppressions_since(since=SINCE)

    assert raised.value.retry_after == 5
    assert LocalKlaviyo().suppressions_since(since=SINCE).suppressions == ()
