"""POST /api/v1/leads/: 202 for every accepted submission, {"code", "detail"} errors,
429 when rate-limited, never a 500."""

import pytest
from django.core import mail

from marketing_site.leads.models import Lead

pytestmark = pytest.mark.django_db

URL = "/api/v1/leads/"
VALID = {
    "email": "ada@example.org",
    "name": "Ada",
    "consent": True,
    "consent_text": "Email me the app's newsletter.",
    "interest": "app",
    "utm_source": "app-store",
    "utm_campaign": "launch",
}


def test_a_lead_is_accepted_and_stored_with_what_the_app_showed(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, VALID, content_type="application/json")

    assert response.status_code == 202
    assert response.json() == {"status": "received"}
    lead = Lead.objects.get()
    assert lead.consent_text == "Email me the app's newsletter."
    assert (lead.source, lead.campaign, lead.interest) == ("app-store", "launch", "app")
    assert len(mail.outbox) == 1


def test_a_duplicate_updates_the_one_lead_and_answers_the_same(client):
    client.post(URL, VALID, content_type="application/json")

    response = client.post(
        URL,
        {**VALID, "email": "ADA@example.org", "name": "Ada L."},
        content_type="application/json",
    )

    assert response.status_code == 202
    assert response.json() == {"status": "received"}
    assert Lead.objects.get().name == "Ada L."


def test_no_csrf_token_is_needed(client):
    client.handler.enforce_csrf_checks = True

    assert client.post(URL, VALID, content_type="application/json").status_code == 202


def test_the_honeypot_answers_like_success_and_stores_nothing(client):
    response = client.post(
        URL, {**VALID, "website": "http://spam"}, content_type="application/json"
    )

    assert response.status_code == 202
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**VALID, "email": "nope"}, "email"),
        ({**VALID, "consent": False}, "consent"),
        ({k: v for k, v in VALID.items() if k != "consent_text"}, "consent_text"),
        ({**VALID, "utm_source": "x" * 500}, "utm_source"),
    ],
)
def test_invalid_fields_are_400_with_the_field_named(client, body, field):
    response = client.post(URL, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert isinstance(response.json()["fields"][field][0], str)
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ('"just a string"', "application/json"),
        ("", "application/json"),
        ("email=a@b.co", "text/plain"),
    ],
)
def test_malformed_bodies_are_400_or_415_never_500(client, body, content_type):
    response = client.post(URL, body, content_type=content_type)

    assert response.status_code in (400, 415)
    assert set(response.json()) >= {"code", "detail"}


def test_other_methods_are_405(client):
    assert client.get(URL).status_code == 405


def test_rate_limited_is_429_with_retry_after(client, settings):
    settings.LEADS_RATE_LIMIT = "2/m"
    for number in range(2):
        client.post(
            URL, {**VALID, "email": f"p{number}@example.org"}, content_type="application/json"
        )

    response = client.post(URL, VALID, content_type="application/json")

    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 0 < int(response["Retry-After"]) <= 60
