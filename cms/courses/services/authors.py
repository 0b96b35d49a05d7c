"""Practitioners authoring their own courses in the Wagtail admin."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupCollectionPermission, GroupPagePermission

from accounts.models import User
from cms.courses.models import CourseIndexPage
from cms.courses.videos import course_videos_collection_ensure
from commerce.errors import InvalidRequest

COURSE_AUTHORS_GROUP = "Course authors"


def course_authors_group_ensure() -> Group:
    """The "Course authors" group: admin access and Wagtail's "add" permission on every
    course catalogue. "add" lets an author create courses and edit the pages they own, but
    not publish (editors approve through the moderation workflow) and not touch anyone
    else's pages; wagtail_hooks also hides and guards other instructors' courses.

    Videos: "add" and "choose" documents in the "Course videos" collection only. Wagtail's
    ownership rule lets a user with "add" edit and delete the documents they uploaded and
    no others (listing, edit and delete follow it); "choose" would offer every video in the
    collection, so the document permission policy (cms.courses.permissions) narrows it to
    the author's own uploads."""
    group, _ = Group.objects.get_or_create(name=COURSE_AUTHORS_GROUP)
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    group.permissions.add(access_admin)
    add_page = Permission.objects.get(content_type__app_label="wagtailcore", codename="add_page")
    for index in CourseIndexPage.objects.all():
        GroupPagePermission.objects.get_or_create(group=group, page=index, permission=add_page)
    videos = course_videos_collection_ensure()
    for codename in ("add_document", "choose_document"):
        permission = Permission.objects.get(
            content_type__app_label="wagtaildocs", codename=codename
        )
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=videos, permission=permission
        )
    return group


@transaction.atomic
def course_author_grant(*, user: User) -> Group:
    """Lets a practitioner author courses (limited to their own). Idempotent."""
    if not hasattr(user, "practitioner_profile"):
        raise InvalidRequest("Only practitioners can author courses.", code="not_a_practitioner")
    group = course_authors_group_ensure()
    user.groups.add(group)
    return group
