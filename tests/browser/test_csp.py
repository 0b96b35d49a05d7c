"""Every page works under the site's strict Content Security Policy: no inline script or
style anywhere, the stylesheet and allauth's scripts load from our own origin."""

import pytest

from accounts.roles import Role
from tests.accounts.factories import UserFactory
from tests.browser.support import sign_in

pytestmark = pytest.mark.browser

PUBLIC_PATHS = [
    "/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/not-a-real-key/",
    "/accounts/password/reset/key/1-not-a-real-key/",
    "/no-such-page/",
]
SIGNED_IN_PATHS = [
    "/account/",
    "/dashboard/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/sessions/",
    "/accounts/logout/",
    "/",
]
SAND = "rgb(251, 247, 240)"


def _visit_all(page, base_url, paths):
    for path in paths:
        response = page.goto(f"{base_url}{path}")
        assert response is not None
        # The stylesheet applied (it would be blocked or missing otherwise).
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == SAND, path
        assert page.locator("h1").count() == 1, path


def test_public_pages_have_no_csp_violations(live_server, home_page, page, csp_violations):
    _visit_all(page, live_server.url, PUBLIC_PATHS)

    assert csp_violations == []


def test_signed_in_pages_have_no_csp_violations(live_server, home_page, page, csp_violations):
    user = UserFactory(email="csp@example.org", roles=[Role.CLIENT])
    sign_in(page, live_server.url, user.email)

    _visit_all(page, live_server.url, SIGNED_IN_PATHS)

    assert csp_violations == []


def test_security_response_headers(live_server, home_page, page):
    response = page.goto(f"{live_server.url}/")

    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
