"""Reads about identity that several callers need."""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled

from accounts.models import User
from accounts.roles import PRIVILEGED_ROLES, ROLE_BY_GROUP_NAME, Role


def user_roles(*, user: User) -> frozenset[Role]:
    """The roles a user holds, from their groups (staff flag counts as the staff role)."""
    if not user.is_authenticated:
        return frozenset()
    names = user.groups.values_list("name", flat=True)
    roles = {ROLE_BY_GROUP_NAME[name] for name in names if name in ROLE_BY_GROUP_NAME}
    if user.is_staff or user.is_superuser:
        roles.add(Role.STAFF)
    return frozenset(roles)


def user_requires_mfa(*, user: User) -> bool:
    """Whether the user's roles oblige them to use a second factor."""
    return bool(user_roles(user=user) & PRIVILEGED_ROLES)


def user_has_mfa(*, user: User) -> bool:
    """Whether the user has enrolled a second factor (TOTP or a security key)."""
    return is_mfa_enabled(user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])


def user_must_enrol_mfa(*, user: User) -> bool:
    """The one second-factor policy every authenticated surface applies (the pages'
    middleware, the REST API's authentication, headless app tokens): a signed-in person
    whose role requires a second factor and who has not enrolled one may do nothing but
    enrol. Callers that have not completed the second step of signing in never reach this:
    allauth keeps them anonymous until they have."""
    return bool(
        user.is_authenticated and user_requires_mfa(user=user) and not user_has_mfa(user=user)
    )


def user_security_summary(*, user: User) -> dict:
    """What the account page shows about sign-in security."""
    authenticators = {a.type: a for a in Authenticator.objects.filter(user=user)}
    recovery = authenticators.get(Authenticator.Type.RECOVERY_CODES)
    unused_codes = len(recovery.wrap().get_unused_codes()) if recovery else 0
    return {
        "totp": Authenticator.Type.TOTP in authenticators,
        "webauthn": Authenticator.Type.WEBAUTHN in authenticators,
        "recovery_codes_left": unused_codes,
        "mfa_enabled": user_has_mfa(user=user),
        "mfa_required": user_requires_mfa(user=user),
    }
