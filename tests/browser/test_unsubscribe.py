"""A visitor signs up for the newsletter in Chromium, then uses the unsubscribe link in
the email we send: opening it only shows a button, pressing it unsubscribes (and tells
Klaviyo), and the confirmation link in the same email no longer subscribes them. axe
finds nothing on the unsubscribe, unsubscribed and broken-link pages at 390 and 1280 px;
the strict Content Security Policy reports nothing."""

import re

import pytest
from django.core import mail

from integrations.klaviyo import get_klaviyo
from integrations.klaviyo.local import LocalKlaviyo
from marketing_site.leads.models import Lead, UnsubscribeReason
from marketing_site.leads.tokens import unsubscribe_token_for
from tests.browser.support import VIEWPORTS, assert_accessible
from tests.marketing_site.leads.factories import LeadFactory, newsletter_page

pytestmark = pytest.mark.browser

CONFIRM_LINK = re.compile(r"https?://\S+/leads/confirm/[^/\s]+/")
UNSUBSCRIBE_LINK = re.compile(r"https?://\S+/leads/unsubscribe/[^/\s]+/")
CONSENT = "Email me Aeyia's newsletter."


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


def test_the_link_in_the_email_unsubscribes_after_a_press(
    live_server, newsletter, page, csp_violations
):
    email = "maya@example.org"
    page.goto(f"{live_server.url}/newsletter/")
    form = page.get_by_role("main").locator("form")
    form.get_by_label("Email address").fill(email)
    form.get_by_label(CONSENT).check()
    form.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/leads/thanks/**")

    (message,) = mail.outbox
    link = UNSUBSCRIBE_LINK.search(message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Unsubscribe"
    assert Lead.objects.get().unsubscribed_at is None
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", level=1).inner_text() == "You are unsubscribed"

    lead = Lead.objects.get()
    assert lead.is_unsubscribed and lead.unsubscribe_reason == UnsubscribeReason.AEYIA
    assert LocalKlaviyo.unsubscriptions == [email]

    page.goto(CONFIRM_LINK.search(message.body).group(0))
    assert page.get_by_role("heading", level=1).inner_text() == "This link does not work"
    assert "You unsubscribed after we sent this link" in page.get_by_role("alert").inner_text()
    assert Lead.objects.get().confirmed_at is None
    assert LocalKlaviyo.requests_for("list_subscribe") == []
    assert csp_violations == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_unsubscribe_pages_pass_axe(live_server, home_page, axe_page, viewport):
    axe_page.set_viewport_size(viewport)
    lead = LeadFactory(email="ada@example.org")
    url = f"{live_server.url}/leads/unsubscribe/{unsubscribe_token_for(lead)}/"

    axe_page.goto(url)
    assert_accessible(axe_page)
    axe_page.get_by_role("button", name="Unsubscribe").click()
    assert axe_page.get_by_role("heading", level=1).inner_text() == "You are unsubscribed"
    assert_accessible(axe_page)
    axe_page.goto(f"{live_server.url}/leads/unsubscribe/not-a-token/")
    assert axe_page.get_by_role("heading", level=1).inner_text() == "This link does not work"
    assert_accessible(axe_page)
