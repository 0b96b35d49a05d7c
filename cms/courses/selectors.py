"""Reads about courses that pages, the API and other apps need."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Max, Q
from django.utils import timezone
from wagtail.models import Page
from wagtail.query import PageQuerySet

from cms.courses.models import (
    Certificate,
    CourseIndexPage,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
    ModulePage,
)


def courses_live() -> PageQuerySet:
    """Published courses that are not behind a Wagtail view restriction, with their
    instructor in the same query."""
    return CoursePage.objects.live().public().select_related("instructor").order_by("path")


def courses_for_spotlight(*, limit: int) -> list[CoursePage]:
    """Live, public courses for the marketing landing page, newest first, with their
    instructor loaded (one query). Stable signature: marketing_site depends on it."""
    return list(
        CoursePage.objects.live()
        .public()
        .select_related("instructor")
        .order_by("-first_published_at", "-pk")[: max(limit, 0)]
    )


def course_catalogue(*, index: CourseIndexPage | None = None) -> list[CoursePage]:
    """The courses a catalogue lists (all live ones; access is shown per course)."""
    courses = courses_live()
    if index is not None:
        courses = courses.child_of(index)
    return list(courses)


@dataclass(frozen=True)
class LessonRow:
    lesson: LessonPage
    progress: LessonProgress | None
    available_at: datetime | None
    is_available: bool

    @property
    def is_completed(self) -> bool:
        return self.progress is not None and self.progress.completed_at is not None


@dataclass(frozen=True)
class ModuleRow:
    module: ModulePage
    lessons: list[LessonRow]


def _lessons_of(courses: list[CoursePage]) -> list[LessonPage]:
    """Live lessons of these courses in tree order, in one query (their long fields are
    left out: listings need titles and rules only)."""
    if not courses:
        return []
    under = Q()
    for course in courses:
        under |= Q(path__startswith=course.path, depth=course.depth + 2)
    return list(LessonPage.objects.live().filter(under).defer("body", "questions").order_by("path"))


def lesson_drip_days(lessons: list[LessonPage]) -> dict[int, int]:
    """How many days after enrolment each of one course's lessons (in tree order) opens:
    its own drip, except that a quiz opens no earlier than every lesson before it, since
    it tests them."""
    days: dict[int, int] = {}
    latest = 0
    for lesson in lessons:
        opens_after = lesson.drip_days
        if lesson.kind == LessonPage.Kind.QUIZ:
            opens_after = max(opens_after, latest)
        days[lesson.pk] = opens_after
        latest = max(latest, opens_after)
    return days


def lesson_drip_days_of(*, lesson: LessonPage) -> int:
    """lesson_drip_days for one lesson: a quiz reads the latest drip of the live lessons
    before it in its course (one query); other lessons keep their own."""
    if lesson.kind != LessonPage.Kind.QUIZ:
        return lesson.drip_days
    # Course > module > lesson: the course's path is the lesson's less two steps.
    course_path = lesson.path[: (lesson.depth - 2) * Page.steplen]
    earlier = (
        LessonPage.objects.live()
        .filter(path__startswith=course_path, depth=lesson.depth, path__lt=lesson.path)
        .aggregate(latest=Max("drip_days"))["latest"]
    )
    return max(lesson.drip_days, earlier or 0)


def _progress_by_lesson(enrolment_ids: list[int]) -> dict[tuple[int, int], LessonProgress]:
    if not enrolment_ids:
        return {}
    rows = LessonProgress.objects.filter(enrolment_id__in=enrolment_ids)
    return {(row.enrolment_id, row.lesson_id): row for row in rows}


def enrolment_for(*, user, course: CoursePage) -> Enrolment | None:
    if user is None or not user.is_authenticated:
        return None
    return Enrolment.objects.select_related("certificate").filter(user=user, course=course).first()


def percent_complete(*, lessons: list[LessonPage], completed_ids: set[int]) -> int:
    """Share of the lessons that count for completion that are done, rounded down."""
    counted = [lesson.pk for lesson in lessons if lesson.is_required] or [
        lesson.pk for lesson in lessons
    ]
    if not counted:
        return 0
    return len(set(counted) & completed_ids) * 100 // len(counted)


def _resume_lesson(
    *, lessons: list[LessonPage], enrolment: Enrolment, completed_ids: set[int], now: datetime
) -> LessonPage | None:
    """Where to carry on: the first open lesson not done yet, else the last one opened."""
    drip = lesson_drip_days(lessons)
    for lesson in lessons:
        opens = enrolment.enrolled_at + timedelta(days=drip[lesson.pk])
        if lesson.pk not in completed_ids and opens <= now:
            return lesson
    by_id = {lesson.pk: lesson for lesson in lessons}
    return by_id.get(enrolment.last_lesson_id) or (lessons[0] if lessons else None)


def course_outline_for(*, course: CoursePage, user, now: datetime | None = None) -> dict:
    """Everything the course page shows, in a fixed number of queries whatever the number
    of modules and lessons: modules, lessons, the caller's enrolment and progress."""
    from cms.courses.services.enrolments import enrolment_is_active
    from cms.library.entitlements import has_access

    moment = timezone.now() if now is None else now
    modules = list(
        ModulePage.objects.live().child_of(course).order_by("path").only("pk", "title", "path")
    )
    lessons = _lessons_of([course])
    enrolment = enrolment_for(user=user, course=course)
    is_active = enrolment is not None and enrolment_is_active(enrolment=enrolment, user=user)
    progress = _progress_by_lesson([enrolment.pk]) if enrolment else {}
    completed_ids = {
        lesson_id for (_, lesson_id), row in progress.items() if row.completed_at is not None
    }
    rows_by_module: dict[str, list[LessonRow]] = {module.path: [] for module in modules}
    drip = lesson_drip_days(lessons)
    for lesson in lessons:
        available_at = (
            enrolment.enrolled_at + timedelta(days=drip[lesson.pk]) if enrolment else None
        )
        row = LessonRow(
            lesson=lesson,
            progress=progress.get((enrolment.pk, lesson.pk)) if enrolment else None,
            available_at=available_at,
            is_available=bool(is_active and available_at and available_at <= moment),
        )
        parent_path = lesson.path[: -Page.steplen]
        if parent_path in rows_by_module:
            rows_by_module[parent_path].append(row)
    certificate = getattr(enrolment, "certificate", None) if enrolment else None
    return {
        "modules": [
            ModuleRow(module=module, lessons=rows_by_module[module.path]) for module in modules
        ],
        "lesson_count": len(lessons),
        "enrolment": enrolment,
        "enrolment_is_active": is_active,
        "percent_complete": percent_complete(lessons=lessons, completed_ids=completed_ids),
        "resume_lesson": (
            _resume_lesson(
                lessons=lessons, enrolment=enrolment, completed_ids=completed_ids, now=moment
            )
            if is_active and enrolment is not None
            else None
        ),
        "certificate": certificate,
        "is_included": bool(
            user is not None
            and user.is_authenticated
            and has_access(user=user, page=course, access_level=course.access_level)
        ),
    }


