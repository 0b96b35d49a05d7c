"""Reads other apps rely on."""

import pytest
from wagtail.models import PageViewRestriction

from cms.courses.selectors import courses_for_spotlight
from tests.cms.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def test_spotlight_is_live_public_courses_with_instructors_in_one_query(
    django_assert_num_queries,
):
    shown = [CourseFactory(title=f"Shown {number}") for number in range(3)]
    CourseFactory(title="Draft").unpublish()
    private = CourseFactory(title="Private")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    with django_assert_num_queries(2):  # the courses, and the view restrictions for .public()
        spotlight = courses_for_spotlight(limit=10)
        names = [course.instructor.display_name for course in spotlight]
    assert {course.pk for course in spotlight} == {course.pk for course in shown}
    assert len(names) == 3
    assert len(courses_for_spotlight(limit=2)) == 2
    assert courses_for_spotlight(limit=0) == []
