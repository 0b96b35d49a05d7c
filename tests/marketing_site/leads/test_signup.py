"""Sign-up from the marketing site: the allauth hook links the lead and counts it."""

import pytest
from django.urls import reverse

from marketing_site.leads.attribution import LEAD_COOKIE, lead_cookie_value
from marketing_site.leads.models import Lead
from tests.marketing_site.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a calm river at dawn 42"


def _sign_up(client, email):
    return client.post(
        reverse("account_signup") + "?next=/newsletter/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_signing_up_with_the_leads_email_links_it(
    client, local_klaviyo, django_capture_on_commit_callbacks
):
    lead = LeadFactory(email="ada@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_up(client, "ada@example.org")

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.user is not None and lead.user.email == "ada@example.org"
    assert lead.signed_up_at is not None
    names = [
        body["data"]["attributes"]["metric"]["data"]["attributes"]["name"]
        for body in local_klaviyo.requests_for("event_create")
    ]
    assert "Signed Up" in names


def test_signing_up_with_another_email_links_the_browsers_lead(client):
    lead = LeadFactory(email="ada.personal@example.org")
    client.cookies[LEAD_COOKIE] = lead_cookie_value(str(lead.public_id))

    _sign_up(client, "ada.work@example.org")

    lead.refresh_from_db()
    assert lead.user.email == "ada.work@example.org"


def test_a_forged_lead_cookie_links_nothing(client):
    lead = LeadFactory(email="ada.personal@example.org")
    client.cookies[LEAD_COOKIE] = str(lead.public_id)

    _sign_up(client, "mallory@example.org")

    assert Lead.objects.get().user is None
