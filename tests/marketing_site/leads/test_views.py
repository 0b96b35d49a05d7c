"""The lead form on a page, end to end over HTTP: submit, duplicates, spam and malformed
posts (clear errors, never a 500), the thank-you page and the double opt-in link."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from marketing_site.leads.attribution import ATTRIBUTION_COOKIE, LEAD_COOKIE
from marketing_site.leads.blocks import DEFAULT_CONSENT_TEXT
from marketing_site.leads.forms import form_token_for
from marketing_site.leads.models import Lead
from marketing_site.leads.tokens import confirmation_token_for
from tests.marketing_site.leads.factories import LeadFactory, newsletter_page

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"https?://\S+/leads/confirm/[^/\s]+/")


def _form_fields(client, path="/newsletter/") -> dict[str, str]:
    html = client.get(path).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    source = re.search(r'name="source_page" value="([^"]*)"', html).group(1)
    return {"form_token": token, "source_page": source}


def _submit(client, **fields):
    return client.post(reverse("leads:submit"), fields)


@pytest.fixture
def page():
    return newsletter_page()


def test_the_page_shows_the_form_with_the_consent_text_verbatim(client, page):
    response = client.get("/newsletter/")

    html = response.content.decode()
    assert response.status_code == 200
    assert escape(DEFAULT_CONSENT_TEXT) in html
    assert f'action="{reverse("leads:submit")}"' in html
    assert "csrfmiddlewaretoken" not in html  # the form posts to the CSRF-exempt endpoint


def test_a_submission_creates_the_lead_and_sends_the_confirmation(
    client, page, local_klaviyo, django_capture_on_commit_callbacks
):
    client.get("/newsletter/?utm_source=Instagram&utm_medium=social&utm_campaign=spring")
    fields = _form_fields(client)
    client.handler.enforce_csrf_checks = True

    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(
            client, email="Ada@Example.org", name="Ada Lovelace", consent="on", **fields
        )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("leads:thanks"))
    lead = Lead.objects.get()
    assert lead.email == "ada@example.org"
    assert lead.name == "Ada Lovelace"
    assert lead.consent_text == DEFAULT_CONSENT_TEXT
    assert lead.consent_given_at is not None
    assert lead.confirmed_at is None
    assert lead.interest == "newsletter"
    assert lead.source_page == "/newsletter/"
    assert (lead.source, lead.campaign) == ("instagram", "spring")
    assert (lead.utm_source, lead.utm_medium) == ("Instagram", "social")
    assert lead.first_touch["landing_page"] == "/newsletter/"
    assert LEAD_COOKIE in response.cookies
    (message,) = mail.outbox
    assert message.to == ["ada@example.org"]
    assert CONFIRM_LINK.search(message.body)
    assert DEFAULT_CONSENT_TEXT in message.body
    # Synced: profile and one "Lead Captured", no list subscription before opt-in.
    assert len(local_klaviyo.requests_for("profile_upsert")) == 1
    (event,) = local_klaviyo.requests_for("event_create")
    assert event["data"]["attributes"]["metric"]["data"]["attributes"]["name"] == "Lead Captured"
    assert local_klaviyo.requests_for("list_subscribe") == []


def test_a_second_submission_updates_the_same_lead(
    client, page, django_capture_on_commit_callbacks
):
    fields = _form_fields(client)
    with django_capture_on_commit_callbacks(execute=True):
        _submit(client, email="ada@example.org", name="Ada", consent="on", **fields)
    client.get("/newsletter/?utm_source=google&utm_campaign=winter")

    with django_capture_on_commit_callbacks(execute=True):
        _submit(client, email="ADA@example.org", name="Ada Lovelace", consent="on", **fields)

    lead = Lead.objects.get()
    assert lead.name == "Ada Lovelace"
    assert lead.submission_count == 2
    assert lead.utm_campaign == "winter"
    assert lead.source == "direct"  # first touch is kept
    assert len(mail.outbox) == 1  # no second confirmation within ten minutes


def test_the_thank_you_page_links_to_sign_up_and_sign_in_with_next(client, page):
    response = client.get(reverse("leads:thanks") + "?from=/newsletter/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/accounts/signup/?next=%2Fnewsletter%2F" in html
    assert "/accounts/login/?next=%2Fnewsletter%2F" in html


def test_the_thank_you_page_ignores_an_outside_address(client):
    response = client.get(reverse("leads:thanks") + "?from=https://evil.example/")

    assert "evil.example" not in response.content.decode()


def test_the_honeypot_looks_like_success_and_stores_nothing(client, page, local_klaviyo):
    fields = _form_fields(client)

    response = _submit(
        client, email="bot@example.org", consent="on", website="http://spam.example", **fields
    )

    assert response.status_code == 302
    assert not Lead.objects.exists()
    assert mail.outbox == []
    assert local_klaviyo.requests == []


def test_the_rate_limit_answers_429_with_a_clear_message(client, page, settings):
    settings.LEADS_RATE_LIMIT = "2/10m"
    fields = _form_fields(client)
    for number in range(2):
        assert (
            _submit(client, email=f"p{number}@example.org", consent="on", **fields).status_code
            == 302
        )

    response = _submit(client, email="p3@example.org", consent="on", **fields)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many sign-ups" in response.content.decode()
    assert Lead.objects.count() == 2


def test_other_addresses_are_not_limited(client, page, settings):
    settings.LEADS_RATE_LIMIT = "1/10m"
    fields = _form_fields(client)
    _submit(client, email="a@example.org", consent="on", **fields)

    response = client.post(
        reverse("leads:submit"),
        {"email": "b@example.org", "consent": "on", **fields},
        REMOTE_ADDR="10.0.0.9",
    )

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "", "consent": "on"}, "Enter your email address."),
        ({"email": "not an email", "consent": "on"}, "Enter an email address like"),
        ({"email": "ada@example.org"}, "Tick the box to agree"),
        ({"email": "a" * 300 + "@example.org", "consent": "on"}, "at most 254"),
    ],
)
def test_invalid_fields_show_clear_errors(client, page, fields, message):
    response = _submit(client, **fields, **_form_fields(client))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert escape(DEFAULT_CONSENT_TEXT) in response.content.decode()  # the form is shown again
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    "token", ["", "garbage", form_token_for(consent_text="x", interest="", button_label="b",
                                            heading="h") + "tampered"]
)  # fmt: skip
def test_a_missing_or_forged_form_token_is_refused(client, page, token):
    response = _submit(client, email="ada@example.org", consent="on", form_token=token)

    assert response.status_code == 400
    assert "out of date" in response.content.decode()
    assert not Lead.objects.exists()


def test_odd_requests_never_fail(client, page):
    assert client.get(reverse("leads:submit")).status_code == 405
    assert (
        client.post(reverse("leads:submit"), "{]", content_type="application/json").status_code
        == 400
    )
    assert client.post(reverse("leads:submit"), {"email": ["a@b.co", "c@d.co"]}).status_code == 400
    assert client.post(reverse("leads:submit"), {"source_page": "//evil"}).status_code == 400


def test_a_foreign_source_page_is_not_stored(client, page):
    fields = _form_fields(client)
    fields["source_page"] = "https://evil.example/"

    _submit(client, email="ada@example.org", consent="on", **fields)

    assert Lead.objects.get().source_page == ""


def test_the_confirmation_link_asks_then_confirms_and_subscribes(
    client, local_klaviyo, django_capture_on_commit_callbacks
):
    lead = LeadFactory(email="ada@example.org")
    url = reverse("leads:confirm", kwargs={"token": confirmation_token_for(lead)})

    shown = client.get(url)
    assert shown.status_code == 200
    assert "Confirm my email" in shown.content.decode()
    lead.refresh_from_db()
    assert lead.confirmed_at is None  # a mail scanner opening the link confirms nothing

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(url)

    assert confirmed.status_code == 200
    assert "You are subscribed" in confirmed.content.decode()
    lead.refresh_from_db()
    assert lead.confirmed_at is not None
    (subscription,) = local_klaviyo.requests_for("list_subscribe")
    assert subscription["data"]["relationships"]["list"]["data"]["id"] == "LIST123"
    assert local_klaviyo.profiles["ada@example.org"].lists == {"LIST123"}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert len(local_klaviyo.requests_for("list_subscribe")) == 1
    assert "You are subscribed" in client.get(url).content.decode()


def test_a_bad_or_stale_confirmation_link_is_a_clear_404(client):
    lead = LeadFactory(email="ada@example.org")
    token = confirmation_token_for(lead)
    lead.email = "other@example.org"
    lead.save()

    for bad in (token, "nonsense", token[:-3] + "abc"):
        response = client.get(reverse("leads:confirm", kwargs={"token": bad}))
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()


def test_attribution_cookie_is_set_only_for_utm_or_external_referrers(client, page):
    assert ATTRIBUTION_COOKIE not in client.get("/newsletter/").cookies
    assert (
        ATTRIBUTION_COOKIE
        not in client.get("/newsletter/", HTTP_REFERER="http://testserver/").cookies
    )
    assert (
        ATTRIBUTION_COOKIE
        in client.get("/newsletter/", HTTP_REFERER="https://www.google.com/search?q=aeyia").cookies
    )
    assert ATTRIBUTION_COOKIE in client.get("/newsletter/?utm_source=x").cookies
