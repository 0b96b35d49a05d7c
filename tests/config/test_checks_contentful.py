"""The Contentful deploy check refuses the offline space, a missing space or token, and the
local webhook secret."""

import pytest
from django.test import override_settings

from config.checks import check_production_contentful

LIVE = {
    "CONTENTFUL_GATEWAY": "integrations.contentful.live.ContentfulLiveClient",
    "CONTENTFUL_SPACE_ID": "aeyiaspace01",
    "CONTENTFUL_ACCESS_TOKEN": "cda-token",
    "CONTENTFUL_WEBHOOK_SECRET": "a-long-shared-secret",
}


def test_the_live_adapter_with_space_token_and_secret_passes():
    with override_settings(**LIVE):
        assert check_production_contentful(None) == []


@pytest.mark.parametrize(
    ("changes", "check_id"),
    [
        ({"CONTENTFUL_GATEWAY": "integrations.contentful.local.LocalContentful"}, "aeyia.E041"),
        ({"CONTENTFUL_SPACE_ID": ""}, "aeyia.E042"),
        ({"CONTENTFUL_ACCESS_TOKEN": ""}, "aeyia.E042"),
        ({"CONTENTFUL_WEBHOOK_SECRET": "local-contentful"}, "aeyia.E043"),
        ({"CONTENTFUL_WEBHOOK_SECRET": ""}, "aeyia.E043"),
    ],
)
def test_each_problem_is_refused_with_its_id(changes, check_id):
    with override_settings(**{**LIVE, **changes}):
        assert [error.id for error in check_production_contentful(None)] == [check_id]


def test_the_development_defaults_fail_every_part():
    with override_settings(
        CONTENTFUL_GATEWAY="integrations.contentful.local.LocalContentful",
        CONTENTFUL_SPACE_ID="",
        CONTENTFUL_ACCESS_TOKEN="",
        CONTENTFUL_WEBHOOK_SECRET="local-contentful",
    ):
        errors = check_production_contentful(None)

    assert [error.id for error in errors] == ["aeyia.E041", "aeyia.E042", "aeyia.E043"]
    assert "CONTENTFUL_SPACE_ID and CONTENTFUL_ACCESS_TOKEN" in errors[1].msg
