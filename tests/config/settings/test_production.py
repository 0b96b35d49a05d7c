"""config.settings.production, loaded in a subprocess (the test process keeps the test
settings): TLS-only cookies, HSTS, HTTPS redirects that spare the probes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

REPO_ROOT = Path(settings.BASE_DIR)

# Runs inside the subprocess: report the settings, then send a few requests through the
# production middleware stack (no database needed for these paths).
PROBE = r"""
import json
import django
from django.conf import settings

django.setup()
from django.test import Client

names = [
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS",
    "MFA_ENCRYPTION_KEYS", "IDP_OIDC_PRIVATE_KEY", "ALLOWED_HOSTS",
]
values = {name: getattr(settings, name) for name in names}
values["MFA_ENCRYPTION_KEYS"] = len(values["MFA_ENCRYPTION_KEYS"])
values["IDP_OIDC_PRIVATE_KEY"] = values["IDP_OIDC_PRIVATE_KEY"].startswith("-----BEGIN")

client = Client(HTTP_HOST="aeyia.example.org")
plain_page = client.get("/accounts/login/")
plain_probe = client.get("/healthz")
https_probe = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
values["requests"] = {
    "plain_page": [plain_page.status_code, plain_page.get("Location")],
    "plain_probe": [plain_probe.status_code, plain_probe.get("Strict-Transport-Security")],
    "https_probe": [https_probe.status_code, https_probe.get("Strict-Transport-Security")],
}
print(json.dumps(values))
"""


@pytest.fixture(scope="module")
def production(production_env) -> dict:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE],
        cwd=REPO_ROOT,
        env=production_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_debug_is_off(production):
    assert production["DEBUG"] is False


def test_cookies_are_tls_only_and_host_locked(production):
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    # The __Host- prefix makes browsers refuse the cookie unless Secure, Path=/, no Domain.
    assert production["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert production["CSRF_COOKIE_NAME"].startswith("__Host-")


def test_hsts_for_a_year_with_subdomains_and_preload(production):
    assert production["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_HSTS_PRELOAD"] is True


def test_tls_terminates_at_the_proxy(production):
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_secrets_come_from_the_environment(production):
    assert production["MFA_ENCRYPTION_KEYS"] == 1
    assert production["IDP_OIDC_PRIVATE_KEY"] is True
    assert production["ALLOWED_HOSTS"] == ["aeyia.example.org"]


def test_plain_http_pages_are_redirected_to_https(production):
    status, location = production["requests"]["plain_page"]

    assert status == 301
    assert location == "https://aeyia.example.org/accounts/login/"


def test_probes_answer_over_plain_http_and_https_responses_carry_hsts(production):
    plain_status, plain_hsts = production["requests"]["plain_probe"]
    https_status, https_hsts = production["requests"]["https_probe"]

    # The load balancer probes the pod directly over HTTP.
    assert plain_status == 200
    assert plain_hsts is None
    assert https_status == 200
    assert https_hsts == "max-age=31536000; includeSubDomains; preload"
