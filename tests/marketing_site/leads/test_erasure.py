"""Erasing a person: their leads and form submissions go, their account is anonymised
(never deleted: the ledger protects it), and Klaviyo is asked to delete them."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.roles import Role
from commerce.payments.models import Payment
from marketing_site.leads.models import KlaviyoFailure, Lead, LeadFormSubmission
from marketing_site.leads.services import person_erase
from tests.accounts.factories import UserFactory
from tests.commerce.payments.factories import CreditPackPaymentFactory
from tests.marketing_site.leads.factories import LeadFactory, contact_page

pytestmark = pytest.mark.django_db


def _submission(page, email):
    return LeadFormSubmission.objects.create(
        page=page, form_data={"your_name": "Ada", "email": email, "message": "hello"}
    )


def test_erase_removes_leads_submissions_and_anonymises_the_account(
    local_klaviyo, django_capture_on_commit_callbacks
):
    page = contact_page()
    LeadFactory(email="ada@example.org")
    mine = _submission(page, "Ada@Example.org")
    other = _submission(page, "ada@example.org.uk")  # contains the email, is not it
    KlaviyoFailure.objects.create(operation="event_create", email="ada@example.org", error="x")
    user = UserFactory(email="ada@example.org", first_name="Ada", last_name="Lovelace")
    payment = CreditPackPaymentFactory(user=user)
    staff = UserFactory(roles=[Role.STAFF])

    with django_capture_on_commit_callbacks(execute=True):
        result = person_erase(email="ADA@example.org", requested_by=staff)

    assert (result.leads_deleted, result.submissions_deleted, result.user_anonymised) == (
        1,
        1,
        True,
    )
    assert not Lead.objects.exists()
    assert not LeadFormSubmission.objects.filter(pk=mine.pk).exists()
    assert LeadFormSubmission.objects.filter(pk=other.pk).exists()
    assert not KlaviyoFailure.objects.exists()
    user.refresh_from_db()
    assert user.email == f"erased-{user.pk}@invalid"
    assert (user.first_name, user.last_name, user.is_active) == ("", "", False)
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert Payment.objects.get(pk=payment.pk).user_id == user.pk  # the books stay whole
    assert local_klaviyo.deletions == ["ada@example.org"]


def test_erasing_someone_unknown_still_asks_klaviyo(
    local_klaviyo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = person_erase(email="ghost@example.org", requested_by=None)

    assert (result.leads_deleted, result.submissions_deleted, result.user_anonymised) == (
        0,
        0,
        False,
    )
    assert local_klaviyo.deletions == ["ghost@example.org"]


def test_the_admin_screen_asks_for_confirmation_then_erases(
    staff_client, local_klaviyo, django_capture_on_commit_callbacks
):
    client = staff_client
    LeadFactory(email="ada@example.org")
    url = reverse("leads_admin_erase")

    assert client.get(url).status_code == 200
    review = client.post(url, {"email": "ada@example.org"})
    assert review.status_code == 200
    assert "Yes, erase ada@example.org" in review.content.decode()
    assert Lead.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"email": "ada@example.org", "confirm": "yes"})

    assert done.status_code == 302
    assert not Lead.objects.exists()
    assert local_klaviyo.deletions == ["ada@example.org"]


def test_the_admin_screen_rejects_a_bad_email(staff_client):
    response = staff_client.post(reverse("leads_admin_erase"), {"email": "nope"})

    assert response.status_code == 400


@pytest.mark.parametrize("who", ["editor", "client"])
def test_only_staff_with_the_permission_can_erase(request, client, who):
    if who == "editor":
        client = request.getfixturevalue("editor_client")
        user = client.user
    else:
        user = UserFactory(roles=[Role.CLIENT])
        client.force_login(user)
    LeadFactory(email="ada@example.org")

    response = client.post(
        reverse("leads_admin_erase"), {"email": "ada@example.org", "confirm": "yes"}
    )

    assert response.status_code in (302, 403)
    assert Lead.objects.exists()
    assert get_user_model().objects.filter(pk=user.pk, is_active=True).exists()
