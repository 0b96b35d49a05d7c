"""The demo courses seed_demo creates."""

import pytest

from cms.courses.demo import DEMO_PRACTITIONER_EMAIL, seed_courses
from cms.courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from cms.courses.selectors import courses_for_spotlight, is_course_author_only
from marketing_site.pages.demo import seed_home_page
from tests.accounts.factories import UserFactory
from tests.marketplace.practitioners.factories import PractitionerProfileFactory

pytestmark = pytest.mark.django_db


def test_seed_courses_builds_the_catalogue_once():
    home = seed_home_page()
    profile = PractitionerProfileFactory(user=UserFactory(email=DEMO_PRACTITIONER_EMAIL))
    lines = seed_courses()
    again = seed_courses()
    index = CourseIndexPage.objects.get()
    assert index.slug == "courses" and index.get_parent().specific == home
    assert index.live and index.url == "/courses/"
    courses = CoursePage.objects.live()
    assert courses.count() == 2
    assert {course.instructor for course in courses} == {profile}
    for course in courses:
        assert ModulePage.objects.live().child_of(course).count() >= 2
        lessons = LessonPage.objects.live().descendant_of(course)
        assert lessons.filter(kind="quiz").exists() and lessons.filter(kind="text").exists()
    assert LessonPage.objects.count() == 8  # the second run added nothing
    assert any("/courses/" in line for line in lines) and "Added" not in " ".join(again)
    assert is_course_author_only(profile.user)
    spotlight = courses_for_spotlight(limit=1)
    assert len(spotlight) == 1 and spotlight[0].instructor == profile


def test_seed_courses_without_the_demo_practitioner_says_so():
    seed_home_page()
    assert "skipped" in seed_courses()[0]
