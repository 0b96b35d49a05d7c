"""The onboarding wizard under /dashboard/practice/onboarding/: each step saves a draft,
bad input answers 400 with the error next to the field, uploads are checked by content
and size, submission lists what is missing; documents are private."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from integrations.kyc.local import LocalKyc
from marketplace.practitioners.forms import DOCUMENT_MAX_BYTES, PHOTO_MAX_BYTES
from marketplace.practitioners.models import Credential, PractitionerProfile, VerificationCase
from tests.accounts.factories import UserFactory, enrol_totp
from tests.marketplace.practitioners.factories import (
    CredentialFactory,
    ModalityFactory,
    PractitionerProfileFactory,
    pdf_bytes,
    png_bytes,
    ready_for_review,
)

pytestmark = pytest.mark.django_db

BASE = "/dashboard/practice/onboarding/"
Status = PractitionerProfile.Status


def practitioner_user(**fields):
    user = UserFactory(
        roles=[Role.PRACTITIONER], email=fields.pop("email", None) or "new@example.org"
    )
    enrol_totp(user)
    return PractitionerProfileFactory(user=user, status=Status.DRAFT, **fields)


@pytest.fixture
def draft(client):
    profile = practitioner_user(display_name="Nia New")
    client.force_login(profile.user)
    return profile


@pytest.fixture
def modality():
    return ModalityFactory(name="Psychotherapy", slug="psychotherapy")


def photo(name="face.png", content=None, content_type="image/png"):
    return SimpleUploadedFile(name, content if content is not None else png_bytes(), content_type)


def profile_data(modality, **overrides):
    data = {
        "display_name": "Nia New",
        "bio": "Gentle, practical therapy.",
        "languages": "English, Welsh",
        "modalities": [modality.pk],
        "offers_online": "on",
        "location": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_people_without_a_practitioner_profile_get_403(client):
    user = UserFactory(roles=[Role.STAFF])
    enrol_totp(user)
    client.force_login(user)
    assert client.get(BASE).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(BASE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_overview_lists_what_is_missing(client, draft):
    response = client.get(BASE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Add a profile photo." in page
    assert "Upload your insurance certificate" in page
    assert 'href="/dashboard/practice/services/"' in page
    assert page.count(">To do<") == 4 and ">Done<" not in page


def test_the_profile_step_saves_a_draft(client, draft, modality):
    response = client.post(f"{BASE}profile/", {**profile_data(modality), "photo": photo()})

    assert response.status_code == 302 and response["Location"] == f"{BASE}credentials/"
    draft.refresh_from_db()
    assert draft.bio == "Gentle, practical therapy."
    assert list(draft.modalities.all()) == [modality]
    assert draft.photo.name.startswith("practitioners/photos/")
    assert draft.status == Status.DRAFT


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (photo("face.png", b"GIF89a not really"), "Upload a JPEG, PNG or WebP photo."),
        (photo("face.png", b"%PDF-1.4 a pdf"), "Upload a JPEG, PNG or WebP photo."),
        (photo("face.png", png_bytes()[:60]), "Upload a JPEG, PNG or WebP photo."),
        (photo("tiny.png", png_bytes((50, 50))), "at least 200 pixels"),
        (photo("huge.png", b"\x89PNG" + b"0" * (PHOTO_MAX_BYTES + 1)), "5 MB or smaller"),
    ],
)
def test_a_bad_photo_is_refused_with_a_clear_error(client, draft, modality, upload, message):
    response = client.post(f"{BASE}profile/", {**profile_data(modality), "photo": upload})

    assert response.status_code == 400
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert not draft.photo
    assert draft.bio == ""  # nothing saved from a form with errors


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"offers_online": None}, "offers_online", "Choose online, in person or both."),
        (
            {"offers_in_person": "on", "location": " "},
            "location",
            "Give the location of your in-person sessions.",
        ),
        ({"modalities": []}, "modalities", "This field is required."),
        ({"modalities": [999999]}, "modalities", "Select a valid choice."),
        ({"bio": ""}, "bio", "This field is required."),
        ({"display_name": "x" * 121}, "display_name", "at most 120 characters"),
    ],
)
def test_profile_step_errors_are_shown_by_their_field(
    client, draft, modality, overrides, field, message
):
    response = client.post(f"{BASE}profile/", profile_data(modality, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'id="id_{field}_error"' in response.content.decode()


def credential_data(**overrides):
    data = {
        "kind": "licence",
        "title": "Registered psychotherapist",
        "issuer": "UKCP",
        "number": "UKCP-123",
        "expires_on": (timezone.localdate() + dt.timedelta(days=300)).isoformat(),
    }
    data.update(overrides)
    return data


def test_credentials_are_added_with_a_private_document(client, draft):
    response = client.post(
        f"{BASE}credentials/",
        credential_data(
            kind="insurance",
            title="Indemnity",
            issuer="Balens",
            document=SimpleUploadedFile("policy.pdf", pdf_bytes(), "application/pdf"),
        ),
    )
    assert response.status_code == 302
    credential = Credential.objects.get(practitioner=draft)
    assert credential.status == Credential.Status.PENDING
    path = credential.document.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    # Its address is the checked view; the storage itself gives no URL at all.
    assert credential.document.url == f"{BASE}credentials/{credential.pk}/document/"
    with pytest.raises(ValueError):
        credential.document.storage.url(credential.document.name)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "insurance", "title": "Indemnity"}, "Upload your insurance certificate."),
        (
            {
                "kind": "insurance",
                "document": SimpleUploadedFile("policy.pdf", b"<html>not a pdf", "application/pdf"),
            },
            "Upload the document as a PDF, JPEG or PNG.",
        ),
        (
            {
                "kind": "insurance",
                "document": SimpleUploadedFile(
                    "big.pdf", b"%PDF-" + b"0" * DOCUMENT_MAX_BYTES, "application/pdf"
                ),
            },
            "10 MB or smaller",
        ),
        ({"expires_on": ""}, "Give the expiry date."),
        ({"expires_on": "2020-01-01"}, "The expiry date must be in the future."),
        ({"expires_on": "31/31/2031"}, "Enter a valid date."),
        ({"number": ""}, "Give the licence or registration number."),
        ({"kind": "spaceship"}, "Select a valid choice."),
    ],
)
def test_credential_errors_are_clear(client, draft, overrides, message):
    response = client.post(f"{BASE}credentials/", credential_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Credential.objects.exists()


def test_a_qualification_needs_no_expiry_or_document(client, draft):
    response = client.post(
        f"{BASE}credentials/",
        credential_data(kind="qualification", number="", expires_on=""),
    )
    assert response.status_code == 302
    assert Credential.objects.get().expires_on is None


def test_someone_elses_credential_is_404(client, draft):
    other = CredentialFactory()
    assert client.get(f"{BASE}credentials/{other.pk}/").status_code == 404
    assert client.post(f"{BASE}credentials/{other.pk}/delete/").status_code == 404
    assert Credential.objects.filter(pk=other.pk).exists()


def test_a_draft_credential_can_be_edited_and_removed(client, draft):
    credential = CredentialFactory(practitioner=draft)
    response = client.post(f"{BASE}credentials/{credential.pk}/", credential_data(number="NEW-1"))
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.number == "NEW-1"
    assert client.post(f"{BASE}credentials/{credential.pk}/delete/").status_code == 302
    assert not Credential.objects.exists()


def test_the_identity_step_validates_and_saves(client, draft):
    bad = client.post(
        f"{BASE}identity/",
        {
            "legal_given_name": "Nia",
            "legal_family_name": "New",
            "date_of_birth": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            "country": "G1",
            "identity_document_type": "passport",
            "identity_document_number": "P76",
        },
    )
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "The date of birth must be in the past." in page
    assert "Choose the country from the list." in page
    # Each error sits under its own field.
    assert (
        '<ul class="field__errors" id="id_identity_document_number_error" role="list">'
        "<li>A passport number is 6 to 9 letters and digits.</li>"
    ) in page

    good = client.post(
        f"{BASE}identity/",
        {
            "legal_given_name": "Nia",
            "legal_family_name": "New",
            "date_of_birth": "1990-05-17",
            "country": "gb",
            "identity_document_type": "passport",
            "identity_document_number": "p7654321",
        },
    )
    assert good.status_code == 302
    draft.refresh_from_db()
    assert draft.country == "GB" and draft.identity_document_number == "P7654321"
    assert draft.identity_document_type == "passport"


def test_the_identity_page_offers_countries_by_name_and_refuses_bad_input(client, draft):
    page = client.get(f"{BASE}identity/").content.decode()
    assert '<select name="country"' in page
    assert '<option value="GB">United Kingdom</option>' in page

    eleven = timezone.localdate().replace(year=timezone.localdate().year - 11, day=1)
    bad = client.post(
        f"{BASE}identity/",
        {
            "legal_given_name": "Nia",
            "legal_family_name": "New",
            "date_of_birth": eleven.isoformat(),
            "country": "United Kingdom",
            "identity_document_type": "national_id",
            "identity_document_number": "<img src=x onerror=alert(1)>",
        },
    )
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "You must be at least 18 years old to practise on Aeyia." in page
    assert "Choose the country from the list." in page
    assert "A national ID number is 5 to 20 letters and digits" in page
    assert "<img src=x" not in page
    draft.refresh_from_db()
    assert draft.country == "" and draft.date_of_birth is None

    good = client.post(
        f"{BASE}identity/",
        {
            "legal_given_name": "Nia",
            "legal_family_name": "New",
            "date_of_birth": "1990-05-17",
            "country": "GB",
            "identity_document_type": "driving_licence",
            "identity_document_number": "MORGA 753116 SM9IJ",
        },
    )
    assert good.status_code == 302
    draft.refresh_from_db()
    assert draft.country == "GB"
    assert draft.identity_document_number == "MORGA753116SM9IJ"
    # Shown back by name.
    again = client.get(f"{BASE}identity/").content.decode()
    assert '<option value="GB" selected>United Kingdom</option>' in again
    assert 'value="driving_licence" required id="id_identity_document_type_1" checked' in again


def test_the_credential_form_labels_say_when_a_field_is_required(client, draft):
    page = client.get(f"{BASE}credentials/").content.decode()

    assert "(required for a licence or registration)" in page
    assert "(required for a licence or insurance)" in page
    assert "(required for insurance)" in page
    assert "(optional)" not in page
    assert "practitioners/credential-form.js" in page


def test_submitting_an_incomplete_profile_shows_what_is_missing(client, draft):
    response = client.post(f"{BASE}submit/", follow=True)
    assert "Add a profile photo." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_submitting_a_complete_profile_starts_the_review(
    client, draft, django_capture_on_commit_callbacks
):
    ready_for_review(draft)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}submit/", follow=True)

    assert "Submitted." in response.content.decode()
    assert response.content.decode().count(">Done<") == 3  # all but services
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert VerificationCase.objects.get().kyc_status == "passed"
    assert len(LocalKyc.calls) == 1
    # Under review, the steps are read-only and refuse changes.
    page = client.get(f"{BASE}profile/").content.decode()
    assert "cannot be changed right now" in page
    modality = draft.modalities.first()
    refused = client.post(f"{BASE}profile/", profile_data(modality, bio="Changed"))
    assert refused.status_code == 400
    draft.refresh_from_db()
    assert draft.bio != "Changed"


def test_a_rejection_reason_is_shown_in_the_wizard(client, draft):
    PractitionerProfile.objects.filter(pk=draft.pk).update(
        status_reason="Your insurance certificate is unreadable."
    )
    page = client.get(BASE).content.decode()
    assert "Staff sent your profile back" in page
    assert "Your insurance certificate is unreadable." in page


def test_a_verified_practitioner_goes_live_from_the_overview(client, draft):
    from tests.marketplace.practitioners.factories import ServiceFactory

    PractitionerProfile.objects.filter(pk=draft.pk).update(status=Status.VERIFIED)
    refused = client.post(f"{BASE}activate/", follow=True)
    assert "Add at least one service" in refused.content.decode()
    ServiceFactory(practitioner=draft)
    client.post(f"{BASE}activate/")
    draft.refresh_from_db()
    assert draft.status == Status.ACTIVE


class TestDocuments:
    @pytest.fixture
    def document(self):
        owner = practitioner_user(email="owner@example.org")
        credential = CredentialFactory(practitioner=owner, kind="insurance")
        credential.document.save("policy.pdf", SimpleUploadedFile("p.pdf", pdf_bytes()))
        return credential

    def url(self, credential):
        return f"{BASE}credentials/{credential.pk}/document/"

    def test_the_practitioner_can_download_their_document(self, client, document):
        client.force_login(document.practitioner.user)
        response = client.get(self.url(document))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == pdf_bytes()
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]

    def test_staff_can_download_it(self, client, document):
        staff = UserFactory(roles=[Role.STAFF])
        enrol_totp(staff)
        client.force_login(staff)
        assert client.get(self.url(document)).status_code == 200

    def test_everyone_else_gets_404(self, client, document):
        assert client.get(self.url(document)).status_code == 404
        other = practitioner_user(email="other@example.org")
        client.force_login(other.user)
        assert client.get(self.url(document)).status_code == 404
        assert client.get(f"{BASE}credentials/999999/document/").status_code == 404

    def test_a_credential_without_a_document_is_404(self, client, document):
        bare = CredentialFactory(practitioner=document.practitioner)
        client.force_login(document.practitioner.user)
        assert client.get(self.url(bare)).status_code == 404


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_credentials_page_query_count_does_not_grow(
    client, draft, django_assert_max_num_queries
):
    CredentialFactory.create_batch(10, practitioner=draft)
    few = _queries(client, f"{BASE}credentials/")
    CredentialFactory.create_batch(190, practitioner=draft)
    with django_assert_max_num_queries(few):
        assert client.get(f"{BASE}credentials/").status_code == 200


def test_the_staff_queue_query_count_does_not_grow(client, django_assert_max_num_queries):
    from tests.marketplace.practitioners.factories import VerificationCaseFactory

    staff = UserFactory(roles=[Role.STAFF])
    enrol_totp(staff)
    client.force_login(staff)
    url = "/cms/practitioner-verification/"
    VerificationCaseFactory.create_batch(10)
    few = _queries(client, url)
    VerificationCaseFactory.create_batch(190)
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200
