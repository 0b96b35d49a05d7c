"""Practitioner onboarding in Chromium: a new practitioner walks the wizard and submits,
the offline identity check passes, staff approve in the Wagtail admin's verification
queue, the practice dashboard's go-live checklist lists what is missing until a service
and availability exist, and then the public profile shows the verified badge and photo.
Every wizard step, with and without errors, passes axe at phone and desktop widths,
without a Content Security Policy violation."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from integrations.kyc.local import LocalKyc
from marketplace.practitioners.models import PractitionerProfile, VerificationCase
from marketplace.practitioners.services import practitioner_profile_ensure
from tests.accounts.factories import UserFactory, enrol_totp
from tests.browser.support import VIEWPORTS, assert_accessible
from tests.commerce.bookings.factories import AvailabilityRuleFactory
from tests.marketplace.practitioners.factories import (
    CredentialFactory,
    ModalityFactory,
    ServiceFactory,
    pdf_bytes,
    png_bytes,
)

pytestmark = pytest.mark.browser

BASE = "/dashboard/practice/onboarding/"


@pytest.fixture(autouse=True)
def _media_and_kyc(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    LocalKyc.reset()
    yield
    LocalKyc.reset()


@pytest.fixture
def newcomer() -> PractitionerProfile:
    """A new practitioner with a draft profile and an authenticator enrolled."""
    user = UserFactory(email="noor@example.org", first_name="Noor", last_name="Newman")
    enrol_totp(user)
    ModalityFactory(name="Psychotherapy", slug="psychotherapy")
    ModalityFactory(name="Life coaching", slug="life-coaching")
    return practitioner_profile_ensure(user=user, display_name="Noor Newman")


@pytest.fixture
def staff():
    user = UserFactory(email="sam@example.org", roles=[Role.STAFF])
    enrol_totp(user)
    # A flush after an earlier committing test leaves the role groups without the
    # permission their migration grants: give it to this person directly.
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return user


def log_in(page: Page, base_url: str, user) -> None:
    """A session from Django's test client, put in the browser (the user has an
    authenticator enrolled, as the /dashboard/ and admin MFA policy requires)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def in_a_year() -> str:
    return (timezone.localdate() + dt.timedelta(days=365)).isoformat()


