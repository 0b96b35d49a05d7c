"""allauth adapters: how accounts are created, how MFA secrets are kept, and what the
OpenID Connect provider tells relying parties."""

import logging
import time
from functools import cached_property

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.idp.oidc.adapter import DefaultOIDCAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from cryptography.fernet import MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _

from accounts.encryption import keyring
from accounts.roles import Role
from config.cache_backend import CacheUnavailable, cache_required

logger = logging.getLogger(__name__)

# A local path to carry on to once an anonymous visitor who was sent to sign up has
# confirmed their email (the practitioner application sets it): the sign-in page the
# confirmation leads to then carries it as ?next=. Used once.
NEXT_AFTER_CONFIRMATION_SESSION_KEY = "account_next_after_confirmation"


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "rate_limit_unavailable": _(
            "Signing in is unavailable for a moment. Please try again shortly."
        ),
    }

    def pre_authenticate(self, request, **credentials) -> None:
        """allauth's failed-login limit, failing closed: when its counter cannot be read
        (the cache is down) the attempt is refused, since a miss would let anyone guess
        passwords for as long as the outage lasts (decision 0019)."""
        try:
            with cache_required():
                super().pre_authenticate(request, **credentials)
        except CacheUnavailable:
            logger.warning("Sign-in refused: the rate-limit cache is unavailable.")
            raise self.validation_error("rate_limit_unavailable") from None

    def save_user(self, request, user, form, commit=True):
        """New sign-ups start as clients; other roles are granted by staff or onboarding."""
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from accounts.services import role_grant

            role_grant(user=user, role=Role.CLIENT)
        return user

    def get_email_verification_redirect_url(self, email_address) -> str:
        """allauth's choice, except that a signed-out visitor whose session holds
        NEXT_AFTER_CONFIRMATION_SESSION_KEY (a local path) signs in with ?next= to it."""
        url = super().get_email_verification_redirect_url(email_address)
        request = self.request
        if request is None or request.user.is_authenticated or not hasattr(request, "session"):
            return url
        next_url = request.session.pop(NEXT_AFTER_CONFIRMATION_SESSION_KEY, "")
        if (
            isinstance(next_url, str)
            and next_url.startswith("/")
            and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None)
        ):
            return f"{resolve_url(url)}?{urlencode({'next': next_url})}"
        return url

    def get_client_ip(self, request) -> str:
        """allauth's rule (TRUSTED_PROXY_COUNT trusted hops of X-Forwarded-For), except
        that a request carrying fewer hops than we trust is counted against the peer that
        sent it instead of failing with a 500: it did not come through the whole proxy
        chain (a health check, a pod-to-pod call) or the count is set too high. A hop that
        is not an address is still refused by allauth (403)."""
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured as error:
            logger.warning(
                "X-Forwarded-For is shorter than trusted (%s); using REMOTE_ADDR.", error
            )
            return request.META.get("REMOTE_ADDR", "") or "unknown"

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """allauth asks for the password again before second-factor changes unless the
        person reauthenticated within ACCOUNT_REAUTHENTICATION_TIMEOUT. A sign-in within
        that window proves as much, so it counts too: enrolling an authenticator app right
        after signing in (where the MFA policy sends practitioners, editors and staff) does
        not ask for the password a second time."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        return not self._authenticated_recently()

    def _authenticated_recently(self) -> bool:
        request = self.request
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return False
        moments = [
            record["at"]
            for record in get_authentication_records(request, user)
            if isinstance(record.get("at"), int | float)
        ]
        return bool(moments) and (
            time.time() - max(moments) < account_settings.REAUTHENTICATION_TIMEOUT
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def save_user(self, request, sociallogin, form=None):
        from accounts.services import role_grant

        user = super().save_user(request, sociallogin, form=form)
        role_grant(user=user, role=Role.CLIENT)
        return user


def mfa_fernet() -> MultiFernet:
    """Fernet keys for second-factor secrets: MFA_ENCRYPTION_KEYS (first encrypts, all
    decrypt, so keys can be rotated), or one derived from SECRET_KEY when none is set.
    The same keyring builder as the encrypted model fields (accounts.encryption); the keys
    stay separate because allauth keeps the secret inside its own JSON column."""
    return keyring(keys=settings.MFA_ENCRYPTION_KEYS, derive_label="aeyia.mfa-secrets:")


class MfaAdapter(DefaultMFAAdapter):
    """Keeps TOTP secrets encrypted at rest."""

    @cached_property
    def _fernet(self) -> MultiFernet:
        return mfa_fernet()

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return self._fernet.decrypt(encrypted_text.encode()).decode()


class OidcProviderAdapter(DefaultOIDCAdapter):
    """Claims released to relying parties (community, support desk, apps): identity only,
    never anything about a person's health or bookings."""

    def get_claims(self, purpose, user, client, scopes, email=None, **kwargs):
        claims = super().get_claims(purpose, user, client, scopes, email=email, **kwargs)
        if "profile" in scopes:
            claims["name"] = user.get_full_name() or user.email
            claims["given_name"] = user.first_name
            claims["family_name"] = user.last_name
            claims["zoneinfo"] = user.time_zone
        return claims
