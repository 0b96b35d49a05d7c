"""/api/v1/courses/, enroll, lesson progress and certificate verification."""

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from cms.courses.models import Certificate, Enrolment, LessonProgress
from commerce.payments.models import Payment
from integrations.stripe.local import simulator
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
    video_document,
)
from tests.cms.library.factories import make_member
from tests.commerce.bookings.booking_setup import onboard_payouts

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def enroll(client, course_id, pay_with="membership"):
    return client.post(
        f"/api/v1/courses/{course_id}/enroll/", {"pay_with": pay_with}, format="json"
    )


def progress(client, lesson_id, body):
    return client.post(f"/api/v1/lessons/{lesson_id}/progress/", body, format="json")


def test_catalogue_lists_live_courses_with_the_callers_progress():
    course, text, _ = short_course(title="Breathing")
    draft = CourseFactory(title="Draft")
    draft.unpublish()
    enrolment = EnrolmentFactory(course=course)
    progress(api(enrolment.user), text.pk, {"completed": True})
    body = api(enrolment.user).get("/api/v1/courses/").json()
    [listed] = body["results"]
    assert listed["title"] == "Breathing" and listed["lesson_count"] == 2
    assert listed["is_enrolled"] and listed["percent_complete"] == 50
    assert listed["instructor"]["name"] == course.instructor.display_name
    anonymous = api().get("/api/v1/courses/").json()["results"][0]
    assert not anonymous["is_enrolled"] and anonymous["percent_complete"] is None


def test_enroll_is_201_then_200_with_the_same_enrolment():
    course = CourseFactory(access_level="member")
    user = UserFactory()
    make_member(user, level="member")
    first = enroll(api(user), course.pk)
    assert first.status_code == 201, first.json()
    second = enroll(api(user), course.pk, pay_with="credits")
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    assert Enrolment.objects.count() == 1


def test_enroll_with_too_few_credits_is_402():
    course = CourseFactory(credit_price=5)
    user = UserFactory()
    give_credits(user, 1)
    response = enroll(api(user), course.pk, pay_with="credits")
    assert response.status_code == 402
    assert response.json()["code"] == "insufficient_credits"


def test_enroll_by_membership_without_the_level_is_403():
    response = enroll(api(UserFactory()), CourseFactory(access_level="premium").pk)
    assert response.status_code == 403 and response.json()["code"] == "not_included"


@pytest.mark.parametrize("course_id", ["draft", 999999, 2**40])
def test_enroll_in_a_course_the_caller_cannot_see_is_404(course_id):
    if course_id == "draft":
        course = CourseFactory()
        course.unpublish()
        course_id = course.pk
    response = enroll(api(UserFactory()), course_id)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("body", [{}, {"pay_with": "cash"}, {"pay_with": ["card"]}, "x"])
