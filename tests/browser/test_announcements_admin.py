"""Staff write a policy announcement in the Wagtail admin, preview it and send it now; the
announcement screens' own content passes axe on a phone and on a desktop."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from playwright.sync_api import Page, expect

from accounts.roles import Role
from notifications.announcements.models import Announcement
from notifications.models import Notification
from tests.accounts.factories import UserFactory, enrol_totp
from tests.browser.support import AXE_SCRIPT, VIEWPORTS, WCAG_TAGS, format_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_member():
    """A Staff member with the announcement permissions (granted here: a flush after an
    earlier committing test leaves the group without what its migration gave it)."""
    user = UserFactory(email="stella@example.org", roles=[Role.STAFF])
    user.groups.get(name="Staff").permissions.add(
        *Permission.objects.filter(
            content_type__app_label="announcements",
            codename__in=[
                "view_announcement",
                "add_announcement",
                "change_announcement",
                "send_announcement",
            ],
        ),
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
    )
    enrol_totp(user)
    return user


def log_in(page: Page, base_url: str, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


def assert_content_accessible(page: Page) -> None:
    """axe's WCAG 2.1 A/AA rules on the screen's own content (Wagtail's menus are
    Wagtail's)."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    violations = page.evaluate(
        """async (tags) => {
            // Wagtail's flash messages fade in: measure colours once they have settled.
            await Promise.all(document.getAnimations().map((animation) => animation.finished));
            const results = await axe.run('main', {runOnly: {type: 'tag', values: tags}});
            return results.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.map((n) => ({
                    target: n.target.join(' '), summary: n.failureSummary,
                })),
            }));
        }""",
        WCAG_TAGS,
    )
    assert not violations, format_violations(violations)


def test_staff_write_preview_and_send_a_policy_change(live_server, page, staff_member):
    UserFactory(email="reader@example.org")
    log_in(page, live_server.url, staff_member)

    page.goto(f"{live_server.url}/cms/announcements/new/")
    page.get_by_label("Title").fill("New cancellation policy")
    page.get_by_label("Body").fill("From **1 May** cancellations need 24 hours' notice.")
    page.get_by_label("Policy change (required)").check()
    page.get_by_label("In the app").check()
    page.get_by_label("Email").check()
    page.get_by_label("Everyone with an account").check()
    page.get_by_role("button", name="Save and preview").click()

    expect(page.get_by_test_id("reach")).to_contain_text("2 of 2 people")
    expect(page.get_by_test_id("email-subject")).to_have_text(
        "Policy update: New cancellation policy"
    )
    frame = page.frame_locator("iframe[title='Email preview']")
    expect(frame.locator("strong", has_text="1 May")).to_be_visible()

    page.get_by_role("button", name="Send now").click()
    page.reload()
    expect(page.get_by_test_id("state")).to_contain_text("Sent")
    item = Announcement.objects.get()
    assert Notification.objects.filter(dedupe_key=f"announcement:{item.pk}").count() == 2


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_announcement_screens_pass_axe(live_server, axe_page, staff_member, viewport):
    axe_page.set_viewport_size(viewport)
    log_in(axe_page, live_server.url, staff_member)
    axe_page.goto(f"{live_server.url}/cms/announcements/new/")
    assert_content_accessible(axe_page)
    # The form with its errors shown.
    axe_page.get_by_role("button", name="Save and preview").click()
    expect(axe_page.get_by_role("alert").first).to_be_visible()
    assert_content_accessible(axe_page)

    axe_page.get_by_label("Title").fill("Spring news")
    axe_page.get_by_label("Body").fill("Hello.\n\n- one\n- two")
    axe_page.get_by_label("Policy change (required)").check()
    axe_page.get_by_label("In the app").check()
    axe_page.get_by_label("Everyone with an account").check()
    axe_page.get_by_role("button", name="Save and preview").click()
    expect(axe_page.get_by_test_id("reach")).to_be_visible()
    assert_content_accessible(axe_page)

    axe_page.goto(f"{live_server.url}/cms/announcements/")
    assert_content_accessible(axe_page)
