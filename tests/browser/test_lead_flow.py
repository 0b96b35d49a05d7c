"""A visitor from an Instagram campaign signs up for the newsletter in Chromium, confirms
from the email we send, creates an account through the marketing link, and the funnel
counts the sign-up (and the first purchase once there is one). axe finds nothing on the
form, error, thank-you, confirmation and contact pages at 390 and 1280 px; the strict
Content Security Policy reports nothing."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from commerce.payments.models import Payment
from integrations.klaviyo import get_klaviyo
from integrations.klaviyo.local import LocalKlaviyo
from marketing_site.leads.models import Lead
from marketing_site.leads.selectors import lead_funnel
from marketing_site.leads.tokens import confirmation_token_for
from tests.browser.support import VIEWPORTS, assert_accessible
from tests.commerce.payments.factories import CreditPackPaymentFactory
from tests.marketing_site.leads.factories import LeadFactory, contact_page, newsletter_page

pytestmark = pytest.mark.browser

CONFIRM_LINK = re.compile(r"https?://\S+/leads/confirm/[^/\s]+/")
CONSENT = "Email me Aeyia's newsletter: new practitioners, courses and offers."
PASSWORD = "a calm river at dawn 42"


@pytest.fixture(autouse=True)
def offline_klaviyo(settings):
    settings.KLAVIYO_GATEWAY = "integrations.klaviyo.local.LocalKlaviyo"
    settings.KLAVIYO_LIST_ID = "LIST123"
    get_klaviyo.cache_clear()
    LocalKlaviyo.reset()
    yield LocalKlaviyo
    LocalKlaviyo.reset()
    get_klaviyo.cache_clear()


@pytest.fixture
def newsletter(home_page):
    return newsletter_page(consent_text=CONSENT + " I can unsubscribe at any time.")


def test_lead_confirms_signs_up_and_converts(live_server, newsletter, page, csp_violations):
    email = "maya@example.org"
    page.goto(f"{live_server.url}/newsletter/?utm_source=instagram&utm_campaign=spring")

    form = page.get_by_role("main").locator("form")
    form.get_by_label("Email address").fill(email)
    form.get_by_label("Your name").fill("Maya Okafor")
    form.get_by_label(CONSENT).check()
    form.get_by_role("button", name="Sign up").click()

    page.wait_for_url("**/leads/thanks/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    (message,) = mail.outbox
    assert message.to == [email]

    page.goto(CONFIRM_LINK.search(message.body).group(0))
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm your email"
    page.get_by_role("button", name="Confirm my email").click()
    assert page.get_by_role("heading", level=1).inner_text() == "You are subscribed"
    assert LocalKlaviyo.profiles[email].lists == {"LIST123"}

    page.get_by_role("main").get_by_role("link", name="Create your account").click()
    page.wait_for_url(re.compile(r"/accounts/signup/\?next=%2Fnewsletter%2F"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/**")

    lead = Lead.objects.select_related("user").get()
    assert lead.user.email == email
    assert (lead.source, lead.campaign) == ("instagram", "spring")
    assert lead.confirmed_at is not None and lead.signed_up_at is not None
    funnel = lead_funnel()
    assert (funnel.total.leads, funnel.total.confirmed, funnel.total.signed_up) == (1, 1, 1)
    assert funnel.total.purchased == 0

    CreditPackPaymentFactory(user=lead.user, paid_at=timezone.now(), status=Payment.Status.PAID)
    (row,) = lead_funnel().rows
    assert (row.source, row.campaign, row.purchased) == ("instagram", "spring", 1)
    events = {
        event["metric"] for profile in LocalKlaviyo.profiles.values() for event in profile.events
    }
    assert events == {"Lead Captured", "Signed Up"}
    assert csp_violations == []


def test_errors_are_shown_next_to_the_form(live_server, newsletter, page, csp_violations):
    page.goto(f"{live_server.url}/newsletter/")
    form = page.get_by_role("main").locator("form")
    form.get_by_label("Email address").fill("not an email")
    form.get_by_role("button", name="Sign up").click()

    alert = page.get_by_role("alert")
    assert "Enter an email address like name@example.com." in alert.inner_text()
    assert "Tick the box to agree" in alert.inner_text()
    assert not Lead.objects.exists()
    assert csp_violations == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_lead_pages_pass_axe(live_server, newsletter, axe_page, viewport):
    axe_page.set_viewport_size(viewport)
    contact = contact_page()
    lead = LeadFactory(email="ada@example.org")
    confirm_url = f"{live_server.url}/leads/confirm/{confirmation_token_for(lead)}/"

    axe_page.goto(f"{live_server.url}/newsletter/")
    assert_accessible(axe_page)
    form = axe_page.get_by_role("main").locator("form")
    form.get_by_label("Email address").fill("oops")
    form.get_by_role("button", name="Sign up").click()
    axe_page.wait_for_url("**/leads/")
    assert_accessible(axe_page)

    axe_page.goto(f"{live_server.url}/leads/thanks/?from=/newsletter/")
    assert_accessible(axe_page)
    axe_page.goto(confirm_url)
    assert_accessible(axe_page)
    axe_page.get_by_role("button", name="Confirm my email").click()
    assert axe_page.get_by_role("heading", level=1).inner_text() == "You are subscribed"
    assert_accessible(axe_page)
    axe_page.goto(f"{live_server.url}/leads/confirm/not-a-token/")
    assert_accessible(axe_page)

    axe_page.goto(f"{live_server.url}{contact.url}")
    assert_accessible(axe_page)
    main = axe_page.get_by_role("main")
    main.get_by_label("Your name").fill("Ada")
    main.get_by_role("button", name="Send message").click()
    assert "There is a problem" in main.inner_text()
    assert_accessible(axe_page)
    main.get_by_label("Email", exact=True).fill("ada@example.org")
    main.get_by_label("Message").fill("Evening sessions?")
    main.get_by_role("button", name="Send message").click()
    assert axe_page.get_by_role("heading", level=1).inner_text() == "Thank you"
    assert_accessible(axe_page)
