"""Secure messages and the privacy pages in Chromium, on a phone and a desktop: the client
starts a conversation, the practitioner reads it, replies and closes it, the client sees
it closed with the way to support; the client prepares and downloads their data and asks
for erasure. Every page passes axe, and none needs JavaScript."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page

from marketplace.clients.messaging.models import Message
from tests.accounts.factories import enrol_totp
from tests.browser.support import VIEWPORTS, assert_accessible
from tests.marketplace.clients.factories import CareRecordFactory

pytestmark = pytest.mark.browser


def log_in(page: Page, base_url: str, user) -> None:
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_messages_export_and_erasure_pages(live_server, axe_page, viewport, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    from filestore import private_storage_reset

    private_storage_reset()
    page = axe_page
    page.set_viewport_size(viewport)
    record = CareRecordFactory(client__first_name="Ada", practitioner__display_name="Sam Rivers")
    enrol_totp(record.practitioner.user)
    base = live_server.url

    log_in(page, base, record.client)
    page.goto(f"{base}/account/care/{record.pk}/messages/")
    assert_accessible(page)
    page.get_by_label("Subject").fill("Before Friday")
    page.get_by_label("Your message").fill("Can I bring my notes?")
    page.get_by_role("button", name="Send").click()
    assert page.get_by_text("Can I bring my notes?").is_visible()
    assert_accessible(page)

    log_in(page, base, record.practitioner.user)
    page.goto(f"{base}/dashboard/practice/messages/")
    assert page.get_by_role("main").get_by_text("1 unread").is_visible()
    assert_accessible(page)
    page.goto(f"{base}/dashboard/practice/clients/{record.pk}/messages/")
    page.get_by_role("link", name="Before Friday").click()
    page.get_by_label("Your message").fill("Yes, please do.")
    page.get_by_role("button", name="Send").click()
    assert page.get_by_text("Yes, please do.").is_visible()
    page.get_by_role("button", name="Close this conversation").click()
    assert page.locator("#thread-closed").is_visible()
    assert_accessible(page)
    assert Message.objects.count() == 2

    log_in(page, base, record.client)
    page.goto(f"{base}/account/messages/")
    assert_accessible(page)
    page.goto(f"{base}/account/care/{record.pk}/messages/")
    page.get_by_role("link", name="Before Friday").click()
    assert page.locator("#thread-closed-help").is_visible()
    assert_accessible(page)

    page.goto(f"{base}/account/privacy/export/")
    assert_accessible(page)
    page.get_by_role("button", name="Prepare my data").click()
    assert page.locator("#export-ready").is_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data").click()
    assert download.value.suggested_filename.endswith(".zip")

    page.goto(f"{base}/account/privacy/erase/")
    assert_accessible(page)
    page.get_by_role("button", name="Ask for deletion").click()
    assert page.get_by_role("alert").first.is_visible()
    assert_accessible(page)
    page.get_by_label("I want Aeyia to delete my account and data").check()
    page.get_by_role("button", name="Ask for deletion").click()
    assert page.locator("#erasure-pending").is_visible()
    assert_accessible(page)
    private_storage_reset()
