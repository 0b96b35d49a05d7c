"""config.checks.check_production_kyc: production may not run on the rule-deciding
local KYC adapter or the local webhook secret."""

from config.checks import check_production_kyc


def test_the_local_adapter_and_default_secret_are_refused(settings):
    settings.KYC_GATEWAY = "integrations.kyc.local.LocalKyc"
    settings.KYC_WEBHOOK_SECRET = "local-kyc"

    errors = check_production_kyc(None)

    assert [error.id for error in errors] == ["aeyia.E008", "aeyia.E008"]
    assert "local adapter" in errors[0].msg
    assert "KYC_WEBHOOK_SECRET" in errors[1].msg


def test_a_live_adapter_with_its_own_secret_passes(settings):
    settings.KYC_GATEWAY = "integrations.kyc.live.FrankieOneKyc"
    settings.KYC_WEBHOOK_SECRET = "a-long-random-shared-secret"

    assert check_production_kyc(None) == []
