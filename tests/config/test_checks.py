"""config.checks and `manage.py check --deploy` on the production settings, run in a
subprocess with a clean environment (nothing from the developer's shell leaks in)."""

import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

from config.checks import check_production_secrets

REPO_ROOT = Path(settings.BASE_DIR)
# The checks about identity and infrastructure; other apps add their own (aeyia.E005+).
IDENTITY_AND_INFRA_CHECKS = {
    "aeyia.E001",
    "aeyia.E002",
    "aeyia.E003",
    "aeyia.E004",
    "aeyia.E009",
}


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return _manage(env, "check", "--deploy", "--fail-level", "WARNING")


def test_deploy_check_passes_with_a_complete_production_environment(production_env):
    result = _deploy_check(production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "check_id"),
    [
        ("MFA_ENCRYPTION_KEYS", None, "aeyia.E001"),
        ("FIELD_ENCRYPTION_KEYS", None, "aeyia.E009"),
        ("DATABASE_URL", "sqlite:////tmp/aeyia-prod.sqlite3", "aeyia.E002"),
        ("REDIS_URL", None, "aeyia.E003"),
        ("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend", "aeyia.E004"),
        ("STRIPE_GATEWAY", "integrations.stripe.local.StripeLocalGateway", "aeyia.E005"),
        ("STRIPE_SECRET_KEY", None, "aeyia.E006"),
        ("STRIPE_CONNECT_WEBHOOK_SECRET", "whsec_local_connect", "aeyia.E006"),
        ("SMS_SENDER", "integrations.sms.local.LocalSmsSender", "aeyia.E007"),
        ("SMS_SENDER", None, "aeyia.E007"),
        ("KYC_GATEWAY", "integrations.kyc.local.LocalKyc", "aeyia.E008"),
        ("KYC_GATEWAY", None, "aeyia.E008"),
        ("KYC_WEBHOOK_SECRET", None, "aeyia.E008"),
        ("TYPEFORM_GATEWAY", "integrations.typeform.local.LocalTypeform", "aeyia.E061"),
        ("TYPEFORM_API_TOKEN", None, "aeyia.E062"),
        ("TYPEFORM_WEBHOOK_SECRET", "local-typeform", "aeyia.E063"),
        ("KMS_GATEWAY", "integrations.kms.local.LocalKms", "aeyia.E071"),
        ("KMS_GATEWAY", None, "aeyia.E071"),
        ("KMS_KEY_ID", None, "aeyia.E073"),
    ],
)
def test_deploy_check_fails_naming_what_is_missing(production_env, variable, value, check_id):
    env = dict(production_env)
    if value is None:
        del env[variable]
    else:
        env[variable] = value

    result = _deploy_check(env)

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert check_id in output
    assert not any(other in output for other in IDENTITY_AND_INFRA_CHECKS - {check_id})


def test_deploy_check_refuses_a_weak_secret_key(production_env):
    env = {**production_env, "DJANGO_SECRET_KEY": "too-short"}

    result = _deploy_check(env)

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_refuses_to_start_without_its_secrets(production_env):
    env = dict(production_env)
    del env["DJANGO_SECRET_KEY"]

    result = _manage(env, "check")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


# The check function itself, in-process (settings overridden for the call only).
only_the_check_reads_this_override = pytest.mark.filterwarnings(
    "ignore:Overriding setting DATABASES"
)


@only_the_check_reads_this_override
def test_check_reports_nothing_for_a_production_like_configuration(settings):
    settings.MFA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.DATABASES = {
        **settings.DATABASES,
        "default": {**settings.DATABASES["default"], "ENGINE": "django.db.backends.postgresql"},
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"

    ids = {error.id for error in check_production_secrets(None)}

    assert not ids & IDENTITY_AND_INFRA_CHECKS


@only_the_check_reads_this_override
def test_check_reports_each_problem_with_its_id(settings):
    settings.MFA_ENCRYPTION_KEYS = []
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.DATABASES = {
        **settings.DATABASES,
        "default": {**settings.DATABASES["default"], "ENGINE": "django.db.backends.sqlite3"},
    }
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"

    ids = {error.id for error in check_production_secrets(None)}

    assert ids >= IDENTITY_AND_INFRA_CHECKS


def test_local_kms_in_production_needs_consent_and_its_own_master_keys(production_env):
    env = {
        **production_env,
        "KMS_GATEWAY": "integrations.kms.local.LocalKms",
        "KMS_LOCAL_ALLOWED_IN_PRODUCTION": "true",
    }

    derived = _deploy_check(env)
    assert derived.returncode != 0
    assert "aeyia.E072" in derived.stdout + derived.stderr
    assert "aeyia.E071" not in derived.stdout + derived.stderr

    with_keys = _deploy_check({**env, "KMS_LOCAL_MASTER_KEYS": "k1=" + "A" * 43 + "="})
    assert with_keys.returncode == 0, with_keys.stdout + with_keys.stderr
