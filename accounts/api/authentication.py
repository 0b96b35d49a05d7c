"""How REST callers prove who they are, and the second-factor policy applied to them.

Two ways in: the browser's session cookie (with CSRF), and the session token an allauth
headless "app" client received from /_allauth/app/v1/auth/login (header X-Session-Token).
Both then apply the same rule as the pages (accounts.selectors.user_must_enrol_mfa): a
person whose role requires a second factor and who has none enrolled gets
403 {"code": "mfa_required"} on every endpoint, public ones included, until they enrol
(through the pages or allauth's headless authenticator endpoints, which stay open).

The rule sits in authentication rather than in a permission class because views that
declare their own permission_classes (AllowAny on public reads) would otherwise skip it.
"""

from allauth.headless.contrib.rest_framework.authentication import (
    XSessionTokenAuthentication,
)
from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.selectors import user_must_enrol_mfa


class MfaRequired(exceptions.PermissionDenied):
    default_code = "mfa_required"
    default_detail = (
        "Your role needs two-factor authentication. Set up an authenticator app "
        "(or a security key) on your account, then try again."
    )


def _apply_mfa_policy(result):
    if result is not None and user_must_enrol_mfa(user=result[0]):
        raise MfaRequired()
    return result


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication (CSRF enforced for signed-in callers), then the
    second-factor policy."""

    def authenticate(self, request):
        return _apply_mfa_policy(super().authenticate(request))


class AppSessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth headless app tokens (X-Session-Token). A token that names no signed-in
    session (unknown, expired, signed out, or a login still waiting for its second factor)
    is refused with 401 rather than treated as anonymous, so an app learns to sign in
    again instead of silently reading public data."""

    def authenticate(self, request):
        token = self.get_session_token(request)
        if not token:
            return None
        result = super().authenticate(request)
        if result is None:
            raise exceptions.AuthenticationFailed("The session token is not valid.")
        return _apply_mfa_policy(result)


class SessionCookieScheme(OpenApiAuthenticationExtension):
    target_class = SessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


class AppSessionTokenScheme(OpenApiAuthenticationExtension):
    target_class = AppSessionTokenAuthentication
    name = "appSessionToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Session-Token",
            "description": "The session token from /_allauth/app/v1/auth/login (allauth headless).",
        }
