"""Every write about identity and roles."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role


def role_grant(*, user: User, role: Role) -> None:
    """Adds the user to the role's group (idempotent). Profile rows are created by the app
    that owns the role's data, which then calls this."""
    group, _ = Group.objects.get_or_create(name=GROUP_NAMES[role])
    user.groups.add(group)
    if role is Role.STAFF and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def role_revoke(*, user: User, role: Role) -> None:
    """Removes the user from the role's group (idempotent)."""
    user.groups.remove(*Group.objects.filter(name=GROUP_NAMES[role]))
    if role is Role.STAFF and user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    is_email_verified: bool = False,
    roles: tuple[Role, ...] = (),
) -> User:
    """Creates a user with a primary email address (verified or not) and the given roles."""
    user = User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name
    )
    EmailAddress.objects.create(
        user=user, email=user.email, primary=True, verified=is_email_verified
    )
    for role in roles:
        role_grant(user=user, role=role)
    return user


@transaction.atomic
def user_anonymise(*, user: User) -> User:
    """Erases a person's identity but keeps the row (erasure on request). Ledger,
    payment and booking rows point at users with PROTECT so the books stay whole, which
    is why the user is never deleted: the email becomes erased-<id>@invalid, names are
    blanked, the password unusable, the account inactive, and every email address,
    social login, second factor and session is removed."""
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount
    from allauth.usersessions.models import UserSession

    user.email = f"erased-{user.pk}@invalid"
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    for session in UserSession.objects.filter(user=user):
        session.end()
    return user
