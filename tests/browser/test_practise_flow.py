"""Becoming a practitioner in Chromium, end to end: a visitor opens "Practise on Aeyia"
from the site navigation, applies (signing up and confirming their email on the way),
enrols an authenticator app, completes the onboarding wizard and submits; the offline
identity check passes, staff approve in the Wagtail queue, the practitioner adds a
service and weekly hours and goes live (the go-live checklist is complete), and the public
directory lists them (it lists only practitioners with a service and availability). The new
pages (the Practise page, the application, the invitation landing) pass axe at phone and
desktop widths."""

import datetime as dt
import re
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from integrations.kyc.local import LocalKyc
from marketing_site.pages.demo import PRACTISE_BODY
from marketing_site.pages.models import PractisePage
from marketplace.practitioners.models import PractitionerProfile, VerificationCase
from marketplace.practitioners.services.applications import practitioner_invitation_create
from tests.accounts.factories import UserFactory, enrol_totp
from tests.browser.support import VIEWPORTS, assert_accessible
from tests.marketplace.practitioners.factories import ModalityFactory, pdf_bytes, png_bytes

pytestmark = pytest.mark.browser

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")
EMAIL = "priya.practises@example.org"
PASSWORD = "a calm river at dawn 42"


@pytest.fixture(autouse=True)
def _media_and_kyc(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    LocalKyc.reset()
    yield
    LocalKyc.reset()


@pytest.fixture
def practise_page(home_page):
    page = PractisePage(
        title="Practise on Aeyia",
        slug="practise",
        hero_heading="Grow your practice with clients who are ready to book",
        hero_text="Apply in a few minutes.",
        body=PRACTISE_BODY,
    )
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def modalities():
    return [
        ModalityFactory(name="Psychotherapy", slug="psychotherapy"),
        ModalityFactory(name="Reiki", slug="reiki"),
    ]


@pytest.fixture
def staff():
    user = UserFactory(email="sam@example.org", roles=[Role.STAFF])
    enrol_totp(user)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return user


def log_in(page: Page, base_url: str, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def in_a_year() -> str:
    return (timezone.localdate() + dt.timedelta(days=365)).isoformat()


def test_a_visitor_becomes_a_bookable_practitioner(
    live_server, page, csp_violations, practise_page, modalities, staff, browser
):
    base = live_server.url

    # The Practise page, from the site navigation.
    page.goto(f"{base}/")
    page.get_by_role("navigation", name="Primary").get_by_role(
        "link", name="Practise on Aeyia"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Grow your practice with clients who are ready to book"
    )
    expect(page.get_by_role("heading", name="What verification needs")).to_be_visible()
    page.get_by_role("link", name="Apply to practise").first.click()

    # The application, before having an account.
    expect(page).to_have_url(re.compile(r"/practise/apply/$"))
    page.get_by_label("Name clients will see").fill("Priya Patel")
    page.get_by_label("Psychotherapy").check()
    page.get_by_label("About your practice").fill("Warm, practical therapy for anxiety.")
    expect(page.get_by_label("I offer sessions online")).to_be_checked()
    page.get_by_label(re.compile("I accept the practitioner terms")).check()
    page.get_by_role("button", name="Continue to create your account").click()

    # Sign up, confirm the email, sign in: back at the application, as typed.
    expect(page).to_have_url(re.compile(r"/accounts/signup/"))
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    link = CONFIRM_LINK.search(mail.outbox[-1].body).group(0)
    page.goto(link)
    page.locator("main form").get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/login/?next=%2Fpractise%2Fapply%2F")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/practise/apply/")
    expect(page.get_by_label("About your practice")).to_have_value(
        "Warm, practical therapy for anxiety."
    )
    expect(page.get_by_label("Psychotherapy")).to_be_checked()
    page.get_by_label(re.compile("I accept the practitioner terms")).check()
    page.get_by_role("button", name="Send my application").click()

    # The MFA policy asks for an authenticator app before the wizard opens.
    page.wait_for_url("**/accounts/2fa/totp/activate/**")
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(current_code(secret))
    page.locator("main form").get_by_role("button", name="Activate").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/**")
    page.get_by_role("link", name="I have saved them: continue").click()
    page.wait_for_url("**/dashboard/practice/onboarding/")
    practitioner = PractitionerProfile.objects.get(user__email=EMAIL)
    assert practitioner.status == PractitionerProfile.Status.DRAFT

    # The wizard: profile (the statement is the bio's first draft), credentials, identity.
    page.get_by_role("navigation", name="Joining Aeyia").get_by_role(
        "link", name="Your profile"
    ).click()
    expect(page.get_by_label("Bio")).to_have_value("Warm, practical therapy for anxiety.")
    page.get_by_label("Profile photo").set_input_files(
        {"name": "priya.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.get_by_label("Languages").fill("English, Gujarati")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(r"/onboarding/credentials/$"))

    page.get_by_label("Type").select_option("licence")
    page.get_by_label("Title").fill("Registered psychotherapist")
    page.get_by_label("Issued by").fill("UKCP")
    page.get_by_label("Licence, membership or policy number").fill("UKCP-13579")
    page.get_by_label("Expiry date").fill(in_a_year())
    page.get_by_role("button", name="Add", exact=True).click()
    expect(
        page.locator(".onboarding-credential strong", has_text="Registered psychotherapist")
    ).to_be_visible()
    page.get_by_label("Type").select_option("insurance")
    page.get_by_label("Title").fill("Professional indemnity")
    page.get_by_label("Issued by").fill("Balens")
    page.get_by_label("Expiry date").fill(in_a_year())
    page.get_by_label("Document").set_input_files(
        {"name": "policy.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_role("button", name="Add", exact=True).click()
    expect(
        page.locator(".onboarding-credential strong", has_text="Professional indemnity")
    ).to_be_visible()

    page.get_by_role("link", name="Next: identity check").click()
    page.get_by_label("Given name(s) on your document").fill("Priya")
    page.get_by_label("Family name on your document").fill("Patel")
    page.get_by_label("Date of birth").fill("1986-03-21")
    page.get_by_label("Country that issued the document").select_option(label="United Kingdom")
    page.get_by_label("Passport").check()
    page.get_by_label("Document number").fill("P5550002")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Everything the review needs is here.")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("identity check: passed")).to_be_visible()
    assert VerificationCase.objects.get().kyc_status == VerificationCase.KycStatus.PASSED

    # Staff approve from the queue, in their own browser profile.
    staff_context = browser.new_context()
    staff_context.set_default_timeout(15_000)
    staff_page = staff_context.new_page()
    log_in(staff_page, base, staff)
    staff_page.goto(f"{base}/cms/practitioner-verification/?stage=submitted")
    expect(staff_page.locator("td[data-stage=submitted]")).to_have_text("Submitted")
    staff_page.get_by_role("link", name="Priya Patel", exact=True).click()
    staff_page.get_by_role("button", name="Approve").click()
    expect(staff_page.get_by_text("Priya Patel is verified.")).to_be_visible()
    staff_context.close()

    # A service and weekly hours, then live.
    page.goto(f"{base}/dashboard/practice/services/")
    page.get_by_role("link", name="Add a service").click()
    page.get_by_label("Name", exact=True).fill("Therapy session")
    page.get_by_label("Modality").select_option(label="Psychotherapy")
    page.get_by_label("Length (minutes)").fill("50")
    page.get_by_label("Card", exact=True).uncheck()
    page.get_by_label("Credits", exact=True).check()
    page.get_by_label("Price in credits").fill("5")
    page.get_by_role("button", name="Add service").click()
    expect(page.get_by_text("Therapy session").first).to_be_visible()

    page.goto(f"{base}/dashboard/practice/availability/")
    hours = page.locator("form", has=page.get_by_role("button", name="Add hours"))
    hours.get_by_label("Day").select_option(label="Wednesday")
    hours.get_by_label("From").fill("09:00")
    hours.get_by_label("Until").fill("17:00")
    hours.get_by_role("button", name="Add hours").click()
    expect(page.get_by_role("button", name=re.compile(r"^Remove Wednesday"))).to_be_visible()

    page.goto(f"{base}/dashboard/practice/onboarding/")
    page.get_by_role("button", name="Start taking bookings").click()
    expect(page.get_by_role("region", name="Where you are")).to_contain_text(
        "You are taking bookings."
    )
    practitioner.refresh_from_db()
    assert practitioner.status == PractitionerProfile.Status.ACTIVE

    # The practice calendar's go-live checklist agrees: nothing left to do.
    page.goto(f"{base}/dashboard/practice/")
    expect(page.get_by_role("heading", name="You are live")).to_be_visible()

    # The public directory lists them.
    page.goto(f"{base}/practitioners/")
    page.get_by_role("link", name="Priya Patel").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Patel")
    assert csp_violations == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_new_pages_pass_axe(live_server, axe_page, practise_page, modalities, staff, viewport):
    base = live_server.url
    _, token = practitioner_invitation_create(
        email="ina@example.org",
        name="Ina",
        modalities=modalities[:1],
        note="We met at the fair.",
        sent_by=staff,
    )
    _, expired = practitioner_invitation_create(
        email="late@example.org",
        name="",
        modalities=[],
        note="",
        sent_by=staff,
        now=timezone.now() - dt.timedelta(days=30),
    )
    axe_page.set_viewport_size(viewport)

    axe_page.goto(f"{base}/practise/")
    assert_accessible(axe_page)

    axe_page.goto(f"{base}/practise/invitation/{token}/")
    expect(axe_page.get_by_role("heading", level=1)).to_have_text(
        "You are invited to practise on Aeyia"
    )
    assert_accessible(axe_page)
    axe_page.goto(f"{base}/practise/invitation/{expired}/")
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("This invitation has expired")
    assert_accessible(axe_page)

    axe_page.goto(f"{base}/practise/apply/")
    expect(axe_page.get_by_label("Name clients will see")).to_have_value("Ina")
    assert_accessible(axe_page)
    axe_page.get_by_label("Name clients will see").fill("")
    axe_page.get_by_role("button", name="Continue to create your account").click()
    expect(axe_page.locator(".form-errors")).to_be_visible()
    assert_accessible(axe_page)
    width = axe_page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the application scrolls sideways ({width}px)"
