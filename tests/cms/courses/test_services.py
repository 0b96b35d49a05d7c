"""Enrolling, progress, drip, completion and the certificate issued once."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cms.courses.errors import LessonNotAvailable, NotIncluded
from cms.courses.models import Certificate, Enrolment, LessonProgress
from cms.courses.services import course_enrol, lesson_progress_record
from cms.library.models import ContentPurchase
from commerce.credits.selectors import credits_balance
from commerce.errors import InsufficientCredits, InvalidRequest, NotFound
from integrations.klaviyo.local import LocalKlaviyo
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

pytestmark = pytest.mark.django_db


# ---------- enrolling ----------


def test_a_member_enrols_in_a_members_course_without_paying():
    course = CourseFactory(access_level="member")
    user = UserFactory()
    make_member(user, level="member")
    enrolment, created = course_enrol(user=user, course=course, pay_with="membership")
    assert created and enrolment.source == Enrolment.Source.MEMBERSHIP


@pytest.mark.parametrize("pay_with", ["membership", "credits"])
def test_premium_enrols_in_a_credits_course_without_paying(pay_with):
    """Premium promises "every library item and course": a course sold for credits (or by
    card) is included, whatever the learner asked to pay with."""
    course = CourseFactory(access_level="credits", credit_price=4, price=4500)
    user = UserFactory()
    make_member(user, level="premium")
    give_credits(user, 10)

    enrolment, created = course_enrol(user=user, course=course, pay_with=pay_with)

    assert created and enrolment.source == Enrolment.Source.MEMBERSHIP
    assert credits_balance(user=user) == 10
    assert not ContentPurchase.objects.exists()


def test_enrolling_again_returns_the_same_enrolment_and_charges_nothing():
    course = CourseFactory(access_level="credits", credit_price=4)
    user = UserFactory()
    give_credits(user, 10)
    first, created = course_enrol(user=user, course=course, pay_with="credits")
    again, created_again = course_enrol(user=user, course=course, pay_with="credits")
    assert created and not created_again and first.pk == again.pk
    assert credits_balance(user=user) == 6
    assert ContentPurchase.objects.filter(user=user, page_id=course.pk).count() == 1


def test_a_free_account_cannot_enrol_in_a_members_course_by_membership():
    course = CourseFactory(access_level="member")
    with pytest.raises(NotIncluded):
        course_enrol(user=UserFactory(), course=course, pay_with="membership")
    assert not Enrolment.objects.exists()


def test_buying_with_too_few_credits_is_refused_and_nothing_is_recorded():
    course = CourseFactory(access_level="member", credit_price=5)
    user = UserFactory()
    give_credits(user, 2)
    with pytest.raises(InsufficientCredits):
        course_enrol(user=user, course=course, pay_with="credits")
    assert not Enrolment.objects.exists()
    assert credits_balance(user=user) == 2


def test_a_course_without_a_credit_price_is_not_sold_for_credits():
    course = CourseFactory(access_level="premium", credit_price=None)
    with pytest.raises(InvalidRequest):
        course_enrol(user=UserFactory(), course=course, pay_with="credits")


def test_a_course_bought_earlier_opens_without_paying_again():
    course = CourseFactory(access_level="credits", credit_price=4)
    user = UserFactory()
    ContentPurchase.objects.create(user=user, page=course, source="card", reference="x-1")
    enrolment, created = course_enrol(user=user, course=course, pay_with="membership")
    assert created and enrolment.source == Enrolment.Source.CARD


# ---------- progress ----------


def test_text_lesson_is_completed_and_percent_moves():
    course, text, quiz = short_course()
    enrolment = EnrolmentFactory(course=course)
    result = lesson_progress_record(user=enrolment.user, lesson=text, completed=True)
    assert result.progress.is_completed
    assert not result.course_completed_now and result.certificate is None


def test_video_position_is_saved_and_completes_near_the_end():
    course = CourseFactory()
    module = add_module(course)
    video = add_lesson(module, kind="video", duration_seconds=600, video=video_document())
    enrolment = EnrolmentFactory(course=course)
    result = lesson_progress_record(user=enrolment.user, lesson=video, position_seconds=125)
    assert result.progress.position_seconds == 125 and not result.progress.is_completed
    result = lesson_progress_record(user=enrolment.user, lesson=video, position_seconds=560)
    assert result.progress.position_seconds == 560 and result.progress.is_completed
    # Scrubbing back keeps the lesson done but remembers where to resume.
    result = lesson_progress_record(user=enrolment.user, lesson=video, position_seconds=30)
    assert result.progress.position_seconds == 30 and result.progress.is_completed
    # A position past the end is held at the end.
    result = lesson_progress_record(user=enrolment.user, lesson=video, position_seconds=9000)
    assert result.progress.position_seconds == 600


def test_quiz_is_scored_against_the_pass_mark():
    course, _, quiz = short_course()
    enrolment = EnrolmentFactory(course=course)
    failed = lesson_progress_record(
        user=enrolment.user, lesson=quiz, answers=quiz_answers(quiz, [2, 3, 1])
    )
    assert (failed.quiz.score_percent, failed.quiz.is_passed) == (33, False)
    assert not failed.progress.is_completed
    passed = lesson_progress_record(
        user=enrolment.user, lesson=quiz, answers=quiz_answers(quiz, [2, 1, 1])
    )
    assert (passed.quiz.score_percent, passed.quiz.is_passed) == (66, True)
    progress = LessonProgress.objects.get(lesson=quiz)
    assert (progress.quiz_attempts, progress.best_score_percent) == (2, 66)
    assert progress.is_completed


@pytest.mark.parametrize("answers", [[], "2,1,3"], ids=str)
def test_quiz_answers_that_are_not_a_mapping_are_refused(answers):
    course, _, quiz = short_course()
    enrolment = EnrolmentFactory(course=course)
    with pytest.raises(InvalidRequest):
        lesson_progress_record(user=enrolment.user, lesson=quiz, answers=answers)


def _skip_second(quiz):
    answers = quiz_answers(quiz, [2, 1, 3])
    del answers[str(quiz.questions[1].id)]
    return answers


@pytest.mark.parametrize(
    "answers",
    [
        lambda quiz: {},
        lambda quiz: {"not-a-question": 2},
        lambda quiz: {"x": "two"},
        _skip_second,
        lambda quiz: {**quiz_answers(quiz, [2, 1, 3]), str(quiz.questions[2].id): ""},
        lambda quiz: quiz_answers(quiz, [2, 1, 4]),  # there is no fourth answer
        lambda quiz: quiz_answers(quiz, [2, 1, 0]),
        lambda quiz: quiz_answers(quiz, [2, 1, True]),
    ],
    ids=["empty", "unknown-key", "not-a-number", "one-left-out", "blank", "4", "0", "bool"],
)
def test_an_unanswered_quiz_is_refused_and_is_not_an_attempt(answers):
    """An empty (or half-filled) submission is bad input, "Answer every question", and
    never a 0% attempt."""
    course, _, quiz = short_course()
    enrolment = EnrolmentFactory(course=course)

    with pytest.raises(InvalidRequest) as raised:
        lesson_progress_record(user=enrolment.user, lesson=quiz, answers=answers(quiz))

    assert raised.value.detail == "Answer every question."
    assert raised.value.api_status == 400
    assert not LessonProgress.objects.filter(lesson=quiz, quiz_attempts__gt=0).exists()


def test_progress_without_an_enrolment_is_not_found():
    course, text, _ = short_course()
    with pytest.raises(NotFound):
        lesson_progress_record(user=UserFactory(), lesson=text, completed=True)


def test_a_membership_enrolment_closes_when_the_membership_ends():
    course, text, _ = short_course(access_level="member")
    user = UserFactory()
    membership = make_member(user, level="member")
    course_enrol(user=user, course=course, pay_with="membership")
    membership.delete()
    user = type(user).objects.get(pk=user.pk)  # a new request: no cached tier
    with pytest.raises(NotFound):
        lesson_progress_record(user=user, lesson=text, completed=True)


# ---------- drip ----------


def test_a_dripped_lesson_opens_n_days_after_enrolment():
    course = CourseFactory()
    module = add_module(course)
    later = add_lesson(module, drip_days=3)
    with time_machine.travel("2026-03-01 09:00Z", tick=False):
        enrolment = EnrolmentFactory(course=course, enrolled_at=timezone.now())
        with pytest.raises(LessonNotAvailable) as caught:
            lesson_progress_record(user=enrolment.user, lesson=later, completed=True)
    assert caught.value.available_at == enrolment.enrolled_at + timedelta(days=3)
    with time_machine.travel("2026-03-04 08:59Z", tick=False):
        with pytest.raises(LessonNotAvailable):
            lesson_progress_record(user=enrolment.user, lesson=later, completed=True)
    with time_machine.travel("2026-03-04 09:00Z", tick=False):
        result = lesson_progress_record(user=enrolment.user, lesson=later, completed=True)
    assert result.progress.is_completed


def test_a_quiz_opens_no_earlier_than_the_dripped_lessons_before_it():
    """The quiz has no drip of its own but tests a lesson that opens on day 3 (in an
    earlier module): it opens on day 3 too."""
    course = CourseFactory()
    first, second = add_module(course), add_module(course)
    add_lesson(first, drip_days=3)
    add_lesson(second)  # open at once
    quiz = add_quiz(second)  # drip_days 0
    with time_machine.travel("2026-03-01 09:00Z", tick=False):
        enrolment = EnrolmentFactory(course=course, enrolled_at=timezone.now())
        with pytest.raises(LessonNotAvailable) as caught:
            lesson_progress_record(
                user=enrolment.user, lesson=quiz, answers=quiz_answers(quiz, [2, 1, 3])
            )
    assert caught.value.available_at == enrolment.enrolled_at + timedelta(days=3)
    assert not LessonProgress.objects.filter(lesson=quiz).exists()
    with time_machine.travel("2026-03-04 09:00Z", tick=False):
        result = lesson_progress_record(
            user=enrolment.user, lesson=quiz, answers=quiz_answers(quiz, [2, 1, 3])
        )
    assert result.quiz.is_passed


def test_a_quiz_keeps_its_own_later_drip_and_later_lessons_do_not_hold_it_back():
    course = CourseFactory()
    module = add_module(course)
    add_lesson(module, drip_days=1)
    quiz = add_quiz(module, drip_days=2)
    add_lesson(module, drip_days=9)  # after the quiz: not what it tests
    with time_machine.travel("2026-03-01 09:00Z", tick=False):
        enrolment = EnrolmentFactory(course=course, enrolled_at=timezone.now())
    with time_machine.travel("2026-03-03 08:59Z", tick=False):
        with pytest.raises(LessonNotAvailable):
            lesson_progress_record(
                user=enrolment.user, lesson=quiz, answers=quiz_answers(quiz, [2, 1, 3])
            )
    with time_machine.travel("2026-03-03 09:00Z", tick=False):
        lesson_progress_record(
            user=enrolment.user, lesson=quiz, answers=quiz_answers(quiz, [2, 1, 3])
        )


def test_the_course_outline_shows_the_quiz_opening_with_the_lesson_it_tests():
    from cms.courses.selectors import course_outline_for

    course = CourseFactory()
    module = add_module(course)
    add_lesson(module, drip_days=5)
    quiz = add_quiz(module)
    with time_machine.travel("2026-03-01 09:00Z", tick=False):
        enrolment = EnrolmentFactory(course=course, enrolled_at=timezone.now())
        outline = course_outline_for(course=course, user=enrolment.user)
    [row] = [row for row in outline["modules"][0].lessons if row.lesson.pk == quiz.pk]
    assert row.available_at == enrolment.enrolled_at + timedelta(days=5)
    assert row.is_available is False


# ---------- completion and certificate ----------


def test_completing_every_required_lesson_issues_one_certificate_and_tells_klaviyo(
    django_capture_on_commit_callbacks,
):
    course, text, quiz = short_course()
    optional = add_lesson(text.get_parent().specific, title="Extra", is_required=False)
    user = UserFactory(first_name="Ada", last_name="Lovelace")
    enrolment = EnrolmentFactory(course=course, user=user)
    lesson_progress_record(user=user, lesson=text, completed=True)
    with django_capture_on_commit_callbacks(execute=True):
        result = lesson_progress_record(
            user=user, lesson=quiz, answers=quiz_answers(quiz, [2, 1, 3])
        )
    assert result.course_completed_now
    certificate = result.certificate
    assert certificate.learner_name == "Ada Lovelace"
    assert certificate.course_title == course.title
    assert certificate.instructor_name == course.instructor.display_name
    assert len(certificate.code) == 12
    enrolment.refresh_from_db()
    assert enrolment.completed_at == certificate.issued_at
    # Later progress (the optional lesson, a quiz retake) never issues another.
    again = lesson_progress_record(user=user, lesson=optional, completed=True)
    retake = lesson_progress_record(user=user, lesson=quiz, answers=quiz_answers(quiz, [2, 1, 3]))
    assert not again.course_completed_now and not retake.course_completed_now
    assert retake.certificate.pk == certificate.pk
    assert Certificate.objects.count() == 1
    events = [r for r in LocalKlaviyo.requests if r.operation == "event_create"]
    assert len(events) == 1
    body = str(events[0].body)
    assert "Course Completed" in body and course.title in body
    assert user.email in body and "Lovelace" not in body


def test_a_failed_quiz_keeps_the_course_open():
    course, text, quiz = short_course()
    enrolment = EnrolmentFactory(course=course)
    lesson_progress_record(user=enrolment.user, lesson=text, completed=True)
    result = lesson_progress_record(
        user=enrolment.user, lesson=quiz, answers=quiz_answers(quiz, [1, 2, 1])
    )
    assert not result.quiz.is_passed and not result.course_completed_now
    assert not Certificate.objects.exists()


def test_an_unpublished_lesson_does_not_count_for_completion():
    course, text, quiz = short_course()
    quiz.unpublish()
    enrolment = EnrolmentFactory(course=course)
    result = lesson_progress_record(user=enrolment.user, lesson=text, completed=True)
    assert result.course_completed_now
