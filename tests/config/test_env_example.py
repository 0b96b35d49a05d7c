""".env.example lists every setting the code reads from the environment, and nothing the
code no longer reads, so a newcomer (and an operator) can trust it as the full list."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# env("NAME"), env.str("NAME", ...), env.int(\n "NAME"...) in the settings modules.
READ = re.compile(r"\benv(?:\.[a-z_]+)?\(\s*\"([A-Z][A-Z0-9_]+)\"")
LISTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]+)=", re.MULTILINE)
# Read around Django rather than by the settings: the settings module, make run's port.
PROCESS_ONLY = {"DJANGO_SETTINGS_MODULE", "PORT"}


def read_by_settings() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "config").rglob("*.py"):
        names |= set(READ.findall(path.read_text()))
    return names


def listed_in_env_example() -> set[str]:
    return set(LISTED.findall((ROOT / ".env.example").read_text()))


def test_the_settings_read_some_variables():
    # Guards the pattern itself: if it stopped matching, the comparisons below would pass.
    assert {"DATABASE_URL", "REDIS_URL", "TRUSTED_PROXY_COUNT"} <= read_by_settings()


def test_every_setting_read_from_the_environment_is_in_env_example():
    missing = read_by_settings() - listed_in_env_example()
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_env_example_lists_nothing_the_code_does_not_read():
    stale = listed_in_env_example() - read_by_settings() - PROCESS_ONLY
    assert not stale, f".env.example lists {sorted(stale)}, which no setting reads"
