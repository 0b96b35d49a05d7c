"""The page tree rules and model validation."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.blocks import StructBlockValidationError
from wagtail.test.utils import WagtailPageTestCase

from cms.courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from marketing_site.pages.models import HomePage
from tests.cms.courses.factories import CourseFactory, add_module, question, short_course


class CourseTreeTests(WagtailPageTestCase):
    def test_catalogue_sits_under_the_home_page(self):
        self.assertAllowedParentPageTypes(CourseIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})

    def test_course_holds_modules_which_hold_lessons(self):
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage})
        self.assertAllowedSubpageTypes(ModulePage, {LessonPage})
        self.assertAllowedSubpageTypes(LessonPage, set())


@pytest.mark.django_db
def test_a_video_lesson_needs_its_file_and_length():
    lesson = LessonPage(title="Watch", slug="watch", kind="video")
    with pytest.raises(ValidationError) as caught:
        lesson.full_clean()
    assert "video" in caught.value.message_dict


@pytest.mark.django_db
def test_a_quiz_needs_questions_and_a_right_answer_that_exists():
    module = add_module(CourseFactory())
    empty = LessonPage(title="Quiz", slug="quiz", kind="quiz")
    empty.path, empty.depth = module.path + "0001", module.depth + 1
    with pytest.raises(ValidationError) as caught:
        empty.full_clean()
    assert "questions" in caught.value.message_dict
    block = LessonPage.questions.field.stream_block.child_blocks["question"]
    with pytest.raises(StructBlockValidationError) as caught:
        block.clean(block.to_python(question("Q?", ["a", "b"], 3)["value"]))
    assert "correct_choice" in caught.value.block_errors
    assert block.clean(block.to_python(question("Q?", ["a", "b"], 2)["value"]))


@pytest.mark.django_db
def test_a_course_sold_only_for_credits_needs_a_price():
    course = CoursePage(
        title="C", slug="c", summary="s", access_level="credits", credit_price=None, price=None
    )
    with pytest.raises(ValidationError) as caught:
        course.clean()
    assert "access_level" in caught.value.message_dict


@pytest.mark.django_db
def test_the_sitemap_lists_the_course_but_not_its_modules_or_lessons(rf):
    course, text, quiz = short_course()
    request = rf.get("/sitemap.xml")
    assert course.get_sitemap_urls(request)
    assert course.get_parent().specific.get_sitemap_urls(request)
    assert text.get_sitemap_urls(request) == []
    assert quiz.get_sitemap_urls(request) == []
    assert text.get_parent().specific.get_sitemap_urls(request) == []


@pytest.mark.django_db
def test_a_course_marked_noindex_leaves_the_sitemap(rf):
    course, _text, _quiz = short_course()
    course.noindex = True
    course.save()
    assert course.get_sitemap_urls(rf.get("/sitemap.xml")) == []
