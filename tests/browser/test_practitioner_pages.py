"""The practitioner directory and a public profile in Chromium: axe finds nothing on a
phone or a desktop, the strict Content Security Policy reports nothing (the JSON-LD data
block included), a visitor filters the list, opens a profile and sees its next free times."""

import datetime as dt
import json

import pytest
from playwright.sync_api import expect

from commerce.bookings.models import AvailabilityRule
from marketplace.practitioners.models import Modality, PractitionerProfile, Service
from tests.accounts.factories import UserFactory
from tests.browser.support import DESKTOP, VIEWPORTS, assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def practitioners():
    """Committed for the live server (the database is flushed after each test): three
    bookable practitioners, open every day so the next free times never run dry."""
    psychotherapy = Modality.objects.create(slug="psychotherapy", name="Psychotherapy")
    massage = Modality.objects.create(slug="massage-therapy", name="Massage therapy")
    Modality.objects.create(slug="yoga-therapy", name="Yoga therapy")
    people = [
        ("priya-patel", "Priya Patel", "active", psychotherapy, True, 6500),
        ("marcus-reid", "Marcus Reid", "verified", psychotherapy, True, 5000),
        ("amara-okafor", "Amara Okafor", "verified", massage, False, 7000),
    ]
    for slug, name, status, modality, is_online, price in people:
        profile = PractitionerProfile.objects.create(
            user=UserFactory(),
            slug=slug,
            display_name=name,
            status=status,
            time_zone="Europe/London",
            languages="English, Hindi",
            bio=f"{name} is an experienced practitioner working with anxiety and stress.",
        )
        Service.objects.create(
            practitioner=profile,
            modality=modality,
            name=f"{modality.name} session",
            duration_minutes=50,
            price=price,
            member_price=price - 500,
            credit_price=1,
            accepts_credits=True,
            is_online=is_online,
            location="" if is_online else "4 Park Row, Bristol",
            minimum_notice_minutes=0,
            cancellation_tiers=[{"hours_before": 24, "refund_percent": 100}],
        )
        AvailabilityRule.objects.bulk_create(
            AvailabilityRule(
                practitioner=profile, weekday=weekday, start_time=dt.time(6), end_time=dt.time(22)
            )
            for weekday in range(7)
        )
    PractitionerProfile.objects.create(
        user=UserFactory(), slug="hidden", display_name="Hidden Draft", status="draft"
    )


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_directory_passes_axe(live_server, home_page, practitioners, axe_page, viewport):
    axe_page.set_viewport_size(viewport)
    axe_page.goto(f"{live_server.url}/practitioners/")

    assert axe_page.get_by_role("heading", level=1).inner_text() == "Find a practitioner"
    assert axe_page.get_by_role("heading", level=2, name="3 practitioners").is_visible()
    assert axe_page.get_by_role("link", name="Amara Okafor").is_visible()
    assert axe_page.get_by_role("link", name="Hidden Draft").count() == 0
    assert_accessible(axe_page)

    # With a filter error (the browser's own check on the field skipped) the form
    # explains itself, still accessibly.
    axe_page.goto(f"{live_server.url}/practitioners/?max_price=-3&q=stress")
    expect(axe_page.get_by_role("alert")).to_contain_text("Maximum price")
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_profile_passes_axe(live_server, home_page, practitioners, axe_page, viewport):
    axe_page.set_viewport_size(viewport)
    axe_page.goto(f"{live_server.url}/practitioners/amara-okafor/")

    assert axe_page.get_by_role("heading", level=1).inner_text() == "Amara Okafor"
    assert axe_page.get_by_role("table").is_visible()
    assert axe_page.locator(".open-times__item").count() == 6
    assert_accessible(axe_page)


def test_pages_have_no_csp_violations_and_the_json_ld_is_readable(
    live_server, home_page, practitioners, page, csp_violations
):
    for path in ("/practitioners/", "/practitioners/?online=on", "/practitioners/priya-patel/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.ok, path
        # The directory's own stylesheet loaded (CSP would block it otherwise).
        assert page.evaluate(
            "[...document.styleSheets].some((sheet) => (sheet.href || '').includes("
            "'bookings/directory'))"
        )
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    person, practice = data["@graph"]
    assert person["@type"] == "Person"
    assert practice["@type"] == "ProfessionalService"
    assert practice["makesOffer"][0]["price"] == "65.00"
    assert practice["makesOffer"][0]["priceCurrency"] == "GBP"

    # A JSON-LD data block is never executed, so the policy has nothing to report.
    assert csp_violations == []


def test_a_visitor_filters_opens_a_profile_and_sees_next_times(
    live_server, home_page, practitioners, browser
):
    # A visitor in New York sees the times in their browser's zone, not the server's
    # (UTC) nor the practitioner's (Europe/London).
    context = browser.new_context(viewport=DESKTOP, timezone_id="America/New_York")
    page = context.new_page()
    page.goto(f"{live_server.url}/practitioners/")
    page.get_by_label("Modality").select_option("psychotherapy")
    page.get_by_label("Offers online sessions").check()
    page.get_by_label("Maximum price per session (£)").fill("55")
    page.get_by_role("button", name="Show practitioners").click()

    expect(page.get_by_role("heading", level=2, name="1 practitioner matches")).to_be_visible()
    assert page.get_by_role("link", name="Priya Patel").count() == 0
    page.get_by_role("link", name="Marcus Reid").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Marcus Reid")
    expect(page.get_by_text("Verified practitioner")).to_be_visible()
    times = page.get_by_role("region", name="Next available times").locator("time")
    expect(times.first).to_be_visible()
    assert times.count() == 6
    assert "Times in America/New_York" in page.locator(".profile__times").inner_text()
    context.close()
