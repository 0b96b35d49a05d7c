"""Practitioners author courses in the Wagtail admin, limited to their own: other
instructors' courses are hidden from the explorer and choosers, and their edit, create,
delete, copy and move screens answer 404 (DESIGN.md §6). Editors and superusers are not
limited."""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from wagtail import hooks
from wagtail.models import Page

from cms.courses.models import CourseIndexPage, CoursePage, LessonPage
from cms.courses.selectors import is_course_author_only


def _own(user) -> Q:
    return Q(instructor__user=user) | Q(owner=user)


def _foreign_course_paths(user) -> list[str]:
    return list(CoursePage.objects.exclude(_own(user)).values_list("path", flat=True))


def _is_foreign(user, page) -> bool:
    """Whether `page` is, or sits inside, a course that is not the user's."""
    if page is None or not is_course_author_only(user):
        return False
    course = CoursePage.objects.ancestor_of(page, inclusive=True).first()
    return course is not None and not CoursePage.objects.filter(_own(user), pk=course.pk).exists()


def _guard(request, page, *args, **kwargs):
    # before_move_page also names the destination; before_create_page the page class.
    targets = [page, *(arg for arg in args if isinstance(arg, Page))]
    if any(_is_foreign(request.user, target) for target in targets):
        raise Http404


for _hook in (
    "before_edit_page",
    "before_delete_page",
    "before_copy_page",
    "before_move_page",
    "before_create_page",
    "before_convert_alias_page",
):
    hooks.register(_hook, _guard)


@hooks.register("construct_explorer_page_queryset")
def only_own_courses_in_explorer(parent_page, pages, request):
    user = request.user
    if not is_course_author_only(user):
        return pages
    if _is_foreign(user, parent_page):
        return pages.none()
    if parent_page.specific_class is CourseIndexPage:
        foreign = CoursePage.objects.exclude(_own(user)).values_list("pk", flat=True)
        return pages.exclude(pk__in=foreign)
    return pages


@hooks.register("construct_page_chooser_queryset")
def only_own_courses_in_chooser(pages, request):
    user = request.user
    if not is_course_author_only(user):
        return pages
    hidden = Q()
    for path in _foreign_course_paths(user):
        hidden |= Q(path__startswith=path)
    return pages.exclude(hidden) if hidden else pages


@hooks.register("before_serve_document")
def lesson_videos_only_for_their_learners(document, request):
    """Lesson videos are Wagtail documents, and /documents/<id>/<name> would serve them to
    anyone who guessed the id. A video some lesson uses goes only to a learner that lesson
    is open to, or to someone who may edit the lesson (previews); everyone else gets a 404,
    which does not say the file exists."""
    from cms.courses.services.enrolments import enrolment_is_active
    from cms.courses.services.progress import course_of_lesson, lesson_available_at

    lessons = list(LessonPage.objects.filter(video=document))
    if not lessons:
        return None
    user = request.user
    if not user.is_authenticated:
        raise Http404
    for lesson in lessons:
        if lesson.permissions_for_user(user).can_edit():
            return None
        course = course_of_lesson(lesson)
        enrolment = course.enrolments.filter(user=user).first() if course else None
        if (
            enrolment is not None
            and enrolment_is_active(enrolment=enrolment, user=user)
            and lesson_available_at(lesson=lesson, enrolment=enrolment) <= timezone.now()
        ):
            return None
    raise Http404
