"""The client's "Reminders by text message" page (commerce.bookings.contact_views) and
contact_preference_set: E.164 numbers, explicit opt-in with its consent time, opting out,
and what the reminder beat then texts."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accounts.roles import Role
from commerce.bookings.contact import ClientContactPreference
from commerce.bookings.services.contact import contact_preference_set
from commerce.bookings.tasks import send_due_reminders
from commerce.errors import InvalidRequest
from integrations.sms import get_sms_sender
from integrations.sms.local import LocalSmsSender
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.notification_setup import make_booking

pytestmark = pytest.mark.django_db

URL = "/account/text-reminders/"


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


def save(client, phone, opt_in):
    data = {"phone_number": phone}
    if opt_in:
        data["sms_opt_in"] = "on"
    return client.post(URL, data)


def test_the_account_page_links_to_the_text_reminder_form(client, member):
    overview = client.get("/account/").content.decode()
    page = client.get(URL)

    assert f'href="{URL}"' in overview
    assert page.status_code == 200
    assert "Reminders by text message are off." in page.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_opting_in_saves_the_number_in_e164_and_the_moment_of_consent(client, member):
    with time_machine.travel("2026-12-01 10:00Z", tick=False):
        response = save(client, " +44 (0)7700 900-123 ", opt_in=True)

    assert response.status_code == 302
    preference = ClientContactPreference.objects.get(user=member)
    assert preference.phone_number == "+447700900123"
    assert preference.sms_opt_in is True and preference.wants_sms
    assert preference.sms_opted_in_at == dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    assert preference.sms_opted_out_at is None
    assert "Texts go to <strong>+447700900123</strong>" in client.get(URL).content.decode()
    assert "+447700900123" in client.get("/account/").content.decode()


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("07700 900123", "Enter the number in international form"),
        ("+0 7700", "Enter the number in international form"),
        ("+44 7700 900123 ext 5", "Enter the number in international form"),
        ("+4477009001231234567", "Enter the number in international form"),
        ("", "Enter the mobile number to text"),
    ],
)
def test_a_bad_or_missing_number_is_a_form_error_and_nothing_is_saved(
    client, member, phone, message
):
    response = save(client, phone, opt_in=True)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ClientContactPreference.objects.exists()


def test_a_number_without_the_box_ticked_is_not_consent(client, member):
    save(client, "+447700900123", opt_in=False)

    preference = ClientContactPreference.objects.get(user=member)
    assert preference.phone_number == "+447700900123"
    assert not preference.wants_sms
    assert preference.sms_opted_in_at is None


def test_opting_out_records_when_and_keeps_the_number(client, member):
    with time_machine.travel("2026-12-01 10:00Z", tick=False):
        save(client, "+447700900123", opt_in=True)
    with time_machine.travel("2026-12-02 08:30Z", tick=False):
        response = save(client, "+447700900123", opt_in=False)

    assert response.status_code == 302
    preference = ClientContactPreference.objects.get(user=member)
    assert not preference.wants_sms
    assert preference.phone_number == "+447700900123"
    assert preference.sms_opted_in_at == dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    assert preference.sms_opted_out_at == dt.datetime(2026, 12, 2, 8, 30, tzinfo=dt.UTC)


def test_consent_is_recorded_again_for_a_new_number():
    user = UserFactory()
    first = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    later = first + dt.timedelta(days=3)
    contact_preference_set(user=user, phone_number="+447700900123", sms_opt_in=True, now=first)
    same = contact_preference_set(
        user=user, phone_number="+447700900123", sms_opt_in=True, now=later
    )
    assert same.sms_opted_in_at == first
    changed = contact_preference_set(
        user=user, phone_number="+447700900456", sms_opt_in=True, now=later
    )
    assert changed.sms_opted_in_at == later


def test_the_service_refuses_opt_in_without_a_number():
    with pytest.raises(InvalidRequest) as raised:
        contact_preference_set(user=UserFactory(), phone_number=" ", sms_opt_in=True)
    assert raised.value.api_code == "phone_number_required"


def _send_reminders(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders()


def test_an_opted_in_client_is_texted_the_reminder(
    client, member, local_sms, django_capture_on_commit_callbacks
):
    save(client, "+44 7700 900123", opt_in=True)
    make_booking(starts_at=timezone.now() + dt.timedelta(hours=23), client=member)

    _send_reminders(django_capture_on_commit_callbacks)

    [sms] = local_sms
    assert sms.to == "+447700900123"
    assert "Reiki" in sms.body


def test_an_opted_out_client_is_not_texted(
    client, member, local_sms, django_capture_on_commit_callbacks
):
    save(client, "+447700900123", opt_in=True)
    save(client, "+447700900123", opt_in=False)
    make_booking(starts_at=timezone.now() + dt.timedelta(hours=23), client=member)

    _send_reminders(django_capture_on_commit_callbacks)

    assert local_sms == []
