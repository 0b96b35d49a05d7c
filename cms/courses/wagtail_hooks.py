"""Practitioners author courses in the Wagtail admin, limited to their own: other
instructors' courses are hidden from the explorer and choosers, and their edit, create,
delete, copy and move screens answer 404 (DESIGN.md §6). Their lesson videos likewise:
the document permission policy (cms.courses.permissions) lets an author choose only the
videos they uploaded. Editors and superusers are not limited."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.models import Page
from wagtail.permissions import register_permission_policy

from cms.courses.models import CourseIndexPage, CoursePage, LessonPage
from cms.courses.permissions import course_document_permission_policy
from cms.courses.selectors import is_course_author_only

# wagtail.documents registers Wagtail's policy for the model (and its subclasses) in its own
# ready(), which may run after this module is loaded; a policy for the exact class is looked
# up first, so this one wins whatever the order.
register_permission_policy(
    get_document_model(), course_document_permission_policy(), exact_class=True
)


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


@hooks.register("before_bulk_action")
def keep_videos_in_course_videos(request, action_type, objects, action):
    """Bulk "add to collection" moves documents without their form, so the form's rule
    (cms.courses.forms: Course videos holds real videos only, and videos stay there) is
    applied here: nothing moves when any document would break it."""
    from cms.courses.videos import document_problem

    if action_type != "add_to_collection" or action.model is not get_document_model():
        return None
    target = action.cleaned_form.cleaned_data.get("collection")
    for document in objects:
        problem = document_problem(file=document.file, collection=target)
        if problem is not None:
            messages.error(request, f"“{document.title}” was not moved: {problem}")
            return redirect(action.next_url)
    return None


@hooks.register("before_serve_document")
def lesson_videos_only_for_their_learners(document, request):
    """Lesson videos are Wagtail documents, and /documents/<id>/<name> would serve them to
    anyone who guessed the id. A video some lesson uses goes only to a learner that lesson
    is open to, or to someone who may edit the lesson (previews); everyone else gets a 404,
    which does not say the file exists."""
    from cms.courses.services.enrolments import enrolment_is_active
    from cms.courses.services.progress import course_of_lesson, lesson_available_at

    lessons = list(LessonPage.objects.filter(video=document))
    user = request.user
    if not lessons:
        if _in_course_videos(document) and not _may_change(user, document):
            # An uploaded video no lesson uses yet: its uploader's (and editors') only.
            raise Http404
        return None
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


def _in_course_videos(document) -> bool:
    from cms.courses.videos import course_videos_collection

    videos = course_videos_collection()
    return videos is not None and document.collection_id == videos.pk


def _may_change(user, document) -> bool:
    from wagtail.permissions import policy_registry

    if not user.is_authenticated:
        return False
    policy = policy_registry.get_by_type(type(document))
    return policy.user_has_permission_for_instance(user, "change", document)
