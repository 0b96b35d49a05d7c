"""The Wagtail admin in Chromium: the editor's preview pane shows the page (the preview,
and only the preview, may be framed by our own origin), and admin pages load nothing the
Content Security Policy blocks (no third-party avatar image)."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page

from accounts.roles import Role
from tests.accounts.factories import UserFactory, enrol_totp
from tests.marketing_site.pages.factories import StandardPageFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def editor():
    """A superuser with an authenticator app (the admin's MFA policy) and an email address
    Gravatar would know."""
    user = UserFactory(
        email="eda@example.org", first_name="Eda", roles=[Role.EDITOR], is_superuser=True
    )
    enrol_totp(user)
    return user


def log_in(page: Page, base_url: str, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def test_the_preview_pane_shows_the_page_and_a_published_page_refuses_framing(
    live_server, home_page, page, csp_violations, editor
):
    about = StandardPageFactory(parent=home_page, title="About Aeyia", slug="about")
    log_in(page, live_server.url, editor)

    page.goto(f"{live_server.url}/cms/pages/{about.pk}/edit/")
    page.locator("[data-side-panel-toggle='preview']").click()

    preview = page.frame_locator("#w-preview-iframe")
    assert preview.get_by_role("heading", level=1).inner_text() == "About Aeyia"
    assert preview.locator("title").inner_text().startswith("About Aeyia")
    assert csp_violations == []

    # The same page, published, may not be framed, even by our own admin.
    page.evaluate(
        """(url) => {
            const frame = document.createElement('iframe');
            frame.src = url;
            frame.title = 'framing check';
            document.body.append(frame);
        }""",
        f"{live_server.url}/about/",
    )
    page.wait_for_event(
        "console",
        predicate=lambda message: "frame-ancestors 'none'" in message.text,
    )


def test_admin_pages_log_no_csp_violation_and_load_no_gravatar(
    live_server, home_page, page, csp_violations, editor
):
    outside_requests: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside_requests.append(request.url)
            if not request.url.startswith((live_server.url, "data:", "blob:"))
            else None
        ),
    )
    log_in(page, live_server.url, editor)

    for path in ("/cms/", "/cms/pages/", f"/cms/pages/{home_page.pk}/edit/", "/cms/account/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        assert page.locator(".avatar img").count() >= 1, path

    assert csp_violations == []
    assert outside_requests == []
