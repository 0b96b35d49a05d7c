"""Browser-flow helpers shared by the identity tests: they drive allauth's real views
through Django's test client, the way a person's browser would."""

import re

from django.core import mail
from django.db import connection
from django.test import Client

SIGNUP_URL = "/accounts/signup/"
LOGIN_URL = "/accounts/login/"
LOGOUT_URL = "/accounts/logout/"
MFA_AUTHENTICATE_URL = "/accounts/2fa/authenticate/"
PASSWORD_RESET_URL = "/accounts/password/reset/"

TOO_MANY_ATTEMPTS = "Too many failed login attempts"
WRONG_CREDENTIALS = "are not correct"

_LINK = re.compile(r"https?://testserver(/\S+?/)(?=\s|$)", re.MULTILINE)
# Per-response values (CSRF tokens, CSP nonces) that must not count as "different pages".
_VOLATILE = re.compile(r'(name="csrfmiddlewaretoken" value="|nonce=")[^"]*"')


def links_in(message) -> list[str]:
    """The site paths linked from an email's text body."""
    return _LINK.findall(message.body)


def commit_pending() -> None:
    """Runs what the requests so far left for after their commit. In production each
    request commits and allauth's emails then go out (notification service, decision
    0038); in a test every request runs inside the test's one transaction, so this plays
    those commits, in order, including work that they queue in turn."""
    while connection.run_on_commit:
        pending, connection.run_on_commit = connection.run_on_commit, []
        for _savepoints, callback, _robust in pending:
            callback()


def last_mail_to(address: str):
    """The most recent email sent to `address`, once the requests so far have committed."""
    commit_pending()
    sent = [message for message in mail.outbox if address in message.to]
    assert sent, f"no email was sent to {address}"
    return sent[-1]


def page_text(response, *, typed: str = "") -> str:
    """The response's HTML with per-response tokens (and the address the person typed,
    which the page may echo back) blanked out."""
    text = _VOLATILE.sub(r"\1…", response.content.decode())
    if typed:
        text = re.sub(re.escape(typed), "<typed address>", text, flags=re.IGNORECASE)
    return text


def signed_in_user_id(client: Client) -> str | None:
    """Who the session belongs to (None when nobody has completed signing in)."""
    return client.session.get("_auth_user_id")


def password_login(client: Client, email: str, password: str, **extra):
    """Submits allauth's sign-in form."""
    return client.post(LOGIN_URL, {"login": email, "password": password, **extra})


def mfa_authenticate(client: Client, code: str):
    """Submits allauth's second-step form with an authenticator-app code."""
    return client.post(MFA_AUTHENTICATE_URL, {"code": code})
