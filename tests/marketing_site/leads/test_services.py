"""Lead services: one row per person, consent and attribution kept right, double opt-in,
linking a sign-up, and what goes to Klaviyo."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from marketing_site.leads.attribution import Attribution
from marketing_site.leads.models import KlaviyoFailure, Lead
from marketing_site.leads.services import (
    klaviyo_failure_record,
    lead_capture,
    lead_confirm,
    lead_link_signup,
)
from tests.accounts.factories import UserFactory
from tests.integrations.klaviyo.support import schema_errors
from tests.marketing_site.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

INSTAGRAM = Attribution(
    first_touch={"utm_source": "instagram", "utm_campaign": "spring", "landing_page": "/"},
    last_touch={"utm_source": "instagram", "utm_campaign": "spring", "landing_page": "/"},
)
GOOGLE = Attribution(
    first_touch={"referrer": "https://www.google.com/", "landing_page": "/blog/"},
    last_touch={"referrer": "https://www.google.com/", "landing_page": "/blog/"},
)


def _capture(**changes):
    values = {
        "email": "ada@example.org",
        "consent_text": "Email me.",
        "is_consent_given": True,
        "attribution": INSTAGRAM,
        "name": "Ada",
        "source_page": "/newsletter/",
    }
    return lead_capture(**{**values, **changes})


def test_capture_creates_one_lead_then_updates_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _capture()
        again = _capture(email=" ADA@example.org ", name="Ada L.", attribution=GOOGLE)

    assert first.created is True and again.created is False
    lead = Lead.objects.get()
    assert (lead.email, lead.name, lead.submission_count) == ("ada@example.org", "Ada L.", 2)
    assert (lead.source, lead.campaign) == ("instagram", "spring")  # first touch stays
    assert lead.referrer == "https://www.google.com/"  # last touch moves
    assert lead.utm_source == ""
    assert len(mail.outbox) == 1


def test_source_falls_back_to_the_referring_host_then_direct():
    assert _capture(attribution=GOOGLE).lead.source == "google.com"
    assert _capture(email="b@example.org", attribution=Attribution()).lead.source == "direct"


def test_consent_text_and_time_are_stored_only_when_given():
    lead = _capture(is_consent_given=False).lead

    assert (lead.consent_text, lead.consent_given_at) == ("", None)
    assert mail.outbox == []

    lead = _capture(consent_text="Email me weekly.").lead
    assert lead.consent_text == "Email me weekly."
    assert lead.consent_given_at is not None


def test_a_new_confirmation_is_sent_after_ten_minutes(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _capture()
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        with django_capture_on_commit_callbacks(execute=True):
            _capture()

    assert len(mail.outbox) == 2


def test_confirmed_leads_get_no_more_confirmation_emails(django_capture_on_commit_callbacks):
    lead = LeadFactory(email="ada@example.org", confirmed_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        _capture()

    assert mail.outbox == []
    lead.refresh_from_db()
    assert lead.confirmed_at is not None


def test_capture_syncs_a_schema_valid_profile_and_one_lead_captured_event(
    local_klaviyo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _capture()
        _capture()

    profiles = local_klaviyo.requests_for("profile_upsert")
    events = local_klaviyo.requests_for("event_create")
    assert len(profiles) == 2
    assert all(schema_errors("profile_upsert", body) == [] for body in profiles)
    assert all(schema_errors("event_create", body) == [] for body in events)
    assert len(local_klaviyo.profiles["ada@example.org"].events) == 1  # deduped by unique_id
    attributes = profiles[0]["data"]["attributes"]
    assert attributes["properties"]["utm_source"] == "instagram"
    assert attributes["first_name"] == "Ada"


def test_confirm_is_once_and_subscribes_with_the_consent_time(
    local_klaviyo, django_capture_on_commit_callbacks
):
    lead = LeadFactory(email="ada@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        assert lead_confirm(lead=lead) is True
        assert lead_confirm(lead=lead) is False

    (body,) = local_klaviyo.requests_for("list_subscribe")
    assert schema_errors("list_subscribe", body) == []
    consent = body["data"]["attributes"]["profiles"]["data"][0]["attributes"]["subscriptions"]
    assert consent["email"]["marketing"]["consented_at"] == lead.consent_given_at.isoformat()


def test_no_list_configured_means_no_subscription(
    settings, local_klaviyo, django_capture_on_commit_callbacks
):
    settings.KLAVIYO_LIST_ID = ""

    with django_capture_on_commit_callbacks(execute=True):
        lead_confirm(lead=LeadFactory())

    assert local_klaviyo.requests_for("list_subscribe") == []


def test_sign_up_links_the_lead_with_the_same_email(
    local_klaviyo, django_capture_on_commit_callbacks
):
    lead = LeadFactory(email="ada@example.org")
    user = UserFactory(email="ada@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        linked = lead_link_signup(user=user)

    lead.refresh_from_db()
    assert linked == lead
    assert lead.user == user and lead.signed_up_at is not None
    events = [
        body["data"]["attributes"]["metric"]["data"]["attributes"]["name"]
        for body in local_klaviyo.requests_for("event_create")
    ]
    assert events == ["Signed Up"]


def test_sign_up_with_another_email_links_the_browsers_lead():
    lead = LeadFactory(email="ada.personal@example.org")
    user = UserFactory(email="ada.work@example.org")

    lead_link_signup(user=user, lead_public_id=str(lead.public_id))

    lead.refresh_from_db()
    assert lead.user == user


def test_a_lead_already_linked_to_someone_else_is_not_taken():
    owner = UserFactory()
    lead = LeadFactory(email="ada@example.org", user=owner, signed_up_at=timezone.now())

    assert lead_link_signup(user=UserFactory(), lead_public_id=str(lead.public_id)) is None
    lead.refresh_from_db()
    assert lead.user == owner


def test_sign_up_without_a_lead_still_syncs_the_member(
    local_klaviyo, django_capture_on_commit_callbacks
):
    user = UserFactory(email="new@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        assert lead_link_signup(user=user) is None

    assert len(local_klaviyo.requests_for("profile_upsert")) == 1
    assert len(local_klaviyo.requests_for("event_create")) == 1


def test_failure_record():
    failure = klaviyo_failure_record(
        operation="event_create", email="a@example.org", label="Signed Up", error="x" * 5000,
        attempts=6,
    )  # fmt: skip

    assert KlaviyoFailure.objects.get() == failure
    assert len(failure.error) == 2000
