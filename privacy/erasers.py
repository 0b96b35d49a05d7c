"""What the identity layer (accounts, allauth, Django's admin) holds about a person. The
domain apps register their own erasers in their AppConfig.ready()."""

from privacy.registry import ErasureSubject, eraser_register, holds_nothing_personal

# Runs after every app's eraser: they may still match on the account.
ACCOUNT_ERASER_ORDER = 1000


def _erase_account(subject: ErasureSubject) -> int:
    from allauth.idp.oidc.models import Token

    from accounts.services import user_anonymise

    if subject.user is None:
        return 0
    tokens, _ = Token.objects.filter(user=subject.user).delete()
    subject.user.groups.clear()
    subject.user.user_permissions.clear()
    user_anonymise(user=subject.user)
    return 1 + tokens


def register_identity_erasers() -> None:
    eraser_register(
        name="accounts",
        eraser=_erase_account,
        order=ACCOUNT_ERASER_ORDER,
        models=(
            "accounts.User",
            "accounts.User_groups",
            "accounts.User_user_permissions",
            "account.EmailAddress",
            "socialaccount.SocialAccount",
            "mfa.Authenticator",
            "usersessions.UserSession",
            "allauth_idp_oidc.Token",
        ),
    )
    holds_nothing_personal(
        models=("admin.LogEntry",),
        reason="superusers' change history; it names the staff member who acted",
    )
    holds_nothing_personal(
        models=("allauth_idp_oidc.Client",),
        reason="an OpenID Connect relying party (an app), owned by staff",
    )
