"""What the identity layer (accounts, allauth, Wagtail's own user tables) gives a person
in their export, what it leaves out and why, and the eraser for these requests' rows.
Domain apps register their own exporters in their AppConfig.ready()."""

from collections.abc import Iterator

from accounts.models import User
from privacy.export import ExportItem, exclude, json_file
from privacy.export import register as export_register
from privacy.registry import ErasureSubject, eraser_register, holds_nothing_personal


def account_export(user: User) -> Iterator[ExportItem]:
    from allauth.account.models import EmailAddress
    from allauth.idp.oidc.models import Token
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount
    from allauth.usersessions.models import UserSession

    from privacy.rights.models import DataExport, ErasureRequest

    yield json_file(
        "account.json",
        {
            "id": user.pk,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "time_zone": getattr(user, "time_zone", ""),
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        },
    )
    yield json_file(
        "email_addresses.json",
        list(EmailAddress.objects.filter(user=user).values("email", "verified", "primary")),
    )
    # The kind of each second factor and when it was used; never its secret.
    yield json_file(
        "sign_in_factors.json",
        list(Authenticator.objects.filter(user=user).values("type", "created_at", "last_used_at")),
    )
    yield json_file(
        "sessions.json",
        list(
            UserSession.objects.filter(user=user).values(
                "ip", "user_agent", "created_at", "last_seen_at"
            )
        ),
    )
    yield json_file(
        "linked_accounts.json",
        list(SocialAccount.objects.filter(user=user).values("provider", "uid", "date_joined")),
    )
    yield json_file(
        "app_tokens.json",
        list(Token.objects.filter(user=user).values("client__name", "type", "created_at")),
    )
    yield json_file(
        "privacy_requests.json",
        {
            "data_exports": list(
                DataExport.objects.filter(user=user).values("status", "created_at", "finished_at")
            ),
            "erasure_requests": list(
                ErasureRequest.objects.filter(user=user).values(
                    "status", "requested_at", "decided_at"
                )
            ),
        },
    )


def _erase_privacy_requests(subject: ErasureSubject) -> int:
    from privacy.rights.services import data_exports_erase

    if subject.user is None:
        return 0
    return data_exports_erase(user=subject.user)


EDITORIAL = (
    "an editor's or staff member's work in the CMS (pages, revisions, comments, uploads, "
    "workflow); not data about the person as a client"
)


def register() -> None:
    export_register(
        "account",
        account_export,
        order=0,
        models=(
            "accounts.User",
            "accounts.User_groups",
            "account.EmailAddress",
            "mfa.Authenticator",
            "usersessions.UserSession",
            "socialaccount.SocialAccount",
            "allauth_idp_oidc.Token",
            "privacy_rights.DataExport",
            "privacy_rights.ErasureRequest",
        ),
    )
    exclude(
        models=("accounts.User_user_permissions",),
        reason="staff permissions granted one by one; no client has any",
    )
    exclude(
        models=("admin.LogEntry",),
        reason="superusers' change history; it names the staff member who acted",
    )
    exclude(
        models=("allauth_idp_oidc.Client",),
        reason="an OpenID Connect relying party (an app) owned by staff",
    )
    exclude(
        models=(
            "wagtailusers.UserProfile",
            "wagtaildocs.Document",
            "wagtailimages.Image",
            "wagtailadmin.EditingSession",
            "wagtailadmin.FormState",
            "wagtailcore.APIToken",
            "wagtailcore.ModelLogEntry",
            "wagtailcore.Revision",
            "wagtailcore.UploadedFile",
            "wagtailcore.WorkflowState",
            "wagtailcore.TaskState",
            "wagtailcore.Page",
            "wagtailcore.PageLogEntry",
            "wagtailcore.Comment",
            "wagtailcore.CommentReply",
            "wagtailcore.PageSubscription",
        ),
        reason=EDITORIAL,
    )
    eraser_register(
        name="privacy_rights",
        eraser=_erase_privacy_requests,
        models=("privacy_rights.DataExport",),
    )
    holds_nothing_personal(
        models=("privacy_rights.ErasureRequest",),
        reason="the request itself (ids, status, times), kept as proof the erasure was done",
    )