def test_bad_enroll_input_is_400(body):
    course = CourseFactory()
    response = api(UserFactory()).post(f"/api/v1/courses/{course.pk}/enroll/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_enroll_signed_out_is_401():
    response = enroll(api(), CourseFactory().pk)
    assert response.status_code == 401


def test_enroll_by_card_pays_the_instructor_and_enrols_once(django_capture_on_commit_callbacks):
    course = CourseFactory(price=2900, currency="GBP")
    account = onboard_payouts(course.instructor.user, django_capture_on_commit_callbacks)
    user = UserFactory()
    response = enroll(api(user), course.pk, pay_with="card")
    assert response.status_code == 202, response.json()
    assert response.json()["checkout_url"]
    # A second click offers the same checkout rather than a second charge.
    again = enroll(api(user), course.pk, pay_with="card")
    assert again.json()["payment"] == response.json()["payment"]
    payment = Payment.objects.get(pk=response.json()["payment"])
    assert payment.destination == account and payment.application_fee_amount > 0
    assert payment.purpose == Payment.Purpose.COURSE and payment.amount == 2900
    with django_capture_on_commit_callbacks(execute=True):
        simulator.checkout_pay(payment.checkout_session_id)
    enrolment = Enrolment.objects.get(user=user, course=course)
    assert enrolment.source == Enrolment.Source.CARD and enrolment.payment == payment
    # The return page converges with the webhook: still one enrolment.
    client = api(user)
    page = client.get(
        f"/learning/courses/{course.pk}/paid/?session_id={payment.checkout_session_id}"
    )
    assert page.status_code == 302
    assert Enrolment.objects.count() == 1
    assert enroll(client, course.pk, pay_with="card").status_code == 200


def test_card_without_instructor_payouts_is_409():
    response = enroll(api(UserFactory()), CourseFactory().pk, pay_with="card")
    assert response.status_code == 409 and response.json()["code"] == "payouts_not_ready"


def test_progress_for_text_video_and_quiz():
    course, text, quiz = short_course()
    module = text.get_parent().specific
    video = add_lesson(
        module, kind="video", duration_seconds=100, video=video_document(), is_required=False
    )
    enrolment = EnrolmentFactory(course=course)
    client = api(enrolment.user)
    watched = progress(client, video.pk, {"position_seconds": 42})
    assert watched.status_code == 200, watched.json()
    assert watched.json()["position_seconds"] == 42 and not watched.json()["completed"]
    read = progress(client, text.pk, {"completed": True}).json()
    assert read["completed"] and read["course_percent_complete"] == 50
    failed = progress(client, quiz.pk, {"answers": quiz_answers(quiz, [1, 1, 1])}).json()
    assert (failed["score"], failed["passed"], failed["course_completed"]) == (33, False, False)
    passed = progress(client, quiz.pk, {"answers": quiz_answers(quiz, [2, 1, 3])}).json()
    assert (passed["score"], passed["passed"], passed["course_completed"]) == (100, True, True)
    assert passed["certificate_code"] == Certificate.objects.get().code


def test_progress_when_not_enrolled_is_404():
    _, text, _ = short_course()
    response = progress(api(UserFactory()), text.pk, {"completed": True})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "body",
    [
        {"position_seconds": -1},
        {"position_seconds": "soon"},
        {"answers": "all right"},
        {"completed": "perhaps"},
        {},
    ],
)
def test_bad_progress_input_is_400(body):
    course, text, _ = short_course()
    enrolment = EnrolmentFactory(course=course)
    response = progress(api(enrolment.user), text.pk, body)
    assert response.status_code == 400 and "code" in response.json()


RAW_BAD_BODIES = [
    "{not json",
    "[]",
    '"completed"',
    "null",
    "42",
    '{"position_seconds": NaN}',
    '{"position_seconds": 1e400}',
    '{"position_seconds": 1.5}',
    f'{{"position_seconds": {2**70}}}',
    '{"position_seconds": -30}',
    '{"position_seconds": true}',
    f'{{"answers": {{"x": {2**70}}}}}',
    '{"answers": {"x": -1}}',
    '{"answers": ["a"]}',
    '{"answers": null}',
    '{"completed": null}',
]


@pytest.mark.parametrize("kind", ["text", "video", "quiz"])
@pytest.mark.parametrize("raw", RAW_BAD_BODIES)
def test_malformed_progress_bodies_are_400_json_for_every_kind_of_lesson(kind, raw):
    course, text, quiz = short_course()
    lesson = {"text": text, "quiz": quiz}.get(kind) or add_lesson(
        text.get_parent().specific, kind="video", duration_seconds=100, video=video_document()
    )
    enrolment = EnrolmentFactory(course=course)
    response = api(enrolment.user).post(
        f"/api/v1/lessons/{lesson.pk}/progress/", raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "parse_error"}
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()


@pytest.mark.parametrize(
    "raw", ["{not json", "[]", "null", '{"pay_with": null}', '{"pay_with": 5}']
)
def test_malformed_enroll_bodies_are_400_json(raw):
    course = CourseFactory(access_level="account")
    response = api(UserFactory()).post(
        f"/api/v1/courses/{course.pk}/enroll/", raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "parse_error"}
    assert not Enrolment.objects.exists()


def test_a_quiz_is_only_completed_by_passing_it_on_the_server():
    course, text, quiz = short_course()
    enrolment = EnrolmentFactory(course=course)
    client = api(enrolment.user)
    progress(client, text.pk, {"completed": True})

    claimed = progress(client, quiz.pk, {"completed": True})
    assert claimed.status_code == 400 and claimed.json()["code"] == "answers_required"
    wrong = progress(client, quiz.pk, {"completed": True, "answers": quiz_answers(quiz, [1, 1, 1])})
    assert wrong.status_code == 200
    assert (wrong.json()["passed"], wrong.json()["completed"]) == (False, False)
    unscored = progress(client, quiz.pk, {"position_seconds": 10})
    assert unscored.status_code == 400

    assert not LessonProgress.objects.filter(lesson=quiz, completed_at__isnull=False).exists()
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None and not Certificate.objects.exists()


