"""The notification centre in Chromium. A practitioner's bell updates live (WebSocket
through uvicorn) when a client books with them in another browser context, the change is
said in the polite live region, the list opens the booking and marks it read; without a
socket the bell polls once a minute. The list (empty and full) and the settings page are
axe clean at 390 and 1280 px and work from the keyboard."""

import datetime as dt
import re

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.roles import Role
from commerce.bookings.models import AvailabilityRule, Booking
from integrations.stripe.local import StripeLocalGateway
from marketplace.practitioners.models import Modality, PractitionerProfile, Service
from notifications.models import Notification, NotificationPreference
from tests.accounts.factories import UserFactory, enrol_totp, totp_code
from tests.browser.support import DESKTOP, PHONE, assert_accessible, sign_in
from tests.commerce.bookings.booking_setup import onboard_payouts
from tests.commerce.credits.factories import give_credits
from tests.notifications.ui_support import in_app_notification

pytestmark = pytest.mark.browser

BELL = "[data-notification-bell]"


@pytest.fixture
def asgi_application():
    """config.asgi with static files served from the apps' folders (the test run has no
    collectstatic; pytest-django's live_server does the same for WSGI), so bell.js loads."""
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config.asgi import application

    return ASGIStaticFilesHandler(application)


@pytest.fixture
def practitioner():
    """A practitioner with an authenticator app, open 06:00–22:00 London time every day,
    whose session can be paid with credits."""
    StripeLocalGateway.reset()
    modality = Modality.objects.create(slug="psychotherapy", name="Psychotherapy")
    profile = PractitionerProfile.objects.create(
        user=UserFactory(
            email="nadia@example.org",
            first_name="Nadia",
            last_name="Haddad",
            roles=[Role.PRACTITIONER],
        ),
        slug="nadia-haddad",
        display_name="Nadia Haddad",
        status="active",
        time_zone="Europe/London",
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
    )
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(
            practitioner=profile, weekday=weekday, start_time=dt.time(6), end_time=dt.time(22)
        )
        for weekday in range(7)
    )
    onboard_payouts(profile.user, lambda execute: transaction.atomic())
    secret = enrol_totp(profile.user)
    return profile, secret


def _sign_in_with_code(page: Page, base_url: str, email: str, secret: str) -> None:
    sign_in(page, base_url, email)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.locator("input[name='code']").fill(totp_code(secret))
    page.locator("input[name='code']").press("Enter")
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url)


def test_the_practitioners_bell_updates_when_a_client_books(
    asgi_live_server, home_page, practitioner, browser: Browser, page, csp_violations
):
    profile, secret = practitioner
    base = asgi_live_server.url
    client = UserFactory(
        email="sam@example.org", first_name="Sam", last_name="Carter", time_zone="Europe/London"
    )
    give_credits(user=client, amount=10)

    # The practitioner has the dashboard open; the bell's socket is connected.
    _sign_in_with_code(page, base, profile.user.email, secret)
    page.goto(f"{base}/dashboard/practice/")
    bell = page.locator(BELL)
    expect(bell).to_have_accessible_name("Notifications, none unread")
    expect(bell).to_have_attribute("data-bell-mode", "socket")
    expect(bell.locator("[data-bell-badge]")).to_be_hidden()

    # The client books with credits in their own browser.
    context = browser.new_context(viewport=PHONE)
    try:
        booker = context.new_page()
        sign_in(booker, base, client.email)
        day = timezone.localdate(timezone=profile.zone) + dt.timedelta(days=3)
        starts_at = dt.datetime.combine(day, dt.time(6), tzinfo=profile.zone).astimezone(dt.UTC)
        service = profile.services.get()
        booker.goto(
            f"{base}/practitioners/nadia-haddad/book/?service={service.pk}"
            f"&start={starts_at:%Y-%m-%dT%H:%M:%SZ}"
        )
        booker.get_by_role("radio", name="Credits").check()
        booker.get_by_role("button", name=re.compile("^Confirm")).click()
        expect(booker.get_by_role("heading", level=1)).to_have_text("You are booked")
    finally:
        context.close()
    assert Booking.objects.filter(client=client, status=Booking.Status.CONFIRMED).exists()

    # Without a reload: the count in the link's name, the badge, and said once politely.
    expect(bell).to_have_accessible_name("Notifications, 1 unread", timeout=10_000)
    expect(bell.locator("[data-bell-badge]")).to_have_text("1")
    expect(page.locator("[data-bell-live]")).to_have_text("New notification. 1 unread.")

    # From the keyboard: the bell, then the notification, which opens its page.
    bell.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/account/notifications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    item = page.get_by_role("listitem").filter(has_text="New booking")
    expect(item).to_contain_text("Sam C. booked Therapy session")
    expect(item).to_contain_text("New")
    item.get_by_role("button").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/account/notifications/" not in url)
    expect(page.locator(BELL)).to_have_accessible_name("Notifications, none unread")
    assert Notification.objects.get(recipient=profile.user).read_at is not None
    assert csp_violations == []


