"""allauth's authenticator-app enrolment, keeping the page the person was on their way to.

RequireMfaMiddleware sends a practitioner, editor or staff member without a second factor
to `/accounts/2fa/totp/activate/?next=<the page they asked for>`. allauth's activation form
posts to its own URL without the query string and then shows the recovery codes, so `next`
would be lost: it is kept in the session between showing the form and activating, passed on
to the recovery codes page, which links back to it, and used directly when no recovery
codes were generated. Only a local path allauth calls safe is ever kept.
"""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from allauth.account.utils import get_next_redirect_url
from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView
from allauth.mfa.totp.views import ActivateTOTPView
from django.urls import reverse

ENROLMENT_NEXT_SESSION_KEY = "accounts.mfa_enrolment_next"


def _safe_next(url: str | None) -> str | None:
    if url and url.startswith("/") and get_adapter().is_safe_url(url):
        return url
    return None


class ActivateTotpKeepingNextView(ActivateTOTPView):
    def get(self, request, *args, **kwargs):
        next_url = _safe_next(get_next_redirect_url(request))
        if next_url:
            request.session[ENROLMENT_NEXT_SESSION_KEY] = next_url
        else:
            request.session.pop(ENROLMENT_NEXT_SESSION_KEY, None)
        return super().get(request, *args, **kwargs)

    def get_success_url(self) -> str:
        next_url = _safe_next(self.request.session.pop(ENROLMENT_NEXT_SESSION_KEY, None))
        if self.did_generate_recovery_codes:
            codes_url = reverse("mfa_view_recovery_codes")
            return f"{codes_url}?{urlencode({'next': next_url})}" if next_url else codes_url
        return next_url or reverse("mfa_index")


class RecoveryCodesKeepingNextView(ViewRecoveryCodesView):
    """The recovery codes, with a "Continue" link to where the person was going."""

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["continue_url"] = _safe_next(get_next_redirect_url(self.request))
        return context


activate_totp = ActivateTotpKeepingNextView.as_view()
view_recovery_codes = RecoveryCodesKeepingNextView.as_view()