@dataclass(frozen=True)
class LearningRow:
    enrolment: Enrolment
    course: CoursePage
    percent_complete: int
    resume_lesson: LessonPage | None
    certificate: Certificate | None
    lesson_count: int


def learning_for(*, user, now: datetime | None = None) -> list[LearningRow]:
    """The learner's courses for "My learning", most recently active first, with percent
    complete and where to resume, in a fixed number of queries."""
    moment = timezone.now() if now is None else now
    enrolments = list(
        Enrolment.objects.filter(user=user)
        .select_related("course", "course__instructor", "certificate")
        .order_by(F("last_activity_at").desc(nulls_last=True), "-enrolled_at")
    )
    courses = [enrolment.course for enrolment in enrolments]
    lessons = _lessons_of(courses)
    progress = _progress_by_lesson([enrolment.pk for enrolment in enrolments])
    rows = []
    for enrolment in enrolments:
        course = enrolment.course
        own = [lesson for lesson in lessons if lesson.path.startswith(course.path)]
        completed_ids = {
            lesson.pk
            for lesson in own
            if (row := progress.get((enrolment.pk, lesson.pk))) and row.completed_at is not None
        }
        rows.append(
            LearningRow(
                enrolment=enrolment,
                course=course,
                percent_complete=percent_complete(lessons=own, completed_ids=completed_ids),
                resume_lesson=_resume_lesson(
                    lessons=own, enrolment=enrolment, completed_ids=completed_ids, now=moment
                ),
                certificate=getattr(enrolment, "certificate", None),
                lesson_count=len(own),
            )
        )
    return rows


