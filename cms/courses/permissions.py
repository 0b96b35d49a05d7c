"""The document permission policy: Wagtail's own (collection permissions, ownership) with
one narrowing for course authors. Authors hold "add" and "choose" on the Course videos
collection; Wagtail's "choose" covers every document there, so every author's videos would
be offered in the chooser and by id in its "chosen" step. Here an author (and only an
author, see is_course_author_only) chooses only the documents they uploaded. Editors,
moderators and superusers keep Wagtail's rules unchanged.

Registered for the exact document class at the top of cms/courses/wagtail_hooks.py (a
policy for the exact class is looked up before wagtail.documents' own, whichever registers
first)."""

from wagtail.documents import get_document_model_string
from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy

from cms.courses.selectors import is_course_author_only


class CourseDocumentPermissionPolicy(CollectionOwnershipPermissionPolicy):
    def user_has_any_permission_for_instance(self, user, actions, instance):
        if "choose" in actions and self._chooses_own_only(user, instance):
            actions = [action for action in actions if action != "choose"]
            if not actions:
                return False
        return super().user_has_any_permission_for_instance(user, actions, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        instances = super().instances_user_has_any_permission_for(user, actions)
        if "choose" in actions and is_course_author_only(user):
            # Authors edit and delete only their own uploads anyway (they hold "add", not
            # "change"), so narrowing the whole result loses nothing.
            instances = instances.filter(**{self.owner_field_name: user})
        return instances

    def _chooses_own_only(self, user, instance) -> bool:
        owner_id = getattr(instance, f"{self.owner_field_name}_id")
        return is_course_author_only(user) and owner_id != user.pk


def course_document_permission_policy() -> CourseDocumentPermissionPolicy:
    return CourseDocumentPermissionPolicy(
        get_document_model_string(),
        auth_model="wagtaildocs.Document",
        owner_field_name="uploaded_by_user",
    )
