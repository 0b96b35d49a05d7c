"""Recording a learner's progress in a lesson, and completing the course (with its
certificate) when the completion rule is met."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cms.courses.errors import LessonNotAvailable
from cms.courses.models import Certificate, CoursePage, Enrolment, LessonPage, LessonProgress
from commerce.errors import InvalidRequest, NotFound
from integrations.klaviyo.events import track_event_on_commit
from privacy.registry import ErasureSubject

# A video counts as watched once this share of it has been seen (the credits roll).
VIDEO_COMPLETE_SHARE = 0.9


@dataclass(frozen=True)
class QuizResult:
    score_percent: int
    is_passed: bool
    correct: int
    total: int


@dataclass(frozen=True)
class ProgressResult:
    progress: LessonProgress
    enrolment: Enrolment
    quiz: QuizResult | None
    certificate: Certificate | None
    course_completed_now: bool


def course_of_lesson(lesson: LessonPage) -> CoursePage | None:
    return CoursePage.objects.ancestor_of(lesson).select_related("instructor").first()


def lesson_available_at(*, lesson: LessonPage, enrolment: Enrolment) -> datetime:
    """When the lesson opens for this enrolment: its drip, and for a quiz no earlier than
    the lessons before it (cms.courses.selectors.lesson_drip_days)."""
    from cms.courses.selectors import lesson_drip_days_of

    return enrolment.enrolled_at + timedelta(days=lesson_drip_days_of(lesson=lesson))


def quiz_grade(*, lesson: LessonPage, answers: object) -> QuizResult:
    """Scores answers ({question id: chosen answer number, 1 = first}) against the quiz.
    Every question needs one of its answers: a question left out, or answered with
    something that is not one of its answer numbers, makes the whole submission bad input
    ("Answer every question."), so an empty or half-filled form is never scored as an
    attempt. Keys that name no question are ignored; anything that is not a mapping is bad
    input."""
    if not isinstance(answers, dict):
        raise InvalidRequest("Answers must map question ids to answer numbers.", code="invalid")
    questions = [block for block in lesson.questions if block.block_type == "question"]
    if not questions:
        raise InvalidRequest("This lesson has no questions.", code="not_a_quiz")
    correct = 0
    for question in questions:
        chosen = answers.get(str(question.id))
        if isinstance(chosen, str) and chosen.strip().isdigit():
            chosen = int(chosen)
        if (
            not isinstance(chosen, int)
            or isinstance(chosen, bool)
            or not 1 <= chosen <= len(question.value["choices"])
        ):
            raise InvalidRequest("Answer every question.", code="invalid")
        if chosen == question.value["correct_choice"]:
            correct += 1
    score = correct * 100 // len(questions)
    return QuizResult(
        score_percent=score,
        is_passed=score >= lesson.pass_mark_percent,
        correct=correct,
        total=len(questions),
    )


def required_lesson_ids(*, course: CoursePage) -> set[int]:
    """The live lessons that count for completion (all of them if none is marked required)."""
    lessons = LessonPage.objects.live().descendant_of(course).values_list("pk", "is_required")
    lessons = list(lessons)
    required = {pk for pk, is_required in lessons if is_required}
    return required or {pk for pk, _ in lessons}


def _learner_name(user: User) -> str:
    return (user.get_full_name() or user.email).strip()[:200]


def _complete(enrolment: Enrolment, *, now: datetime) -> Certificate:
    """Marks the (locked) enrolment complete and issues its one certificate."""
    course = enrolment.course
    enrolment.completed_at = now
    enrolment.save(update_fields=["completed_at"])
    certificate, _ = Certificate.objects.get_or_create(
        enrolment=enrolment,
        defaults={
            "learner_name": _learner_name(enrolment.user),
            "course_title": course.title[:255],
            "instructor_name": course.instructor.display_name[:200],
            "issued_at": now,
        },
    )
    _announce_completion(enrolment=enrolment, course=course, completed_at=now)
    return certificate


def _announce_completion(*, enrolment: Enrolment, course: CoursePage, completed_at) -> None:
    """Tells Klaviyo, after commit, that the course is complete: non-sensitive facts only
    (the course and when). The event time is the completion time; "course" carries the
    course id (the Klaviyo allow-list's name for it)."""
    track_event_on_commit(
        email=enrolment.user.email,
        metric="Course Completed",
        properties={"course": course.pk, "course_title": course.title},
        unique_id=f"course-completed-{enrolment.pk}",
        time=completed_at,
    )


@transaction.atomic
def lesson_progress_record(
    *,
    user: User,
    lesson: LessonPage,
    position_seconds: object = None,
    completed: object = None,
    answers: object = None,
    now: datetime | None = None,
) -> ProgressResult:
    """Records progress in a lesson: a video's position (watched once 90% is seen, or
    `completed`), a text read (`completed=True`), or quiz answers (scored; passed at the
    lesson's pass mark). Not enrolled (or the membership no longer includes the course),
    or a lesson not live → NotFound. A lesson still dripping → LessonNotAvailable with
    its opening time. When every required lesson is done the course completes and its
    certificate is issued, exactly once: the enrolment row is locked for the whole write,
    so concurrent requests for the same learner queue up."""
    from cms.courses.services.enrolments import enrolment_is_active

    moment = timezone.now() if now is None else now
    if user is None or not user.is_authenticated or not lesson.live:
        raise NotFound("There is no such lesson.")
    course = course_of_lesson(lesson)
    if course is None or not course.live:
        raise NotFound("There is no such lesson.")
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("course", "course__instructor", "user")
        .filter(user=user, course=course)
        .first()
    )
    if enrolment is None or not enrolment_is_active(enrolment=enrolment, user=user):
        raise NotFound("There is no such lesson.")
    available_at = lesson_available_at(lesson=lesson, enrolment=enrolment)
    if available_at > moment:
        raise LessonNotAvailable(
            f"This lesson opens on {available_at:%d %B %Y at %H:%M} UTC.",
            available_at=available_at,
        )
    progress, _ = LessonProgress.objects.get_or_create(enrolment=enrolment, lesson=lesson)
    quiz = None
    if lesson.kind == LessonPage.Kind.QUIZ:
        if answers is None:
            raise InvalidRequest("Send your answers.", code="answers_required")
        quiz = quiz_grade(lesson=lesson, answers=answers)
        progress.quiz_attempts += 1
        progress.best_score_percent = max(progress.best_score_percent or 0, quiz.score_percent)
        if quiz.is_passed and progress.completed_at is None:
            progress.completed_at = moment
    elif lesson.kind == LessonPage.Kind.VIDEO:
        if position_seconds is None and completed is not True:
            raise InvalidRequest("Send position_seconds or completed.", code="invalid")
        if position_seconds is not None:
            if (
                isinstance(position_seconds, bool)
                or not isinstance(position_seconds, int | float)
                or not 0 <= position_seconds <= 7 * 24 * 3600
            ):
                raise InvalidRequest("position_seconds must be a number of seconds.")
            duration = lesson.duration_seconds or 0
            progress.position_seconds = int(min(position_seconds, duration or position_seconds))
            if duration and progress.position_seconds >= duration * VIDEO_COMPLETE_SHARE:
                progress.completed_at = progress.completed_at or moment
        if completed is True:
            progress.completed_at = progress.completed_at or moment
    else:
        if completed is not True:
            raise InvalidRequest("Send completed: true.", code="invalid")
        progress.completed_at = progress.completed_at or moment
    progress.save()
    enrolment.last_lesson = lesson
    enrolment.last_activity_at = moment
    enrolment.save(update_fields=["last_lesson", "last_activity_at"])

    certificate = Certificate.objects.filter(enrolment=enrolment).first()
    completed_now = False
    if enrolment.completed_at is None:
        required = required_lesson_ids(course=course)
        done = set(
            LessonProgress.objects.filter(
                enrolment=enrolment, lesson_id__in=required, completed_at__isnull=False
            ).values_list("lesson_id", flat=True)
        )
        if required and required <= done:
            certificate = _complete(enrolment, now=moment)
            completed_now = True
    return ProgressResult(
        progress=progress,
        enrolment=enrolment,
        quiz=quiz,
        certificate=certificate,
        course_completed_now=completed_now,
    )


def certificates_erase(subject: ErasureSubject) -> int:
    """Eraser: blanks the learner's name on their certificates and marks them as held by
    an erased learner; the codes keep verifying the completion itself."""
    if subject.user is None:
        return 0
    return Certificate.objects.filter(
        enrolment__user=subject.user, holder_erased_at__isnull=True
    ).update(learner_name="", holder_erased_at=timezone.now())
