"""A client books a session in Chromium: finds a practitioner in the directory, opens the
profile, picks a free time, pays by card on the offline Stripe checkout, lands on the
confirmation and finds the booking on /account/bookings/. axe finds nothing on the
booking, confirmation and bookings pages on a phone or a desktop; the strict Content
Security Policy reports nothing."""

import datetime as dt
import re

import pytest
from django.db import transaction
from django.test import Client
from playwright.sync_api import expect

from commerce.bookings.models import AvailabilityRule, Booking
from integrations.stripe.local import StripeLocalGateway
from marketplace.practitioners.models import Modality, PractitionerProfile, Service
from tests.accounts.factories import UserFactory
from tests.browser.support import DESKTOP, PHONE, assert_accessible, sign_in
from tests.commerce.bookings.booking_setup import onboard_payouts

pytestmark = pytest.mark.browser


@pytest.fixture
def practitioner():
    """Committed for the live server (flushed after the test): a practitioner open
    06:00–22:00 London time every day, who can take card payments."""
    StripeLocalGateway.reset()
    modality = Modality.objects.create(slug="psychotherapy", name="Psychotherapy")
    profile = PractitionerProfile.objects.create(
        user=UserFactory(),
        slug="nadia-haddad",
        display_name="Nadia Haddad",
        status="active",
        time_zone="Europe/London",
        languages="English, Arabic",
        bio="Nadia works with anxiety, grief and stress.",
    )
    Service.objects.create(
        practitioner=profile,
        modality=modality,
        name="Therapy session",
        duration_minutes=50,
        price=6500,
        credit_price=2,
        accepts_credits=True,
        is_online=True,
        minimum_notice_minutes=0,
        cancellation_tiers=[
            {"hours_before": 24, "refund_percent": 100},
            {"hours_before": 2, "refund_percent": 50},
        ],
    )
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(
            practitioner=profile, weekday=weekday, start_time=dt.time(6), end_time=dt.time(22)
        )
        for weekday in range(7)
    )
    # These tests commit, so each onboarding step runs in its own transaction (the
    # offline Stripe locks its rows) and its on-commit webhooks run when it commits.
    onboard_payouts(profile.user, lambda execute: transaction.atomic())
    return profile


def test_a_client_books_and_pays_by_card(
    live_server, home_page, practitioner, page, csp_violations, axe_page
):
    client = UserFactory(email="sam@example.org", time_zone="Europe/London")
    sign_in(page, live_server.url, client.email)
    sign_in(axe_page, live_server.url, client.email)

    page.goto(f"{live_server.url}/practitioners/")
    page.get_by_role("link", name="Nadia Haddad").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nadia Haddad")

    times = page.get_by_role("region", name="Next available times")
    first_time = times.get_by_role("link").first
    expect(first_time).to_have_accessible_name(re.compile(r"^Book Therapy session on "))
    first_time.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Book Therapy session")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Europe/London")
    expect(main).to_contain_text("You have 0 credits available: not enough for this session.")
    expect(page.get_by_role("radio", name="Credits")).to_be_disabled()
    booking_url = page.url

    service_only = booking_url.split("&")[0]
    for viewport in (PHONE, DESKTOP):
        axe_page.set_viewport_size(viewport)
        axe_page.goto(booking_url)
        expect(axe_page.get_by_role("heading", level=1)).to_have_text("Book Therapy session")
        assert_accessible(axe_page)
        # Too few credits: the form again with the reason.
        axe_page.get_by_role("radio", name="Credits").evaluate("radio => radio.disabled = false")
        axe_page.get_by_role("radio", name="Credits").check()
        axe_page.get_by_role("button", name="Confirm and pay").click()
        expect(axe_page.get_by_role("alert")).to_contain_text("You do not have enough credits")
        assert_accessible(axe_page)
        for url in (service_only, f"{service_only}&start=never"):
            axe_page.goto(url)
            assert_accessible(axe_page)

    page.get_by_role("radio", name="Card").check()
    page.get_by_role("button", name="Confirm and pay").click()

    page.wait_for_url("**/stripe-local/checkout/**")
    expect(page.get_by_role("main")).to_contain_text("£65.00")
    page.get_by_role("button", name="Pay £65.00").click()

    page.wait_for_url(re.compile(r"/bookings/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    booking = Booking.objects.get(client=client, status=Booking.Status.CONFIRMED)
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.payment.paid_at is not None
    confirmation_url = page.url

    page.get_by_role("link", name="All your bookings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your bookings")
    upcoming = page.get_by_role("region", name="Upcoming")
    expect(upcoming).to_contain_text("Therapy session")
    expect(upcoming).to_contain_text("Confirmed")
    expect(page.get_by_role("link", name="Bookings")).to_have_attribute("aria-current", "page")

    page.get_by_role("link", name=re.compile(r"^Cancel Therapy session")).click()
    expect(page.get_by_role("main")).to_contain_text("You will get back")

    for viewport in (PHONE, DESKTOP):
        axe_page.set_viewport_size(viewport)
        for url in (confirmation_url, f"{live_server.url}/account/bookings/", page.url):
            axe_page.goto(url)
            assert_accessible(axe_page)

    assert csp_violations == []


def test_a_time_taken_meanwhile_goes_back_to_the_profile(
    live_server, home_page, practitioner, page
):
    client = UserFactory(time_zone="Europe/London")
    sign_in(page, live_server.url, client.email)
    page.goto(f"{live_server.url}/practitioners/nadia-haddad/")
    page.get_by_role("region", name="Next available times").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book Therapy session")

    # Someone else takes the time while this client is choosing how to pay.
    booking_path = page.url.removeprefix(live_server.url)
    other = UserFactory()
    rival = Client()
    rival.force_login(other)
    assert rival.post(booking_path, {"pay_with": "card"}).status_code == 303

    page.get_by_role("radio", name="Card").check()
    page.get_by_role("button", name="Confirm and pay").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nadia Haddad")
    expect(page.locator(".messages")).to_contain_text("is no longer free")