def certificate_by_code(code: str) -> Certificate | None:
    code = (code or "").strip().upper()
    if not code.isalnum() or len(code) > 16:
        return None
    return Certificate.objects.filter(code=code).first()


@dataclass(frozen=True)
class CourseSummary:
    course: CoursePage
    lesson_count: int
    enrolment: Enrolment | None
    percent_complete: int | None


def course_summaries(*, courses: list[CoursePage], user) -> list[CourseSummary]:
    """Lesson counts and the caller's enrolment and progress for a list of courses, in a
    fixed number of queries."""
    lessons = _lessons_of(courses)
    enrolments: dict[int, Enrolment] = {}
    if user is not None and user.is_authenticated and courses:
        enrolments = {
            enrolment.course_id: enrolment
            for enrolment in Enrolment.objects.filter(
                user=user, course__in=[course.pk for course in courses]
            )
        }
    progress = _progress_by_lesson([enrolment.pk for enrolment in enrolments.values()])
    summaries = []
    for course in courses:
        own = [lesson for lesson in lessons if lesson.path.startswith(course.path)]
        enrolment = enrolments.get(course.pk)
        percent = None
        if enrolment is not None:
            completed_ids = {
                lesson.pk
                for lesson in own
                if (row := progress.get((enrolment.pk, lesson.pk))) and row.completed_at
            }
            percent = percent_complete(lessons=own, completed_ids=completed_ids)
        summaries.append(
            CourseSummary(
                course=course,
                lesson_count=len(own),
                enrolment=enrolment,
                percent_complete=percent,
            )
        )
    return summaries


_AUTHOR_ONLY_ATTRIBUTE = "_course_author_only"


def is_course_author_only(user) -> bool:
    """A practitioner in the course authors group without wider page rights (editors,
    moderators and superusers are not limited to their own courses). Cached on the user
    object for the request."""
    from cms.courses.services.authors import COURSE_AUTHORS_GROUP

    if not user.is_authenticated or user.is_superuser:
        return False
    cached = getattr(user, _AUTHOR_ONLY_ATTRIBUTE, None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = COURSE_AUTHORS_GROUP in names and not names & {"Editors", "Moderators"}
        setattr(user, _AUTHOR_ONLY_ATTRIBUTE, cached)
    return cached


def lesson_neighbours(*, lesson: LessonPage, course: CoursePage):
    """The live lessons before and after this one in the course, in one query."""
    lessons = list(
        LessonPage.objects.live()
        .descendant_of(course)
        .order_by("path")
        .only("pk", "title", "path", "url_path", "slug", "depth")
    )
    ids = [item.pk for item in lessons]
    if lesson.pk not in ids:
        return None, None
    index = ids.index(lesson.pk)
    previous = lessons[index - 1] if index > 0 else None
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    return previous, following


def lesson_context(*, lesson: LessonPage) -> dict:
    """What a lesson's template needs besides the page: its course, neighbours and (for a
    quiz) the questions without their answers."""
    course = CoursePage.objects.ancestor_of(lesson).select_related("instructor").first()
    previous, following = (
        lesson_neighbours(lesson=lesson, course=course) if course else (None, None)
    )
    questions = []
    if lesson.kind == LessonPage.Kind.QUIZ:
        questions = [
            {
                "id": str(block.id),
                "prompt": block.value["prompt"],
                "choices": list(enumerate(block.value["choices"], start=1)),
            }
            for block in lesson.questions
            if block.block_type == "question"
        ]
    return {
        "course": course,
        "previous_lesson": previous,
        "next_lesson": following,
        "questions": questions,
    }
