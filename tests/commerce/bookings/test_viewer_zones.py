"""Client-facing times in the viewer's zone: their chosen zone, else their browser's
(the aeyia_tz cookie set by bookings/viewer-zone.js), else the practitioner's, named.
User.time_zone starts as "UTC" for everyone, so clients used to see every time in UTC
("14:00–14:50 UTC (UTC)"). The confirmation email links to the client's bookings."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from commerce.bookings.directory import BROWSER_ZONE_COOKIE, viewer_zone
from commerce.bookings.services.zones import client_time_zone_adopt
from commerce.bookings.tasks import send_booking_notice
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.factories import AvailabilityRuleFactory
from tests.commerce.bookings.notification_setup import make_booking, make_service

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)  # Tuesday
LONDON = ZoneInfo("Europe/London")
STARTS = dt.datetime(2030, 1, 7, 14, tzinfo=dt.UTC)  # 14:00 London, 09:00 New York


@pytest.mark.parametrize(
    ("stored", "cookie", "expected"),
    [
        ("Asia/Tokyo", "America/New_York", "Asia/Tokyo"),  # a chosen zone wins
        ("UTC", "America/New_York", "America/New_York"),  # the default is not a choice
        ("UTC", None, "Europe/London"),
        ("UTC", "Not/AZone", "Europe/London"),
        ("UTC", "../../etc/passwd", "Europe/London"),
        ("UTC", "x" * 200, "Europe/London"),
        ("Bogus/Zone", None, "Europe/London"),
    ],
)
def test_viewer_zone(stored, cookie, expected):
    user = UserFactory(time_zone=stored)
    assert str(viewer_zone(user=user, fallback=LONDON, browser_zone=cookie)) == expected


@time_machine.travel(NOW, tick=False)
def test_the_profile_shows_times_in_the_browsers_zone(client):
    service = make_service(practitioner_zone="Europe/London")
    AvailabilityRuleFactory(practitioner=service.practitioner, weekday=0)  # Mon 09–17 London
    url = f"/practitioners/{service.practitioner.slug}/"

    html = client.get(url).content.decode()
    assert "Times in Europe/London" in html
    assert "Mon 7 Jan, 09:00" in html
    assert "bookings/viewer-zone" in html

    client.cookies[BROWSER_ZONE_COOKIE] = "America/New_York"
    html = client.get(url).content.decode()
    assert "Times in America/New_York" in html
    assert "Mon 7 Jan, 04:00" in html


@time_machine.travel(NOW, tick=False)
def test_a_clients_booking_page_is_in_the_practitioners_zone_not_utc(client):
    person = UserFactory()  # time_zone "UTC": never chosen
    booking = make_booking(starts_at=STARTS, client=person)
    client.force_login(person)
    html = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert "Europe/London" in html
    assert "(UTC)" not in html

    client.cookies[BROWSER_ZONE_COOKIE] = "America/New_York"
    html = client.get("/account/bookings/").content.decode()
    assert "America/New_York" in html
    assert "09:00" in html


def test_the_confirmation_names_the_practitioners_zone_and_links_to_the_bookings(
    django_capture_on_commit_callbacks,
):
    booking = make_booking(starts_at=STARTS, client=UserFactory(time_zone="UTC"))
    with django_capture_on_commit_callbacks(execute=True):
        send_booking_notice(booking.pk, "confirmed")
    [to_client] = [message for message in mail.outbox if message.to == [booking.client.email]]
    assert "When: Monday 7 January 2030, 14:00–15:00 (Europe/London)" in to_client.body
    assert "UTC" not in to_client.body
    assert f"{settings.SITE_URL.rstrip('/')}/account/bookings/" in to_client.body


def test_the_confirmation_uses_the_zone_adopted_from_the_browser(
    django_capture_on_commit_callbacks,
):
    person = UserFactory(time_zone="UTC")
    assert client_time_zone_adopt(user=person, browser_zone="America/New_York") is True
    booking = make_booking(starts_at=STARTS, client=person)
    with django_capture_on_commit_callbacks(execute=True):
        send_booking_notice(booking.pk, "confirmed")
    [to_client] = [message for message in mail.outbox if message.to == [person.email]]
    assert "When: Monday 7 January 2030, 09:00–10:00 (America/New_York)" in to_client.body


@pytest.mark.parametrize(
    ("stored", "cookie", "kept"),
    [
        ("UTC", "America/New_York", "America/New_York"),
        ("Asia/Tokyo", "America/New_York", "Asia/Tokyo"),  # a choice is never overwritten
        ("UTC", "Not/AZone", "UTC"),
        ("UTC", None, "UTC"),
    ],
)
def test_client_time_zone_adopt(stored, cookie, kept):
    person = UserFactory(time_zone=stored)
    client_time_zone_adopt(user=person, browser_zone=cookie)
    person.refresh_from_db()
    assert person.time_zone == kept


def test_the_credit_statement_names_the_session_in_the_clients_zone():
    from commerce.bookings.services import booking_confirm_with_credits, booking_hold
    from commerce.credits.models import CreditTransaction
    from tests.commerce.bookings.booking_setup import bookable_service, slot
    from tests.commerce.credits.factories import give_credits

    service = bookable_service(name="Reiki")
    person = UserFactory(time_zone="America/New_York")
    give_credits(user=person, amount=10)
    starts_at = slot(days=3, hour=14)
    booking = booking_hold(client=person, service=service, starts_at=starts_at, pay_with="credits")
    booking_confirm_with_credits(booking=booking)
    booking.refresh_from_db()
    spend = CreditTransaction.objects.get(pk=booking.credit_spend_id)
    local = starts_at.astimezone(ZoneInfo("America/New_York"))
    assert spend.memo == f"Reiki on {local:%d %b %Y %H:%M} (America/New_York)"
