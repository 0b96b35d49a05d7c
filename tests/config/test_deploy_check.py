"""The release step's `manage.py check --deploy --fail-level WARNING` (what
platform/entrypoints/release.sh runs) on the production settings, in a subprocess with a
complete production environment: every live adapter (Stripe, SMS, Klaviyo, Contentful,
Typeform, KMS, FrankieOne KYC) and every secret set to plausible values, nothing from the
developer's shell (tests/config/conftest.py's `production_env`)."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings

from config.checks import FRANKIEONE_REQUIRED

REPO_ROOT = Path(settings.BASE_DIR)


def _deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_complete_production_environment_passes_with_no_warning(production_env):
    assert production_env["KYC_GATEWAY"] == "integrations.kyc.live.FrankieOneKyc"

    result = _deploy_check(production_env)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in output and "ERROR" not in output


def test_without_one_frankieone_setting_the_release_is_refused_naming_it(production_env):
    env = {key: value for key, value in production_env.items() if key != "FRANKIEONE_API_KEY"}

    result = _deploy_check(env)

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "aeyia.E008" in output and "FRANKIEONE_API_KEY" in output
    # Nothing else is wrong with the environment.
    assert output.count("aeyia.") == 1, output


def test_each_frankieone_setting_is_read_from_the_environment(production_env):
    env = {key: value for key, value in production_env.items() if key not in FRANKIEONE_REQUIRED}

    result = _deploy_check(env)

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "aeyia.E008" in output
    for name in FRANKIEONE_REQUIRED:
        assert name in output
