"""accounts.adapters: how allauth creates accounts, keeps second-factor secrets, and what
the OpenID Connect provider tells relying parties. Account tests go through allauth's
real views with Django's test client."""

import base64
import hashlib
import json
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import time_machine
from allauth.idp.oidc.models import Client as OidcClient
from allauth.idp.oidc.models import Token
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, InvalidToken
from django.core import mail
from django.test import Client

from accounts.adapters import MfaAdapter
from accounts.models import User
from accounts.roles import GROUP_NAMES, Role
from tests.accounts.factories import (
    DEFAULT_PASSWORD,
    OidcClientFactory,
    UserFactory,
    enrol_totp,
    totp_code,
)
from tests.accounts.flows import (
    LOGIN_URL,
    SIGNUP_URL,
    commit_pending,
    last_mail_to,
    links_in,
    page_text,
    password_login,
    signed_in_user_id,
)

NEW_PASSWORD = "a new and long passphrase"

pytestmark = pytest.mark.django_db


def _sign_up(client: Client, email: str, password: str = NEW_PASSWORD):
    return client.post(SIGNUP_URL, {"email": email, "password1": password, "password2": password})


# --- sign-up -------------------------------------------------------------------------


def test_sign_up_confirm_email_then_sign_in_reaches_the_account_page_as_a_client(client):
    response = _sign_up(client, "new.person@example.org")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    # Verification is mandatory: signing up does not sign anyone in.
    assert signed_in_user_id(client) is None
    user = User.objects.get(email="new.person@example.org")
    assert list(user.groups.values_list("name", flat=True)) == [GROUP_NAMES[Role.CLIENT]]
    assert not user.emailaddress_set.get().verified

    message = last_mail_to("new.person@example.org")
    (confirm_path,) = [link for link in links_in(message) if "/confirm-email/" in link]
    # ACCOUNT_CONFIRM_EMAIL_ON_GET is off: opening the link only shows a confirm button
    # (mail scanners that prefetch links must not confirm addresses).
    landing = client.get(confirm_path)
    assert landing.status_code == 200
    assert not user.emailaddress_set.get().verified

    confirmed = client.post(confirm_path)
    assert confirmed.status_code == 302
    assert user.emailaddress_set.get().verified
    # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION is off: the link alone never signs in.
    assert signed_in_user_id(client) is None

    signed_in = password_login(client, "new.person@example.org", NEW_PASSWORD)
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/account/"
    assert signed_in_user_id(client) == str(user.pk)

    account_page = client.get("/account/")
    assert account_page.status_code == 200
    text = account_page.content.decode()
    assert "new.person@example.org" in text
    assert "Client" in text


def test_sign_in_is_refused_until_the_email_address_is_confirmed(client):
    _sign_up(client, "unconfirmed@example.org")

    response = password_login(client, "unconfirmed@example.org", NEW_PASSWORD)

    assert signed_in_user_id(client) is None
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"


def test_sign_up_lower_cases_the_email_address(client):
    _sign_up(client, "Mixed.Case@Example.ORG")

    assert User.objects.filter(email="mixed.case@example.org").exists()


# --- sign-up with an address that already has an account ----------------------------


@pytest.mark.parametrize("typed", ["owner@example.org", "OWNER@Example.org"])
def test_sign_up_with_a_taken_email_looks_the_same_as_a_fresh_one(typed):
    owner = UserFactory(email="owner@example.org")

    fresh_client, taken_client = Client(), Client()
    fresh = _sign_up(fresh_client, "nobody.yet@example.org")
    taken = _sign_up(taken_client, typed)

    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    fresh_page = fresh_client.get(fresh["Location"])
    taken_page = taken_client.get(taken["Location"])
    assert taken_page.status_code == fresh_page.status_code == 200
    # The page names the address that was typed; apart from that, byte for byte the same.
    assert page_text(taken_page, typed=typed) == page_text(
        fresh_page, typed="nobody.yet@example.org"
    )

    assert User.objects.filter(email__iexact="owner@example.org").count() == 1
    owner.refresh_from_db()
    assert owner.check_password(DEFAULT_PASSWORD)
    assert signed_in_user_id(taken_client) is None

    # The owner hears about it; nobody gets a link that would confirm the address again.
    commit_pending()
    to_owner = [message for message in mail.outbox if "owner@example.org" in message.to]
    assert len(to_owner) == 1
    assert "already exists" in to_owner[0].subject.lower()
    assert not any("/confirm-email/" in link for link in links_in(to_owner[0]))
    assert "/accounts/password/reset/" in to_owner[0].body


