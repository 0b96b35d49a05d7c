"""One input-hygiene layer for the API and the webhooks (decision 0022): NUL bytes, JSON
nesting, body size and integer ranges are 400/413 JSON before any view or query sees
them, and the library's modality filter works with a search. Each test reproduces an
input that answered 500 (or was silently accepted) before."""

import json

import pytest
from django.core.exceptions import RequestDataTooBig
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient

from config.middleware import InputHygieneMiddleware
from config.parsers import MAX_JSON_DEPTH
from tests.accounts.factories import UserFactory
from tests.cms.courses.factories import EnrolmentFactory, short_course
from tests.cms.library.factories import LibraryItemFactory, TopicFactory, library_index
from tests.marketplace.practitioners.factories import ModalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def signed_in(api):
    user = UserFactory()
    api.force_authenticate(user)
    api.user = user
    return api


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert body["detail"]


# ---------- library: the modality filter with a search, NUL in a filter ----------


@pytest.fixture
def library():
    yoga = ModalityFactory(name="Yoga therapy", slug="yoga-therapy")
    index = library_index()
    LibraryItemFactory(title="Gentle yoga for backs", modality=yoga, parent=index)
    LibraryItemFactory(title="Yoga nidra audio", parent=index)
    return index


def test_a_search_with_a_modality_filter_answers_over_the_api(api, library):
    response = api.get("/api/v1/library/", {"q": "yoga", "modality": "yoga-therapy"})

    assert response.status_code == 200
    assert [item["title"] for item in response.json()["results"]] == ["Gentle yoga for backs"]


def test_a_search_with_a_modality_filter_answers_on_the_page(client, library):
    response = client.get("/library/", {"q": "yoga", "modality": "yoga-therapy"})

    assert response.status_code == 200
    assert b"Gentle yoga for backs" in response.content
    assert b"Yoga nidra audio" not in response.content


def test_a_nul_in_a_library_filter_is_a_400_over_the_api(api, library):
    TopicFactory(slug="sleep")

    response = api.get("/api/v1/library/?topic=%00")

    _assert_error(response, 400, "invalid")


@pytest.mark.parametrize("name", ["topic", "modality"])
def test_a_nul_in_a_library_filter_is_an_unknown_filter_on_the_page(client, library, name):
    response = client.get(f"/library/?{name}=a%00b")

    assert response.status_code == 200
    assert b"Gentle yoga for backs" in response.content


# ---------- NUL bytes in the query string, the path and the body ----------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/practitioners/?q=%00",
        "/api/v1/practitioners/?modality=yoga%00",
        "/api/v1/credit-packs/?x%00=1",
        "/webhooks/stripe/?source=%00",
    ],
)
def test_a_nul_in_the_query_string_is_a_400(api, url):
    _assert_error(api.get(url), 400, "invalid")


@pytest.mark.parametrize("url", ["/api/v1/certificates/AB%00CD/", "/webhooks/kyc%00/"])
def test_a_nul_in_the_path_names_nothing(api, url):
    _assert_error(api.get(url), 404, "not_found")


def test_a_nul_token_is_not_accepted_at_invite_accept(signed_in):
    response = signed_in.post(
        "/api/v1/partners/invites/accept/", {"token": "abc\x00def"}, format="json"
    )

    _assert_error(response, 400, "invalid")


def test_a_nul_in_a_form_body_is_a_400(signed_in):
    response = signed_in.post(
        "/api/v1/partners/vouchers/redeem/",
        "code=AB%00CD",
        content_type="application/x-www-form-urlencoded",
    )

    _assert_error(response, 400, "invalid")


def test_a_nul_in_a_json_key_is_a_400(api):
    body = '{"email": "a@example.org", "consent": true, "consent_text": "ok", "x\\u0000": 1}'

    response = api.post("/api/v1/leads/", body, content_type="application/json")

    _assert_error(response, 400, "invalid")


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(api):
    """`\\\\u0000` in JSON is a backslash followed by the letters u0000: allowed."""
    body = json.dumps({"email": "a@example.org", "consent": True, "consent_text": "\\u0000"})

    response = api.post("/api/v1/leads/", body, content_type="application/json")

    assert response.status_code == 202


