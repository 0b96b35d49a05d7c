"""A new person signs up, confirms their email from the message we send, signs in and
sees their account."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.browser

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")


def test_sign_up_confirm_email_and_sign_in(live_server, home_page, page, csp_violations):
    email = "new.person@example.org"
    password = "a calm river at dawn 42"

    page.goto(live_server.url)
    page.get_by_role("navigation", name="Primary").get_by_role(
        "link", name="Create account"
    ).click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password (again)").fill(password)
    page.locator("main form").get_by_role("button", name="Sign Up").click()

    page.wait_for_url("**/accounts/confirm-email/")
    assert page.get_by_role("heading", level=1).inner_text() == "Verify Your Email Address"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    link = CONFIRM_LINK.search(message.body).group(0)

    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm Email Address"
    page.locator("main form").get_by_role("button", name="Confirm").click()

    page.wait_for_url("**/accounts/login/")
    assert "confirmed" in page.locator(".messages").inner_text()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.locator("main form").get_by_role("button", name="Sign In").click()

    page.wait_for_url("**/account/")
    main = page.get_by_role("main")
    assert main.get_by_role("heading", level=1).inner_text() == "Your account"
    assert email in main.inner_text()
    roles = main.locator(".summary-list__row", has_text="Roles")
    assert roles.locator(".badge").all_inner_texts() == ["Client"]
    assert csp_violations == []
