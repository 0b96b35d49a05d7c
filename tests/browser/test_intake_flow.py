"""Intake in Chromium, on a phone and a desktop: the practitioner's builder (a question
added, one refused with its reason), the client's intake form (errors, then answers saved,
then changed), the offline Typeform page, and the practitioner reading the answers: every
page passes axe, and nothing needs JavaScript."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page

from integrations.typeform.local import LocalTypeform
from marketplace.clients.intake import services
from marketplace.clients.intake.models import IntakeResponse
from tests.browser.support import VIEWPORTS, assert_accessible
from tests.marketplace.clients.intake.support import intake_setup

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
def test_build_fill_and_read_an_intake(live_server, axe_page, viewport):
    page = axe_page
    page.set_viewport_size(viewport)
    setup = intake_setup()
    base = live_server.url

    # The practitioner adds a question; a choice question with one choice is refused.
    log_in(page, base, setup.practitioner.user)
    page.goto(f"{base}/dashboard/practice/intake/")
    assert_accessible(page)
    page.get_by_role("link", name="Edit Welcome").click()
    page.get_by_label("Kind of question").select_option("single_choice")
    page.get_by_label("Question", exact=True).fill("Preferred time")
    page.get_by_label("Choices").fill("Mornings")
    page.get_by_role("button", name="Add question").click()
    assert page.get_by_text("at least two different choices").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Choices").fill("Mornings\nEvenings")
    page.get_by_role("button", name="Add question").click()
    assert page.get_by_text("Question added.").is_visible()
    assert_accessible(page)

    # The client answers: a missing required answer first, then the whole form.
    log_in(page, base, setup.client)
    page.goto(f"{base}/account/care/{setup.record.pk}/intake/")
    assert_accessible(page)
    page.get_by_role("link", name="Complete your intake").click()
    page.get_by_label("What brings you here?").fill("Trouble sleeping since spring")
    page.get_by_role("button", name="Submit intake").click()
    assert page.get_by_role("alert").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Your GP").fill("Dr Rowe")
    sleep = page.get_by_role("group", name="Sleep")
    sleep.get_by_label("4", exact=True).check()
    page.get_by_role("group", name="Taking medication?").get_by_label("No").check()
    page.get_by_role("group", name="Areas").get_by_label("Back").check()
    page.get_by_role("group", name="Preferred time").get_by_label("Evenings").check()
    page.get_by_role("button", name="Submit intake").click()
    assert page.get_by_text("your intake is saved").is_visible()
    assert_accessible(page)
    response = IntakeResponse.objects.get()
    assert (
        response.answers[
            next(
                q["id"]
                for q in services.latest_version(setup.form).questions
                if q["kind"] == "long_text"
            )
        ]
        == "Trouble sleeping since spring"
    )

    # The practitioner reads the answers.
    log_in(page, base, setup.practitioner.user)
    page.goto(f"{base}/dashboard/practice/clients/{setup.record.pk}/intake/")
    assert_accessible(page)
    page.get_by_role("link", name="Read answers").click()
    assert page.get_by_text("Trouble sleeping since spring").is_visible()
    assert_accessible(page)

    # The offline Typeform page a linked form opens.
    LocalTypeform.reset()
    page.goto(f"{base}/typeform-local/tfDemo/?booking=x")
    page.get_by_role("button", name="Submit").click()
    assert page.get_by_text("Some answers need attention.").is_visible()
    assert_accessible(page)
