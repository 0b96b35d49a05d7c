"""A client asks for erasure at their account, staff confirm it in the Wagtail admin, and
the person is anonymised everywhere: messages gone, bookings and leads cleared, payments
kept with their amounts under the anonymised account, Klaviyo and Stripe told through
their adapters. Running it again changes nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from commerce.payments.models import Payment, StripeCustomer
from commerce.payments.services import stripe_customer_ensure
from integrations.klaviyo.local import LocalKlaviyo
from integrations.stripe.local import StripeLocalGateway
from integrations.stripe.local import store as stripe_store
from marketplace.clients.messaging import services as messaging
from marketplace.clients.messaging.models import Message, Thread
from marketplace.clients.records.access import record_access
from privacy.models import AuditEntry
from privacy.rights.models import ErasureRequest
from privacy.services import person_erase
from tests.accounts.factories import UserFactory, enrol_totp
from tests.marketing_site.leads.factories import LeadFactory
from tests.marketplace.clients.factories import CareRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_vendors(settings):
    settings.STRIPE_GATEWAY = "integrations.stripe.local.StripeLocalGateway"
    from integrations.stripe import get_gateway

    get_gateway.cache_clear()
    LocalKlaviyo.reset()
    StripeLocalGateway.reset()
    yield
    LocalKlaviyo.reset()
    StripeLocalGateway.reset()
    get_gateway.cache_clear()


def _staff():
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True, roles=["staff"])
    staff.user_permissions.add(
        Permission.objects.get(codename="erase_person", content_type__app_label="leads")
    )
    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
    enrol_totp(staff)
    return staff


def _client_with_data():
    record = CareRecordFactory(client__email="ada@example.org", client__first_name="Ada")
    client_user = record.client
    access = record_access(user=client_user, record_id=record.pk)
    messaging.thread_start(access=access, user=client_user, subject="Hello", body="private")
    LeadFactory(email=client_user.email, user=client_user)
    customer = stripe_customer_ensure(user=client_user)
    Payment.objects.create(
        user=client_user,
        purpose=Payment.Purpose.values[0],
        description="Session",
        amount=6000,
        currency="gbp",
    )
    return record, client_user, customer


def test_client_asks_staff_confirm_and_everything_is_anonymised_once(
    client, django_capture_on_commit_callbacks
):
    record, person, customer = _client_with_data()
    client.force_login(person)
    assert client.post(reverse("privacy-erasure-request"), {}).status_code == 400
    assert client.post(reverse("privacy-erasure-request"), {"confirm": "yes"}).status_code == 302
    erasure_request = ErasureRequest.objects.get(status=ErasureRequest.Status.PENDING)
    assert b'id="erasure-pending"' in client.get(reverse("privacy-erasure-request")).content

    staff = _staff()
    client.force_login(staff)
    listing = client.get(reverse("privacy_erasure_requests"))
    assert listing.status_code == 200
    assert b"ada@example.org" in listing.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("privacy_erasure_requests"),
            {"request_id": erasure_request.pk, "decision": "confirm"},
        )
    assert response.status_code == 302

    erasure_request.refresh_from_db()
    assert erasure_request.status == ErasureRequest.Status.DONE
    person.refresh_from_db()
    assert "ada" not in person.email.lower() and person.first_name != "Ada"
    assert not Thread.objects.filter(record=record).exists()
    assert not Message.objects.exists()
    payment = Payment.objects.get()
    assert payment.amount == 6000 and payment.user_id == person.pk  # kept, pseudonymous
    # Klaviyo: the existing deletion job; Stripe: the customer redacted via the adapter.
    assert "ada@example.org" in LocalKlaviyo.deletions
    assert [
        call.kwargs["customer_id"]
        for call in StripeLocalGateway.calls
        if call.method == "customer_redact"
    ] == [customer.stripe_id]
    stored = stripe_store.get(customer.stripe_id, "customer")
    assert stored["email"] is None and stored["name"] is None and stored["metadata"] == {}
    entry = AuditEntry.objects.filter(action="erasure", subject_user_id=person.pk).last()
    assert entry is not None

    # The second run changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        again = person_erase(email="ada@example.org", requested_by=staff)
    assert sum(again.counts.values()) == 0, again.counts
    second = person_erase(email=person.email, requested_by=staff)
    assert sum(count for name, count in second.counts.items() if name != "accounts") == 0
    assert StripeCustomer.objects.filter(pk=customer.pk).exists()


def test_people_without_the_erasure_right_cannot_see_requests(client):
    editor = UserFactory(is_staff=True, roles=["editor"])
    enrol_totp(editor)
    client.force_login(editor)
    assert not editor.has_perm("leads.erase_person")
    response = client.get(reverse("privacy_erasure_requests"))
    assert response.status_code in {302, 403}
    assert b"ada@" not in response.content


def test_a_cancelled_request_erases_nothing(client):
    person = UserFactory(first_name="Grace")
    client.force_login(person)
    client.post(reverse("privacy-erasure-request"), {"confirm": "yes"})
    erasure_request = ErasureRequest.objects.get()
    client.force_login(_staff())
    client.post(
        reverse("privacy_erasure_requests"),
        {"request_id": erasure_request.pk, "decision": "cancel"},
    )
    erasure_request.refresh_from_db()
    person.refresh_from_db()
    assert erasure_request.status == ErasureRequest.Status.CANCELLED
    assert person.first_name == "Grace"
    assert erasure_request.decided_at <= timezone.now()


def test_erasure_deletes_the_persons_data_exports_and_their_zips(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    from filestore import private_storage, private_storage_reset
    from privacy.rights import services as rights
    from privacy.rights.models import DataExport

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    private_storage_reset()
    person = UserFactory(email="grace@example.org")
    export = rights.data_export_build(export_id=rights.data_export_request(user=person).pk)
    assert export is not None and private_storage().exists(export.file_name)

    report = person_erase(email="grace@example.org", requested_by=None)

    assert report.count("privacy_rights") == 1
    assert not DataExport.objects.filter(pk=export.pk).exists()
    assert not private_storage().exists(export.file_name)
    assert person_erase(email="grace@example.org", requested_by=None).count("privacy_rights") == 0
    private_storage_reset()