def test_progress_in_a_course_the_learner_is_not_enrolled_in_is_404_even_when_enrolled_elsewhere():
    enrolled_course, _, _ = short_course()
    _, other_text, other_quiz = short_course()
    enrolment = EnrolmentFactory(course=enrolled_course)
    client = api(enrolment.user)
    for lesson, body in ((other_text, {"completed": True}), (other_quiz, {"answers": {}})):
        response = progress(client, lesson.pk, body)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not LessonProgress.objects.exists()


def test_progress_after_a_membership_enrolment_closed_is_404():
    course, text, _ = short_course(access_level="member")
    user = UserFactory()
    membership = make_member(user, level="member")
    assert enroll(api(user), course.pk).status_code == 201
    membership.status = membership.Status.ENDED
    membership.save()
    response = progress(api(user), text.pk, {"completed": True})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("lesson_id", [999999, 2**31, 2**70])
def test_progress_for_an_unknown_lesson_is_404(lesson_id):
    response = progress(api(UserFactory()), lesson_id, {"completed": True})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_progress_signed_out_is_401():
    _, text, _ = short_course()
    response = progress(api(), text.pk, {"completed": True})
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_a_dripping_lesson_is_409_with_when_it_opens():
    course = CourseFactory()
    later = add_lesson(add_module(course), drip_days=2)
    with time_machine.travel("2026-05-01 12:00Z", tick=False):
        enrolment = EnrolmentFactory(course=course, enrolled_at=timezone.now())
        response = progress(api(enrolment.user), later.pk, {"completed": True})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "lesson_not_available"
    assert body["available_at"].startswith("2026-05-03T12:00:00")
    with time_machine.travel("2026-05-03 12:00Z", tick=False):
        assert progress(api(enrolment.user), later.pk, {"completed": True}).status_code == 200


@pytest.mark.parametrize("answers", [{}, "partial"])
def test_an_unanswered_quiz_is_400_and_not_a_zero_percent_attempt(answers):
    course, _, quiz = short_course()
    enrolment = EnrolmentFactory(course=course)
    if answers == "partial":
        answers = dict(list(quiz_answers(quiz, [2, 1, 3]).items())[:1])

    response = progress(api(enrolment.user), quiz.pk, {"answers": answers})

    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "detail": "Answer every question."}
    assert not LessonProgress.objects.filter(lesson=quiz, quiz_attempts__gt=0).exists()


def test_a_quiz_after_a_dripping_lesson_is_409_until_that_lesson_opens():
    course = CourseFactory()
    module = add_module(course)
    add_lesson(module, drip_days=2)
    quiz = add_quiz(module)
    body = {"answers": quiz_answers(quiz, [2, 1, 3])}
    with time_machine.travel("2026-05-01 12:00Z", tick=False):
        enrolment = EnrolmentFactory(course=course, enrolled_at=timezone.now())
        response = progress(api(enrolment.user), quiz.pk, body)
    assert response.status_code == 409
    assert response.json()["available_at"].startswith("2026-05-03T12:00:00")
    with time_machine.travel("2026-05-03 12:00Z", tick=False):
        assert progress(api(enrolment.user), quiz.pk, body).status_code == 200


def test_certificate_verification_shows_only_the_public_facts():
    course, text, quiz = short_course(title="Sleep")
    user = UserFactory(first_name="Grace", last_name="Hopper")
    enrolment = EnrolmentFactory(course=course, user=user)
    client = api(user)
    progress(client, text.pk, {"completed": True})
    progress(client, quiz.pk, {"answers": quiz_answers(quiz, [2, 1, 3])})
    code = Certificate.objects.get(enrolment=enrolment).code
    body = api().get(f"/api/v1/certificates/{code}/").json()
    assert body == {
        "code": code,
        "learner_name": "Grace Hopper",
        "learner_erased": False,
        "course_title": "Sleep",
        "issued_on": timezone.now().date().isoformat(),
        "instructor_name": course.instructor.display_name,
    }
    assert user.email not in str(body)


@pytest.mark.parametrize("code", ["NOPE", "x" * 300, "%00", "ABC DEF"])
def test_unknown_certificate_is_404(code):
    response = api().get(f"/api/v1/certificates/{code}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
