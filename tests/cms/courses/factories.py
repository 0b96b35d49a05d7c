"""Course page trees, enrolments and learners for tests."""

import itertools
import uuid

import factory
from django.utils import timezone
from wagtail.models import Page

from cms.courses.models import CourseIndexPage, CoursePage, Enrolment, LessonPage, ModulePage
from commerce.credits.services import credits_grant
from tests.accounts.factories import UserFactory
from tests.cms.library.factories import site_root
from tests.marketplace.practitioners.factories import PractitionerProfileFactory

_numbers = itertools.count(1)


def _site_root() -> Page:
    """The site's home page (site_root rebuilds Wagtail's tree after a flush)."""
    return site_root()


def course_index() -> CourseIndexPage:
    existing = CourseIndexPage.objects.first()
    if existing is not None:
        return existing
    index = CourseIndexPage(title="Courses", slug="courses")
    _site_root().add_child(instance=index)
    return index


def text_body(text: str = "The lesson text.") -> list[dict]:
    return [{"type": "rich_text", "value": f"<p>{text}</p>", "id": str(uuid.uuid4())}]


def question(prompt: str, choices: list[str], correct: int) -> dict:
    return {
        "type": "question",
        "value": {"prompt": prompt, "choices": choices, "correct_choice": correct},
        "id": str(uuid.uuid4()),
    }


class CourseFactory(factory.django.DjangoModelFactory):
    """A live course under /courses/ (members-level unless told), no lessons yet."""

    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    summary = "A short course."
    instructor = factory.SubFactory(PractitionerProfileFactory)
    access_level = "member"
    credit_price = 3
    price = 2900
    currency = "GBP"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        course = model_class(*args, **kwargs)
        course_index().add_child(instance=course)
        return course


def add_module(course: CoursePage, title: str | None = None) -> ModulePage:
    module = ModulePage(title=title or f"Module {next(_numbers)}")
    course.add_child(instance=module)
    return module


def add_lesson(module: ModulePage, **fields) -> LessonPage:
    number = next(_numbers)
    fields.setdefault("title", f"Lesson {number}")
    fields.setdefault("slug", f"lesson-{number}")
    fields.setdefault("kind", "text")
    if fields["kind"] == "text":
        fields.setdefault("body", text_body())
    lesson = LessonPage(**fields)
    module.add_child(instance=lesson)
    return lesson


def add_quiz(module: ModulePage, *, pass_mark_percent: int = 60, **fields) -> LessonPage:
    """Three questions; the right answers are 2, 1 and 3."""
    return add_lesson(
        module,
        kind="quiz",
        pass_mark_percent=pass_mark_percent,
        questions=[
            question("First?", ["a", "b", "c"], 2),
            question("Second?", ["a", "b", "c"], 1),
            question("Third?", ["a", "b", "c"], 3),
        ],
        **fields,
    )


def quiz_answers(lesson: LessonPage, chosen: list[int]) -> dict[str, int]:
    return {str(block.id): answer for block, answer in zip(lesson.questions, chosen, strict=True)}


def short_course(**fields) -> tuple[CoursePage, LessonPage, LessonPage]:
    """A course with one module: a text lesson and a quiz."""
    course = CourseFactory(**fields)
    module = add_module(course, "Basics")
    text = add_lesson(module, title="Read this")
    quiz = add_quiz(module, title="Check yourself")
    return course, text, quiz


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    user = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CourseFactory)
    # Bought, so it stays open whatever the learner's membership.
    source = Enrolment.Source.CREDITS
    enrolled_at = factory.LazyFunction(timezone.now)


def give_credits(user, amount: int) -> None:
    credits_grant(
        user=user,
        amount=amount,
        kind="adjustment",
        source_type="test",
        source_id=f"test-{next(_numbers)}",
    )


def video_document(name: str = "lesson.mp4"):
    """A small stand-in video file uploaded as a Wagtail document."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document = get_document_model()(title=name)
    document.file.save(name, ContentFile(b"\x00\x00\x00\x18ftypmp42"), save=True)
    return document
