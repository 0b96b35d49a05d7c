"""From a client's booking to the practitioner's dashboard, in Chromium: a client books
and pays by card on the offline Stripe checkout; the practitioner signs in with their
password and authenticator code, finds the booking on the week calendar, opens it and
moves it to another free time. axe finds nothing on the client's and the practitioner's
"move" pages on a phone or a desktop; the strict Content Security Policy reports
nothing."""

import datetime as dt
import re

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Browser, expect

from accounts.roles import Role
from commerce.bookings.dashboard_forms import format_iso_week
from commerce.bookings.models import AvailabilityRule, Booking
from integrations.stripe.local import StripeLocalGateway
from marketplace.practitioners.models import Modality, PractitionerProfile, Service
from tests.accounts.factories import UserFactory, enrol_totp, totp_code
from tests.browser.support import DESKTOP, PHONE, assert_accessible, sign_in
from tests.commerce.bookings.booking_setup import onboard_payouts

pytestmark = pytest.mark.browser


@pytest.fixture
def practitioner():
    """Committed for the live server: a London practitioner with an authenticator app,
    open 06:00–22:00 every day, who can take card payments. Returns (profile, secret)."""
    StripeLocalGateway.reset()
    user = UserFactory(
        email="nadia@example.org",
        first_name="Nadia",
        last_name="Haddad",
        roles=[Role.PRACTITIONER],
    )
    secret = enrol_totp(user)
    modality = Modality.objects.create(slug="psychotherapy", name="Psychotherapy")
    profile = PractitionerProfile.objects.create(
        user=user,
        slug="nadia-haddad",
        display_name="Nadia Haddad",
        status="active",
        time_zone="Europe/London",
    )
    Service.objects.create(
        practitioner=profile,
        modality=modality,
        name="Therapy session",
        duration_minutes=50,
        price=6500,
        is_online=True,
        minimum_notice_minutes=0,
        cancellation_tiers=[{"hours_before": 24, "refund_percent": 100}],
    )
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(
            practitioner=profile, weekday=weekday, start_time=dt.time(6), end_time=dt.time(22)
        )
        for weekday in range(7)
    )
    onboard_payouts(profile.user, lambda execute: transaction.atomic())
    return profile, secret


def sign_in_with_code(page, base_url: str, email: str, secret: str) -> None:
    """Password, then the authenticator app's current code on allauth's second step."""
    sign_in(page, base_url, email)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.locator("input[name='code']").fill(totp_code(secret))
    page.locator("input[name='code']").press("Enter")
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url)


def test_a_booking_reaches_the_practitioners_dashboard_and_is_moved(
    live_server,
    home_page,
    practitioner,
    browser: Browser,
    page,
    csp_violations,
    axe_page,
):
    profile, secret = practitioner
    client = UserFactory(
        email="sam@example.org", first_name="Sam", last_name="Carter", time_zone="Europe/London"
    )

    # The client books a time three days ahead (so moving it is allowed) and pays.
    sign_in(page, live_server.url, client.email)
    day = timezone.localdate(timezone=profile.zone) + dt.timedelta(days=3)
    starts_at = dt.datetime.combine(day, dt.time(6), tzinfo=profile.zone).astimezone(dt.UTC)
    service = profile.services.get()
    page.goto(
        f"{live_server.url}/practitioners/nadia-haddad/book/?service={service.pk}"
        f"&start={starts_at:%Y-%m-%dT%H:%M:%SZ}"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Book Therapy session")
    page.get_by_role("radio", name="Card").check()
    page.get_by_role("button", name="Confirm and pay").click()
    page.wait_for_url("**/stripe-local/checkout/**")
    page.get_by_role("button", name="Pay £65.00").click()
    page.wait_for_url(re.compile(r"/bookings/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    booking = Booking.objects.get(client=client, status=Booking.Status.CONFIRMED)

    # From the bookings list to the "move" page; axe on it at phone and desktop widths.
    page.get_by_role("link", name="All your bookings").click()
    page.get_by_role("link", name=re.compile(r"^Move Therapy session")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Move your booking")
    expect(page.get_by_role("group", name="Choose the new time")).to_be_visible()
    client_move_url = page.url
    sign_in(axe_page, live_server.url, client.email)
    for viewport in (PHONE, DESKTOP):
        axe_page.set_viewport_size(viewport)
        axe_page.goto(client_move_url)
        expect(axe_page.get_by_role("heading", level=1)).to_have_text("Move your booking")
        assert_accessible(axe_page)
        # A bad choice shows the form again with its error.
        axe_page.get_by_role("radio").first.evaluate("radio => radio.value = 'never'")
        axe_page.get_by_role("radio").first.check()
        axe_page.get_by_role("button", name="Move to this time").click()
        expect(axe_page.get_by_role("alert")).to_contain_text("start time is not valid")
        assert_accessible(axe_page)

    # The practitioner signs in with their authenticator and finds the booking.
    # Their own profile, with the site's CSP enforced and its reports collected; axe runs
    # in a twin profile that bypasses CSP (axe is injected inline) and shares the session.
    context = browser.new_context(viewport=DESKTOP)
    axe_context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    try:
        practice = context.new_page()
        practice.on(
            "console",
            lambda message: (
                csp_violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        sign_in_with_code(practice, live_server.url, profile.user.email, secret)
        axe_context.add_cookies(context.cookies())
        practice_axe = axe_context.new_page()
        local_start = booking.starts_at.astimezone(profile.zone)
        week = format_iso_week(local_start.date() - dt.timedelta(days=local_start.weekday()))
        practice.goto(f"{live_server.url}/dashboard/practice/?week={week}")
        expect(practice.get_by_role("heading", level=1)).to_have_text("Your week")
        session = practice.locator(".session__link", has_text="Sam C.")
        expect(session).to_contain_text(local_start.strftime("%H:%M"))
        expect(session).to_contain_text("Therapy session")
        session.click()
        practice.wait_for_url(f"**/dashboard/practice/bookings/{booking.pk}/")
        expect(practice.get_by_role("heading", level=1)).to_contain_text("Sam Carter")
        expect(practice.get_by_role("main")).to_contain_text("Confirmed")

        practice.get_by_role("link", name="Choose a new time").click()
        expect(practice.get_by_role("heading", level=1)).to_have_text(
            "Move Therapy session with Sam Carter"
        )
        for viewport in (PHONE, DESKTOP):
            practice_axe.set_viewport_size(viewport)
            practice_axe.goto(practice.url)
            expect(practice_axe.get_by_role("heading", level=1)).to_have_text(
                "Move Therapy session with Sam Carter"
            )
            assert_accessible(practice_axe)
        choice = practice.get_by_role("radio").nth(2)
        new_start = choice.get_attribute("value")
        choice.check()
        practice.get_by_role("button", name="Move to this time").click()
        practice.wait_for_url(f"**/dashboard/practice/bookings/{booking.pk}/")
        expect(practice.locator(".messages")).to_contain_text("Moved from")
    finally:
        axe_context.close()
        context.close()

    booking.refresh_from_db()
    assert booking.starts_at == dt.datetime.fromisoformat(new_start.replace("Z", "+00:00"))
    assert booking.reschedule_count == 1
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.payment.paid_at is not None
    assert csp_violations == []
