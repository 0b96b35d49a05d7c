"""The practitioner's practice dashboard in Chromium: the week calendar, a booking,
availability, services and clients pass axe on a phone and a desktop, form errors too,
and every page loads without a Content Security Policy violation."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page

from accounts.roles import Role
from commerce.bookings.feeds import calendar_feed_rotate
from commerce.bookings.models import Booking
from tests.accounts.factories import UserFactory, enrol_totp
from tests.browser.support import VIEWPORTS, assert_accessible
from tests.commerce.bookings.factories import (
    AvailabilityRuleFactory,
    DateOverrideFactory,
    ExternalCalendarFactory,
    TimeOffFactory,
)
from tests.commerce.bookings.notification_setup import make_booking
from tests.marketplace.practitioners.factories import (
    ModalityFactory,
    PractitionerProfileFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")
SAND = "rgb(251, 247, 240)"


@pytest.fixture
def practice():
    """A London practitioner (authenticator enrolled) with two services, a week of
    sessions in several states, weekly hours, a date change, time off, a calendar link
    and an external calendar whose last check failed."""
    user = UserFactory(
        email="priya@example.org",
        first_name="Priya",
        last_name="Patel",
        roles=[Role.PRACTITIONER],
    )
    enrol_totp(user)
    practitioner = PractitionerProfileFactory(
        user=user, display_name="Priya Patel", time_zone="Europe/London"
    )
    modality = ModalityFactory(name="Massage", slug="massage")
    reiki = ServiceFactory(practitioner=practitioner, modality=modality, name="Reiki")
    ServiceFactory(
        practitioner=practitioner,
        modality=modality,
        name="Deep tissue massage, ninety minutes",
        duration_minutes=90,
        accepts_credits=True,
        credit_price=6,
        is_online=False,
        location="12 High Street, Bristol",
    )
    ServiceFactory(practitioner=practitioner, modality=modality, name="Retired", is_active=False)

    today = timezone.localdate(timezone=LONDON)
    monday = today - dt.timedelta(days=today.weekday())
    people = [
        UserFactory(first_name="Ada", last_name="Lovelace", email="ada@example.org"),
        UserFactory(first_name="Grace", last_name="Hopper", email="grace@example.org"),
        UserFactory(first_name="Katherine", last_name="Johnson", email="kj@example.org"),
    ]
    statuses = [
        Booking.Status.CONFIRMED,
        Booking.Status.CANCELLED,
        Booking.Status.CONFIRMED,
        Booking.Status.HELD,
        Booking.Status.CONFIRMED,
    ]
    for index, (day, hour) in enumerate([(0, 9), (1, 11), (2, 14), (4, 10), (4, 16)]):
        starts_at = dt.datetime.combine(
            monday + dt.timedelta(days=day), dt.time(hour), tzinfo=LONDON
        )
        make_booking(
            service=reiki, client=people[index % 3], starts_at=starts_at, status=statuses[index]
        )
    # Next week too, so clients have a next session.
    make_booking(
        service=reiki,
        client=people[0],
        starts_at=dt.datetime.combine(monday + dt.timedelta(days=8), dt.time(9), tzinfo=LONDON),
    )

    for weekday in range(5):
        AvailabilityRuleFactory(practitioner=practitioner, weekday=weekday)
    DateOverrideFactory(practitioner=practitioner, date=today + dt.timedelta(days=14))
    DateOverrideFactory(
        practitioner=practitioner,
        date=today + dt.timedelta(days=21),
        start_time=dt.time(12),
        end_time=dt.time(15),
    )
    TimeOffFactory(
        practitioner=practitioner,
        starts_at=timezone.now() + dt.timedelta(days=30),
        ends_at=timezone.now() + dt.timedelta(days=37),
        reason="Retreat",
    )
    ExternalCalendarFactory(
        practitioner=practitioner,
        ical_url="https://calendar.example.org/private-0123456789abcdef/basic.ics",
        last_fetched_at=timezone.now(),
        last_error="The calendar server answered 404.",
    )
    calendar_feed_rotate(practitioner=practitioner)
    return practitioner


def log_in(page: Page, base_url: str, user) -> None:
    """A session for `user` from Django's test client, put in the browser (no sign-in
    form, no second-factor step: the user has an authenticator enrolled)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def first_booking(practice) -> Booking:
    return Booking.objects.filter(practitioner=practice).order_by("starts_at").first()


def practice_paths(practice) -> list[str]:
    service = practice.services.order_by("pk").first()
    return [
        "/dashboard/practice/",
        f"/dashboard/practice/bookings/{first_booking(practice).pk}/",
        "/dashboard/practice/availability/",
        "/dashboard/practice/services/",
        "/dashboard/practice/services/new/",
        f"/dashboard/practice/services/{service.pk}/",
        "/dashboard/practice/clients/",
    ]


