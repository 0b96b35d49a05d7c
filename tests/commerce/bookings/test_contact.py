"""The old "Reminders by text message" address and SMS consent after decision 0038: the
page lives with the notification settings now (permanent redirect), consent is
notifications.ContactPoint (set with contact_point_set), and the reminder beat texts
exactly the clients whose consent stands."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from commerce.bookings.tasks import send_due_reminders
from integrations.sms import get_sms_sender
from integrations.sms.local import LocalSmsSender
from notifications.models import ContactPoint
from notifications.services import contact_point_set
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.notification_setup import make_booking

pytestmark = pytest.mark.django_db

URL = "/account/text-reminders/"
SETTINGS_URL = "/account/notifications/settings/"


@pytest.fixture(autouse=True)
def local_sms(settings):
    settings.SMS_SENDER = "integrations.sms.local.LocalSmsSender"
    get_sms_sender.cache_clear()
    LocalSmsSender.reset()
    yield LocalSmsSender.outbox
    LocalSmsSender.reset()
    get_sms_sender.cache_clear()


@pytest.fixture
def member(client):
    user = UserFactory(roles=[Role.CLIENT])
    client.force_login(user)
    return user


def test_the_old_page_redirects_permanently_to_the_notification_settings(client, member):
    response = client.get(URL)

    assert response.status_code == 301
    assert response["Location"] == SETTINGS_URL


def test_a_form_still_posted_to_the_old_page_keeps_its_method(client, member):
    response = client.post(URL, {"phone_number": "+447700900123", "sms_opt_in": "on"})

    # 308: the browser repeats the POST at the new address instead of turning it into a GET.
    assert response.status_code == 308
    assert response["Location"] == SETTINGS_URL
    assert not ContactPoint.objects.exists()


def test_signed_out_visitors_are_redirected_too_and_the_settings_page_asks_them_to_sign_in(
    client,
):
    response = client.get(URL, follow=True)

    assert response.redirect_chain[0] == (SETTINGS_URL, 301)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


def test_opting_in_records_the_moment_of_consent_and_opting_out_keeps_the_number():
    user = UserFactory()
    with time_machine.travel("2026-12-01 10:00Z", tick=False):
        contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=True)
    with time_machine.travel("2026-12-02 08:30Z", tick=False):
        contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=False)

    contact = ContactPoint.objects.get(user=user)
    assert not contact.can_text
    assert contact.phone_number == "+447700900123"
    assert contact.sms_consent_at == dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    assert contact.sms_withdrawn_at == dt.datetime(2026, 12, 2, 8, 30, tzinfo=dt.UTC)


def test_consent_is_recorded_again_for_a_new_number():
    user = UserFactory()
    with time_machine.travel("2026-12-01 10:00Z", tick=False):
        contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=True)
    with time_machine.travel("2026-12-04 10:00Z", tick=False):
        same = contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=True)
        assert same.sms_consent_at == dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
        changed = contact_point_set(user=user, phone_number="+447700900456", sms_opt_in=True)
    assert changed.sms_consent_at == dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC)


@pytest.mark.parametrize("phone", ["07700 900123", "+0 7700", "+4477009001231234567", " "])
def test_a_bad_or_missing_number_is_refused_and_nothing_is_saved(phone):
    with pytest.raises(ValidationError):
        contact_point_set(user=UserFactory(), phone_number=phone, sms_opt_in=True)
    assert not ContactPoint.objects.exists()


@pytest.mark.parametrize(
    "typed", ["+44 (0)7700 900-123", "+44 7700.900.123", "  +447700900123  ", "+44(7700)900123"]
)
def test_numbers_as_people_type_them_are_stored_in_international_form(typed):
    contact = contact_point_set(user=UserFactory(), phone_number=typed, sms_opt_in=True)
    assert contact.phone_number == "+447700900123"


def _send_reminders(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders()


def test_an_opted_in_client_is_texted_the_reminder(
    member, local_sms, django_capture_on_commit_callbacks
):
    contact_point_set(user=member, phone_number="+44 7700 900123", sms_opt_in=True)
    make_booking(starts_at=timezone.now() + dt.timedelta(hours=23), client=member)

    _send_reminders(django_capture_on_commit_callbacks)

    [sms] = local_sms
    assert sms.to == "+447700900123"
    assert "Reiki" in sms.body


def test_an_opted_out_client_is_not_texted(member, local_sms, django_capture_on_commit_callbacks):
    contact_point_set(user=member, phone_number="+447700900123", sms_opt_in=True)
    contact_point_set(user=member, phone_number="+447700900123", sms_opt_in=False)
    make_booking(starts_at=timezone.now() + dt.timedelta(hours=23), client=member)

    _send_reminders(django_capture_on_commit_callbacks)

    assert local_sms == []


def test_the_account_page_shows_the_texting_number_and_links_to_the_settings(client, member):
    overview = client.get("/account/").content.decode()
    assert f'href="{SETTINGS_URL}"' in overview
    assert "Booking reminders come by email" in overview

    contact_point_set(user=member, phone_number="+447700900123", sms_opt_in=True)

    overview = client.get("/account/").content.decode()
    assert "+447700900123" in overview
    assert "Booking reminders come by email" not in overview