# --- second-factor secrets at rest ---------------------------------------------------


def test_totp_secret_is_encrypted_at_rest_and_decrypts_back():
    user = UserFactory()

    secret = enrol_totp(user)

    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
    assert stored != secret
    assert secret not in stored
    assert MfaAdapter().decrypt(stored) == secret


def test_encryption_uses_the_configured_keys_and_the_first_key_encrypts(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_KEYS = [new_key]

    ciphertext = MfaAdapter().encrypt("JBSWY3DPEHPK3PXP")

    assert Fernet(new_key.encode()).decrypt(ciphertext.encode()) == b"JBSWY3DPEHPK3PXP"
    with pytest.raises(InvalidToken):
        Fernet(old_key.encode()).decrypt(ciphertext.encode())


def test_rotating_in_a_new_key_still_decrypts_secrets_enrolled_under_the_old_one(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_KEYS = [old_key]
    user = UserFactory()
    secret = enrol_totp(user)
    stored = Authenticator.objects.get(user=user).data["secret"]

    settings.MFA_ENCRYPTION_KEYS = [new_key, old_key]

    assert MfaAdapter().decrypt(stored) == secret
    # New secrets are written under the new key only.
    fresh = MfaAdapter().encrypt(secret)
    assert Fernet(new_key.encode()).decrypt(fresh.encode()).decode() == secret
    with pytest.raises(InvalidToken):
        Fernet(old_key.encode()).decrypt(fresh.encode())
    # And the enrolled authenticator keeps working: its code is checked against the
    # secret decrypted with the old key.
    wrapped = Authenticator.objects.get(user=user).wrap()
    with time_machine.travel(time.time() // 30 * 30 + 1, tick=False):
        assert wrapped.validate_code(totp_code(secret))


def test_dropping_the_key_a_secret_was_encrypted_with_makes_it_unreadable(settings):
    settings.MFA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    stored = MfaAdapter().encrypt("JBSWY3DPEHPK3PXP")

    settings.MFA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(InvalidToken):
        MfaAdapter().decrypt(stored)


def test_without_configured_keys_secrets_are_encrypted_with_a_key_derived_from_secret_key(
    settings,
):
    settings.MFA_ENCRYPTION_KEYS = []
    stored = MfaAdapter().encrypt("JBSWY3DPEHPK3PXP")
    assert MfaAdapter().decrypt(stored) == "JBSWY3DPEHPK3PXP"

    settings.SECRET_KEY = "another secret key " * 3

    with pytest.raises(InvalidToken):
        MfaAdapter().decrypt(stored)


# --- OpenID Connect provider ---------------------------------------------------------

REDIRECT_URI = "https://community.example.org/oidc/callback"


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def _authorize_query(relying_party, **overrides) -> str:
    params = {
        "response_type": "code",
        "client_id": relying_party.id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email profile",
        "state": "state-123",
        "nonce": "nonce-456",
        **overrides,
    }
    return urlencode(params)


def _consent(client: Client, authorize_page, scopes: list[str]):
    """Submits the consent form the authorization page rendered, granting `scopes`."""
    form = authorize_page.context["form"]
    return client.post(
        "/identity/o/authorize",
        {"request": form.initial["request"], "scopes": scopes, "action": "grant"},
    )


def test_discovery_document_names_the_issuer_and_endpoints(client):
    response = client.get("/.well-known/openid-configuration")

    assert response.status_code == 200
    document = response.json()
    assert document["issuer"] == "http://testserver"
    assert document["authorization_endpoint"] == "http://testserver/identity/o/authorize"
    assert document["token_endpoint"] == "http://testserver/identity/o/api/token"
    assert document["userinfo_endpoint"] == "http://testserver/identity/o/api/userinfo"
    assert document["jwks_uri"] == "http://testserver/.well-known/jwks.json"
    assert "S256" in document["code_challenge_methods_supported"]
    assert "RS256" in document["id_token_signing_alg_values_supported"]


def test_jwks_publishes_the_rsa_signing_key(client):
    response = client.get("/.well-known/jwks.json")

    assert response.status_code == 200
    (key,) = response.json()["keys"]
    assert key["kty"] == "RSA"
    assert key["n"] and key["e"] and key["kid"]
    # Public material only.
    assert "d" not in key and "p" not in key and "q" not in key


def test_authorization_code_flow_with_pkce_issues_a_verifiable_id_token(client):
    user = UserFactory(email="member@example.org", first_name="Ada", last_name="Lovelace")
    user.time_zone = "Europe/London"
    user.save()
    relying_party = OidcClientFactory()
    verifier, challenge = _pkce_pair()
    client.force_login(user)

    authorize_page = client.get(
        "/identity/o/authorize?"
        + _authorize_query(relying_party, code_challenge=challenge, code_challenge_method="S256")
    )
    assert authorize_page.status_code == 200
    granted = _consent(client, authorize_page, ["openid", "email", "profile"])

    assert granted.status_code == 302
    callback = urlsplit(granted["Location"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == REDIRECT_URI
    callback_query = parse_qs(callback.query)
    assert callback_query["state"] == ["state-123"]
    (code,) = callback_query["code"]

    # The relying party redeems the code from its server, without the browser's cookies.
    backchannel = Client()
    token_response = backchannel.post(
        "/identity/o/api/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": relying_party.id,
            "client_secret": relying_party.raw_secret,
            "code_verifier": verifier,
        },
    )
    assert token_response.status_code == 200, token_response.content
    tokens = token_response.json()
    assert tokens["token_type"].lower() == "bearer"

    jwks = backchannel.get("/.well-known/jwks.json").json()
    header = jwt.get_unverified_header(tokens["id_token"])
    (jwk,) = [key for key in jwks["keys"] if key["kid"] == header["kid"]]
    claims = jwt.decode(
        tokens["id_token"],
        key=jwt.PyJWK.from_json(json.dumps(jwk)).key,
        algorithms=["RS256"],
        audience=relying_party.id,
        issuer="http://testserver",
    )
    assert claims["sub"] == str(user.pk)
    assert claims["nonce"] == "nonce-456"
    assert claims["email"] == "member@example.org"

    userinfo = backchannel.get(
        "/identity/o/api/userinfo", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}"
    )
    assert userinfo.status_code == 200
    info = userinfo.json()
    assert info["sub"] == str(user.pk)
    assert info["email"] == "member@example.org"
    assert info["email_verified"] is True
    # The adapter's profile claims: identity only.
    assert info["name"] == "Ada Lovelace"
    assert info["zoneinfo"] == "Europe/London"

    # A code is good once.
    replay = backchannel.post(
        "/identity/o/api/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": relying_party.id,
            "client_secret": relying_party.raw_secret,
            "code_verifier": verifier,
        },
    )
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def _code_for(client: Client, relying_party, challenge: str) -> str:
    authorize_page = client.get(
        "/identity/o/authorize?"
        + _authorize_query(relying_party, code_challenge=challenge, code_challenge_method="S256")
    )
    granted = _consent(client, authorize_page, ["openid", "email"])
    return parse_qs(urlsplit(granted["Location"]).query)["code"][0]


def test_token_endpoint_refuses_a_wrong_code_verifier(client):
    relying_party = OidcClientFactory()
    client.force_login(UserFactory())
    _verifier, challenge = _pkce_pair()
    code = _code_for(client, relying_party, challenge)

    response = Client().post(
        "/identity/o/api/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": relying_party.id,
            "client_secret": relying_party.raw_secret,
            "code_verifier": secrets.token_urlsafe(48),
        },
    )

    assert response.status_code == 400
    assert "access_token" not in response.json()


def test_token_endpoint_refuses_a_wrong_client_secret(client):
    relying_party = OidcClientFactory()
    client.force_login(UserFactory())
    verifier, challenge = _pkce_pair()
    code = _code_for(client, relying_party, challenge)

    response = Client().post(
        "/identity/o/api/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": relying_party.id,
            "client_secret": "not-the-secret",
            "code_verifier": verifier,
        },
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "access_token" not in response.json()


def test_client_secret_is_stored_hashed():
    relying_party = OidcClientFactory()

    stored = OidcClient.objects.get(pk=relying_party.pk).secret
    assert stored != relying_party.raw_secret
    assert relying_party.check_secret(relying_party.raw_secret)
    assert not relying_party.check_secret("guess")


def test_authorize_refuses_a_redirect_uri_that_is_not_registered(client):
    relying_party = OidcClientFactory()
    client.force_login(UserFactory())

    response = client.get(
        "/identity/o/authorize?"
        + _authorize_query(relying_party, redirect_uri="https://attacker.example.net/callback")
    )

    # Never redirected to the unregistered address: allauth shows the error on our own
    # page (with status 200, its choice) and issues no code.
    assert "Location" not in response
    assert "Mismatching redirect URI" in response.content.decode()
    assert not Token.objects.filter(type=Token.Type.AUTHORIZATION_CODE).exists()


def test_authorize_refuses_an_unknown_client(client):
    client.force_login(UserFactory())

    response = client.get(
        "/identity/o/authorize?"
        + urlencode(
            {
                "response_type": "code",
                "client_id": "no-such-client",
                "redirect_uri": REDIRECT_URI,
                "scope": "openid",
            }
        )
    )

    assert "Location" not in response
    assert "Invalid client_id" in response.content.decode()
    assert not Token.objects.filter(type=Token.Type.AUTHORIZATION_CODE).exists()


def test_authorize_sends_anonymous_people_to_sign_in_first(client):
    relying_party = OidcClientFactory()

    response = client.get("/identity/o/authorize?" + _authorize_query(relying_party))

    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN_URL}?next=")


