"""Real threads: two progress requests that each finish the course, and repeated
enrolments paid with credits. The enrolment row lock (PostgreSQL) or BEGIN IMMEDIATE
(SQLite) serializes them, so the course completes once, with one certificate and one
Klaviyo event, and credits are spent once."""

from collections import Counter

import pytest

from cms.courses.models import Certificate, Enrolment
from cms.courses.services import course_enrol, lesson_progress_record
from commerce.credits.selectors import credits_balance
from integrations.klaviyo.local import LocalKlaviyo
from tests.accounts.factories import UserFactory
from tests.cms.courses.factories import (
    CourseFactory,
    EnrolmentFactory,
    add_lesson,
    add_module,
    give_credits,
)
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def test_racing_final_lessons_complete_the_course_exactly_once():
    course = CourseFactory()
    module = add_module(course)
    first = add_lesson(module)
    last_lessons = [add_lesson(module) for _ in range(2)]
    enrolment = EnrolmentFactory(course=course)
    user = enrolment.user
    lesson_progress_record(user=user, lesson=first, completed=True)

    def job(index):
        lesson = last_lessons[index % 2]

        def finish():
            result = lesson_progress_record(user=user, lesson=lesson, completed=True)
            return "completed now" if result.course_completed_now else "ok"

        return finish

    outcomes = race([job(index) for index in range(THREADS)])

    assert outcomes == Counter({"completed now": 1, "ok": THREADS - 1}), outcomes
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    events = [
        request for request in LocalKlaviyo.requests if "Course Completed" in str(request.body)
    ]
    assert len(events) == 1


def test_racing_enrolments_with_credits_enrol_and_charge_once():
    course = CourseFactory(access_level="credits", credit_price=3)
    user = UserFactory()
    give_credits(user, 10)

    def enrol():
        _, created = course_enrol(user=user, course=course, pay_with="credits")
        return "created" if created else "existing"

    outcomes = race([enrol for _ in range(THREADS)])

    assert outcomes == Counter({"created": 1, "existing": THREADS - 1}), outcomes
    assert Enrolment.objects.filter(user=user, course=course).count() == 1
    assert credits_balance(user=user) == 7
