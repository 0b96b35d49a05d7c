"""axe-core finds no WCAG 2.1 A/AA problems on the pages people reach, on a phone and on
a desktop."""

import pytest

from accounts.roles import Role
from tests.accounts.factories import UserFactory
from tests.browser.support import VIEWPORTS, assert_accessible, sign_in

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    pytest.param("/", "Feel better, with people who know how to help", id="home"),
    pytest.param("/accounts/login/", "Sign In", id="login"),
    pytest.param("/accounts/signup/", "Sign Up", id="signup"),
    pytest.param("/accounts/password/reset/", "Password Reset", id="password-reset"),
    pytest.param("/no-such-page/", "We can’t find that page", id="not-found"),
]


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES)
def test_public_page_passes_axe(live_server, home_page, axe_page, viewport, path, heading):
    axe_page.set_viewport_size(viewport)
    axe_page.goto(f"{live_server.url}{path}")

    assert axe_page.get_by_role("heading", level=1).inner_text() == heading
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_signup_with_errors_passes_axe(live_server, axe_page, viewport):
    axe_page.set_viewport_size(viewport)
    axe_page.goto(f"{live_server.url}/accounts/signup/")
    axe_page.get_by_label("Email").fill("someone@example.org")
    axe_page.get_by_label("Password", exact=True).fill("short")
    axe_page.get_by_label("Password (again)").fill("different")
    axe_page.locator("main form").get_by_role("button", name="Sign Up").click()

    password = axe_page.get_by_label("Password", exact=True)
    assert password.get_attribute("aria-invalid") == "true"
    assert "id_password1_error" in password.get_attribute("aria-describedby")
    assert axe_page.get_by_role("alert").is_visible()
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_account_overview_passes_axe(live_server, axe_page, viewport):
    user = UserFactory(email="reader@example.org", roles=[Role.CLIENT])
    axe_page.set_viewport_size(viewport)
    sign_in(axe_page, live_server.url, user.email)
    axe_page.goto(f"{live_server.url}/account/")

    assert axe_page.get_by_role("heading", level=1).inner_text() == "Your account"
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_account_overview_with_mfa_warning_passes_axe(live_server, axe_page, viewport):
    user = UserFactory(email="editor@example.org", roles=[Role.EDITOR])
    axe_page.set_viewport_size(viewport)
    sign_in(axe_page, live_server.url, user.email)
    axe_page.goto(f"{live_server.url}/account/")

    assert axe_page.get_by_role("heading", name="Your role needs two-factor authentication")
    assert_accessible(axe_page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_client_dashboard_passes_axe(live_server, axe_page, viewport):
    user = UserFactory(email="client@example.org", first_name="Ada", roles=[Role.CLIENT])
    axe_page.set_viewport_size(viewport)
    sign_in(axe_page, live_server.url, user.email)
    axe_page.goto(f"{live_server.url}/dashboard/")

    assert axe_page.get_by_role("heading", level=1).inner_text() == "Welcome back, Ada"
    assert_accessible(axe_page)
