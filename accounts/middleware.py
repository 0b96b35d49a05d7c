"""Session and second-factor policies that apply to every request."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from accounts.selectors import user_must_enrol_mfa, user_requires_mfa


class IdleSessionTimeoutMiddleware:
    """Ends a signed-in session after a period without requests: shorter for people who
    can see other people's data (practitioners, editors, staff). Each request pushes the
    expiry forward; the session store enforces it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timeout = (
                settings.SESSION_IDLE_TIMEOUT_PRIVILEGED
                if user_requires_mfa(user=user)
                else settings.SESSION_IDLE_TIMEOUT
            )
            request.session.set_expiry(timeout)
        return self.get_response(request)


class RequireMfaMiddleware:
    """Sends privileged users without a second factor to TOTP enrolment before any
    protected area (dashboards, Wagtail admin, Django admin). The REST API applies the
    same rule (accounts.api.authentication) and answers 403 mfa_required instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(tuple(settings.MFA_REQUIRED_PATH_PREFIXES)):
            if user_must_enrol_mfa(user=request.user):
                messages.warning(
                    request,
                    "Your role needs two-factor authentication. Set up an authenticator "
                    "app to continue.",
                )
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('mfa_activate_totp')}?{query}")
        return self.get_response(request)
