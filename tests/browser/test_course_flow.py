"""A member takes a short course in Chromium: enrols from the course page, reads the text
lesson, passes the quiz and downloads the certificate PDF from My learning. axe finds
nothing on the course, lesson, quiz and My learning pages on a phone or a desktop; the
strict Content Security Policy reports nothing."""

import pytest
from playwright.sync_api import expect

from cms.courses.models import Certificate, Enrolment
from tests.accounts.factories import UserFactory
from tests.browser.support import VIEWPORTS, assert_accessible, sign_in
from tests.cms.courses.factories import EnrolmentFactory, short_course
from tests.cms.library.factories import make_member

pytestmark = pytest.mark.browser


@pytest.fixture
def course(home_page):
    """Committed for the live server: a course included in the member level, with a text
    lesson ("Read this") and a three-question quiz (right answers b, a, c)."""
    course, _, _ = short_course(
        title="Calm in ten minutes", access_level="member", credit_price=None, price=None
    )
    return course


@pytest.fixture
def learner():
    return UserFactory(email="learner@example.org", first_name="Ada", last_name="Lovelace")


def test_a_member_completes_a_course_and_downloads_the_certificate(
    live_server, page, csp_violations, course, learner
):
    make_member(learner, level="member")
    sign_in(page, live_server.url, learner.email)
    page.goto(f"{live_server.url}{course.url}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Calm in ten minutes")
    page.get_by_role("button", name="Enrol now").click()
    expect(page.get_by_text("You are enrolled in")).to_be_visible()
    enrolment = Enrolment.objects.get(user=learner, course=course)
    assert enrolment.source == Enrolment.Source.MEMBERSHIP

    page.get_by_role("link", name="Start Calm in ten minutes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Read this")
    page.get_by_role("button", name="Mark as done and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check yourself")
    for question, answer in (("1. First?", "b"), ("2. Second?", "a"), ("3. Third?", "c")):
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Check my answers").click()
    expect(page.get_by_text("You scored 100%")).to_be_visible()
    expect(page.get_by_text("You have completed the course")).to_be_visible()

    page.goto(f"{live_server.url}/account/learning/")
    expect(page.locator(".course__percent")).to_have_text("100%")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download certificate for Calm in ten minutes").click()
    download = download_info.value
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    certificate = Certificate.objects.get(enrolment__user=learner)
    assert download.suggested_filename == f"aeyia-certificate-{certificate.code}.pdf"

    page.get_by_role("link", name="public check for Calm in ten minutes").click()
    expect(page.get_by_text("This certificate is genuine.")).to_be_visible()
    expect(page.get_by_text("Ada Lovelace")).to_be_visible()
    assert csp_violations == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_course_pages_pass_axe(live_server, axe_page, course, learner, viewport):
    axe_page.set_viewport_size(viewport)
    base = live_server.url
    axe_page.goto(f"{base}{course.url}")
    assert_accessible(axe_page)  # a visitor's view, with the sign-in invitation

    EnrolmentFactory(course=course, user=learner)
    sign_in(axe_page, base, learner.email)
    axe_page.goto(f"{base}{course.url}")
    expect(axe_page.get_by_role("heading", name="Your progress")).to_be_visible()
    assert_accessible(axe_page)

    axe_page.get_by_role("link", name="Start Calm in ten minutes").click()
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Read this")
    assert_accessible(axe_page)

    axe_page.get_by_role("button", name="Mark as done and continue").click()
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Check yourself")
    assert_accessible(axe_page)
    axe_page.get_by_role("button", name="Check my answers").click()  # nothing chosen
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Check yourself")
    for question in ("1. First?", "2. Second?", "3. Third?"):
        axe_page.get_by_role("group", name=question).get_by_label("a", exact=True).check()
    axe_page.get_by_role("button", name="Check my answers").click()
    expect(axe_page.get_by_text("You scored 33%")).to_be_visible()
    assert_accessible(axe_page)  # the result message

    axe_page.goto(f"{base}/account/learning/")
    expect(axe_page.get_by_role("heading", name="My learning")).to_be_visible()
    assert_accessible(axe_page)

    axe_page.goto(f"{base}{course.get_parent().url}")
    assert_accessible(axe_page)  # the catalogue
