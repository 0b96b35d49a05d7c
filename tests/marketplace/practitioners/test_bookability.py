"""An expired licence takes a practitioner out of the directory, the API and booking;
practitioners without recorded credentials (verified before onboarding existed) stay."""

import datetime as dt

import pytest
from django.utils import timezone

from commerce.bookings.services import booking_hold
from commerce.errors import NotFound
from marketplace.practitioners.models import Credential, PractitionerProfile
from marketplace.practitioners.selectors import (
    practitioner_is_bookable,
    practitioner_search,
    practitioners_bookable,
    services_bookable,
)
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.booking_setup import bookable_service, slot
from tests.commerce.bookings.factories import AvailabilityRuleFactory
from tests.marketplace.practitioners.factories import (
    CredentialFactory,
    PractitionerProfileFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def lapsed():
    practitioner = PractitionerProfileFactory(display_name="Lapsed Lee", slug="lapsed-lee")
    ServiceFactory(practitioner=practitioner, name="Counselling")
    AvailabilityRuleFactory(practitioner=practitioner)  # listed once verified (go-live)
    CredentialFactory(practitioner=practitioner, expires_on=YESTERDAY)
    return practitioner


@pytest.fixture
def current():
    practitioner = PractitionerProfileFactory(display_name="Current Cat", slug="current-cat")
    ServiceFactory(practitioner=practitioner, name="Counselling")
    AvailabilityRuleFactory(practitioner=practitioner)  # listed once verified (go-live)
    CredentialFactory(practitioner=practitioner)
    # Expired insurance or qualifications do not hide anyone: only a licence does.
    CredentialFactory(
        practitioner=practitioner, kind=Credential.Kind.INSURANCE, expires_on=YESTERDAY
    )
    return practitioner


@pytest.fixture
def uncredentialled():
    practitioner = PractitionerProfileFactory(display_name="Demo Dee", slug="demo-dee")
    ServiceFactory(practitioner=practitioner, name="Counselling")
    AvailabilityRuleFactory(practitioner=practitioner)  # listed once verified (go-live)
    return practitioner


def test_selectors_leave_out_a_lapsed_licence(lapsed, current, uncredentialled):
    assert set(practitioners_bookable()) == {current, uncredentialled}
    assert set(practitioner_search(text="e")) == {current, uncredentialled}
    assert lapsed.pk not in set(services_bookable().values_list("practitioner", flat=True))
    assert not practitioner_is_bookable(practitioner=lapsed)
    assert practitioner_is_bookable(practitioner=current)


def test_a_licence_expiring_today_is_still_valid_today(current):
    Credential.objects.filter(practitioner=current, kind="licence").update(
        expires_on=timezone.localdate()
    )
    assert practitioner_is_bookable(practitioner=current)


def test_renewing_the_licence_brings_them_back(lapsed):
    Credential.objects.filter(practitioner=lapsed).update(
        expires_on=timezone.localdate() + dt.timedelta(days=365)
    )
    assert lapsed in practitioners_bookable()


def test_status_still_decides_first(current):
    PractitionerProfile.objects.filter(pk=current.pk).update(status="suspended")
    assert not practitioner_is_bookable(practitioner=current)


def test_the_directory_page_profile_and_api_leave_them_out(client, lapsed, current):
    assert client.get("/practitioners/lapsed-lee/").status_code == 404
    assert client.get("/practitioners/current-cat/").status_code == 200
    listing = client.get("/api/v1/practitioners/").json()
    slugs = {item["slug"] for item in listing["results"]}
    assert slugs == {"current-cat"}
    assert client.get("/api/v1/practitioners/lapsed-lee/").status_code == 404
    assert client.get("/api/v1/practitioners/lapsed-lee/services/").status_code == 404
    page = client.get("/practitioners/").content.decode()
    assert "Current Cat" in page and "Lapsed Lee" not in page


def test_a_booking_hold_is_refused_once_the_licence_lapses():
    service = bookable_service()
    client_user = UserFactory()
    licence = CredentialFactory(practitioner=service.practitioner)

    hold = booking_hold(client=client_user, service=service, starts_at=slot(), pay_with="card")
    assert hold.pk

    Credential.objects.filter(pk=licence.pk).update(expires_on=YESTERDAY)
    with pytest.raises(NotFound):
        booking_hold(client=client_user, service=service, starts_at=slot(hour=13), pay_with="card")


def test_the_directory_query_count_does_not_grow_with_credentials(
    django_assert_max_num_queries,
):
    for index in range(12):
        practitioner = PractitionerProfileFactory()
        ServiceFactory(practitioner=practitioner)
        for _ in range(index % 3):
            CredentialFactory(practitioner=practitioner)
    with django_assert_max_num_queries(3):
        assert len(list(practitioners_bookable())) == 12
