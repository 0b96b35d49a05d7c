"""Enrolling a second factor in the browser: the TOTP QR code (a data: image) and
allauth's WebAuthn script both work under the strict Content Security Policy."""

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from accounts.roles import Role
from tests.accounts.factories import UserFactory
from tests.browser.support import PASSWORD, assert_accessible, sign_in

pytestmark = pytest.mark.browser


def _confirm_password_if_asked(page):
    """allauth asks for the password again before second-factor changes."""
    if "/accounts/reauthenticate/" in page.url:
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.locator("main form").get_by_role("button", name="Confirm").click()


def _current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def test_editor_is_sent_to_enrol_and_activates_an_authenticator_app(
    live_server, editors_can_use_wagtail, page, csp_violations
):
    user = UserFactory(email="editor@example.org", first_name="Eda", roles=[Role.EDITOR])
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/dashboard/")

    # Just signed in: no second password prompt before enrolling.
    page.wait_for_url("**/accounts/2fa/totp/activate/?next=%2Fdashboard%2F")
    assert page.get_by_role("heading", level=1).inner_text() == "Activate Authenticator App"
    qr_code = page.get_by_role("img", name="QR code to scan with your authenticator app")
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")
    secret = page.get_by_label("Authenticator secret").input_value()

    page.get_by_label("Authenticator code").fill(_current_code(secret))
    page.locator("main form").get_by_role("button", name="Activate").click()

    page.wait_for_url("**/accounts/2fa/recovery-codes/?next=%2Fdashboard%2F")
    assert page.get_by_label("Unused codes").input_value().strip()

    # Back to the page the policy interrupted.
    page.get_by_role("link", name="I have saved them: continue").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome back, Eda"
    assert page.get_by_role("link", name="Content studio").get_attribute("href") == "/cms/"
    assert csp_violations == []


def test_totp_activation_page_passes_axe(live_server, axe_page):
    user = UserFactory(email="client@example.org", roles=[Role.CLIENT])
    sign_in(axe_page, live_server.url, user.email)
    axe_page.goto(f"{live_server.url}/accounts/2fa/totp/activate/")
    _confirm_password_if_asked(axe_page)

    axe_page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert_accessible(axe_page)


def test_client_adds_a_security_key(live_server, context, page, csp_violations):
    # Chromium's virtual authenticator stands in for a USB key.
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    user = UserFactory(email="keyholder@example.org", roles=[Role.CLIENT])
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/accounts/2fa/webauthn/add/")
    _confirm_password_if_asked(page)
    page.wait_for_url("**/accounts/2fa/webauthn/add/")
    assert page.get_by_role("heading", level=1).inner_text() == "Add Security Key"
    page.get_by_label("Name").fill("Desk key")
    page.locator("main form").get_by_role("button", name="Add").click()

    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    page.goto(f"{live_server.url}/account/")
    security_keys = page.locator(".summary-list__row", has_text="Security keys")
    assert security_keys.locator(".badge").inner_text() == "Added"
    assert csp_violations == []
