"""config.checks.check_production_kyc: production may not run on the rule-deciding
local KYC adapter or the local webhook secret, and the FrankieOne adapter needs every one
of its settings."""

import pytest

from config.checks import FRANKIEONE_REQUIRED, check_production_kyc

LIVE = "integrations.kyc.live.FrankieOneKyc"


@pytest.fixture
def live(settings):
    settings.KYC_GATEWAY = LIVE
    settings.KYC_WEBHOOK_SECRET = "a-long-random-shared-secret"
    settings.FRANKIEONE_BASE_URL = "https://api.frankie.one"
    settings.FRANKIEONE_API_KEY = "key"
    settings.FRANKIEONE_CUSTOMER_ID = "12345678-1234-1234-1234-123456789012"
    settings.FRANKIEONE_SERVICE_NAME = "aeyia_practitioners"
    settings.FRANKIEONE_WORKFLOW_NAME = "GBR-Basic-IDV"
    settings.FRANKIEONE_NOTIFICATION_SECRET = "x" * 43
    return settings


def test_the_local_adapter_and_default_secret_are_refused(settings):
    settings.KYC_GATEWAY = "integrations.kyc.local.LocalKyc"
    settings.KYC_WEBHOOK_SECRET = "local-kyc"

    errors = check_production_kyc(None)

    assert [error.id for error in errors] == ["aeyia.E008", "aeyia.E008"]
    assert "local adapter" in errors[0].msg and LIVE in errors[0].msg
    assert "KYC_WEBHOOK_SECRET" in errors[1].msg


def test_the_live_adapter_with_all_its_settings_passes(live):
    assert check_production_kyc(None) == []


@pytest.mark.parametrize(
    "value", ["", "replace-with-frankieone-api-key"], ids=["unset", "placeholder"]
)
@pytest.mark.parametrize("name", FRANKIEONE_REQUIRED)
def test_each_missing_frankieone_setting_is_named(live, name, value):
    setattr(live, name, value)

    errors = check_production_kyc(None)

    assert {error.id for error in errors} == {"aeyia.E008"}
    assert name in errors[0].msg and "needs" in errors[0].msg


@pytest.mark.parametrize("secret", ["short", "x" * 31, "x" * 40 + "/y", "x" * 40 + "?y"], ids=str)
def test_a_weak_or_unusable_notification_secret_is_refused(live, secret):
    live.FRANKIEONE_NOTIFICATION_SECRET = secret

    errors = check_production_kyc(None)

    assert [error.id for error in errors] == ["aeyia.E008"]
    assert "FRANKIEONE_NOTIFICATION_SECRET" in errors[0].msg


def test_a_plain_http_base_url_is_refused(live):
    live.FRANKIEONE_BASE_URL = "http://api.frankie.one"

    assert ["https://" in error.msg for error in check_production_kyc(None)] == [True]


def test_an_adapter_that_cannot_be_imported_is_refused(live):
    live.KYC_GATEWAY = "integrations.kyc.live.FrankieOneKYC"

    errors = check_production_kyc(None)

    assert [error.id for error in errors] == ["aeyia.E008"]
    assert "cannot be imported" in errors[0].msg
