"""What Wagtail holds about a person who used the admin (editors, staff), for the privacy
registry: their preferences and avatar, open editing sessions, unsaved form states,
uploads in progress, API tokens and page subscriptions go. What they did as part of the
editorial work (revisions, log entries, comments, workflow steps, uploaded images and
documents, page ownership) stays with the anonymised account."""

from django.db import transaction

from privacy.registry import ErasureSubject, eraser_register, holds_nothing_personal


def _delete_file_on_commit(field_file) -> None:
    """Only once the erasure commits: a rollback must not leave rows without their files."""
    if not field_file:
        return
    storage, name = field_file.storage, field_file.name
    transaction.on_commit(lambda: storage.delete(name))


def wagtail_admin_erase(subject: ErasureSubject) -> int:
    from wagtail.admin.models import EditingSession, FormState
    from wagtail.models import APIToken, PageSubscription, UploadedFile
    from wagtail.users.models import UserProfile

    if subject.user is None:
        return 0
    user = subject.user
    changed = 0
    profile = UserProfile.objects.filter(user=user).first()
    if profile is not None:
        _delete_file_on_commit(profile.avatar)
        profile.delete()
        changed += 1
    for model in (EditingSession, FormState, PageSubscription, APIToken):
        deleted, _ = model.objects.filter(user=user).delete()
        changed += deleted
    for upload in UploadedFile.objects.filter(uploaded_by_user=user):
        _delete_file_on_commit(upload.file)
        upload.delete()
        changed += 1
    return changed


def register_wagtail_erasers() -> None:
    eraser_register(
        name="wagtail_admin",
        eraser=wagtail_admin_erase,
        models=(
            "wagtailusers.UserProfile",
            "wagtailadmin.EditingSession",
            "wagtailadmin.FormState",
            "wagtailcore.PageSubscription",
            "wagtailcore.UploadedFile",
            "wagtailcore.APIToken",
        ),
    )
    holds_nothing_personal(
        models=(
            "wagtailcore.Page",
            "wagtailcore.Revision",
            "wagtailcore.ModelLogEntry",
            "wagtailcore.PageLogEntry",
            "wagtailcore.WorkflowState",
            "wagtailcore.TaskState",
            "wagtailcore.Comment",
            "wagtailcore.CommentReply",
            "wagtaildocs.Document",
            "wagtailimages.Image",
        ),
        reason="editorial work (pages, revisions, history, comments, uploads) done by an "
        "editor or staff member; it names the anonymised account, not the person",
    )