def test_without_a_socket_the_bell_polls_each_minute(live_server, page):
    """pytest-django's live server speaks only HTTP: the socket fails and the poll serves."""
    person = UserFactory(email="poll@example.org")
    page.clock.install()
    sign_in(page, live_server.url, person.email)
    page.goto(f"{live_server.url}/account/")
    bell = page.locator(BELL)
    expect(bell).to_have_accessible_name("Notifications, none unread")
    expect(bell).to_have_attribute("data-bell-mode", "poll")

    in_app_notification(person, title="Your credits expire soon")
    page.clock.run_for("01:01")
    expect(bell).to_have_accessible_name("Notifications, 1 unread")
    expect(page.locator("[data-bell-live]")).to_have_text("New notification. 1 unread.")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_notification_pages_are_accessible(live_server, axe_page, viewport):
    person = UserFactory(email="axe@example.org", time_zone="Europe/London")
    sign_in(axe_page, live_server.url, person.email)
    axe_page.set_viewport_size(viewport)

    axe_page.goto(f"{live_server.url}/account/notifications/")
    expect(axe_page.get_by_role("main")).to_contain_text("No notifications yet.")
    assert_accessible(axe_page)

    in_app_notification(person, title="Your booking is confirmed", minutes_ago=5)
    in_app_notification(person, title="Receipt for your membership", read=True, minutes_ago=50)
    in_app_notification(person, title="Security alert: new sign-in", link="", minutes_ago=90)
    axe_page.goto(f"{live_server.url}/account/notifications/")
    expect(axe_page.get_by_role("main")).to_contain_text("2 unread.")
    assert_accessible(axe_page)

    axe_page.goto(f"{live_server.url}/account/notifications/settings/")
    expect(axe_page.get_by_role("table")).to_be_visible()
    assert_accessible(axe_page)
    # A bad time shows the errors, still accessible.
    axe_page.get_by_label("Quiet from").fill("22:00")
    axe_page.get_by_role("button", name="Save settings").click()
    expect(axe_page.get_by_role("alert")).to_contain_text("Give both times")
    assert_accessible(axe_page)


def test_settings_work_from_the_keyboard(live_server, page):
    person = UserFactory(email="keys@example.org")
    sign_in(page, live_server.url, person.email)
    page.goto(f"{live_server.url}/account/notifications/settings/")
    marketing = page.get_by_role("checkbox", name="News and offers: Email")
    expect(marketing).not_to_be_checked()
    marketing.focus()
    page.keyboard.press("Space")
    expect(marketing).to_be_checked()
    page.get_by_role("button", name="Save settings").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="saved")).to_be_visible()
    expect(page.get_by_role("checkbox", name="News and offers: Email")).to_be_checked()
    assert NotificationPreference.objects.get(user=person, category="marketing").enabled
    # Required kinds have no box to untick, and say why.
    required = page.get_by_role("row", name=re.compile("^Required"))
    expect(required.get_by_role("checkbox")).to_have_count(0)
    expect(required).to_contain_text("Required — cannot be turned off")
