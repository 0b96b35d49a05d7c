import time

import factory
from allauth.account.models import EmailAddress
from allauth.idp.oidc.adapter import get_adapter as get_oidc_adapter
from allauth.idp.oidc.models import Client as OidcClient
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)

from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a verified primary email; `roles=[Role.EDITOR]` grants roles."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=extracted is not False
            )
            self.save()

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            role_grant(user=self, role=Role(role))


def enrol_totp(user: User) -> str:
    """Enrols an authenticator app for the user through allauth's own API and returns the
    raw base32 secret (what the person's phone would hold)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows for `secret` at time `at` (default: now),
    computed with allauth's own HOTP helper."""
    moment = time.time() if at is None else at
    counter = int(moment) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


class OidcClientFactory(factory.django.DjangoModelFactory):
    """A confidential OpenID Connect relying party using the authorization-code flow.
    The raw secret is kept on the instance as `raw_secret` (only its hash is stored), the
    way the admin shows it once."""

    class Meta:
        model = OidcClient
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Relying party {n}")
    type = OidcClient.Type.CONFIDENTIAL
    redirect_uris = "https://community.example.org/oidc/callback"
    scopes = "openid\nprofile\nemail"
    grant_types = OidcClient.GrantType.AUTHORIZATION_CODE
    response_types = "code"
    skip_consent = False

    @factory.post_generation
    def raw_secret(self, create, extracted, **kwargs):
        self.raw_secret = extracted or get_oidc_adapter().generate_client_secret()
        self.set_secret(self.raw_secret)
        if create:
            self.save()
