"""commerce.credits.wording and the `credits` template filter: one way to write a count of
credits ("1 credit", "2 credits"), used wherever a count is shown."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template

from commerce.credits.wording import credit_count

ROOT = Path(__file__).resolve().parents[3]
SOURCE_DIRS = ["accounts", "cms", "commerce", "marketing_site", "marketplace", "templates"]
# "{{ n }} credits" in a template, f"{n} credits" in Python: the plural no matter what n is.
FIXED_PLURAL = {
    ".html": re.compile(r"\}\}\s*credits\b"),
    ".txt": re.compile(r"\}\}\s*credits\b"),
    ".py": re.compile(r"\{[^{}\"']+\}\s+credits\b"),
}


@pytest.mark.parametrize(
    ("amount", "text"), [(0, "0 credits"), (1, "1 credit"), (2, "2 credits"), (-1, "-1 credits")]
)
def test_credit_count(amount, text):
    assert credit_count(amount) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(1, "1 credit"), (4, "4 credits"), ("1", "1 credit"), (None, ""), ("x", "x")],
)
def test_the_template_filter(value, text):
    rendered = Template("{% load credit_counts %}{{ value|credits }}").render(
        Context({"value": value})
    )
    assert rendered == text


def test_no_template_or_message_writes_a_count_with_a_fixed_plural():
    offenders = []
    for directory in SOURCE_DIRS:
        for path in (ROOT / directory).rglob("*"):
            pattern = FIXED_PLURAL.get(path.suffix)
            if pattern is None or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "use the credits filter or credit_count():\n" + "\n".join(offenders)