# ---------- axe, phone and desktop ----------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_week_passes_axe(live_server, practice, axe_page, viewport):
    axe_page.set_viewport_size(viewport)
    log_in(axe_page, live_server.url, practice.user)
    axe_page.goto(f"{live_server.url}/dashboard/practice/")

    assert axe_page.get_by_role("heading", level=1).inner_text() == "Your week"
    days = axe_page.locator(".week__day")
    assert days.count() == 7
    monday = days.nth(0)
    assert "Ada L." in monday.inner_text()
    assert "09:00" in monday.inner_text()
    assert axe_page.get_by_role("link", name="Next week").is_visible()
    assert_accessible(axe_page)

    axe_page.get_by_role("link", name="Next week").click()
    axe_page.wait_for_url("**/dashboard/practice/?week=*")
    assert axe_page.get_by_role("link", name="This week").is_visible()
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_booking_page_passes_axe(live_server, practice, axe_page, viewport):
    axe_page.set_viewport_size(viewport)
    log_in(axe_page, live_server.url, practice.user)
    axe_page.goto(f"{live_server.url}/dashboard/practice/")
    axe_page.locator(".week__day").nth(0).get_by_role("link").first.click()
    axe_page.wait_for_url("**/dashboard/practice/bookings/*/")

    assert "Ada Lovelace" in axe_page.get_by_role("heading", level=1).inner_text()
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_availability_passes_axe_with_and_without_errors(live_server, practice, axe_page, viewport):
    axe_page.set_viewport_size(viewport)
    log_in(axe_page, live_server.url, practice.user)
    axe_page.goto(f"{live_server.url}/dashboard/practice/availability/")

    assert axe_page.get_by_role("heading", level=1).inner_text() == "Availability"
    link = axe_page.get_by_role("textbox", name="Private calendar link")
    assert link.input_value().startswith(f"{live_server.url}/calendar/")
    assert axe_page.get_by_text("Last check failed").is_visible()
    assert_accessible(axe_page)

    form = axe_page.locator("form", has=axe_page.get_by_role("button", name="Add hours"))
    form.get_by_label("Day").select_option(label="Monday")
    form.get_by_label("From").fill("18:00")
    form.get_by_label("Until").fill("17:00")
    form.get_by_role("button", name="Add hours").click()
    axe_page.wait_for_load_state()
    assert axe_page.get_by_role("alert").first.is_visible()
    assert form.get_by_label("Until").get_attribute("aria-invalid") == "true"
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_services_pass_axe(live_server, practice, axe_page, viewport):
    axe_page.set_viewport_size(viewport)
    log_in(axe_page, live_server.url, practice.user)
    axe_page.goto(f"{live_server.url}/dashboard/practice/services/")

    assert axe_page.get_by_role("heading", level=1).inner_text() == "Your services"
    assert axe_page.get_by_role("button", name="Offer again Retired").is_visible()
    assert_accessible(axe_page)

    axe_page.get_by_role("link", name="Add a service").click()
    axe_page.wait_for_url("**/services/new/")
    assert_accessible(axe_page)
    axe_page.get_by_label("Name", exact=True).fill("Walk and talk")
    axe_page.get_by_label("Tier 1: hours before the start").fill("24")
    axe_page.get_by_role("button", name="Add service").click()
    axe_page.wait_for_load_state()
    assert axe_page.get_by_role("alert").first.is_visible()
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_clients_pass_axe(live_server, practice, axe_page, viewport):
    axe_page.set_viewport_size(viewport)
    log_in(axe_page, live_server.url, practice.user)
    axe_page.goto(f"{live_server.url}/dashboard/practice/clients/")

    assert axe_page.get_by_role("link", name="grace@example.org").is_visible()
    assert_accessible(axe_page)


# ---------- Content Security Policy ----------


def test_practice_pages_load_without_csp_violations(live_server, practice, page, csp_violations):
    log_in(page, live_server.url, practice.user)
    for path in ["/dashboard/", *practice_paths(practice)]:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        # Both stylesheets applied (a blocked or missing one would leave these unset).
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == SAND, path
        assert page.locator("h1").count() == 1, path
        if path == "/dashboard/practice/":
            columns = page.evaluate(
                "getComputedStyle(document.querySelector('.week')).gridTemplateColumns"
            )
            assert len(columns.split()) == 7, columns
    assert page.get_by_role("link", name="Clients").is_visible()
    assert csp_violations == []
