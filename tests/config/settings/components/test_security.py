"""config.settings.components.security: the Userway accessibility widget is off unless
USERWAY_ACCOUNT_ID is set; set, its script tag is on every page and the site's Content
Security Policy lets its hosts in (and only then)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

REPO_ROOT = Path(settings.BASE_DIR)
WIDGET_HOSTS = ["https://cdn.userway.org", "https://api.userway.org"]

READ_SETTINGS = r"""
import json
from config.settings.components import security
print(json.dumps({
    "account": security.USERWAY_ACCOUNT_ID,
    "script": security.CSP_SITE["script-src"],
    "connect": security.CSP_SITE["connect-src"],
}))
"""


def security_settings(**env: str) -> dict:
    base = {key: value for key, value in os.environ.items() if key != "USERWAY_ACCOUNT_ID"}
    result = subprocess.run(  # noqa: S603  (our own interpreter, fixed code)
        [sys.executable, "-c", READ_SETTINGS],
        cwd=REPO_ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_widget_is_off_by_default_and_the_policy_stays_strict():
    found = security_settings()

    assert found == {"account": "", "script": ["'self'"], "connect": ["'self'"]}


def test_an_account_id_switches_the_widget_on_and_lets_its_hosts_in():
    found = security_settings(USERWAY_ACCOUNT_ID="acct-42")

    assert found["account"] == "acct-42"
    assert found["script"] == ["'self'", *WIDGET_HOSTS]
    assert found["connect"] == ["'self'", *WIDGET_HOSTS]


@pytest.mark.django_db
def test_pages_carry_the_script_only_when_an_account_is_set(client, settings):
    from tests.marketing_site.pages.factories import home_page

    settings.MARKETING_PAGE_CACHE_SECONDS = 0
    home_page()
    settings.USERWAY_ACCOUNT_ID = ""
    assert "userway" not in client.get("/").content.decode()

    settings.USERWAY_ACCOUNT_ID = "acct-42"
    html = client.get("/").content.decode()

    assert (
        '<script src="https://cdn.userway.org/widget.js" data-account="acct-42" defer></script>'
    ) in html