# ---------- JSON nesting ----------


def test_deeply_nested_json_to_leads_is_a_400(api):
    body = '{"email": "a@example.org", "consent": true, "consent_text": "ok", "x": '
    body += _nested(5000) + "}"

    response = api.post("/api/v1/leads/", body, content_type="application/json")

    _assert_error(response, 400, "parse_error")


def test_deeply_nested_json_to_lesson_progress_is_a_400(signed_in):
    course, text, _quiz = short_course()
    EnrolmentFactory(user=signed_in.user, course=course)

    response = signed_in.post(
        f"/api/v1/lessons/{text.pk}/progress/", _nested(5000), content_type="application/json"
    )

    _assert_error(response, 400, "parse_error")


def test_nesting_past_the_limit_but_within_pythons_recursion_is_a_400(api):
    """Deep enough to parse, too deep to pass the limit: measured, not just caught."""
    body = _nested(MAX_JSON_DEPTH + 1)

    response = api.post("/api/v1/leads/", body, content_type="application/json")

    _assert_error(response, 400, "parse_error")


def test_nesting_at_the_limit_is_parsed(api):
    inner = '{"a": ' * (MAX_JSON_DEPTH - 2) + "1" + "}" * (MAX_JSON_DEPTH - 2)
    body = f'{{"email": "a@example.org", "consent": true, "consent_text": "ok", "x": {inner}}}'

    response = api.post("/api/v1/leads/", body, content_type="application/json")

    assert response.status_code == 202


# ---------- body size ----------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2048)
@pytest.mark.parametrize(
    "path", ["/webhooks/stripe/", "/webhooks/kyc/", "/webhooks/contentful/", "/api/v1/leads/"]
)
def test_a_body_over_the_upload_limit_is_a_413_json(api, path):
    response = api.post(path, b"{" + b" " * 4096 + b"}", content_type="application/json")

    _assert_error(response, 413, "payload_too_large")


def test_a_body_over_the_default_upload_limit_is_a_413_json_at_the_stripe_webhook(api, settings):
    body = b"{" + b" " * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b"}"

    response = api.post("/webhooks/stripe/", body, content_type="application/json")

    _assert_error(response, 413, "payload_too_large")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2048)
def test_a_body_that_grows_past_its_declared_length_is_a_413_json():
    request = RequestFactory().post("/webhooks/stripe/", b"{}", content_type="application/json")
    middleware = InputHygieneMiddleware(lambda request: None)

    response = middleware.process_exception(request, RequestDataTooBig("too big"))

    assert response.status_code == 413
    assert json.loads(response.content)["code"] == "payload_too_large"


# ---------- integer ranges ----------


@pytest.mark.parametrize(
    "query",
    [
        "limit=99999999999999999999",
        "limit=0",
        "limit=201",
        "offset=99999999999999999999",
        "offset=1000001",
        "offset=-1",
    ],
)
def test_credits_pagination_out_of_range_is_a_400(signed_in, query):
    response = signed_in.get(f"/api/v1/credits/?{query}")

    _assert_error(response, 400, "invalid_pagination")


def test_credits_pagination_in_range_answers(signed_in):
    response = signed_in.get("/api/v1/credits/?limit=200&offset=1000000")

    assert response.status_code == 200
    assert response.json()["entries"] == []


@pytest.mark.parametrize("service", ["9223372036854775808", "99999999999999999999", "0"])
def test_an_id_filter_out_of_range_is_a_400(api, service):
    response = api.get(
        "/api/v1/practitioners/someone/slots/",
        {"service": service, "start": "2030-01-07T09:00:00Z", "end": "2030-01-08T09:00:00Z"},
    )

    _assert_error(response, 400, "invalid")


# ---------- errors raised outside our views are JSON too ----------


def test_an_api_path_that_matches_no_route_is_a_404_json(api):
    _assert_error(api.post("/api/v1/bookings/AAA/cancel/"), 404, "not_found")


def test_a_wrong_method_on_a_webhook_is_a_405_json_that_keeps_allow(api):
    response = api.get("/webhooks/stripe/")

    _assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "POST"
