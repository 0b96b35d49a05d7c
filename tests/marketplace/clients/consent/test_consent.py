"""Consent: versions frozen on publish with their SHA-256, typed-name signatures with
their evidence, a new version or a withdrawal asking again before the next booking
(service, page and API), and the audit rows."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils.http import urlencode

from accounts.roles import Role
from commerce.bookings.models import Booking
from commerce.bookings.services import booking_hold
from marketplace.clients.consent.errors import ConsentInvalid, ConsentRequired
from marketplace.clients.consent.models import (
    ConsentKind,
    ConsentSignature,
    ConsentVersion,
    ConsentVersionIsImmutable,
    text_sha256,
)
from marketplace.clients.consent.selectors import consent_missing_for
from marketplace.clients.consent.services import (
    consent_sign,
    consent_withdraw,
    typed_name_matches,
)
from privacy.models import AuditEntry
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.booking_setup import bookable_service, slot
from tests.marketplace.clients.care_setup import api_as, publish_consent, raw_rows

pytestmark = pytest.mark.django_db

TREATMENT = ConsentKind.TREATMENT
TELEHEALTH = ConsentKind.TELEHEALTH


def jane():
    return UserFactory(roles=[Role.CLIENT], first_name="Jane", last_name="Doe")


def sign(client, version, name="Jane Doe"):
    return consent_sign(
        client=client,
        version=version,
        typed_name=name,
        ip_address="203.0.113.9",
        user_agent="TestBrowser/1.0",
    )


# ---------- versions ----------


def test_publishing_freezes_numbered_versions_with_the_hash_of_their_text():
    staff = UserFactory(is_staff=True, is_superuser=True)
    first = publish_consent(TREATMENT, user=staff)
    assert (first.number, first.kind) == (1, TREATMENT)
    assert first.sha256 == text_sha256(title=first.title, body=first.body)
    assert first.published_by == staff

    # Publishing the same text again asks nobody to sign again.
    assert publish_consent(TREATMENT) == first
    assert ConsentVersion.objects.count() == 1

    second = publish_consent(TREATMENT, body="New terms: cancellations need 24 hours.")
    assert second.number == 2 and second.sha256 != first.sha256
    assert second.body == "New terms: cancellations need 24 hours."
    first.refresh_from_db()
    assert first.body == "You agree to the treatment terms."  # the old words are kept


def test_a_version_is_never_changed_or_deleted():
    version = publish_consent(TREATMENT)
    version.body = "Something else"
    with pytest.raises(ConsentVersionIsImmutable):
        version.save()
    with pytest.raises(ConsentVersionIsImmutable):
        ConsentVersion.objects.filter(pk=version.pk).update(body="x")
    with pytest.raises(ConsentVersionIsImmutable):
        version.delete()


def test_a_draft_asks_for_nothing_until_published():
    from marketplace.clients.consent.models import ConsentDocument

    document = ConsentDocument.objects.create(
        kind=TREATMENT, title="Treatment agreement", body="Draft", live=False
    )
    document.save_revision()
    assert ConsentVersion.objects.count() == 0
    assert consent_missing_for(client=jane(), online=True) == []


# ---------- signatures ----------


@pytest.mark.parametrize(
    ("typed", "matches"),
    [
        ("Jane Doe", True),
        ("  jane   DOE ", True),
        ("Doe, Jane", True),
        ("Jane Q. Doe", True),
        ("Jane", False),
        ("John Doe", False),
        ("", False),
    ],
)
def test_the_typed_name_must_loosely_match_the_account_name(typed, matches):
    assert typed_name_matches(typed=typed, user=jane()) is matches


def test_accents_and_apostrophes_do_not_matter():
    user = UserFactory(first_name="Zoë", last_name="O'Brien")
    assert typed_name_matches(typed="zoe obrien", user=user)


def test_a_signature_keeps_its_evidence_and_the_name_encrypted():
    client = jane()
    version = publish_consent(TREATMENT)
    signature = sign(client, version, name="Jane Canary-Qx7 Doe")

    signature.refresh_from_db()
    assert signature.action == "signed"
    assert signature.version == version and signature.kind == TREATMENT
    assert signature.text_sha256 == version.sha256
    assert signature.ip_address == "203.0.113.9"
    assert signature.user_agent == "TestBrowser/1.0"
    assert signature.typed_name == "Jane Canary-Qx7 Doe"
    assert signature.created_at is not None
    assert "Canary-Qx7" not in raw_rows("consent_consentsignature")

    entry = AuditEntry.objects.get(action="sign")
    assert (entry.actor_id, entry.subject_user_id, entry.object_id) == (
        client.pk,
        client.pk,
        str(signature.pk),
    )


def test_a_wrong_name_is_refused_and_nothing_is_stored():
    version = publish_consent(TREATMENT)
    with pytest.raises(ConsentInvalid) as refused:
        sign(jane(), version, name="Somebody Else")
    assert refused.value.api_code == "name_mismatch"
    assert ConsentSignature.objects.count() == 0


def test_only_the_current_version_can_be_signed():
    old = publish_consent(TREATMENT)
    publish_consent(TREATMENT, body="Version two.")
    with pytest.raises(Exception) as refused:
        sign(jane(), old)
    assert refused.value.api_code == "consent_outdated"


# ---------- bookings ----------


def test_no_published_documents_asks_for_nothing():
    service = bookable_service()
    booking = booking_hold(client=jane(), service=service, starts_at=slot(), pay_with="card")
    assert booking.status == Booking.Status.HELD


def test_a_new_version_blocks_the_next_booking_until_signed():
    client = jane()
    service = bookable_service(is_online=False, location="Studio 4")
    version = publish_consent(TREATMENT)

    with pytest.raises(ConsentRequired) as required:
        booking_hold(client=client, service=service, starts_at=slot(), pay_with="card")
    assert required.value.api_status == 409
    assert required.value.documents == [
        {"kind": "treatment", "title": version.title, "version": 1, "sha256": version.sha256}
    ]

    sign(client, version)
    assert booking_hold(client=client, service=service, starts_at=slot(), pay_with="card")

    second = publish_consent(TREATMENT, body="Changed terms.")
    with pytest.raises(ConsentRequired) as again:
        booking_hold(client=client, service=service, starts_at=slot(hour=12), pay_with="card")
    assert again.value.documents[0]["version"] == 2
    sign(client, second)
    assert booking_hold(client=client, service=service, starts_at=slot(hour=12), pay_with="card")


def test_withdrawal_takes_effect_at_once_and_is_a_new_row():
    client = jane()
    in_person = bookable_service(is_online=False, location="Studio 4")
    online = bookable_service(is_online=True)
    treatment = publish_consent(TREATMENT)
    telehealth = publish_consent(TELEHEALTH)
    sign(client, treatment)
    sign(client, telehealth)
    assert consent_missing_for(client=client, online=True) == []

    consent_withdraw(client=client, kind=TELEHEALTH, ip_address=None, user_agent="UA")

    # Online sessions are blocked at once; in-person ones need no telehealth consent.
    with pytest.raises(ConsentRequired):
        booking_hold(client=client, service=online, starts_at=slot(), pay_with="card")
    assert booking_hold(client=client, service=in_person, starts_at=slot(), pay_with="card")

    events = list(ConsentSignature.objects.filter(client=client, kind=TELEHEALTH))
    assert [event.action for event in events] == ["withdrawn", "signed"]
    assert AuditEntry.objects.filter(action="withdraw", subject_user_id=client.pk).count() == 1

    consent_withdraw(client=client, kind=TREATMENT, ip_address=None, user_agent="UA")
    with pytest.raises(ConsentRequired):
        booking_hold(client=client, service=in_person, starts_at=slot(hour=12), pay_with="card")


def test_withdrawing_what_is_not_signed_is_a_conflict():
    publish_consent(TREATMENT)
    with pytest.raises(Exception) as refused:
        consent_withdraw(client=jane(), kind=TREATMENT, ip_address=None, user_agent="")
    assert refused.value.api_code == "not_signed"


# ---------- API ----------


def test_the_booking_api_answers_409_consent_required_with_the_documents():
    client = jane()
    service = bookable_service()
    publish_consent(TREATMENT)
    telehealth = publish_consent(TELEHEALTH)
    api = api_as(client)

    response = api.post(
        "/api/v1/bookings/",
        {"service": service.pk, "start": slot().isoformat(), "pay_with": "credits"},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "consent_required"
    assert [document["kind"] for document in body["documents"]] == ["treatment", "telehealth"]
    assert body["documents"][1]["sha256"] == telehealth.sha256

    listing = api.get("/api/v1/consents/").json()
    for document in listing:
        signed = api.post(
            "/api/v1/consents/",
            {"kind": document["kind"], "version": document["version"], "typed_name": "jane doe"},
            format="json",
            HTTP_USER_AGENT="ApiClient/2",
        )
        assert signed.status_code == 201, signed.json()
        assert signed.json()["state"] == "signed"
    signature = ConsentSignature.objects.filter(kind="treatment").get()
    assert signature.user_agent == "ApiClient/2" and signature.ip_address == "127.0.0.1"

    # Past consent: the booking now fails only for want of credits.
    response = api.post(
        "/api/v1/bookings/",
        {"service": service.pk, "start": slot().isoformat(), "pay_with": "credits"},
        format="json",
    )
    assert response.status_code == 402

    withdrawn = api.post("/api/v1/consents/telehealth/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    again = api.post(
        "/api/v1/bookings/",
        {"service": service.pk, "start": slot().isoformat(), "pay_with": "credits"},
        format="json",
    )
    assert again.json()["code"] == "consent_required"
    assert [document["kind"] for document in again.json()["documents"]] == ["telehealth"]


def test_the_sign_api_refuses_a_stale_version_and_a_wrong_name():
    publish_consent(TREATMENT)
    publish_consent(TREATMENT, body="Two")
    api = api_as(jane())
    stale = api.post(
        "/api/v1/consents/",
        {"kind": "treatment", "version": 1, "typed_name": "Jane Doe"},
        format="json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "consent_outdated"
    wrong = api.post(
        "/api/v1/consents/",
        {"kind": "treatment", "version": 2, "typed_name": "Mallory"},
        format="json",
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "name_mismatch"
    assert api.post("/api/v1/consents/nonsense/withdraw/").status_code == 404


# ---------- pages ----------


def test_the_booking_page_asks_for_consent_then_the_client_signs_and_returns(client):
    user = jane()
    service = bookable_service()
    publish_consent(TREATMENT)
    client.force_login(user)
    booking_url = (
        reverse("booking-start", args=[service.practitioner.slug])
        + "?"
        + urlencode({"service": service.pk, "start": slot().strftime("%Y-%m-%dT%H:%M:%SZ")})
    )

    page = client.get(booking_url)
    assert page.status_code == 200
    assert b"Before you book, please sign" in page.content
    assert b"Confirm and pay" not in page.content

    refused = client.post(booking_url, {"pay_with": "credits"})
    assert refused.status_code == 409 and b"Before you book" in refused.content
    assert not Booking.objects.exists()

    sign_url = reverse("care-consent-sign", args=["treatment"])
    version = ConsentVersion.objects.get()
    wrong = client.post(
        sign_url, {"version": version.pk, "agree": "on", "typed_name": "Not Me", "next": "/x/"}
    )
    assert wrong.status_code == 400 and b"does not match" in wrong.content
    signed = client.post(
        sign_url,
        {"version": version.pk, "agree": "on", "typed_name": "Jane Doe", "next": booking_url},
        HTTP_USER_AGENT="PageBrowser/3",
    )
    assert signed.status_code == 302 and signed["Location"] == booking_url
    assert ConsentSignature.objects.get().user_agent == "PageBrowser/3"
    assert b"Before you book" not in client.get(booking_url).content


def test_an_outside_next_address_is_ignored(client):
    user = jane()
    version = publish_consent(TREATMENT)
    client.force_login(user)
    response = client.post(
        reverse("care-consent-sign", args=["treatment"]),
        {
            "version": version.pk,
            "agree": "on",
            "typed_name": "Jane Doe",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("care-consents")


def test_the_consents_page_lists_history_and_withdrawal_works(client):
    user = jane()
    version = publish_consent(TREATMENT)
    sign(user, version)
    client.force_login(user)
    page = client.get(reverse("care-consents"))
    assert page.status_code == 200
    assert b"Treatment agreement" in page.content and b"Signed as" in page.content
    assert AuditEntry.objects.filter(action="read", object_type="consent_signatures").exists()

    confirm = client.get(reverse("care-consent-withdraw", args=["treatment"]))
    assert confirm.status_code == 200
    done = client.post(reverse("care-consent-withdraw", args=["treatment"]))
    assert done.status_code == 302
    assert ConsentSignature.objects.filter(action="withdrawn").count() == 1
    assert client.get(reverse("care-consent-sign", args=["nonsense"])).status_code == 404


def test_signature_rows_hold_no_plain_name_on_this_database():
    user = jane()
    sign(user, publish_consent(TREATMENT), name="Jane Zq9Canary Doe")
    assert "Zq9Canary" not in raw_rows("consent_consentsignature")
    assert connection.vendor in ("sqlite", "postgresql")
