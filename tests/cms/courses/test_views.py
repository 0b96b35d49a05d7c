"""Course, lesson and My learning pages, certificate download and public check."""

import re
import shutil
import subprocess

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.courses.models import Certificate, Enrolment, LessonPage, LessonProgress
from cms.courses.services import lesson_progress_record
from tests.accounts.factories import UserFactory
from tests.cms.courses.factories import (
    CourseFactory,
    EnrolmentFactory,
    add_lesson,
    add_module,
    add_quiz,
    give_credits,
    quiz_answers,
    short_course,
)
from tests.cms.library.factories import make_member

pytestmark = pytest.mark.django_db


def completed_certificate(user=None) -> Certificate:
    course, text, quiz = short_course(title="Calm in ten minutes")
    user = user or UserFactory(first_name="Ada", last_name="Lovelace")
    EnrolmentFactory(course=course, user=user)
    lesson_progress_record(user=user, lesson=text, completed=True)
    result = lesson_progress_record(user=user, lesson=quiz, answers=quiz_answers(quiz, [2, 1, 3]))
    return result.certificate


# ---------- course page ----------


def test_course_page_invites_a_visitor_to_sign_in(client):
    course, text, _ = short_course(title="Breathing basics")
    response = client.get(course.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Breathing basics" in html and "Sign in to enrol" in html
    assert text.title in html and f'href="{text.url}"' not in html


def test_a_member_enrols_from_the_course_page(client):
    course, text, _ = short_course(access_level="member")
    user = UserFactory()
    make_member(user, level="member")
    client.force_login(user)
    assert "Enrol now" in client.get(course.url).content.decode()
    response = client.post(f"/learning/courses/{course.pk}/enrol/", {"pay_with": "membership"})
    assert response.status_code == 302 and response["Location"] == course.url
    assert Enrolment.objects.filter(user=user, course=course).exists()
    html = client.get(course.url).content.decode()
    assert "Your progress" in html and f'href="{text.url}"' in html


def test_enrolling_with_too_few_credits_says_so(client):
    course = CourseFactory(credit_price=4)
    user = UserFactory()
    give_credits(user, 1)
    client.force_login(user)
    response = client.post(
        f"/learning/courses/{course.pk}/enrol/", {"pay_with": "credits"}, follow=True
    )
    assert "You need 4 credits" in response.content.decode()
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("course_id", [99999, 2**31, 2**70])
def test_enrol_and_checkout_pages_for_an_unknown_course_are_404(client, course_id):
    client.force_login(UserFactory())
    base = f"/learning/courses/{course_id}"
    assert client.post(f"{base}/enrol/", {"pay_with": "credits"}).status_code == 404
    assert client.get(f"{base}/paid/?session_id=cs_test").status_code == 404
    assert client.get(f"{base}/checkout-cancelled/").status_code == 404


def _course_page_queries(client, url) -> tuple[int, str]:
    client.get(url)  # warm the site root cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_course_page_queries_do_not_grow_from_10_to_200_lessons():
    """Measured side by side in one run, for a visitor, a signed-in learner who is not
    enrolled and an enrolled learner with some progress: the same number of queries for
    200 lessons as for 10 (and never more than 22), the catalogue likewise."""
    course = CourseFactory()
    modules = [add_module(course) for _ in range(5)]
    enrolment = EnrolmentFactory(course=course)
    member = UserFactory()
    make_member(member, level="member")
    clients = {"anonymous": Client(), "member": Client(), "enrolled": Client()}
    clients["member"].force_login(member)
    clients["enrolled"].force_login(enrolment.user)
    catalogue = course.get_parent().url

    def fill(count: int) -> None:
        for number in range(count):
            add_lesson(modules[number % 5])
        for lesson in LessonPage.objects.descendant_of(course)[:5]:
            LessonProgress.objects.get_or_create(
                enrolment=enrolment, lesson=lesson, defaults={"completed_at": timezone.now()}
            )
        for _ in range(count // 10):
            CourseFactory()  # more courses in the catalogue too

    def measure(lesson_count: int) -> dict:
        counts = {}
        for kind, client in clients.items():
            counts[kind], html = _course_page_queries(client, course.url)
            assert html.count('class="lesson-list__item"') == lesson_count
            counts[f"{kind} catalogue"], _ = _course_page_queries(client, catalogue)
        return counts

    fill(10)
    with_ten = measure(10)
    fill(190)
    with_two_hundred = measure(200)

    assert with_two_hundred == with_ten, f"10 lessons: {with_ten}, 200: {with_two_hundred}"
    assert max(with_two_hundred.values()) <= 22


# ---------- lessons ----------


def test_a_lesson_is_closed_to_people_not_enrolled(client):
    course, text, _ = short_course()
    response = client.get(text.url)
    assert response.status_code == 403
    assert "The lesson text." not in response.content.decode()
    client.force_login(UserFactory())
    assert client.get(text.url).status_code == 403


def test_an_enrolled_learner_reads_and_marks_a_lesson_done(client):
    course, text, quiz = short_course()
    enrolment = EnrolmentFactory(course=course)
    client.force_login(enrolment.user)
    response = client.get(text.url)
    assert response.status_code == 200 and "The lesson text." in response.content.decode()
    done = client.post(text.url)
    assert done.status_code == 302 and done["Location"] == quiz.url
    assert LessonProgress.objects.get(lesson=text).is_completed


def test_quiz_page_scores_answers_and_completes_the_course(client):
    course, text, quiz = short_course()
    enrolment = EnrolmentFactory(course=course)
    client.force_login(enrolment.user)
    client.post(text.url)
    form = {f"q-{key}": value for key, value in quiz_answers(quiz, [2, 1, 1]).items()}
    html = client.post(quiz.url, form, follow=True).content.decode()
    assert "You scored 66%" in html and "You passed" in html
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None and Certificate.objects.count() == 1
    assert 'Your certificate is ready in <a href="/account/learning/">My learning</a>' in html


def test_an_empty_quiz_form_asks_for_every_answer_and_records_no_attempt(client):
    course, _, quiz = short_course()
    enrolment = EnrolmentFactory(course=course)
    client.force_login(enrolment.user)
    first = str(quiz.questions[0].id)

    response = client.post(quiz.url, {f"q-{first}": "2"})

    html = response.content.decode()
    assert "Answer every question." in html
    assert "You scored" not in html
    assert response.context["questions"][0]["chosen"] == "2"  # kept on the form
    assert not LessonProgress.objects.filter(lesson=quiz, quiz_attempts__gt=0).exists()


def test_a_quiz_page_after_a_dripping_lesson_is_locked_until_it_opens(client):
    course = CourseFactory()
    module = add_module(course)
    add_lesson(module, drip_days=4)
    quiz = add_quiz(module)
    enrolment = EnrolmentFactory(course=course)
    client.force_login(enrolment.user)

    response = client.get(quiz.url)

    assert response.templates[0].name == "courses/lesson_locked.html"
    assert "It opens on" in response.content.decode()


def test_a_checked_quiz_keeps_the_answers_the_learner_gave(client):
    course, text, quiz = short_course()
    enrolment = EnrolmentFactory(course=course)
    client.force_login(enrolment.user)
    answers = quiz_answers(quiz, [3, 1, 2])
    html = client.post(quiz.url, {f"q-{key}": value for key, value in answers.items()}).content
    checked = re.findall(r'<input type="radio" id="q-([\w-]+)-(\d)"[^>]* checked>', html.decode())
    assert sorted(checked) == sorted((key, str(value)) for key, value in answers.items())


def test_a_dripping_lesson_shows_when_it_opens_not_its_content(client):
    course = CourseFactory()
    later = add_lesson(
        add_module(course), drip_days=7, body=[{"type": "rich_text", "value": "<p>Secret</p>"}]
    )
    with time_machine.travel("2026-06-01 10:00Z", tick=False):
        enrolment = EnrolmentFactory(course=course, enrolled_at=timezone.now())
        client.force_login(enrolment.user)
        html = client.get(later.url).content.decode()
        assert "opens on 8 June 2026" in html and "Secret" not in html
        client.post(later.url)
        assert not LessonProgress.objects.exists()
    with time_machine.travel("2026-06-08 10:00Z", tick=False):
        assert "Secret" in client.get(later.url).content.decode()


def test_editors_preview_a_lesson_without_enrolling():
    course, text, _ = short_course()
    response = text.make_preview_request()
    assert response.status_code == 200 and "The lesson text." in response.content.decode()


# ---------- My learning ----------


def test_my_learning_lists_courses_with_percent_and_resume(client):
    course, text, quiz = short_course(title="Steady sleep")
    enrolment = EnrolmentFactory(course=course)
    lesson_progress_record(user=enrolment.user, lesson=text, completed=True)
    client.force_login(enrolment.user)
    html = client.get("/account/learning/").content.decode()
    assert "Steady sleep" in html and "50%" in html
    assert f'href="{quiz.url}"' in html and "Resume" in html


def test_my_learning_needs_sign_in_and_starts_empty(client):
    assert client.get("/account/learning/").status_code == 302
    client.force_login(UserFactory())
    assert "not enrolled in a course yet" in client.get("/account/learning/").content.decode()


@pytest.mark.parametrize("course_count", [2, 20])
def test_my_learning_queries_do_not_grow_with_courses(
    client, course_count, django_assert_max_num_queries
):
    user = UserFactory()
    for _ in range(course_count):
        course, text, _ = short_course()
        EnrolmentFactory(course=course, user=user)
        lesson_progress_record(user=user, lesson=text, completed=True)
    client.force_login(user)
    client.get("/account/learning/")
    with django_assert_max_num_queries(14):
        response = client.get("/account/learning/")
    assert response.content.decode().count("learning-item") == course_count


# ---------- certificates ----------


def test_the_learner_downloads_their_certificate_pdf(client, tmp_path):
    certificate = completed_certificate()
    client.force_login(certificate.enrolment.user)
    response = client.get(f"/account/learning/certificates/{certificate.code}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(response.content)
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils' pdftotext is needed"
    # Our own fixed command line on a file this test wrote.
    text = subprocess.run(  # noqa: S603
        [pdftotext, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for expected in (
        "Ada Lovelace",
        "Calm in ten minutes",
        certificate.instructor_name,
        certificate.code,
        timezone.now().strftime("%B %Y"),
    ):
        assert expected in text


def test_nobody_else_downloads_a_certificate(client):
    certificate = completed_certificate()
    url = f"/account/learning/certificates/{certificate.code}/download/"
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_anyone_verifies_a_certificate_code(client):
    certificate = completed_certificate()
    html = client.get(f"/certificates/{certificate.code}/").content.decode()
    assert "This certificate is genuine" in html
    for expected in ("Ada Lovelace", "Calm in ten minutes", certificate.instructor_name):
        assert expected in html
    assert certificate.enrolment.user.email not in html
    missing = client.get("/certificates/NOTACODE/")
    assert missing.status_code == 404 and "no certificate" in missing.content.decode()


def test_buying_a_course_by_card_from_the_course_page(client, django_capture_on_commit_callbacks):
    from commerce.payments.models import Payment
    from integrations.stripe.local import simulator
    from tests.commerce.bookings.booking_setup import onboard_payouts

    course = CourseFactory(access_level="premium", price=4500)
    onboard_payouts(course.instructor.user, django_capture_on_commit_callbacks)
    user = UserFactory()
    client.force_login(user)
    assert "Buy for" in client.get(course.url).content.decode()
    response = client.post(f"/learning/courses/{course.pk}/enrol/", {"pay_with": "card"})
    payment = Payment.objects.get(user=user)
    assert response.status_code == 303 and response["Location"] == payment.checkout_url
    assert payment.application_fee_amount > 0 and payment.destination is not None
    # The customer pays; the return page arrives before the webhook is processed.
    simulator.checkout_pay(payment.checkout_session_id)
    returned = client.get(
        f"/learning/courses/{course.pk}/paid/?session_id={payment.checkout_session_id}",
        follow=True,
    )
    assert "You are enrolled in" in returned.content.decode()
    enrolment = Enrolment.objects.get(user=user, course=course)
    assert enrolment.source == Enrolment.Source.CARD and enrolment.payment == payment


def test_leaving_the_checkout_says_nothing_was_charged(client):
    course = CourseFactory()
    client.force_login(UserFactory())
    html = client.get(
        f"/learning/courses/{course.pk}/checkout-cancelled/", follow=True
    ).content.decode()
    assert "nothing was charged" in html and not Enrolment.objects.exists()


def test_a_video_lesson_resumes_where_the_learner_left_off(client):
    from tests.cms.courses.factories import video_document

    course = CourseFactory()
    video = add_lesson(
        add_module(course), kind="video", duration_seconds=300, video=video_document()
    )
    enrolment = EnrolmentFactory(course=course)
    lesson_progress_record(user=enrolment.user, lesson=video, position_seconds=95)
    client.force_login(enrolment.user)
    html = client.get(video.url).content.decode()
    assert "<video" in html and 'data-resume-seconds="95"' in html
    assert f'data-progress-url="/api/v1/lessons/{video.pk}/progress/"' in html
    assert "courses/lesson-video" in html and "<script>" not in html