def test_a_new_practitioner_is_verified_end_to_end(
    live_server, page, csp_violations, newcomer, staff, browser
):
    base = live_server.url
    log_in(page, base, newcomer.user)

    page.goto(f"{base}{BASE}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Joining Aeyia as a practitioner")
    page.get_by_role("navigation", name="Joining Aeyia").get_by_role(
        "link", name="Your profile"
    ).click()

    page.get_by_label("Profile photo").set_input_files(
        {"name": "noor.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.get_by_label("Bio").fill("Calm, practical therapy for anxiety and burnout.")
    page.get_by_label("Languages").fill("English, Urdu")
    page.get_by_label("Psychotherapy").check()
    page.get_by_label("I offer sessions online").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(r"/onboarding/credentials/$"))

    page.get_by_label("Type").select_option("licence")
    number_note = page.locator("label[for='id_number'] [data-required-note]")
    expect(number_note).to_have_text("(required)")
    page.get_by_label("Title").fill("Registered psychotherapist")
    page.get_by_label("Issued by").fill("UKCP")
    page.get_by_label("Licence, membership or policy number").fill("UKCP-24680")
    page.get_by_label("Expiry date").fill(in_a_year())
    page.get_by_role("button", name="Add", exact=True).click()
    expect(
        page.locator(".onboarding-credential strong", has_text="Registered psychotherapist")
    ).to_be_visible()

    page.get_by_label("Type").select_option("insurance")
    expect(number_note).to_have_text("(optional)")
    expect(page.locator("label[for='id_document'] [data-required-note]")).to_have_text("(required)")
    page.get_by_label("Title").fill("Professional indemnity")
    page.get_by_label("Issued by").fill("Balens")
    page.get_by_label("Licence, membership or policy number").fill("POL-1")
    page.get_by_label("Expiry date").fill(in_a_year())
    page.get_by_label("Document").set_input_files(
        {"name": "policy.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_role("button", name="Add", exact=True).click()
    expect(
        page.locator(".onboarding-credential strong", has_text="Professional indemnity")
    ).to_be_visible()

    page.get_by_role("link", name="Next: identity check").click()
    page.get_by_label("Given name(s) on your document").fill("Noor")
    page.get_by_label("Family name on your document").fill("Newman")
    page.get_by_label("Date of birth").fill("1988-09-14")
    page.get_by_label("Country that issued the document").select_option(label="United Kingdom")
    page.get_by_label("Passport", exact=True).check()
    page.get_by_label("Document number").fill("P5550001")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_text("Everything the review needs is here.")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted.")).to_be_visible()
    expect(page.get_by_text("identity check: passed")).to_be_visible()

    case = VerificationCase.objects.get()
    assert case.kyc_status == VerificationCase.KycStatus.PASSED

    # Staff, in their own browser profile, approve from the Wagtail admin queue.
    staff_context = browser.new_context()
    staff_context.set_default_timeout(15_000)
    staff_page = staff_context.new_page()
    log_in(staff_page, base, staff)
    staff_page.goto(f"{base}/cms/practitioner-verification/")
    staff_page.get_by_role("link", name="Noor Newman").click()
    expect(staff_page.get_by_role("cell", name="Registered psychotherapist")).to_be_visible()
    staff_page.get_by_role("button", name="Approve").click()
    expect(staff_page.get_by_text("Noor Newman is verified.")).to_be_visible()
    staff_context.close()

    newcomer.refresh_from_db()
    assert newcomer.status == PractitionerProfile.Status.VERIFIED

    page.goto(f"{base}{BASE}")
    expect(page.get_by_text("You are verified.")).to_be_visible()
    # Verified but not listed yet: the practice dashboard's checklist says what is missing
    # and the profile is not public until there is a service and availability.
    page.goto(f"{base}/dashboard/practice/")
    checklist = page.get_by_role("region", name="Before you go live")
    expect(checklist.get_by_role("link", name="Add a service")).to_be_visible()
    expect(checklist.get_by_role("link", name="Set your availability")).to_be_visible()
    assert page.request.get(f"{base}/practitioners/{newcomer.slug}/").status == 404
    service = ServiceFactory(
        practitioner=newcomer, accepts_card=False, accepts_credits=True, credit_price=2
    )
    AvailabilityRuleFactory(practitioner=newcomer)
    page.reload()
    expect(page.get_by_role("region", name="You are live")).to_be_visible()
    page.get_by_role("link", name="See your public profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Noor Newman")
    expect(page.get_by_text(service.name).first).to_be_visible()
    expect(page.get_by_text("Verified practitioner")).to_be_visible()
    expect(page.get_by_role("img", name="Photo of Noor Newman")).to_be_visible()
    assert csp_violations == []


def wizard_pages(base: str) -> list[tuple[str, str | None]]:
    """Each step as it first appears, and after a submission with errors (the button
    to press)."""
    return [
        (f"{base}{BASE}", None),
        (f"{base}{BASE}profile/", "Save and continue"),
        (f"{base}{BASE}credentials/", "Add"),
        (f"{base}{BASE}identity/", "Save and continue"),
    ]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_wizard_step_passes_axe(live_server, axe_page, newcomer, viewport):
    CredentialFactory(practitioner=newcomer, status="pending")
    PractitionerProfile.objects.filter(pk=newcomer.pk).update(
        status_reason="Please add your insurance certificate."
    )
    axe_page.set_viewport_size(viewport)
    log_in(axe_page, live_server.url, newcomer.user)
    for url, button in wizard_pages(live_server.url):
        axe_page.goto(url)
        assert_accessible(axe_page)
        if button:
            axe_page.get_by_role("button", name=button, exact=True).click()
            expect(axe_page.locator(".form-errors")).to_be_visible()
            assert_accessible(axe_page)
    # After an attempt to submit an incomplete profile, with the messages shown.
    axe_page.goto(f"{live_server.url}{BASE}")
    axe_page.get_by_role("button", name="Submit for review").click()
    expect(axe_page.get_by_text("Add a profile photo.").first).to_be_visible()
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_submitted_and_verified_overviews_pass_axe(live_server, axe_page, newcomer, viewport):
    axe_page.set_viewport_size(viewport)
    log_in(axe_page, live_server.url, newcomer.user)
    for status in ("submitted", "verified", "suspended"):
        PractitionerProfile.objects.filter(pk=newcomer.pk).update(status=status)
        for path in ("", "profile/", "credentials/", "identity/"):
            axe_page.goto(f"{live_server.url}{BASE}{path}")
            assert_accessible(axe_page)
    # The practice dashboard's go-live checklist: unfinished, then complete.
    PractitionerProfile.objects.filter(pk=newcomer.pk).update(status="verified")
    axe_page.goto(f"{live_server.url}/dashboard/practice/")
    expect(axe_page.get_by_role("region", name="Before you go live")).to_be_visible()
    assert_accessible(axe_page)
    newcomer.refresh_from_db()
    newcomer.photo.save("noor.png", ContentFile(png_bytes()), save=True)
    ServiceFactory(practitioner=newcomer, accepts_card=False, accepts_credits=True, credit_price=2)
    AvailabilityRuleFactory(practitioner=newcomer)
    axe_page.reload()
    expect(axe_page.get_by_role("region", name="You are live")).to_be_visible()
    assert_accessible(axe_page)


def test_wizard_pages_have_no_horizontal_scroll_on_a_phone(live_server, page, newcomer):
    CredentialFactory(practitioner=newcomer, title="A very long qualification title " * 3)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, newcomer.user)
    for url, _button in wizard_pages(live_server.url):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} scrolls sideways ({width}px)"
