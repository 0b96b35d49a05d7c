"""The live adapter against Typeform's Responses API, served by `responses` with bodies
built from the documented field names: the request it makes (path, bearer token, query),
what it reads back, the bounded retries and the errors it raises."""

import pytest
import requests
import responses
from django.test import override_settings

from integrations.typeform.live import TypeformLiveClient
from integrations.typeform.types import TypeformError
from tests.integrations.typeform.support import answer, form_response

URL = "https://api.typeform.com/forms/tfForm01/responses"


def _item(token: str, submitted_at: str, **extra):
    item = form_response(token=token, submitted_at=submitted_at, **extra)
    # API items carry response_id next to token and no form_id or definition.
    item.pop("form_id")
    item.pop("definition")
    item["response_id"] = token
    item["metadata"] = {"platform": "other", "referer": "https://form.typeform.com/to/tfForm01"}
    return item


def _client(**kwargs):
    with override_settings(TYPEFORM_MAX_ATTEMPTS=3, TYPEFORM_TIMEOUT_SECONDS=4):
        return TypeformLiveClient(api_token="tfp_test", backoff_seconds=0, **kwargs)


@responses.activate
def test_reads_a_page_of_responses_with_the_bearer_token_and_filters():
    responses.get(
        URL,
        json={
            "total_items": 2,
            "page_count": 1,
            "items": [
                _item("tokB", "2026-12-02T09:00:00Z", hidden={"booking": "refB"}),
                _item(
                    "tokA",
                    "2026-12-01T09:00:00Z",
                    answers=[answer("first", "boolean", False)],
                ),
                {"token": "tokC", "landed_at": "2026-12-01T08:00:00Z", "answers": []},
            ],
        },
    )

    page = _client().responses(form_id="tfForm01", before="tokZ", tokens=("tokA", "tokB"))

    assert [item.token for item in page.items] == ["tokB", "tokA"]  # tokC: not submitted
    assert page.items[0].hidden == {"booking": "refB"}
    assert page.items[0].form_id == "tfForm01"
    assert page.items[1].answers[0].value is False
    assert (page.total_items, page.page_count) == (2, 1)
    call = responses.calls[0].request
    assert call.headers["Authorization"] == "Bearer tfp_test"
    assert call.params == {
        "page_size": "25",
        "completed": "true",
        "sort": "submitted_at,desc",
        "before": "tokZ",
        "included_response_ids": "tokA,tokB",
    }


@responses.activate
def test_retries_429_and_5xx_then_succeeds():
    responses.get(URL, status=429, headers={"Retry-After": "0"})
    responses.get(URL, status=503)
    responses.get(URL, json={"total_items": 0, "page_count": 0, "items": []})

    page = _client().responses(form_id="tfForm01")

    assert page.items == ()
    assert len(responses.calls) == 3


@responses.activate
def test_gives_up_after_the_bounded_attempts():
    responses.get(URL, status=500)

    with pytest.raises(TypeformError) as raised:
        _client().responses(form_id="tfForm01")

    assert raised.value.retryable and raised.value.status == 500
    assert len(responses.calls) == 3


@responses.activate
def test_a_client_error_is_not_retried():
    responses.get(URL, status=401, json={"code": "AUTHENTICATION_FAILED"})

    with pytest.raises(TypeformError) as raised:
        _client().responses(form_id="tfForm01")

    assert not raised.value.retryable and raised.value.status == 401
    assert len(responses.calls) == 1


@responses.activate
def test_a_network_error_is_retried_then_reported():
    responses.get(URL, body=requests.ConnectionError("refused"))

    with pytest.raises(TypeformError, match="could not be reached"):
        _client().responses(form_id="tfForm01")

    assert len(responses.calls) == 3


def test_the_form_link_carries_hidden_fields_in_the_fragment():
    url = _client().form_url(form_id="tfForm01", hidden={"booking": "a:b"})

    assert url == "https://form.typeform.com/to/tfForm01#booking=a%3Ab"


def test_no_token_is_refused():
    with override_settings(TYPEFORM_API_TOKEN=""), pytest.raises(TypeformError):
        TypeformLiveClient()