def test_declining_consent_returns_access_denied_to_the_relying_party(client):
    relying_party = OidcClientFactory()
    client.force_login(UserFactory())
    authorize_page = client.get("/identity/o/authorize?" + _authorize_query(relying_party))
    form = authorize_page.context["form"]

    response = client.post(
        "/identity/o/authorize",
        {"request": form.initial["request"], "scopes": ["openid"], "action": "deny"},
    )

    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert response["Location"].startswith(REDIRECT_URI)
    assert query["error"] == ["access_denied"]
    assert "code" not in query


def test_userinfo_refuses_a_made_up_access_token(client):
    response = client.get("/identity/o/api/userinfo", HTTP_AUTHORIZATION="Bearer made-up")

    assert response.status_code == 401
    assert "email" not in response.content.decode()


def test_oidc_sign_in_of_a_user_with_mfa_still_needs_the_second_factor(client):
    """Relying parties get no way around the second factor: the authorize endpoint sends
    people through allauth's sign-in, which asks for the code."""
    user = UserFactory(email="guarded@example.org", roles=[Role.PRACTITIONER])
    enrol_totp(user)
    relying_party = OidcClientFactory()

    authorize = client.get("/identity/o/authorize?" + _authorize_query(relying_party))
    next_url = parse_qs(urlsplit(authorize["Location"]).query)["next"][0]
    response = password_login(client, "guarded@example.org", DEFAULT_PASSWORD, next=next_url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert signed_in_user_id(client) is None


# --- allauth's emails go through the notification service (decision 0038) -------------


def test_the_confirmation_email_is_a_required_notification_with_a_sent_delivery(client):
    from notifications.models import Delivery, Notification

    _sign_up(client, "new.person@example.org")
    message = last_mail_to("new.person@example.org")

    notification = Notification.objects.get(email="new.person@example.org")
    assert notification.recipient is None
    assert (notification.type_key, notification.category) == ("accounts.security", "required")
    assert notification.context["template"] == "account/email/email_confirmation_signup"
    [delivery] = notification.deliveries.all()
    assert (delivery.channel, delivery.state) == ("email", Delivery.State.SENT)
    assert message.subject == notification.context["subject"]
    assert [link for link in links_in(message) if "/confirm-email/" in link]
    # The HTML part carries the same text, escaped, inside the shared email layout.
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "/confirm-email/" in html
